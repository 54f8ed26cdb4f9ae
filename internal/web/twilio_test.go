package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/channel/twilio/twiliotest"

	"github.com/chromedp/chromedp"
)

// TestBrowserSMSSegments: the reply box of an SMS conversation counts
// the SMS segments a reply takes, and says when Bengali or Hindi make it
// UCS-2 segments of 67 characters.
func TestBrowserSMSSegments(t *testing.T) {
	needBrowser(t, browserEnv)
	sim := twiliotest.New(t)
	d := startDashboard(t)
	owner := d.NewAccount(t, "Bazaar")
	inbox := d.NewInbox(t, owner, "SMS", "twilio", map[string]any{"account_sid": twiliotest.AccountSID,
		"auth_token": twiliotest.AuthToken, "phone_number": "+8809612345678", "api_base_url": sim.URL, "public_url": d.Server.URL})
	form := sim.SMS(twiliotest.NewSID("SM"), "+8801711223344", "+8809612345678", "অর্ডার কোথায়?")
	if resp, err := sim.Post(fmt.Sprintf("%s/webhooks/%d/sms", d.Server.URL, inbox.ID), "", twiliotest.AuthToken, form); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("sms: %v %v", resp, err)
	}
	var conv sahay.Conversation
	eventually(t, "the customer's SMS makes a conversation", func() bool {
		var list struct{ Items []sahay.Conversation }
		d.Must(t, owner.Token, http.MethodGet, "/api/v1/conversations", nil, http.StatusOK, &list)
		if len(list.Items) == 1 {
			conv = list.Items[0]
		}
		return len(list.Items) == 1
	})
	ctx := newBrowser(t)
	do(t, ctx, chromedp.EmulateViewport(1280, 800))
	login(t, ctx, d.URL, owner.Email, owner.Password)
	do(t, ctx, chromedp.Navigate(fmt.Sprintf("%s/conversations/%d", d.URL, conv.ID)))
	waitFor(t, ctx, "the reply box shows", `document.querySelector(".composer-input") && document.querySelector(".timeline .msg")`)
	setField(t, ctx, ".composer-input", "Your parcel ships today.")
	waitFor(t, ctx, "one GSM-7 segment", `document.querySelector(".composer-count").textContent === "24 / 1,600 · SMS segments: 1" && !document.querySelector(".composer-notice")`)
	setField(t, ctx, ".composer-input", strings.Repeat("ক", 100))
	waitFor(t, ctx, "two UCS-2 segments", `document.querySelector(".composer-count").textContent === "100 / 1,600 · SMS segments: 2"`)
	notice := eval[string](t, ctx, `document.querySelector(".composer-notice.sms")?.textContent ?? ""`)
	if !strings.Contains(notice, "67 each") || !strings.Contains(notice, "2 segments") {
		t.Errorf("the UCS-2 notice says %q", notice)
	}
}
