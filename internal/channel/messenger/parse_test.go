package messenger

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

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// parsePayload splits a delivery as the webhook does and parses each entry.
func parsePayload(t *testing.T, pageID string, body []byte) channel.Parsed {
	t.Helper()
	events, err := meta.Split(body, meta.ObjectPage)
	if err != nil {
		t.Fatal(err)
	}
	var all channel.Parsed
	for _, e := range events {
		p, err := Parse(pageID, e.Body)
		if err != nil {
			t.Fatal(err)
		}
		all.Messages = append(all.Messages, p.Messages...)
		all.Receipts = append(all.Receipts, p.Receipts...)
	}
	return all
}

// The documented sample, whose signature is the reference's vector.
func TestParseSigned(t *testing.T) {
	body := readFixture(t, "signed.json")
	if err := meta.VerifySignature("test_app_secret", "sha256=680a76d795a72e1b67c2b9af1c22ba97f49014f49ea73ff3dc6f20d48174f624", body); err != nil {
		t.Fatal(err)
	}
	got := parsePayload(t, "111111", body)
	want := []channel.Inbound{{ExternalID: "mid.1457764197618:41d102a3e1ae206a38", ContactID: "USER_ID", Content: "hello, world!",
		SentAt: time.UnixMilli(1457764197627).UTC()}}
	if !reflect.DeepEqual(got.Messages, want) {
		t.Fatalf("got %+v, want %+v", got.Messages, want)
	}
}

func TestParseComments(t *testing.T) {
	const page = "106541234567890"
	post := &sahay.Post{ID: "106541234567890_998877665544", URL: "https://www.facebook.com/106541234567890/posts/pfbid02abc", Kind: "post"}
	plainPost := &sahay.Post{ID: "106541234567890_998877665544", URL: "https://www.facebook.com/106541234567890_998877665544", Kind: "post"}
	got := parsePayload(t, page, readFixture(t, "feed.json")).Messages
	want := []channel.Inbound{
		{ExternalID: "998877665544_1122334455", ContactID: "7301234567890123", Name: "Nusrat Jahan", Content: "এই শাড়িটা কি লাল রঙে আছে?",
			SentAt: time.Unix(1764930950, 0).UTC(), Public: true, Post: post},
		{ExternalID: "998877665544_1122334455", ContactID: "7301234567890123", Name: "Nusrat Jahan", Content: "এই শাড়িটা কি নীল রঙে আছে?",
			SentAt: time.Date(2026, 12, 5, 10, 56, 40, 0, time.UTC), Public: true, Post: plainPost, Edit: true},
		{ExternalID: "998877665544_1122334466", ContactID: page, Content: "Yes! Sending you the details.",
			SentAt: time.Unix(1764931000, 0).UTC(), Public: true, Post: plainPost, Echo: true, Thread: []string{"998877665544_1122334455"}},
		{ExternalID: "998877665544_1122334488", ContactID: "7301234567890999", Name: "Arjun Mehta",
			SentAt: time.Unix(1764931002, 0).UTC(), Public: true, Post: plainPost,
			Files: []channel.RemoteFile{{ID: "https://scontent.xx.fbcdn.net/v/t39.30808-6/comment_photo.jpg", Name: "photo-998877665544_1122334488.jpg", ContentType: "image/jpeg"}}},
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

// An entry of another page is left out: it cannot be answered from this
// inbox.
func TestParseOtherPage(t *testing.T) {
	events, err := meta.Split(readFixture(t, "signed.json"), meta.ObjectPage)
	if err != nil {
		t.Fatal(err)
	}
	if p, err := Parse("222222", events[0].Body); err != nil || len(p.Messages)+len(p.Receipts) != 0 {
		t.Fatalf("entry of page 111111 in inbox of 222222: %+v %v", p, err)
	}
}

func TestParseRefuses(t *testing.T) {
	for _, body := range []string{
		`not json`,
		`{"id":"1","changes":[{"field":"feed","value":{"item":"comment","verb":"add","post_id":"1_2","from":{"id":"9"}}}]}`,
		`{"id":"1","changes":[{"field":"feed","value":{"item":"comment","verb":"add","comment_id":"c","post_id":"1_2","from":{"id":"9"},"created_time":"yesterday"}}]}`,
		`{"id":"1","messaging":[{"sender":{"id":"9"},"message":{"text":"no mid"}}]}`,
		`{"id":"1","pad":"` + strings.Repeat("x", maxEntry) + `"}`,
	} {
		if _, err := Parse("1", []byte(body)); err == nil {
			t.Errorf("%.60s: no error", body)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, name := range []string{"signed.json", "feed.json"} {
		events, err := meta.Split(readFixture(f, name), "")
		if err != nil {
			f.Fatal(err)
		}
		for _, e := range events {
			f.Add(e.Body)
		}
	}
	f.Add([]byte(`{"id":"111111","standby":[{"sender":{"id":"U"},"recipient":{"id":"111111"},"delivery":{"watermark":1}}]}`))
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
			if m.Public && (m.Post == nil || m.Post.ID == "") {
				t.Fatalf("comment without its post: %+v", m)
			}
		}
	})
}
