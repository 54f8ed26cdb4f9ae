package instagram

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/channel"
	"github.com/sahayhq/sahay/internal/channel/meta"
)

const account = "17841405822304914"

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// parsePayload splits a delivery as the webhook does and parses each entry.
func parsePayload(t *testing.T, body []byte) channel.Parsed {
	t.Helper()
	events, err := meta.Split(body, meta.ObjectInstagram)
	if err != nil {
		t.Fatal(err)
	}
	var all channel.Parsed
	for _, e := range events {
		p, err := Parse(account, e.Body)
		if err != nil {
			t.Fatal(err)
		}
		all.Messages = append(all.Messages, p.Messages...)
		all.Receipts = append(all.Receipts, p.Receipts...)
	}
	return all
}

// The documented sample, whose timestamp is in seconds.
func TestParseText(t *testing.T) {
	got := parsePayload(t, readFixture(t, "text.json")).Messages
	if len(got) != 1 || got[0].Content != "Hello from Instagram" || got[0].ContactID != "1254459154682919" ||
		!got[0].SentAt.Equal(time.Unix(1527459824, 0)) || got[0].Public {
		t.Fatalf("got %+v", got)
	}
}

func TestParseComments(t *testing.T) {
	at := time.Unix(1764932000, 0).UTC()
	got := parsePayload(t, readFixture(t, "comments.json")).Messages
	want := []channel.Inbound{
		{ExternalID: "17919697626119712", ContactID: "17841400000000001", Name: "priya.shops", Content: "Price please? 😍", SentAt: at,
			Public: true, Post: &sahay.Post{ID: "18172143295349192", Kind: "post"}},
		{ExternalID: "17919697626119713", ContactID: "17841400000000002", Name: "rahim_uddin", Content: "কোথায় পাবো?", SentAt: at,
			Public: true, Post: &sahay.Post{ID: "18033456789012345", Kind: "reel"}},
		{ExternalID: "17919697626119714", ContactID: "17841400000000003", Name: "ad_viewer", Content: "Do you ship to Chittagong?", SentAt: at,
			Public: true, Post: &sahay.Post{ID: "18044444444444444", Kind: "ad"}},
		{ExternalID: "17919697626119715", ContactID: account, Content: "Sent you a DM!", SentAt: at, Echo: true,
			Thread: []string{"17919697626119712"}, Public: true, Post: &sahay.Post{ID: "18172143295349192", Kind: "post"}},
		{ExternalID: "17919697626119717", ContactID: "17841400000000004", Name: "live_fan", Content: "Show the green one!", SentAt: at,
			Public: true, Post: &sahay.Post{ID: "18055555555555555", Kind: "live"}},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d messages, want %d: %+v", len(got), len(want), got)
	}
	for i := range got {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("message %d:\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}
}

func TestParseRefuses(t *testing.T) {
	for _, body := range []string{
		`not json`,
		`{"id":"1","changes":[{"field":"comments","value":{"media":{"id":"m"},"from":{"id":"9"},"text":"no id"}}]}`,
		`{"id":"1","changes":[{"field":"comments","value":{"id":"c","from":{"id":"9"},"text":"no media"}}]}`,
		`{"id":"1","changes":[{"field":"comments","value":"a string"}]}`,
		`{"id":"1","pad":"` + strings.Repeat("x", maxEntry) + `"}`,
	} {
		if _, err := Parse("1", []byte(body)); err == nil {
			t.Errorf("%.60s: no error", body)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, name := range []string{"text.json", "comments.json"} {
		events, err := meta.Split(readFixture(f, name), "")
		if err != nil {
			f.Fatal(err)
		}
		for _, e := range events {
			f.Add(e.Body)
		}
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var e struct {
			ID string `json:"id"`
		}
		json.Unmarshal(body, &e)
		p, err := Parse(e.ID, body)
		if err != nil {
			return
		}
		for _, m := range p.Messages {
			if m.ExternalID == "" || m.ContactID == "" {
				t.Fatalf("message without an id or a customer: %+v", m)
			}
			if m.Public && (m.Post == nil || m.Post.ID == "" || m.Post.Kind == "") {
				t.Fatalf("comment without its post: %+v", m)
			}
		}
	})
}

// An entry of another account is left out: it cannot be answered from
// this inbox.
func TestParseOtherAccount(t *testing.T) {
	events, err := meta.Split(readFixture(t, "comments.json"), meta.ObjectInstagram)
	if err != nil {
		t.Fatal(err)
	}
	if p, err := Parse("17841400000000999", events[0].Body); err != nil || len(p.Messages) != 0 {
		t.Fatalf("entry of another account: %+v %v", p, err)
	}
}
