package meta

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/channel"
)

// Objects a webhook delivery is about, one per platform.
const (
	ObjectPage      = "page"
	ObjectInstagram = "instagram"
	ObjectWhatsApp  = "whatsapp_business_account"
)

// Envelope is a webhook delivery: one or more entries, each about one page,
// Instagram account or WhatsApp Business account. The entries stay raw, as
// Meta signed them.
type Envelope struct {
	Object string            `json:"object"`
	Entry  []json.RawMessage `json:"entry"`
}

// Entry is one entry of a delivery, what each journal event holds.
type Entry struct {
	// ID is the page's, Instagram account's or WhatsApp Business account's id.
	ID string `json:"id"`
	// Time is when Meta sent the entry: milliseconds since 1970 for
	// Messenger and Instagram messages, seconds for Instagram comments,
	// absent for WhatsApp.
	Time int64 `json:"time,omitempty"`
	// Messaging holds Messenger and Instagram messaging events (messages,
	// echoes, deliveries, reads, reactions, postbacks).
	Messaging []json.RawMessage `json:"messaging,omitempty"`
	// Standby holds the messaging events of a thread another app owns
	// under the handover protocol.
	Standby []json.RawMessage `json:"standby,omitempty"`
	// Changes holds field changes: WhatsApp messages and statuses,
	// Instagram and Page comments.
	Changes []Change `json:"changes,omitempty"`
}

// Change is one field change of an entry.
type Change struct {
	Field string          `json:"field"`
	Value json.RawMessage `json:"value"`
}

// ParseEnvelope reads a delivery's body. It checks the shape only: an
// object name and an entry list of JSON objects.
func ParseEnvelope(body []byte) (Envelope, error) {
	var env Envelope
	if err := json.Unmarshal(body, &env); err != nil {
		return Envelope{}, sahay.BadRequest("not a Meta webhook payload: %v", err)
	}
	if env.Object == "" {
		return Envelope{}, sahay.BadRequest("not a Meta webhook payload: no \"object\"")
	}
	for i, e := range env.Entry {
		if t := bytes.TrimSpace(e); len(t) == 0 || t[0] != '{' {
			return Envelope{}, sahay.BadRequest("not a Meta webhook payload: entry %d is not an object", i)
		}
	}
	return env, nil
}

// ParseEntry reads one journalled entry, the Body of an event [Split] made.
func ParseEntry(body []byte) (Entry, error) {
	var e Entry
	if err := json.Unmarshal(body, &e); err != nil {
		return Entry{}, fmt.Errorf("meta: not a webhook entry: %w", err)
	}
	return e, nil
}

// Split turns a verified delivery into the events to journal: one per
// entry, whose Body is the entry's JSON exactly as received. Meta repeats a
// failed delivery byte for byte, so the key of each event, a hash of its
// entry, is the same every time and a repeated entry is kept once; the
// messages' own ids dedupe again later. object, when not empty, is the only
// object the inbox takes ([ObjectPage], [ObjectInstagram], [ObjectWhatsApp]).
func Split(body []byte, object string) ([]channel.Raw, error) {
	env, err := ParseEnvelope(body)
	if err != nil {
		return nil, err
	}
	if object != "" && env.Object != object {
		return nil, sahay.BadRequest("the payload is for %q, this inbox takes %q: check the webhook's object in the Meta app", env.Object, object)
	}
	events := make([]channel.Raw, 0, len(env.Entry))
	for _, e := range env.Entry {
		events = append(events, channel.Raw{DedupeKey: DedupeKey(e), Body: e})
	}
	return events, nil
}

// DedupeKey is the journal's key of an entry: "entry:" and the hex SHA-256
// of its raw JSON.
func DedupeKey(entry []byte) string {
	sum := sha256.Sum256(entry)
	return "entry:" + hex.EncodeToString(sum[:])
}
