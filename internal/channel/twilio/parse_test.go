package twilio_test

import (
	"net/url"
	"os"
	"testing"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/channel"
	"github.com/sahayhq/sahay/internal/channel/twilio"
)

func TestParseSMS(t *testing.T) {
	body, err := os.ReadFile("testdata/sms.form")
	if err != nil {
		t.Fatal(err)
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		t.Fatal(err)
	}
	in, err := twilio.ParseSMS(form)
	if err != nil {
		t.Fatal(err)
	}
	if in.ExternalID != "SM60566ee207e123ee2765abcc55c9b9c9" || in.Namespace != twilio.Namespace ||
		in.ContactID != "+16505558893" || in.Phone != "+16505558893" || in.Content != "hi there, 2+3=4" || len(in.Files) != 0 {
		t.Errorf("ParseSMS = %+v", in)
	}
}

func TestParseMMS(t *testing.T) {
	form := url.Values{"MessageSid": {"MM" + sid32}, "From": {"+8801711223344"}, "Body": {""}, "NumMedia": {"2"},
		"MediaUrl0": {"https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1"}, "MediaContentType0": {"image/jpeg"},
		"MediaUrl1": {"https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME2"}, "MediaContentType1": {"application/pdf"}}
	in, err := twilio.ParseSMS(form)
	if err != nil {
		t.Fatal(err)
	}
	if len(in.Files) != 2 || in.Files[0].Name != "ME1.jpg" || in.Files[1].ContentType != "application/pdf" {
		t.Errorf("files = %+v", in.Files)
	}
	form.Set("MediaUrl0", "file:///etc/passwd")
	if _, err := twilio.ParseSMS(form); err == nil {
		t.Error("a file: media URL was taken")
	}
}

const sid32 = "0123456789abcdef0123456789abcdef"

func TestParseStatus(t *testing.T) {
	tests := []struct {
		status, code string
		want         string
		ok           bool
	}{
		{"queued", "", "", false},
		{"sending", "", "", false},
		{"sent", "", sahay.DeliverySent, true},
		{"delivered", "", sahay.DeliveryDelivered, true},
		{"read", "", sahay.DeliveryRead, true},
		{"undelivered", "30003", sahay.DeliveryFailed, true},
		{"failed", "30007", sahay.DeliveryFailed, true},
	}
	for _, tt := range tests {
		r, ok := twilio.ParseStatus(url.Values{"MessageSid": {"SM" + sid32}, "MessageStatus": {tt.status}, "ErrorCode": {tt.code}})
		if ok != tt.ok || r.Status != tt.want || (tt.code != "" && r.Error == "") {
			t.Errorf("%s: %+v, %v", tt.status, r, ok)
		}
	}
}

func TestParseKeyword(t *testing.T) {
	tests := map[string]twilio.Keyword{
		"STOP": twilio.KeywordStop, " stop ": twilio.KeywordStop, "Unsubscribe.": twilio.KeywordStop, "stopall": twilio.KeywordStop,
		"cancel": twilio.KeywordStop, "END": twilio.KeywordStop, "quit": twilio.KeywordStop,
		"start": twilio.KeywordStart, "YES": twilio.KeywordStart, "unstop": twilio.KeywordStart,
		"help": twilio.KeywordHelp, "please stop": "", "stop it": "", "": "", "আমাকে থামান": "",
	}
	for body, want := range tests {
		if got := twilio.ParseKeyword(body); got != want {
			t.Errorf("ParseKeyword(%q) = %q, want %q", body, got, want)
		}
	}
}

func FuzzParse(f *testing.F) {
	body, err := os.ReadFile("testdata/sms.form")
	if err != nil {
		f.Fatal(err)
	}
	voice, err := os.ReadFile("testdata/voice.form")
	if err != nil {
		f.Fatal(err)
	}
	f.Add("sms:SM1", body, "")
	f.Add("status:SM1:delivered", []byte("MessageSid=SM"+sid32+"&MessageStatus=delivered"), "")
	f.Add("sms:MM1", []byte("MessageSid=MM"+sid32+"&From=%2B8801711223344&NumMedia=99&MediaUrl0=https%3A%2F%2Fx%2Fy"), "")
	f.Add("sms:x", []byte("%zz"), "")
	f.Add("call:CA1", voice, "Rang=3%2C4")
	f.Add("call:CA1:answer", []byte("CallSid=CA"+sid32+"&ParentCallSid=CA"+sid32), "Agent=3&Received=2026-12-07T10%3A00%3A00Z")
	f.Add("call:CA1:dial:1", []byte("CallSid=CA"+sid32+"&DialCallStatus=no-answer"), "Rang=4&Received=2026-12-07T10%3A00%3A00Z")
	f.Add("recording:RE1", []byte("CallSid=CA"+sid32+"&RecordingSid=RE"+sid32+"&RecordingUrl=https%3A%2F%2Fapi.twilio.com%2FRE1&From=%2B8801711223344"), "Transcribe=on")
	f.Add("callstatus:CA1:completed", []byte("CallSid=CA"+sid32+"&CallStatus=completed&CallDuration=61"), "Message=12&Received=2026-12-07T10%3A00%3A00Z")
	f.Fuzz(func(t *testing.T, key string, body []byte, headers string) {
		h := map[string]string{}
		if q, err := url.ParseQuery(headers); err == nil {
			for k := range q {
				h[k] = q.Get(k)
			}
		}
		p, err := twilio.Parse(channel.Raw{DedupeKey: key, Body: body, Headers: h})
		if err != nil {
			return
		}
		for _, m := range p.Messages {
			if m.ExternalID == "" || m.ContactID == "" || len(m.Files) > 10 {
				t.Fatalf("parsed %+v", m)
			}
		}
		for _, c := range p.Calls {
			if c.ExternalID == "" && c.Recording == "" {
				t.Fatalf("a report on no call: %+v", c)
			}
		}
	})
}
