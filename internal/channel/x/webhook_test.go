package x

import (
	"net/http"
	"net/http/httptest"
	"testing"

	sahay "github.com/sahayhq/sahay"
)

// The CRC answer of X's example values (channels reference §5).
func TestCRCVector(t *testing.T) {
	r := httptest.NewRequest(http.MethodGet, "/webhooks/1?crc_token=9b4507b3-9040-4669-9ca3-6b94edb50553", nil)
	h, err := Webhook(r, nil, "z3ZX4v7mAAUGykl3EcmkqbartmuW8VFOOzCloLx9Q45P0hLrFu")
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"response_token":"sha256=Cytd4Sq+NvEcV3MMrXxWJGJx5A+y/lXzzU2Maartkx8="}`; string(h.Body) != want || h.Status != http.StatusOK {
		t.Fatalf("CRC answered %d %s, want %s", h.Status, h.Body, want)
	}
}

// The signature of the documented direct message (channels reference
// §5) is accepted, and journalled under its event id; another is refused.
func TestSignatureVector(t *testing.T) {
	body := []byte(`{"for_user_id":"4337869213","direct_message_events":[{"type":"message_create","id":"954491830116155396","created_timestamp":"1516403560557","message_create":{"target":{"recipient_id":"4337869213"},"sender_id":"3001969357","message_data":{"text":"Hello World!","entities":{"hashtags":[],"symbols":[],"user_mentions":[],"urls":[]}}}}]}`)
	const sig = "sha256=MKvPnKyLAkJMDKkZXi9zPsA+3q1Tt6m/8Cp+7ZNhe04="
	if got := Sign("test_consumer_secret", body); got != sig {
		t.Fatalf("Sign = %s, want %s", got, sig)
	}
	r := httptest.NewRequest(http.MethodPost, "/webhooks/1", nil)
	r.Header.Set(SignatureHeader, sig)
	h, err := Webhook(r, body, "test_consumer_secret")
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Events) != 1 || h.Events[0].DedupeKey != "dm:954491830116155396" {
		t.Fatalf("events %+v", h.Events)
	}
	if _, err := Webhook(r, body, "another secret"); sahay.ErrorCode(err) != sahay.EUNAUTHORIZED {
		t.Fatalf("another secret: %v, want unauthorized", err)
	}
}
