package email_test

import (
	"net/http"
	"strings"
	"testing"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/apitest"
	"github.com/sahayhq/sahay/internal/channel"
)

// contract is the settings of an email inbox as the contract
// writes them, ports as JSON numbers.
func contract() map[string]any {
	return map[string]any{"address": "support@example.com",
		"imap_host": "imap.example.com", "imap_port": 993, "imap_username": "support@example.com", "imap_password": "app-password",
		"imap_tls": "tls", "smtp_host": "smtp.example.com", "smtp_port": 587, "smtp_username": "support@example.com",
		"smtp_password": "app-password", "smtp_tls": "starttls"}
}

func TestInboxContract(t *testing.T) {
	apitest.Dialects(t, func(t *testing.T, _ string) {
		s := apitest.NewServer(t)
		owner := s.NewAccount(t, "Shop")
		var inbox sahay.Inbox
		s.Must(t, owner.Token, "POST", "/api/v1/inboxes", map[string]any{"name": "Support", "channel": "email", "settings": contract()},
			http.StatusCreated, &inbox)
		if inbox.Channel != "email" {
			t.Fatalf("channel = %q", inbox.Channel)
		}
		if string(inbox.Settings) == "" || strings.Contains(string(inbox.Settings), "app-password") {
			t.Errorf("settings %s show a password", inbox.Settings)
		}

		// Every bad setting is refused, naming it, and nothing is saved.
		bad := []struct {
			name string
			set  map[string]any
		}{
			{"address", map[string]any{"address": "not an address"}},
			{"imap_port", map[string]any{"imap_port": 70000}},
			{"imap_port", map[string]any{"imap_port": "imap"}},
			{"imap_tls", map[string]any{"imap_tls": "ssl"}},
			{"smtp_tls", map[string]any{"smtp_tls": "yes"}},
			{"imap_host", map[string]any{"imap_host": "http://imap.example.com/"}},
			{"imap_password", map[string]any{"imap_password": 12}},
		}
		for _, b := range bad {
			set := contract()
			for k, v := range b.set {
				set[k] = v
			}
			r := s.Call(t, owner.Token, "POST", "/api/v1/inboxes", map[string]any{"name": "Bad", "channel": "email", "settings": set})
			code, msg := r.Error()
			if r.Status != http.StatusUnprocessableEntity || !strings.Contains(msg, b.name) {
				t.Errorf("%s %v: %d %s %s, want 422 naming it", b.name, b.set, r.Status, code, msg)
			}
		}
		var inboxes struct{ Items []sahay.Inbox }
		s.Must(t, owner.Token, "GET", "/api/v1/inboxes", nil, http.StatusOK, &inboxes)
		if len(inboxes.Items) != 1 {
			t.Errorf("%d inboxes after refused ones, want 1", len(inboxes.Items))
		}

		var channels struct{ Items []channel.Description }
		s.Must(t, owner.Token, "GET", "/api/v1/channels", nil, http.StatusOK, &channels)
		var d *channel.Description
		for i := range channels.Items {
			if channels.Items[i].Name == "email" {
				d = &channels.Items[i]
			}
		}
		if d == nil {
			t.Fatal("no email channel among", channels.Items)
		}
		if !d.Capabilities.Subject || !d.Capabilities.CC || d.Capabilities.Typing || len(d.Capabilities.Attachments) == 0 {
			t.Errorf("capabilities %+v", d.Capabilities)
		}
		secret := map[string]bool{}
		for _, st := range d.Settings {
			secret[st.Key] = st.Secret
		}
		for _, k := range []string{"address", "imap_host", "imap_port", "imap_username", "imap_password", "imap_tls",
			"smtp_host", "smtp_port", "smtp_username", "smtp_password", "smtp_tls"} {
			want := k == "imap_password" || k == "smtp_password"
			if got, ok := secret[k]; !ok || got != want {
				t.Errorf("setting %s: declared %v, secret %v; want secret %v", k, ok, got, want)
			}
		}
	})
}
