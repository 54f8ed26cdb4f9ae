package meta

import (
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/channel"
)

// parseFixture splits a documented payload as the webhook does and parses
// every entry's messaging events, as a journal processor would.
func parseFixture(t *testing.T, name string) channel.Parsed {
	t.Helper()
	events, err := Split(readFixture(t, name), "")
	if err != nil {
		t.Fatal(err)
	}
	var all channel.Parsed
	for _, ev := range events {
		e, err := ParseEntry(ev.Body)
		if err != nil {
			t.Fatal(err)
		}
		p, err := Messaging(e.ID, append(e.Messaging, e.Standby...))
		if err != nil {
			t.Fatal(err)
		}
		all.Messages = append(all.Messages, p.Messages...)
		all.Receipts = append(all.Receipts, p.Receipts...)
	}
	return all
}

func ms(v int64) time.Time { return time.UnixMilli(v).UTC() }

func TestMessagingMessenger(t *testing.T) {
	const psid = "6012345678901234"
	got := parseFixture(t, "messenger_messages.json").Messages
	want := []channel.Inbound{
		{ExternalID: "m_qr_1", ContactID: psid, Content: "Track my order", SentAt: ms(1764930000100),
			Details: &sahay.MessageDetails{Choice: &sahay.Choice{ID: "TRACK_ORDER", Title: "Track my order"}}},
		{ExternalID: "m_1fTq8oLumEyIp3Q2MR-reply", ContactID: psid, Content: "hello, world!", SentAt: ms(1764930000200),
			Details: &sahay.MessageDetails{ReplyTo: "m_1fTq8oLumEyIp3Q2MR-aY7IfLZDamVrALniheU"}},
		{ExternalID: "m_attach_1", ContactID: psid, Content: "ছবির মতো পণ্যটি ভাঙা এসেছে\nOrder #77 https://shop.example/orders/77",
			SentAt: ms(1764930000300), Files: []channel.RemoteFile{
				{ID: "https://scontent.xx.fbcdn.net/v/t1.15752-9/471234_n.png?stp=dst-png&_nc_cat=1", Name: "471234_n.png", ContentType: "image/png"},
				{ID: "https://cdn.fbsbx.com/v/t59.3654-21/audioclip-1764930000-2881.mp4?_nc_cat=1", Name: "audioclip-1764930000-2881.mp4", ContentType: "audio/mp4"},
				{ID: "https://cdn.fbsbx.com/v/t59.2708-21/invoice.pdf?_nc_cat=1", Name: "invoice.pdf", ContentType: "application/pdf"},
				{ID: "https://video.xx.fbcdn.net/v/t42.3356-2/clip?_nc_cat=1", Name: "video-m_attach_1-4.mp4", ContentType: "video/mp4"},
			}},
		{ExternalID: "m_1fTq8oLumEyIp3Q2MR-reply", ContactID: psid, Content: "hello again, world!", SentAt: ms(1764930000400), Edit: true},
		{ExternalID: "reaction:m_page_reply_1:" + psid + ":1764930000450:react", ContactID: psid, Content: "❤️", SentAt: ms(1764930000450),
			Details: &sahay.MessageDetails{ReactionTo: "m_page_reply_1"}},
		{ExternalID: "reaction:m_page_reply_1:" + psid + ":1764930000460:unreact", ContactID: psid, SentAt: ms(1764930000460),
			Details: &sahay.MessageDetails{ReactionTo: "m_page_reply_1"}},
		{ExternalID: "m_postback_1", ContactID: psid, Content: "Talk to a person", SentAt: ms(1764930000470),
			Details: &sahay.MessageDetails{Choice: &sahay.Choice{ID: "HUMAN", Title: "Talk to a person"}}},
	}
	compareInbound(t, got, want)
}

// An echo of what Sahay sent carries its metadata and is dropped; one of a
// teammate's answer in Meta's own inbox is the business speaking.
func TestMessagingEchoes(t *testing.T) {
	got := parseFixture(t, "messenger_echoes.json")
	compareInbound(t, got.Messages, []channel.Inbound{{ExternalID: "m_sent_in_meta_inbox", ContactID: "6012345678901234",
		Content: "Answered from the Meta Business Suite", SentAt: ms(1764930099500), Echo: true}})
}

func TestMessagingReceipts(t *testing.T) {
	got := parseFixture(t, "messenger_receipts.json")
	want := []channel.Receipt{
		{ExternalID: "m_sent_by_sahay", Status: sahay.DeliveryDelivered},
		{Status: sahay.DeliveryDelivered, Watermark: ms(1764930198000), Recipient: "6012345678901234"},
		{Status: sahay.DeliveryRead, Watermark: ms(1764930199400), Recipient: "6012345678901234"},
	}
	if len(got.Messages) != 0 || !reflect.DeepEqual(got.Receipts, want) {
		t.Fatalf("receipts:\n got %+v %+v\nwant %+v", got.Messages, got.Receipts, want)
	}
}

func TestMessagingInstagram(t *testing.T) {
	const igsid = "1254459154682919"
	got := parseFixture(t, "instagram_messages.json")
	want := []channel.Inbound{
		{ExternalID: "aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQxNDA1ODIyMzA0OTE0OjM0MDI4MjM2Njg0MTcxMDMwMTI0NDI1OTQ3NjE1MjI3MzY3MjMyMzozMDk5MzA4NDcyMzc4NDM0MTk3MjMxNTg1OTQwMDg5OTQ1NgZDZD",
			ContactID: igsid, Content: "Is this still available?", SentAt: ms(1764930299000),
			Details: &sahay.MessageDetails{Story: &sahay.Story{Kind: "reply", ID: "17915462958963110",
				URL: "https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=17915462958963110&signature=abc"}}},
		{ExternalID: "ig_mid_mention", ContactID: igsid, SentAt: ms(1764930299100), Details: &sahay.MessageDetails{
			Story: &sahay.Story{Kind: "mention", URL: "https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=17887499072083520&signature=def"}}},
		{ExternalID: "ig_mid_share", ContactID: igsid, Content: "https://www.instagram.com/p/C1a2b3c4d5e/", SentAt: ms(1764930299200)},
		{ExternalID: "ig_mid_share", ContactID: igsid, Content: Unsent, Edit: true, SentAt: ms(1764930299300)},
		{ExternalID: "ig_mid_echo", ContactID: igsid, Content: "Yes, in every size", Echo: true, SentAt: ms(1764930299400)},
		{ExternalID: "ig_mid_unsupported", ContactID: igsid, Content: unsupported, SentAt: ms(1764930299600)},
	}
	compareInbound(t, got.Messages, want)
	if r := []channel.Receipt{{ExternalID: "ig_mid_echo", Status: sahay.DeliveryRead}}; !reflect.DeepEqual(got.Receipts, r) {
		t.Fatalf("receipts %+v, want %+v", got.Receipts, r)
	}
}

func compareInbound(t *testing.T, got, want []channel.Inbound) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d messages, want %d: %s", len(got), len(want), dump(got))
	}
	for i := range got {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("message %d:\n got %s\nwant %s", i, dump(got[i]), dump(want[i]))
		}
	}
}

func dump(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// What the business sends without is_echo (a standby thread, a reaction of
// the page) is told by its sender, the account.
func TestMessagingBusinessSender(t *testing.T) {
	events := []json.RawMessage{
		json.RawMessage(`{"sender":{"id":"PAGE"},"recipient":{"id":"PSID"},"timestamp":1,"message":{"mid":"m1","text":"hi"}}`),
		json.RawMessage(`{"sender":{"id":"PAGE"},"recipient":{"id":"PSID"},"timestamp":2,"reaction":{"mid":"m0","action":"react","reaction":"like"}}`),
	}
	p, err := Messaging("PAGE", events)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range p.Messages {
		if !m.Echo || m.ContactID != "PSID" {
			t.Errorf("%s: echo %v contact %q, want an echo to PSID", m.ExternalID, m.Echo, m.ContactID)
		}
	}
	if p.Messages[1].Content != "👍" {
		t.Errorf("a like without its emoji reads %q", p.Messages[1].Content)
	}
}

func TestMessagingRefuses(t *testing.T) {
	for _, raw := range []string{
		`[]`,
		`{"sender":{"id":"U"},"message":{"text":"no mid"}}`,
		`{"sender":{"id":"U"},"message_edit":{"text":"no mid"}}`,
		`{"sender":{"id":"U"},"reaction":{"emoji":"x"}}`,
		`{"recipient":{"id":"P"},"message":{"mid":"m","text":"no sender"}}`,
		`{"sender":{"id":"P"},"message":{"mid":"m","text":"echo to no one","is_echo":true}}`,
		`{"sender":{"id":"U"},"timestamp":"soon","message":{"mid":"m"}}`,
	} {
		if _, err := Messaging("P", []json.RawMessage{json.RawMessage(raw)}); err == nil || !strings.Contains(err.Error(), "messaging[0]") {
			t.Errorf("%s: error %v, want one naming the event", raw, err)
		}
	}
	// Events Sahay does not handle are not errors.
	p, err := Messaging("P", []json.RawMessage{json.RawMessage(`{"sender":{"id":"U"},"timestamp":1,"referral":{"ref":"ad"}}`)})
	if err != nil || len(p.Messages)+len(p.Receipts) != 0 {
		t.Fatalf("a referral: %+v %v, want nothing", p, err)
	}
}

func TestEventTime(t *testing.T) {
	if got := EventTime(1527459824); !got.Equal(time.Unix(1527459824, 0)) {
		t.Errorf("seconds: %s", got)
	}
	if got := EventTime(1457764197627); !got.Equal(time.UnixMilli(1457764197627)) {
		t.Errorf("milliseconds: %s", got)
	}
	if !EventTime(0).IsZero() || !EventTime(-5).IsZero() {
		t.Error("no timestamp is not the zero time")
	}
}

// Whatever the bytes, the parser answers without panicking, and every
// message it returns can be stored: an id, a customer, and something to
// show.
func FuzzMessaging(f *testing.F) {
	for _, name := range []string{"messenger_messages.json", "messenger_echoes.json", "messenger_receipts.json", "instagram_messages.json"} {
		body, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		events, _ := Split(body, "")
		for _, ev := range events {
			e, _ := ParseEntry(ev.Body)
			for _, m := range e.Messaging {
				f.Add([]byte(m))
			}
		}
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		p, err := Messaging("106541234567890", []json.RawMessage{raw})
		if err != nil {
			return
		}
		for _, m := range p.Messages {
			if m.ExternalID == "" || m.ContactID == "" {
				t.Fatalf("message without an id or a customer: %+v", m)
			}
			if m.Content == "" && len(m.Files) == 0 && m.Details == nil {
				t.Fatalf("message with nothing to show: %+v", m)
			}
		}
	})
}
