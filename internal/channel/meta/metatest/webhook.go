package metatest

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/sahayhq/sahay/internal/channel/meta"
)

// client delivers webhooks, as Meta does, with a bounded wait.
var client = &http.Client{Timeout: 10 * time.Second}

// Sign returns the X-Hub-Signature-256 value Meta sends with body.
func (s *Sim) Sign(body []byte) string { return meta.Sign(s.AppSecret, body) }

// Deliver posts body to a webhook URL signed with the app secret, as Meta
// delivers events. The answer's body is read: closing it is optional.
func (s *Sim) Deliver(hookURL string, body []byte) (*http.Response, error) {
	return DeliverSigned(hookURL, body, s.Sign(body))
}

// DeliverSigned posts body with the given X-Hub-Signature-256 value (none
// when ""), for tests of refused deliveries.
func DeliverSigned(hookURL string, body []byte, signature string) (*http.Response, error) {
	req, err := http.NewRequest(http.MethodPost, hookURL, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "facebookexternalua")
	if signature != "" {
		req.Header.Set(meta.SignatureHeader, signature)
	}
	return do(req)
}

func do(req *http.Request) (*http.Response, error) {
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(data))
	return resp, nil
}

// Handshake checks a webhook URL as Meta does when it is saved: a GET
// with hub.mode=subscribe, the verify token and a random challenge, which
// must come back alone with status 200. It returns why it failed.
func Handshake(hookURL, verifyToken string) error {
	n, err := rand.Int(rand.Reader, big.NewInt(1e9))
	if err != nil {
		return err
	}
	challenge := n.String()
	q := url.Values{"hub.mode": {"subscribe"}, "hub.verify_token": {verifyToken}, "hub.challenge": {challenge}}
	sep := "?"
	if strings.Contains(hookURL, "?") {
		sep = "&"
	}
	req, err := http.NewRequest(http.MethodGet, hookURL+sep+q.Encode(), nil)
	if err != nil {
		return err
	}
	resp, err := do(req)
	if err != nil {
		return err
	}
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || string(body) != challenge {
		return fmt.Errorf("metatest: handshake answered %s %q, want 200 %q", resp.Status, body, challenge)
	}
	return nil
}

// Handshake checks a webhook URL as Meta does; see [Handshake].
func (s *Sim) Handshake(hookURL, verifyToken string) error { return Handshake(hookURL, verifyToken) }

// Payload builds a delivery of object ("page", "instagram",
// "whatsapp_business_account") with the given entries, each marshalled
// as JSON unless it already is ([]byte, json.RawMessage or string).
func Payload(object string, entries ...any) []byte {
	raws := make([]json.RawMessage, len(entries))
	for i, e := range entries {
		switch v := e.(type) {
		case []byte:
			raws[i] = v
		case json.RawMessage:
			raws[i] = v
		case string:
			raws[i] = json.RawMessage(v)
		default:
			b, err := json.Marshal(v)
			if err != nil {
				panic(fmt.Sprintf("metatest: entry %d: %v", i, err))
			}
			raws[i] = b
		}
	}
	b, err := json.Marshal(meta.Envelope{Object: object, Entry: raws})
	if err != nil {
		panic(fmt.Sprintf("metatest: payload: %v", err))
	}
	return b
}
