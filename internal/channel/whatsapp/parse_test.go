package whatsapp

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/channel"
	"github.com/sahayhq/sahay/internal/channel/meta"
)

const phoneID = "1122334455667"

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// parseDelivery parses every entry of a delivery, as the journal holds
// them one an event.
func parseDelivery(t testing.TB, body []byte) channel.Parsed {
	t.Helper()
	events, err := meta.Split(body, meta.ObjectWhatsApp)
	if err != nil {
		t.Fatal(err)
	}
	var all channel.Parsed
	for _, e := range events {
		p, err := Parse(e.Body, phoneID)
		if err != nil {
			t.Fatal(err)
		}
		all.Messages = append(all.Messages, p.Messages...)
		all.Receipts = append(all.Receipts, p.Receipts...)
	}
	return all
}

// from is a message of the fixtures' customer.
func from(id string, ts int64, content string) channel.Inbound {
	return channel.Inbound{ExternalID: id, Namespace: Namespace, ContactID: "8801711223344", Name: "Rahim Uddin",
		Phone: "+8801711223344", Content: content, SentAt: time.Unix(ts, 0).UTC()}
}

func with(in channel.Inbound, f func(*channel.Inbound)) channel.Inbound {
	f(&in)
	return in
}

func TestParseFixtures(t *testing.T) {
	tests := []struct {
		file string
		want channel.Parsed
	}{
		{"text.json", channel.Parsed{Messages: []channel.Inbound{with(from("wamid.text1", 1697043223, "আমার অর্ডার কোথায়?"),
			func(in *channel.Inbound) { in.Name = "রহিম উদ্দিন" })}}},
		{"image.json", channel.Parsed{Messages: []channel.Inbound{with(from("wamid.image1", 1697043379, "the box came broken"), func(in *channel.Inbound) {
			in.Files = []channel.RemoteFile{{ID: "65463453", Name: "image-65463453.jpg", ContentType: "image/jpeg"}}
		})}}},
		{"video.json", channel.Parsed{Messages: []channel.Inbound{with(from("wamid.video1", 1697044362, "caption"), func(in *channel.Inbound) {
			in.Files = []channel.RemoteFile{{ID: "765756756", Name: "video-765756756.mp4", ContentType: "video/mp4"}}
		})}}},
		{"document.json", channel.Parsed{Messages: []channel.Inbound{with(from("wamid.document1", 1697043666, "invoice for March"), func(in *channel.Inbound) {
			in.Files = []channel.RemoteFile{{ID: "1234567890987654321", Name: "invoice-march.pdf", ContentType: "application/pdf"}}
		})}}},
		{"audio.json", channel.Parsed{Messages: []channel.Inbound{with(from("wamid.audio1", 1697043509, ""), func(in *channel.Inbound) {
			in.Files = []channel.RemoteFile{{ID: "5556667778", Name: "audio-5556667778.mp3", ContentType: "audio/mpeg"}}
		})}}},
		{"voice.json", channel.Parsed{Messages: []channel.Inbound{with(from("wamid.voice1", 1697043473, ""), func(in *channel.Inbound) {
			in.Files = []channel.RemoteFile{{ID: "9998887776", Name: "voice-9998887776.ogg", ContentType: "audio/ogg"}}
		})}}},
		{"sticker.json", channel.Parsed{Messages: []channel.Inbound{with(from("wamid.sticker1", 1697043760, ""), func(in *channel.Inbound) {
			in.Files = []channel.RemoteFile{{ID: "4443332221", Name: "sticker-4443332221.webp", ContentType: "image/webp"}}
		})}}},
		{"reaction.json", channel.Parsed{Messages: []channel.Inbound{with(from("wamid.reaction1", 1697044456, "👍"), func(in *channel.Inbound) {
			in.Details = &sahay.MessageDetails{ReactionTo: "wamid.outgoing1"}
		})}}},
		{"unreaction.json", channel.Parsed{Messages: []channel.Inbound{with(from("wamid.reaction2", 1697044460, ""), func(in *channel.Inbound) {
			in.Details = &sahay.MessageDetails{ReactionTo: "wamid.outgoing1"}
		})}}},
		{"location.json", channel.Parsed{Messages: []channel.Inbound{with(from("wamid.location1", 1697044557,
			"📍 Shop on Road 11, House 5, Road 11, Banani, Dhaka 1213 (23.810332, 90.412518)"), func(in *channel.Inbound) {
			in.Details = &sahay.MessageDetails{Location: &sahay.Location{Latitude: 23.810332, Longitude: 90.412518,
				Name: "Shop on Road 11", Address: "House 5, Road 11, Banani, Dhaka 1213"}}
		})}}},
		{"current_location.json", channel.Parsed{Messages: []channel.Inbound{with(from("wamid.location2", 1697044558, "📍 12.250890, 43.905390"), func(in *channel.Inbound) {
			in.Details = &sahay.MessageDetails{Location: &sahay.Location{Latitude: 12.25089, Longitude: 43.90539}}
		})}}},
		{"contacts.json", channel.Parsed{Messages: []channel.Inbound{with(from("wamid.contacts1", 1697044621,
			"👤 Karim Ahmed +880 1811-223344 karim@example.com\n👤 Nadia +880 1911-556677"), func(in *channel.Inbound) {
			in.Details = &sahay.MessageDetails{Contacts: []sahay.SharedContact{
				{Name: "Karim Ahmed", Phones: []string{"+880 1811-223344"}, Emails: []string{"karim@example.com"}},
				{Name: "Nadia", Phones: []string{"+880 1911-556677"}}}}
		})}}},
		{"button_reply.json", channel.Parsed{Messages: []channel.Inbound{with(from("wamid.button1", 1698266730, "Track my order"), func(in *channel.Inbound) {
			in.Details = &sahay.MessageDetails{Choice: &sahay.Choice{ID: "track_order", Title: "Track my order"}, ReplyTo: "wamid.outgoing2"}
		})}}},
		{"list_reply.json", channel.Parsed{Messages: []channel.Inbound{with(from("wamid.list1", 1698266905, "Medium"), func(in *channel.Inbound) {
			in.Details = &sahay.MessageDetails{Choice: &sahay.Choice{ID: "size_m", Title: "Medium"}, ReplyTo: "wamid.outgoing3"}
		})}}},
		{"template_button.json", channel.Parsed{Messages: []channel.Inbound{with(from("wamid.quick1", 1698269027, "Stop promotions"), func(in *channel.Inbound) {
			in.Details = &sahay.MessageDetails{Choice: &sahay.Choice{ID: "stop_promotions", Title: "Stop promotions"}, ReplyTo: "wamid.outgoing4"}
		})}}},
		{"reply.json", channel.Parsed{Messages: []channel.Inbound{with(from("wamid.reply1", 1697044746, "yes, that one"), func(in *channel.Inbound) {
			in.Details = &sahay.MessageDetails{ReplyTo: "wamid.outgoing5"}
		})}}},
		{"unsupported.json", channel.Parsed{Messages: []channel.Inbound{from("wamid.unsupported1", 1697044706,
			"[unsupported WhatsApp message: Message type unknown: Message type is currently not supported.]")}}},
		{"interactive_error.json", channel.Parsed{Messages: []channel.Inbound{with(from("wamid.interr1", 1700505494,
			"[unsupported WhatsApp message: interactive]"), func(in *channel.Inbound) {
			in.Details = &sahay.MessageDetails{ReplyTo: "wamid.outgoing8"}
		})}}},
		{"order.json", channel.Parsed{Messages: []channel.Inbound{from("wamid.order1", 1697044668,
			"🛒 Order\n2 × KURTA-M, 1250 BDT each\n1 × SCARF, 450.5 BDT each")}}},
		{"referral.json", channel.Parsed{Messages: []channel.Inbound{from("wamid.referral1", 1697045000,
			"Is the sale still on?\n↪ from an ad: Eid sale: 20% off https://fb.me/ad123")}}},
		{"statuses.json", channel.Parsed{Receipts: []channel.Receipt{
			{ExternalID: "wamid.outgoing1", Status: sahay.DeliverySent},
			{ExternalID: "wamid.outgoing1", Status: sahay.DeliveryDelivered},
			{ExternalID: "wamid.outgoing1", Status: sahay.DeliveryRead},
			{ExternalID: "wamid.outgoing6", Status: sahay.DeliveryRead}}}},
		{"failed.json", channel.Parsed{Receipts: []channel.Receipt{{ExternalID: "wamid.outgoing7", Status: sahay.DeliveryFailed,
			Error: "User's number is part of an experiment: Failed to send message because this user's phone number is part of an experiment (WhatsApp error 130472)"}}}},
		{"batch.json", channel.Parsed{
			Messages: []channel.Inbound{from("wamid.batch1", 1697050001, "first"), from("wamid.batch2", 1697050002, "second"),
				with(from("wamid.batch3", 1697050004, "third, from Nadia"), func(in *channel.Inbound) {
					in.ContactID, in.Phone, in.Name = "8801911556677", "+8801911556677", "Nadia"
				})},
			Receipts: []channel.Receipt{{ExternalID: "wamid.outgoing9", Status: sahay.DeliveryDelivered}}}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got := parseDelivery(t, readFixture(t, tt.file))
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("\n got %s\nwant %s", dump(got), dump(tt.want))
			}
		})
	}
}

func dump(v any) string {
	b, _ := json.MarshalIndent(v, "", " ")
	return string(b)
}

// The published signed payload parses into its one message, with the
// customer's profile name and number; its business number is another
// than the fixtures', so an inbox of that number reads it and an inbox of
// another number does not.
func TestParseSignedPayload(t *testing.T) {
	body := readFixture(t, "pywa_signed.json")
	const secret = "1222e786b144d0e85b9f365372d93676"
	const signature = "sha256=54edfa1d7259e0eb13c677cc7d73d1b5c86cfa12433d19156e058ab9251bc441"
	if err := meta.VerifySignature(secret, signature, body); err != nil || len(body) != 511 {
		t.Fatalf("the published signature of the %d bytes: %v", len(body), err)
	}
	events, err := meta.Split(body, meta.ObjectWhatsApp)
	if err != nil || len(events) != 1 {
		t.Fatalf("events %d %v", len(events), err)
	}
	p, err := Parse(events[0].Body, "277321005464405")
	if err != nil {
		t.Fatal(err)
	}
	want := channel.Inbound{ExternalID: "wamid.HBgMOTcyNTQ0NDAxMjQzFQIAEhggM0RFQTNCMEEwRTY3QzUwODYzMDc4NjQ4QzM4ODAxM0YA",
		Namespace: Namespace, ContactID: "972544401243", Phone: "+972544401243", Name: "PyWa Tests",
		Content: "Hey there! I am using PyWa.", SentAt: time.Unix(1730231903, 0).UTC()}
	if len(p.Messages) != 1 || !reflect.DeepEqual(p.Messages[0], want) {
		t.Fatalf("got %s", dump(p))
	}
	if other, err := Parse(events[0].Body, phoneID); err != nil || len(other.Messages) != 0 {
		t.Fatalf("another number's inbox read %s %v", dump(other), err)
	}
}

func TestParseRefuses(t *testing.T) {
	for _, body := range []string{``, `not json`, `[]`, `{"id":"1","changes":"no"}`, `{"id":"1"} {"id":"2"}`,
		`{"id":"1","changes":[{"field":"messages","value":{"messages":"no"}}]}`} {
		if p, err := Parse([]byte(body), phoneID); err == nil {
			t.Errorf("%q: parsed %s, want an error", body, dump(p))
		}
	}
	// Kinds of change Sahay does not read, and messages without their ids,
	// are no error: the rest of a batch still counts.
	for _, body := range []string{`{"id":"1","changes":[{"field":"account_update","value":{"event":"VERIFIED_ACCOUNT"}}]}`,
		`{"id":"1","changes":[{"field":"messages","value":{"messages":[{"id":"","from":"1"},{"id":"x"}],"statuses":[{"status":"read"},{"id":"y","status":"deleted"}]}}]}`} {
		if p, err := Parse([]byte(body), phoneID); err != nil || len(p.Messages)+len(p.Receipts) != 0 {
			t.Errorf("%q: %s %v, want nothing and no error", body, dump(p), err)
		}
	}
}

// A failed status says what its code means when it has a known meaning,
// with WhatsApp's words.
func TestFailedReason(t *testing.T) {
	tests := []struct {
		errs []Error
		want string
	}{
		{nil, "WhatsApp did not deliver the message and gave no reason"},
		{[]Error{{Code: 131047, Title: "Re-engagement message"}},
			"outside the 24-hour window — send a template (WhatsApp error 131047: Re-engagement message)"},
		{[]Error{{Code: 131026}}, meta.ReasonUndeliverable + " (WhatsApp error 131026)"},
		{[]Error{{Code: 135000, Title: "Generic user error", Message: "generic user error"}}, "Generic user error (WhatsApp error 135000)"},
	}
	for _, tt := range tests {
		r, ok := receipt(Status{ID: "wamid.x", Status: "failed", Errors: tt.errs})
		if !ok || r.Status != sahay.DeliveryFailed || r.Error != tt.want {
			t.Errorf("%+v: got %+v, want %q", tt.errs, r, tt.want)
		}
	}
}

func FuzzParse(f *testing.F) {
	entries, _ := os.ReadDir("testdata")
	for _, e := range entries {
		var env struct {
			Entry []json.RawMessage `json:"entry"`
		}
		if json.Unmarshal(readFixture(f, e.Name()), &env) == nil {
			for _, raw := range env.Entry {
				f.Add([]byte(raw))
			}
		}
	}
	f.Add([]byte(`{"changes":[{"field":"messages","value":{"messages":[{"id":"a","from":"1","type":"document","document":{"id":"d","filename":"../../x","mime_type":";;"}}]}}]}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		got, err := Parse(raw, phoneID)
		if err != nil {
			if len(got.Messages)+len(got.Receipts) != 0 {
				t.Fatalf("error %v with %s", err, dump(got))
			}
			return
		}
		for _, in := range got.Messages {
			if in.ExternalID == "" || in.ContactID == "" || in.Namespace != Namespace {
				t.Fatalf("message without its ids: %+v", in)
			}
			if in.Content == "" && len(in.Files) == 0 && (in.Details == nil || in.Details.ReactionTo == "") {
				t.Fatalf("empty message: %+v", in)
			}
			for _, f := range in.Files {
				if f.ID == "" || f.Name == "" || !strings.Contains(f.ContentType, "/") {
					t.Fatalf("file without id, name or type: %+v", f)
				}
				if strings.ContainsAny(f.Name, "/\\") || !utf8.ValidString(f.Name) || len(f.Name) > 200 || f.Name == ".." {
					t.Fatalf("unsafe file name %q", f.Name)
				}
			}
		}
		for _, r := range got.Receipts {
			if r.ExternalID == "" || sahay.DeliveryRank(r.Status) == 0 && r.Status != sahay.DeliveryFailed {
				t.Fatalf("receipt %+v", r)
			}
		}
	})
}
