package twilio_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/sahayhq/sahay/internal/channel"
	"github.com/sahayhq/sahay/internal/channel/twilio"
	"github.com/sahayhq/sahay/internal/channel/twilio/twiliotest"
)

// Files are read with the account's credentials from Twilio's API only,
// and no further than the limit.
func TestDownload(t *testing.T) {
	sim := twiliotest.New(t)
	c := &twilio.Client{BaseURL: sim.URL, AccountSID: twiliotest.AccountSID, AuthToken: twiliotest.AuthToken, HTTP: http.DefaultClient}
	ctx := context.Background()
	big := sim.AddMedia("ME1", []byte(strings.Repeat("x", 200)))
	if data, err := c.Download(ctx, big, 200); err != nil || len(data) != 200 {
		t.Fatalf("download: %d bytes, %v", len(data), err)
	}
	if _, err := c.Download(ctx, big, 100); !errors.Is(err, channel.ErrTooLarge) {
		t.Fatalf("over the limit: %v, want ErrTooLarge", err)
	}
	var auth string
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth = r.Header.Get("Authorization")
		w.Write([]byte("file"))
	}))
	defer other.Close()
	if _, err := c.Download(ctx, other.URL+"/file", 100); err != nil || auth != "" {
		t.Fatalf("another host: %v, Authorization %q, want none", err, auth)
	}
}
