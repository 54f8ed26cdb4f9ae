package helpcenter_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/sahayhq/sahay/internal/apitest"
)

// TestChat: a help center that names a website chat inbox shows its
// widget on every page, and "Chat with us" opens it; without one,
// "Contact us" leads to the contact address. Only a website chat inbox
// of the account may be named.
func TestChat(t *testing.T) {
	apitest.Dialects(t, func(t *testing.T, _ string) {
		d := newDesk(t)
		d.publish(t, "en", "Opening hours", "We answer every day from 9 to 9.", nil)

		home := d.get(t, "/hc/"+d.slug)
		if n := len(home.all("script")); n != 0 || !strings.Contains(home.header.Get("Content-Security-Policy"), "script-src 'none'") {
			t.Fatalf("a help center without chat has %d scripts, policy %q", n, home.header.Get("Content-Security-Policy"))
		}

		d.settings(t, map[string]any{"contact_url": "https://acme.example/contact"})
		home = d.get(t, "/hc/"+d.slug)
		if got := home.one(t, "a", "href", "class", "button"); got != "https://acme.example/contact" {
			t.Fatalf("contact leads to %q", got)
		}

		api := d.NewInbox(t, d.owner, "App", "api", nil)
		other := d.NewAccount(t, "Other")
		theirs := d.NewInbox(t, other, "Their site", "widget", map[string]any{})
		for _, id := range []int64{api.ID, theirs.ID, 999999} {
			r := d.Call(t, d.owner.Token, http.MethodPut, "/api/v1/kb/settings", map[string]any{"chat_inbox_id": id})
			if r.Status != http.StatusUnprocessableEntity {
				t.Fatalf("chat inbox %d: %s", id, r)
			}
		}
		for _, bad := range []string{"javascript:alert(1)", "ftp://acme.example", "not a url"} {
			if r := d.Call(t, d.owner.Token, http.MethodPut, "/api/v1/kb/settings", map[string]any{"contact_url": bad}); r.Status != http.StatusUnprocessableEntity {
				t.Fatalf("contact_url %q: %s", bad, r)
			}
		}

		site := d.NewInbox(t, d.owner, "Website", "widget", map[string]any{})
		var settings struct {
			WebsiteToken string `json:"website_token"`
		}
		json.Unmarshal(site.Settings, &settings)
		d.settings(t, map[string]any{"chat_inbox_id": site.ID})
		for _, path := range []string{"/hc/" + d.slug, "/hc/" + d.slug + "/bn"} {
			p := d.get(t, path)
			if got := p.one(t, "script", "data-inbox", "src", "/widget.js"); got != settings.WebsiteToken || got == "" {
				t.Fatalf("%s: the widget's inbox is %q, want %q", path, got, settings.WebsiteToken)
			}
			opener := p.one(t, "script", "src", "defer", "*")
			if p.one(t, "a", "href", "data-sahay-open", "*") != "#chat" {
				t.Fatalf("%s: no chat button", path)
			}
			csp := p.header.Get("Content-Security-Policy")
			if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-eval") {
				t.Fatalf("%s: policy %q", path, csp)
			}
			if js := d.get(t, opener); js.status != http.StatusOK || !strings.Contains(js.body, "Sahay.open()") ||
				!strings.HasPrefix(js.header.Get("Content-Type"), "text/javascript") {
				t.Fatalf("%s: the opener %s answers %d %q", path, opener, js.status, js.body)
			}
		}

		// Deleting the inbox removes the chat.
		d.Must(t, d.owner.Token, http.MethodDelete, fmt.Sprintf("/api/v1/inboxes/%d", site.ID), nil, http.StatusNoContent, nil)
		if n := len(d.get(t, "/hc/"+d.slug).all("script")); n != 0 {
			t.Fatalf("%d scripts after the chat inbox was deleted", n)
		}
	})
}
