package api_test

import (
	"net/http"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/apitest"
)

// TestREADMEChannels keeps the README's table of channels true: it names
// exactly the channels an inbox can be made of, the list the API gives
// with an unknown channel.
func TestREADMEChannels(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(raw), "\n## Channels\n")
	if !ok {
		t.Fatal("README.md has no Channels section")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	var documented []string
	for _, m := range regexp.MustCompile("(?m)^\\|[^|]+\\| `([a-z0-9_]+)` \\|").FindAllStringSubmatch(section, -1) {
		documented = append(documented, m[1])
	}

	s := apitest.NewServer(t)
	o := s.NewAccount(t, "Acme")
	r := s.Call(t, o.Token, http.MethodPost, "/api/v1/inboxes", map[string]any{"name": "Elsewhere", "channel": "carrier-pigeon"})
	wantError(t, r, http.StatusUnprocessableEntity, sahay.EINVALID)
	_, msg := r.Error()
	m := regexp.MustCompile(`use one of \[([^\]]*)\]`).FindStringSubmatch(msg)
	if m == nil {
		t.Fatalf("an unknown channel's error does not list the channels: %q", msg)
	}
	served := strings.Fields(m[1])
	slices.Sort(served)
	slices.Sort(documented)
	if !slices.Equal(served, documented) {
		t.Errorf("README.md's Channels table lists %v; the server has %v", documented, served)
	}
}
