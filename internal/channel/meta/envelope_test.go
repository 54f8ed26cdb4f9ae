package meta

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	sahay "github.com/sahayhq/sahay"
)

func TestSplitKeepsEntriesAsSigned(t *testing.T) {
	body := readFixture(t, "whatsapp_signed.json")
	events, err := Split(body, ObjectWhatsApp)
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 1 {
		t.Fatalf("%d events, want 1", len(events))
	}
	start := bytes.Index(body, []byte(`{"id":"264937493375603"`))
	want := body[start : len(body)-2] // the entry, without "]}"
	if !bytes.Equal(events[0].Body, want) {
		t.Errorf("body = %s\nwant %s", events[0].Body, want)
	}
	e, err := ParseEntry(events[0].Body)
	if err != nil {
		t.Fatal(err)
	}
	if e.ID != "264937493375603" || len(e.Changes) != 1 || e.Changes[0].Field != "messages" {
		t.Errorf("entry = %+v", e)
	}
	var v struct {
		Messages []struct{ ID string } `json:"messages"`
	}
	if err := json.Unmarshal(e.Changes[0].Value, &v); err != nil || len(v.Messages) != 1 || !strings.HasPrefix(v.Messages[0].ID, "wamid.") {
		t.Errorf("change value = %s (%v)", e.Changes[0].Value, err)
	}
}

// batch builds a delivery of n messages spread over entries of per each.
func batch(n, per int) []byte {
	var entries []string
	for i := 0; i < n; i += per {
		var msgs []string
		for j := i; j < min(n, i+per); j++ {
			msgs = append(msgs, fmt.Sprintf(`{"sender":{"id":"PSID"},"recipient":{"id":"PAGE"},"timestamp":%d,"message":{"mid":"m_%d","text":"message %d"}}`, 1700000000000+j, j, j))
		}
		entries = append(entries, fmt.Sprintf(`{"id":"PAGE","time":%d,"messaging":[%s]}`, 1700000000000+i, strings.Join(msgs, ",")))
	}
	return []byte(`{"object":"page","entry":[` + strings.Join(entries, ",") + `]}`)
}

func TestSplitBatchAndRedelivery(t *testing.T) {
	body := batch(50, 10)
	first, err := Split(body, ObjectPage)
	if err != nil {
		t.Fatal(err)
	}
	if len(first) != 5 {
		t.Fatalf("%d events, want one per entry (5)", len(first))
	}
	keys := map[string]bool{}
	messages := 0
	for _, ev := range first {
		keys[ev.DedupeKey] = true
		e, err := ParseEntry(ev.Body)
		if err != nil {
			t.Fatal(err)
		}
		messages += len(e.Messaging)
	}
	if len(keys) != 5 || messages != 50 {
		t.Errorf("%d distinct keys and %d messages, want 5 and 50", len(keys), messages)
	}
	again, err := Split(body, ObjectPage)
	if err != nil {
		t.Fatal(err)
	}
	for i := range again {
		if again[i].DedupeKey != first[i].DedupeKey {
			t.Errorf("entry %d: re-delivery key %s, first %s", i, again[i].DedupeKey, first[i].DedupeKey)
		}
	}
	// A later delivery that repeats one entry among new ones shares only that key.
	mixed := []byte(`{"object":"page","entry":[` + string(first[2].Body) + `,{"id":"PAGE","time":1,"messaging":[]}]}`)
	evs, err := Split(mixed, "")
	if err != nil {
		t.Fatal(err)
	}
	if evs[0].DedupeKey != first[2].DedupeKey || keys[evs[1].DedupeKey] {
		t.Errorf("mixed delivery keys %s, %s", evs[0].DedupeKey, evs[1].DedupeKey)
	}
}

func TestSplitStandbyAndChanges(t *testing.T) {
	body := []byte(`{"object":"instagram","entry":[{"id":"17841474524784050","time":1755779280,"changes":[{"field":"comments","value":{"from":{"id":"1","username":"u"},"media":{"id":"2","media_product_type":"FEED"},"id":"17919697626119712","text":"hi"}}]},{"id":"17841474524784050","time":1661141837537,"standby":[{"sender":{"id":"IGSID"},"recipient":{"id":"17841474524784050"},"timestamp":1527459824,"message":{"mid":"m_1","text":"x"}}]}]}`)
	events, err := Split(body, ObjectInstagram)
	if err != nil || len(events) != 2 {
		t.Fatalf("%d events, %v", len(events), err)
	}
	c, _ := ParseEntry(events[0].Body)
	s, _ := ParseEntry(events[1].Body)
	if len(c.Changes) != 1 || c.Changes[0].Field != "comments" || c.Time != 1755779280 {
		t.Errorf("comment entry = %+v", c)
	}
	if len(s.Standby) != 1 || len(s.Messaging) != 0 {
		t.Errorf("standby entry = %+v", s)
	}
}

func TestSplitRefuses(t *testing.T) {
	for _, tt := range []struct{ name, body, object string }{
		{"not JSON", `hello`, ""},
		{"array", `[]`, ""},
		{"no object", `{"entry":[]}`, ""},
		{"entry not a list", `{"object":"page","entry":{}}`, ""},
		{"entry not an object", `{"object":"page","entry":[1]}`, ""},
		{"null entry", `{"object":"page","entry":[null]}`, ""},
		{"another object", `{"object":"instagram","entry":[]}`, ObjectPage},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Split([]byte(tt.body), tt.object); sahay.ErrorCode(err) != sahay.EBADREQUEST {
				t.Errorf("err = %v, want bad_request", err)
			}
		})
	}
	if evs, err := Split([]byte(`{"object":"page","entry":[]}`), ObjectPage); err != nil || len(evs) != 0 {
		t.Errorf("empty delivery: %v, %v", evs, err)
	}
}

func FuzzSplit(f *testing.F) {
	f.Add([]byte(`{"object":"page","entry":[{"id":"1","messaging":[]}]}`))
	f.Add(batch(3, 2))
	f.Add([]byte(`{"object":"x","entry":[null,{},"s"]}`))
	f.Add([]byte(`{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":null}]}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		events, err := Split(body, "")
		if err != nil {
			return
		}
		for _, ev := range events {
			if !json.Valid(ev.Body) || !bytes.Contains(body, ev.Body) {
				t.Fatalf("event body %q is not an entry of %q", ev.Body, body)
			}
			if ev.DedupeKey != DedupeKey(ev.Body) {
				t.Fatalf("key %s does not hash the body", ev.DedupeKey)
			}
			ParseEntry(ev.Body)
		}
	})
}
