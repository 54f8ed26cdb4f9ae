package widget

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/sahayhq/sahay/internal/core"
)

// The widget declares what its chat window carries, and a new inbox takes
// its secrets through the settings like any channel's: encrypted, never
// shown, the identity secret made when none is given.
func TestDescribe(t *testing.T) {
	e := newEnv(t, "", Limits{})
	d := e.svc.ChannelDescriptions()
	if len(d) != 1 || d[0].Name != Name {
		t.Fatalf("descriptions %+v, want the widget's", d)
	}
	c := d[0].Capabilities
	if !c.Typing || !c.ReadReceipts || !c.MarkRead || c.MaxText != 0 || !reflect.DeepEqual(c.Attachments, []string{"*/*"}) || c.WindowHours != 0 || d[0].Testable {
		t.Errorf("capabilities %+v, testable %v", c, d[0].Testable)
	}
	secret := map[string]bool{}
	for _, s := range d[0].Settings {
		if !s.Secret || s.Required {
			t.Errorf("setting %+v: a new widget inbox needs no setting, and those it takes are secrets", s)
		}
		secret[s.Key] = s.Generated
	}
	if gen, ok := secret[IdentitySecretKey]; !ok || !gen {
		t.Errorf("settings %+v: want the identity secret, generated", d[0].Settings)
	}
	if gen, ok := secret[ShopifySecretKey]; !ok || gen {
		t.Errorf("settings %+v: want the Shopify secret, given", d[0].Settings)
	}

	ctx := context.Background()
	name := "Shop"
	in, err := e.svc.CreateInbox(ctx, e.agent, core.InboxInput{Name: &name, Channel: Name,
		Settings: json.RawMessage(`{"title":"Hello","shopify_secret":"shpss_0123"}`)})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(in.Settings), "shpss_0123") || !strings.Contains(string(in.Settings), `"title":"Hello"`) {
		t.Fatalf("settings %s: want the title and no secret", in.Settings)
	}
	secrets, err := e.svc.InboxSecrets(ctx, e.agent, in.ID)
	if err != nil {
		t.Fatal(err)
	}
	if secrets[ShopifySecretKey] != "shpss_0123" || len(secrets[IdentitySecretKey]) < 32 {
		t.Fatalf("secrets %v: want the Shopify secret given and an identity secret made", secrets)
	}
}
