package x

import (
	"os"
	"strings"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
)

// The documented Account Activity direct message is the customer's
// message, named from the delivery's users.
func TestParseDocumentedDM(t *testing.T) {
	body, err := os.ReadFile("testdata/dm.json")
	if err != nil {
		t.Fatal(err)
	}
	p, err := Parse("4337869213", body)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Messages) != 1 {
		t.Fatalf("messages %+v", p.Messages)
	}
	m := p.Messages[0]
	if m.ExternalID != "954491830116155396" || m.ContactID != "3001969357" || m.Name != "Jordan Brinks" || m.Content != "Hello World!" ||
		m.Echo || m.Public || !m.SentAt.Equal(time.UnixMilli(1516403560557)) {
		t.Fatalf("message %+v", m)
	}
	// The account's own message, as X delivers it too, is an echo to its
	// recipient.
	own := strings.NewReplacer(`"sender_id": "3001969357"`, `"sender_id": "4337869213"`,
		`"recipient_id": "4337869213"`, `"recipient_id": "3001969357"`).Replace(string(body))
	p, err = Parse("4337869213", []byte(own))
	if err != nil || len(p.Messages) != 1 || !p.Messages[0].Echo || p.Messages[0].ContactID != "3001969357" {
		t.Fatalf("own message %+v %v, want an echo to the recipient", p.Messages, err)
	}
	// Another account's delivery yields nothing.
	if p, err := Parse("1", body); err != nil || len(p.Messages) != 0 {
		t.Fatalf("another account's delivery: %+v %v", p, err)
	}
}

func TestParse(t *testing.T) {
	const me = "4337869213"
	for _, tc := range []struct {
		name, body string
		want       []string // external id, content, contact, post id; "echo" marks an echo
	}{
		{"xaa envelope", `{"data":{"event_uuid":"-6850472171600526495","filter":{"user_id":"4337869213"},"event_type":"dm.received","tag":"dm-inbound","payload":{"direct_message_events":[{"type":"message_create","id":"77","created_timestamp":"1516403560557","message_create":{"target":{"recipient_id":"4337869213"},"sender_id":"5","message_data":{"text":"hi"}}}],"users":{"5":{"data":{"name":"Rina","username":"rina"}}}}}}`,
			[]string{"77", "hi", "5", ""}},
		{"mention on its own", `{"for_user_id":"4337869213","tweet_create_events":[{"id_str":"90","text":"@Harris_0ff help","user":{"id_str":"5","name":"Rina"},"entities":{"user_mentions":[{"id_str":"4337869213"}]}}]}`,
			[]string{"90", "@Harris_0ff help", "5", "90"}},
		{"extended mention answering a post", `{"for_user_id":"4337869213","tweet_create_events":[{"id_str":"91","text":"short…","extended_tweet":{"full_text":"the whole text"},"in_reply_to_status_id_str":"80","in_reply_to_user_id_str":"4337869213","user":{"id_str":"5"}}]}`,
			[]string{"91", "the whole text", "5", "80"}},
		{"own answer", `{"for_user_id":"4337869213","tweet_create_events":[{"id_str":"92","text":"thanks","in_reply_to_status_id_str":"91","user":{"id_str":"4337869213"}}]}`,
			[]string{"92", "thanks", "4337869213", "91", "echo"}},
		{"retweet", `{"for_user_id":"4337869213","tweet_create_events":[{"id_str":"93","text":"RT","retweeted_status":{"id_str":"1"},"user":{"id_str":"5"},"entities":{"user_mentions":[{"id_str":"4337869213"}]}}]}`, nil},
		{"post not about the account", `{"for_user_id":"4337869213","tweet_create_events":[{"id_str":"94","text":"hello","user":{"id_str":"5"}}]}`, nil},
		{"typing", `{"for_user_id":"4337869213","direct_message_indicate_typing_events":[{"sender_id":"5"}]}`, nil},
		{"photo", `{"for_user_id":"4337869213","direct_message_events":[{"type":"message_create","id":"78","message_create":{"target":{"recipient_id":"4337869213"},"sender_id":"5","message_data":{"text":"look https://t.co/abc","attachment":{"type":"media","media":{"id_str":"1","type":"photo","url":"https://t.co/abc","media_url_https":"https://ton.twitter.com/1.1/ton/data/dm/78/1/x.jpg"}}}}}]}`,
			[]string{"78", "look", "5", "", "file"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Parse(me, []byte(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			if tc.want == nil {
				if len(p.Messages) != 0 {
					t.Fatalf("messages %+v, want none", p.Messages)
				}
				return
			}
			if len(p.Messages) != 1 {
				t.Fatalf("messages %+v, want one", p.Messages)
			}
			m := p.Messages[0]
			postID := ""
			if m.Post != nil {
				postID = m.Post.ID
			}
			flag := len(tc.want) > 4
			if m.ExternalID != tc.want[0] || m.Content != tc.want[1] || m.ContactID != tc.want[2] || postID != tc.want[3] ||
				m.Public != (postID != "") || flag && tc.want[4] == "echo" && !m.Echo || !flag && m.Echo ||
				flag && tc.want[4] == "file" && (len(m.Files) != 1 || m.Files[0].ContentType != "image/jpeg") {
				t.Fatalf("message %+v (post %+v), want %v", m, m.Post, tc.want)
			}
		})
	}
}

// A read receipt of the customer marks the account's message read.
func TestParseRead(t *testing.T) {
	p, err := Parse("4337869213", []byte(`{"for_user_id":"4337869213","direct_message_mark_read_events":[{"created_timestamp":"1516403560557","sender_id":"5","target":{"recipient_id":"4337869213"},"last_read_event_id":"99"}]}`))
	if err != nil || len(p.Receipts) != 1 || p.Receipts[0].ExternalID != "99" || p.Receipts[0].Status != sahay.DeliveryRead {
		t.Fatalf("receipts %+v %v", p.Receipts, err)
	}
}

// Parse never panics, and what it accepts it parses the same way twice.
func FuzzParse(f *testing.F) {
	if body, err := os.ReadFile("testdata/dm.json"); err == nil {
		f.Add(body)
	}
	f.Add([]byte(`{"for_user_id":"4337869213","tweet_create_events":[{"id_str":"90","text":"@a","user":{"id_str":"5"},"entities":{"user_mentions":[{"id_str":"4337869213"}]}}]}`))
	f.Add([]byte(`{"data":{"event_uuid":"1","payload":{"direct_message_events":[{"type":"message_create","id":"1","message_create":{"sender_id":"2"}}]}}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		p1, err1 := Parse("4337869213", body)
		p2, err2 := Parse("4337869213", body)
		if (err1 == nil) != (err2 == nil) || len(p1.Messages) != len(p2.Messages) || len(p1.Receipts) != len(p2.Receipts) {
			t.Fatalf("two parses differ: %v %v", err1, err2)
		}
		for _, m := range p1.Messages {
			if m.ExternalID == "" || m.ContactID == "" {
				t.Fatalf("message without id or sender: %+v", m)
			}
		}
		_, _ = dedupeKeys(body)
	})
}
