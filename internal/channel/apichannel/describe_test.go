package apichannel_test

import (
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/apitest"
	"github.com/sahayhq/sahay/internal/channel/apichannel"
)

// The schema names every setting an API inbox reads, and its signing secret
// as a generated secret.
func TestDescribeDeclaresEverySetting(t *testing.T) {
	d := apichannel.New(nil, false).Describe()
	declared := map[string]bool{}
	for _, s := range d.Settings {
		declared[s.Key] = true
		if s.Key == apichannel.SecretKey && (!s.Secret || !s.Generated) {
			t.Errorf("%s: %+v, want a generated secret", s.Key, s)
		}
		if s.Key == "webhook_url" && (s.Type != "url" || s.Secret || s.Required) {
			t.Errorf("webhook_url: %+v, want an optional url", s)
		}
	}
	st := reflect.TypeFor[apichannel.Settings]()
	for i := range st.NumField() {
		key, _, _ := strings.Cut(st.Field(i).Tag.Get("json"), ",")
		if !declared[key] {
			t.Errorf("setting %q is read but not declared", key)
		}
	}
	if !declared[apichannel.SecretKey] {
		t.Errorf("the signing secret %q is not declared", apichannel.SecretKey)
	}
	c := d.Capabilities
	if c.MaxText != 0 || !reflect.DeepEqual(c.Attachments, []string{"*/*"}) || c.Typing || !c.ReadReceipts || c.MarkRead || c.WindowHours != 0 {
		t.Errorf("capabilities %+v", c)
	}
}

// Saving an inbox takes the signing secret among its settings, keeps it
// encrypted among the secrets, and refuses a setting that breaks the
// schema with an error naming it.
func TestSaveBySchema(t *testing.T) {
	t.Parallel()
	s := apitest.NewServer(t)
	owner := s.NewAccount(t, "Shop")
	var in sahay.Inbox
	s.Must(t, owner.Token, http.MethodPost, "/api/v1/inboxes", map[string]any{"name": "App", "channel": "api",
		"settings": map[string]any{"webhook_url": "https://example.com/hook", "webhook_secret": "chosen-secret"}}, http.StatusCreated, &in)
	if strings.Contains(string(in.Settings), "chosen-secret") {
		t.Fatalf("settings %s show the secret", in.Settings)
	}
	var secrets map[string]string
	s.Must(t, owner.Token, http.MethodGet, fmt.Sprintf("/api/v1/inboxes/%d/secrets", in.ID), nil, http.StatusOK, &secrets)
	if secrets["webhook_secret"] != "chosen-secret" {
		t.Fatalf("secrets %v, want the chosen signing secret", secrets)
	}
	for _, tc := range []struct {
		settings map[string]any
		want     string
	}{
		{map[string]any{"webhook_url": 42}, "settings.webhook_url (Webhook URL) must be a string"},
		{map[string]any{"webhook_url": "example.com/hook"}, "settings.webhook_url (Webhook URL) must be an http or https address"},
		{map[string]any{"webhook_secret": true}, "settings.webhook_secret must be a string"},
	} {
		r := s.Call(t, owner.Token, http.MethodPatch, fmt.Sprintf("/api/v1/inboxes/%d", in.ID), map[string]any{"settings": tc.settings})
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.String(), tc.want) {
			t.Errorf("settings %v: %s, want 422 saying %q", tc.settings, r, tc.want)
		}
	}
	s.Must(t, owner.Token, http.MethodGet, fmt.Sprintf("/api/v1/inboxes/%d/secrets", in.ID), nil, http.StatusOK, &secrets)
	if secrets["webhook_secret"] != "chosen-secret" {
		t.Fatalf("a refused save changed the secrets: %v", secrets)
	}
}
