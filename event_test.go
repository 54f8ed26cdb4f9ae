package sahay_test

import (
	"encoding/json"
	"strings"
	"testing"

	sahay "github.com/sahayhq/sahay"
)

// TestPayloadWire pins the JSON of event payloads: the dashboard and the
// widget read these keys.
func TestPayloadWire(t *testing.T) {
	conv := &sahay.Conversation{ID: 3}
	msg := &sahay.Message{ID: 4}
	tests := []struct {
		name string
		p    sahay.Payload
		want string
	}{
		{"message with its conversation", sahay.MessageCreated{Message: msg, Conversation: conv},
			`{"message":` + marshal(t, msg) + `,"conversation":` + marshal(t, conv) + `}`},
		{"message alone", sahay.MessageCreated{Message: msg}, `{"message":` + marshal(t, msg) + `}`},
		{"merged conversation", sahay.ConversationMerged{Conversation: conv, MergedConversationID: 9, MergedInboxID: 2},
			`{"conversation":` + marshal(t, conv) + `,"merged_conversation_id":9,"merged_inbox_id":2}`},
		{"merged contact", sahay.ContactMerged{Contact: &sahay.Contact{ID: 5}, MergedContactID: 6},
			`{"contact":` + marshal(t, &sahay.Contact{ID: 5}) + `,"merged_contact_id":6}`},
		{"deleted label", sahay.LabelChanged{DeletedLabelID: 8}, `{"deleted_label_id":8}`},
		{"deleted inbox", sahay.InboxChanged{DeletedInboxID: 7}, `{"deleted_inbox_id":7}`},
		{"inbox members", sahay.InboxChanged{InboxID: 7, MemberIDs: []int64{1, 2}}, `{"inbox_id":7,"member_ids":[1,2]}`},
		{"presence", sahay.Presence{Name: "Ana", State: "typing", UserID: 1}, `{"name":"Ana","state":"typing","user_id":1}`},
		{"visitor typing", sahay.Typing{ConversationID: 3, From: sahay.TypingContact, ContactID: 5, On: true},
			`{"contact_id":5,"conversation_id":3,"from":"contact","on":true}`},
		{"agent typing", sahay.Typing{ConversationID: 3, From: sahay.TypingUser, UserID: 1, Name: "Ana"},
			`{"conversation_id":3,"from":"user","name":"Ana","on":false,"user_id":1}`},
		{"seen", sahay.Seen{ConversationID: 3, Upto: 4, UserID: 1}, `{"conversation_id":3,"upto":4,"user_id":1}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev, err := sahay.NewEvent(1, 2, 3, tt.p)
			if err != nil {
				t.Fatal(err)
			}
			if string(ev.Data) != tt.want {
				t.Errorf("data = %s\nwant   %s", ev.Data, tt.want)
			}
			if ev.Type != tt.p.EventType() || ev.AccountID != 1 || ev.InboxID != 2 || ev.ConversationID != 3 || ev.Seq != 0 {
				t.Errorf("event = %+v", ev)
			}
			back, err := ev.Payload()
			if err != nil {
				t.Fatalf("Payload: %v", err)
			}
			if marshal(t, back) != tt.want {
				t.Errorf("decoded payload encodes as %s", marshal(t, back))
			}
		})
	}
}

// TestDecodeChecksType: a payload is read only as its own event type's.
func TestDecodeChecksType(t *testing.T) {
	ev, err := sahay.NewEvent(1, 0, 3, sahay.Seen{ConversationID: 3, Upto: 4})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sahay.Decode[sahay.Typing](ev); err == nil {
		t.Errorf("a seen event decoded as typing")
	}
	if p, err := sahay.Decode[sahay.Seen](ev); err != nil || p.Upto != 4 {
		t.Errorf("Decode = %+v, %v", p, err)
	}
	if _, err := (sahay.Event{Type: "test.unknown", Data: json.RawMessage(`{}`)}).Payload(); err == nil {
		t.Errorf("an event of an unknown type decoded")
	}
	if _, err := (sahay.Event{Type: sahay.EventSeen, Data: json.RawMessage(`{"upto":"x"}`)}).Payload(); err == nil {
		t.Errorf("malformed data decoded")
	}
}

func marshal(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestDecodeField(t *testing.T) {
	newer, err := sahay.NewEvent(1, 2, 3, sahay.MessageCreated{Message: &sahay.Message{ID: 7, Content: "দাম কত?"},
		Conversation: &sahay.Conversation{ID: 3}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(newer.Data), `{"message":`) {
		t.Errorf("message.created data = %s, want the message first", newer.Data)
	}
	// Events stored before the message came first still decode.
	older := sahay.Event{Type: sahay.EventMessageCreated,
		Data: []byte(`{"conversation":{"id":3,"labels":["a","b"],"meta":{"x":[1,{"y":"}"}]}},"message":{"id":7,"content":"দাম কত?"}}`)}
	for _, ev := range []sahay.Event{newer, older} {
		var m *sahay.Message
		found, err := ev.DecodeField("message", &m)
		if err != nil || !found || m == nil || m.ID != 7 || m.Content != "দাম কত?" {
			t.Errorf("DecodeField(message) of %s = %v, %+v, %v", ev.Data, found, m, err)
		}
	}
	var v any
	if found, err := older.DecodeField("missing", &v); found || err != nil {
		t.Errorf("DecodeField(missing) = %v, %v; want false, nil", found, err)
	}
	for _, data := range []string{`[]`, `{"conversation":`, `{"message":{"id":"x"}}`, ``} {
		var m *sahay.Message
		if _, err := (sahay.Event{Type: sahay.EventMessageCreated, Data: []byte(data)}).DecodeField("message", &m); err == nil {
			t.Errorf("DecodeField of %q: no error", data)
		}
	}
}
