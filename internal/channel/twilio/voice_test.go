package twilio_test

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/channel"
	"github.com/sahayhq/sahay/internal/channel/twilio"
	"github.com/sahayhq/sahay/internal/channel/twilio/twiliotest"
	"github.com/sahayhq/sahay/internal/core"
)

var update = flag.Bool("update", false, "rewrite the golden TwiML files in testdata/twiml")

// fixedAgents are the agents a test's calls ring.
type fixedAgents struct {
	agents []channel.CallAgent
	asked  int
}

func (f *fixedAgents) CallAgents(context.Context, *sahay.Inbox) ([]channel.CallAgent, error) {
	f.asked++
	return f.agents, nil
}

// namedContacts are the contacts a test's callers are, by phone number.
type namedContacts map[string]string

func (namedContacts) UpsertChannelContact(context.Context, *sahay.Inbox, string, string, core.ContactFields) (*sahay.Contact, error) {
	return nil, errors.New("not recorded in this test")
}

func (n namedContacts) ContactName(_ context.Context, _ *sahay.Inbox, namespace, externalID string) (string, error) {
	name, ok := n[externalID]
	if !ok || namespace != twilio.Namespace {
		return "", sahay.NotFound("contact")
	}
	return name, nil
}

var (
	rumi  = channel.CallAgent{UserID: 3, Name: "Rumi", Phone: "+8801811000003"}
	kabir = channel.CallAgent{UserID: 5, Name: "Kabir", Phone: "+8801811000005"}
)

const callSID = "CA0123456789abcdef0123456789abcdef"

// voiceInbox is a Twilio inbox, number 7, of the settings over the
// required ones.
func voiceInbox(t *testing.T, extra map[string]any) *sahay.Inbox {
	t.Helper()
	settings := map[string]any{"account_sid": twiliotest.AccountSID, "phone_number": business}
	for k, v := range extra {
		settings[k] = v
	}
	b, err := json.Marshal(settings)
	if err != nil {
		t.Fatal(err)
	}
	return &sahay.Inbox{ID: 7, AccountID: 1, Channel: twilio.Name, Settings: b, Secrets: map[string]string{twilio.AuthTokenKey: twiliotest.AuthToken}}
}

// post makes a signed request of Twilio's to one of the inbox's webhooks
// and returns what the adapter makes of it.
func post(t *testing.T, a *twilio.Adapter, inbox *sahay.Inbox, sub, query string, form url.Values) channel.Hook {
	t.Helper()
	u := "https://support.example.com/webhooks/7" + sub
	if query != "" {
		u += "?" + query
	}
	body := form.Encode()
	r := httptest.NewRequest(http.MethodPost, u, strings.NewReader(body))
	r.Header.Set("X-Twilio-Signature", twilio.Signature(twiliotest.AuthToken, u, form))
	hook, err := a.Webhook(inbox, r, sub, []byte(body))
	if err != nil {
		t.Fatalf("%s: %v", sub, err)
	}
	return hook
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	file := filepath.Join("testdata", "twiml", name+".xml")
	if *update {
		if err := os.WriteFile(file, append(got, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != strings.TrimSuffix(string(want), "\n") {
		t.Errorf("%s:\n got %s\nwant %s", name, got, want)
	}
}

// Each answer Sahay gives Twilio on a call, against documents checked
// by hand (go test -update rewrites them): absolute URLs, text escaped,
// the prompts of the voice language.
func TestVoiceTwiML(t *testing.T) {
	form, err := url.ParseQuery(mustRead(t, "testdata/voice.form"))
	if err != nil {
		t.Fatal(err)
	}
	call := func(extra url.Values) url.Values {
		f := url.Values{"CallSid": {callSID}, "AccountSid": {twiliotest.AccountSID}, "From": {customer}, "To": {business},
			"CallStatus": {"in-progress"}, "Direction": {"inbound"}}
		for k, v := range extra {
			f[k] = v
		}
		return f
	}
	closed := map[string]any{"enabled": true, "time_zone": "Asia/Kolkata", "days": map[string]string{}}
	for _, tt := range []struct {
		name     string
		settings map[string]any
		agents   []channel.CallAgent
		sub      string
		query    string
		form     url.Values
		asked    int
		key      string
		headers  map[string]string
	}{
		{"ring-all", nil, []channel.CallAgent{rumi, kabir}, "/voice", "", form, 1,
			"call:CAd7fe2ad60939a04e564c0e4e3302ff5b", map[string]string{twilio.HeaderRang: "3,5"}},
		{"ring-all-unscreened", map[string]any{"screen_calls": "off"}, []channel.CallAgent{rumi, kabir}, "/voice", "", form, 1,
			"call:CAd7fe2ad60939a04e564c0e4e3302ff5b", map[string]string{twilio.HeaderRang: "3,5"}},
		{"ring-order", map[string]any{"ring_strategy": "order", "ring_timeout": "15", "voice_language": "bn-IN",
			"greeting": `"Rumi & Sons" <shop>: ধন্যবাদ`}, []channel.CallAgent{rumi, kabir}, "/voice", "", form, 1,
			"call:CAd7fe2ad60939a04e564c0e4e3302ff5b", map[string]string{twilio.HeaderRang: "3"}},
		{"voicemail-closed", map[string]any{"voice_language": "hi-IN", "business_hours": closed}, []channel.CallAgent{rumi}, "/voice", "", form, 0,
			"call:CAd7fe2ad60939a04e564c0e4e3302ff5b", map[string]string{twilio.HeaderRang: ""}},
		{"voicemail-nobody", map[string]any{"transcribe": "off", "voicemail_prompt": "Leave a message & we'll call."}, nil, "/voice", "", form, 1,
			"call:CAd7fe2ad60939a04e564c0e4e3302ff5b", map[string]string{twilio.HeaderRang: ""}},
		{"dial-next", map[string]any{"ring_strategy": "order"}, []channel.CallAgent{kabir}, "/voice/dial", "agents=3.9.5&next=1",
			call(url.Values{"DialCallStatus": {"no-answer"}}), 1, "call:" + callSID + ":dial:1", map[string]string{twilio.HeaderRang: "5"}},
		{"dial-voicemail", nil, []channel.CallAgent{rumi, kabir}, "/voice/dial", "agents=3.5&next=2",
			call(url.Values{"DialCallStatus": {"busy"}}), 0, "call:" + callSID + ":dial:2", nil},
		{"dial-answered", nil, []channel.CallAgent{rumi, kabir}, "/voice/dial", "agents=3.5&next=2",
			call(url.Values{"DialCallStatus": {"completed"}, "DialCallDuration": {"42"}}), 0, "call:" + callSID + ":dial:2", nil},
		{"answer", nil, nil, "/voice/answer", "agent=5",
			call(url.Values{"CallSid": {"CA" + sid32}, "ParentCallSid": {callSID}, "Direction": {"outbound-dial"}}), 0,
			"call:" + callSID + ":answer", map[string]string{twilio.HeaderAgent: "5"}},
		{"recorded", map[string]any{"voice_language": "bn-IN"}, nil, "/voice/recorded", "",
			call(url.Values{"RecordingSid": {"RE" + sid32}, "RecordingUrl": {"https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE" + sid32},
				"RecordingDuration": {"17"}}), 0, "recording:RE" + sid32, map[string]string{twilio.HeaderTranscribe: "on"}},
		{"bridge", nil, nil, "/voice/bridge", "m=41&name=Asha+%26+Co&to=8801711223344",
			call(url.Values{"Direction": {"outbound-api"}, "From": {business}, "To": {rumi.Phone}}), 0,
			"call:" + callSID + ":bridge", map[string]string{twilio.HeaderMessage: "41"}},
		{"bridged", nil, nil, "/voice/bridged", "m=41",
			call(url.Values{"DialCallStatus": {"completed"}, "DialCallDuration": {"63"}}), 0,
			"call:" + callSID + ":bridged", map[string]string{twilio.HeaderMessage: "41"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			agents := &fixedAgents{agents: tt.agents}
			a := twilio.New("https://support.example.com", false, nil, agents)
			hook := post(t, a, voiceInbox(t, tt.settings), tt.sub, tt.query, tt.form)
			if hook.Status != http.StatusOK || hook.ContentType != "text/xml" {
				t.Fatalf("answer %d %s", hook.Status, hook.ContentType)
			}
			golden(t, tt.name, hook.Body)
			if agents.asked != tt.asked {
				t.Errorf("asked for agents %d times, want %d", agents.asked, tt.asked)
			}
			if len(hook.Events) != 1 || hook.Events[0].DedupeKey != tt.key {
				t.Fatalf("events %+v, want one keyed %s", hook.Events, tt.key)
			}
			for k, want := range tt.headers {
				if got := hook.Events[0].Headers[k]; got != want {
					t.Errorf("header %s = %q, want %q", k, got, want)
				}
			}
		})
	}
}

// The screening an agent's phone hears once it picks up, in the voice
// language: the caller's name when the team knows it, else their number
// digit by digit, else that it is withheld; a key takes the call at
// /voice/answer, no key hangs up. It is answered, not journalled.
func TestScreeningTwiML(t *testing.T) {
	a := twilio.New("https://support.example.com", false, namedContacts{"+8801711000001": "Asha Rahman", "+8801711000002": "+880 1711 000002"}, nil)
	leg := url.Values{"CallSid": {"CA" + sid32}, "ParentCallSid": {callSID}, "AccountSid": {twiliotest.AccountSID}, "From": {customer},
		"To": {rumi.Phone}, "CallStatus": {"in-progress"}, "Direction": {"outbound-dial"}}
	for _, tt := range []struct {
		name, language, query string
	}{
		{"screen-named", "en-US", "agent=3&caller=8801711000001"},
		{"screen-number", "bn-IN", "agent=3&caller=8801711223344"},
		{"screen-number-named-as-number", "en-IN", "agent=3&caller=8801711000002"},
		{"screen-withheld", "hi-IN", "agent=3"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			hook := post(t, a, voiceInbox(t, map[string]any{"voice_language": tt.language}), "/voice/screen", tt.query, leg)
			if hook.Status != http.StatusOK || hook.ContentType != "text/xml" || len(hook.Events) != 0 {
				t.Fatalf("answer %d %s, events %+v", hook.Status, hook.ContentType, hook.Events)
			}
			golden(t, tt.name, hook.Body)
		})
	}
}

// Status callbacks and transcriptions are journalled and answered with
// no TwiML.
func TestVoiceCallbacks(t *testing.T) {
	a := twilio.New("https://support.example.com", false, nil, &fixedAgents{})
	inbox := voiceInbox(t, nil)
	hook := post(t, a, inbox, "/voice/status", "m=41", url.Values{"CallSid": {callSID}, "CallStatus": {"completed"}, "CallDuration": {"61"}})
	if hook.Status != http.StatusNoContent || len(hook.Events) != 1 || hook.Events[0].DedupeKey != "callstatus:"+callSID+":completed" ||
		hook.Events[0].Headers[twilio.HeaderMessage] != "41" {
		t.Fatalf("status: %+v", hook)
	}
	hook = post(t, a, inbox, "/voice/transcript", "", url.Values{"CallSid": {callSID}, "RecordingSid": {"RE" + sid32},
		"TranscriptionStatus": {"completed"}, "TranscriptionText": {"Please call me back"}})
	if hook.Status != http.StatusNoContent || len(hook.Events) != 1 || hook.Events[0].DedupeKey != "transcript:RE"+sid32 {
		t.Fatalf("transcript: %+v", hook)
	}
	// What Sahay did not ask for, or is not Twilio's, is refused.
	for _, tt := range []struct {
		sub, query string
		form       url.Values
	}{
		{"/voice", "", url.Values{"CallSid": {"SM" + sid32}, "From": {customer}}},
		{"/voice/status", "", url.Values{"CallSid": {callSID}, "CallStatus": {"exploded"}}},
		{"/voice/answer", "", url.Values{"CallSid": {"CA" + sid32}, "ParentCallSid": {callSID}}},
		{"/voice/dial", "agents=3.5&next=7", url.Values{"CallSid": {callSID}, "DialCallStatus": {"busy"}}},
		{"/voice/bridge", "m=41&to=%2B", url.Values{"CallSid": {callSID}}},
		{"/voice/recorded", "", url.Values{"CallSid": {callSID}}},
		{"/voice/screen", "", url.Values{"CallSid": {"CA" + sid32}, "ParentCallSid": {callSID}}},
		{"/voice/screen", "agent=3", url.Values{"CallSid": {"CA" + sid32}}},
		{"/voice/screen", "agent=3&caller=12", url.Values{"CallSid": {"CA" + sid32}, "ParentCallSid": {callSID}}},
	} {
		u := "https://support.example.com/webhooks/7" + tt.sub
		if tt.query != "" {
			u += "?" + tt.query
		}
		r := httptest.NewRequest(http.MethodPost, u, strings.NewReader(tt.form.Encode()))
		r.Header.Set("X-Twilio-Signature", twilio.Signature(twiliotest.AuthToken, u, tt.form))
		if _, err := a.Webhook(inbox, r, tt.sub, []byte(tt.form.Encode())); sahay.ErrorCode(err) != sahay.EINVALID {
			t.Errorf("%s?%s %v: %v, want invalid", tt.sub, tt.query, tt.form, err)
		}
	}
}

// Every kind of journalled voice request parses to what it reports: the
// captured incoming call of channels.md first.
func TestParseVoice(t *testing.T) {
	received := time.Date(2026, 12, 7, 10, 0, 30, 0, time.UTC)
	at := received.Format(time.RFC3339Nano)
	p, err := twilio.Parse(channel.Raw{DedupeKey: "call:CAd7fe2ad60939a04e564c0e4e3302ff5b", Body: []byte(mustRead(t, "testdata/voice.form")),
		Headers: map[string]string{twilio.HeaderRang: "3,5"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Messages) != 1 || len(p.Calls) != 0 {
		t.Fatalf("parsed %+v", p)
	}
	in := p.Messages[0]
	c := in.Details.Call
	if in.ExternalID != "CAd7fe2ad60939a04e564c0e4e3302ff5b" || in.Namespace != twilio.Namespace || in.ContactID != "+256784224203" ||
		in.Phone != "+256784224203" || in.Content != "" || c.Direction != sahay.CallInbound || c.Status != sahay.CallRinging ||
		c.From != "+256784224203" || c.To != "+13163336936" || len(c.Rang) != 2 || c.Rang[0] != 3 || c.Rang[1] != 5 {
		t.Fatalf("call %+v %+v", in, c)
	}

	withheld, err := twilio.Parse(channel.Raw{DedupeKey: "call:" + callSID, Body: []byte("CallSid=" + callSID + "&From=anonymous&CallStatus=ringing")})
	if err != nil || withheld.Messages[0].ContactID != "withheld:"+callSID || withheld.Messages[0].Namespace != "" || withheld.Messages[0].Phone != "" {
		t.Fatalf("withheld number: %+v %v", withheld, err)
	}

	rec := "RE" + sid32
	p, err = twilio.Parse(channel.Raw{DedupeKey: "recording:" + rec, Body: []byte(url.Values{"CallSid": {callSID}, "RecordingSid": {rec},
		"RecordingUrl": {"https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/" + rec}, "RecordingDuration": {"17"}, "From": {customer}}.Encode()),
		Headers: map[string]string{twilio.HeaderTranscribe: "on"}})
	if err != nil || len(p.Messages) != 1 || len(p.Calls) != 1 {
		t.Fatalf("recording: %+v %v", p, err)
	}
	vm := p.Messages[0]
	if vm.ExternalID != rec || vm.ContactID != customer || len(vm.Files) != 1 ||
		vm.Files[0].ID != "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/"+rec+".mp3" ||
		vm.Files[0].Name != "voicemail.mp3" || vm.Files[0].ContentType != "audio/mpeg" ||
		*vm.Details.Voicemail != (sahay.Voicemail{Call: callSID, DurationSeconds: 17, Transcript: "pending"}) {
		t.Fatalf("voicemail %+v %+v", vm, vm.Details.Voicemail)
	}
	if ev := p.Calls[0]; ev.ExternalID != callSID || ev.Call.Outcome != sahay.OutcomeVoicemail || ev.Call.Voicemail != rec {
		t.Fatalf("voicemail's call %+v", ev)
	}

	answered := received.Add(-63 * time.Second)
	ended := time.Date(2026, 12, 7, 10, 1, 0, 0, time.UTC)
	for _, tt := range []struct {
		key     string
		form    url.Values
		headers map[string]string
		want    channel.CallEvent
		none    bool
	}{
		{"call:" + callSID + ":answer", url.Values{"CallSid": {"CA" + sid32}, "ParentCallSid": {callSID}},
			map[string]string{twilio.HeaderAgent: "5", twilio.HeaderReceived: at},
			channel.CallEvent{ExternalID: callSID, Call: sahay.Call{Status: sahay.CallInProgress, Outcome: sahay.OutcomeAnswered, AgentID: 5, AnsweredAt: &received}}, false},
		{"call:" + callSID + ":dial:2", url.Values{"CallSid": {callSID}, "DialCallStatus": {"completed"}, "DialCallDuration": {"42"}},
			map[string]string{twilio.HeaderReceived: at},
			channel.CallEvent{ExternalID: callSID, Call: sahay.Call{Status: sahay.CallCompleted, Outcome: sahay.OutcomeAnswered, DurationSeconds: 42, EndedAt: &received}}, false},
		{"call:" + callSID + ":dial:1", url.Values{"CallSid": {callSID}, "DialCallStatus": {"no-answer"}},
			map[string]string{twilio.HeaderReceived: at, twilio.HeaderRang: "5"},
			channel.CallEvent{ExternalID: callSID, Call: sahay.Call{Rang: []int64{5}}}, false},
		{"call:" + callSID + ":dial:2", url.Values{"CallSid": {callSID}, "DialCallStatus": {"no-answer"}},
			map[string]string{twilio.HeaderReceived: at}, channel.CallEvent{}, true},
		{"transcript:" + rec, url.Values{"CallSid": {callSID}, "RecordingSid": {rec}, "TranscriptionStatus": {"completed"}, "TranscriptionText": {"Call me back please"}},
			nil, channel.CallEvent{Recording: rec, Transcript: "Call me back please"}, false},
		{"transcript:" + rec, url.Values{"CallSid": {callSID}, "RecordingSid": {rec}, "TranscriptionStatus": {"failed"}},
			nil, channel.CallEvent{Recording: rec, TranscriptFailed: true}, false},
		{"callstatus:" + callSID + ":completed", url.Values{"CallSid": {callSID}, "CallStatus": {"completed"}, "CallDuration": {"61"},
			"Timestamp": {"Mon, 07 Dec 2026 10:01:00 +0000"}},
			map[string]string{twilio.HeaderReceived: at, twilio.HeaderMessage: "41"},
			channel.CallEvent{ExternalID: callSID, MessageID: 41, Call: sahay.Call{Status: sahay.CallCompleted, DurationSeconds: 61, EndedAt: &ended}}, false},
		{"callstatus:" + callSID + ":initiated", url.Values{"CallSid": {callSID}, "CallStatus": {"initiated"}},
			map[string]string{twilio.HeaderReceived: at},
			channel.CallEvent{ExternalID: callSID, Call: sahay.Call{Status: sahay.CallQueued}}, false},
		{"call:" + callSID + ":bridge", url.Values{"CallSid": {callSID}, "CallStatus": {"in-progress"}},
			map[string]string{twilio.HeaderReceived: at, twilio.HeaderMessage: "41"},
			channel.CallEvent{ExternalID: callSID, MessageID: 41, Call: sahay.Call{Status: sahay.CallInProgress}}, false},
		{"call:" + callSID + ":bridged", url.Values{"CallSid": {callSID}, "DialCallStatus": {"completed"}, "DialCallDuration": {"63"}},
			map[string]string{twilio.HeaderReceived: at, twilio.HeaderMessage: "41"},
			channel.CallEvent{ExternalID: callSID, MessageID: 41, Call: sahay.Call{Status: sahay.CallCompleted, Outcome: sahay.OutcomeAnswered,
				DurationSeconds: 63, AnsweredAt: &answered, EndedAt: &received}}, false},
		{"call:" + callSID + ":bridged", url.Values{"CallSid": {callSID}, "DialCallStatus": {"busy"}},
			map[string]string{twilio.HeaderReceived: at, twilio.HeaderMessage: "41"},
			channel.CallEvent{ExternalID: callSID, MessageID: 41, Call: sahay.Call{Status: sahay.CallCompleted, Outcome: sahay.OutcomeBusy, EndedAt: &received}}, false},
		{"call:" + callSID + ":bridged", url.Values{"CallSid": {callSID}, "DialCallStatus": {"no-answer"}},
			map[string]string{twilio.HeaderReceived: at, twilio.HeaderMessage: "41"},
			channel.CallEvent{ExternalID: callSID, MessageID: 41, Call: sahay.Call{Status: sahay.CallCompleted, Outcome: sahay.OutcomeMissed, EndedAt: &received}}, false},
	} {
		p, err := twilio.Parse(channel.Raw{DedupeKey: tt.key, Body: []byte(tt.form.Encode()), Headers: tt.headers})
		if err != nil {
			t.Errorf("%s: %v", tt.key, err)
			continue
		}
		if tt.none {
			if len(p.Calls)+len(p.Messages) != 0 {
				t.Errorf("%s %v: %+v, want nothing", tt.key, tt.form, p)
			}
			continue
		}
		if len(p.Calls) != 1 || len(p.Messages) != 0 {
			t.Errorf("%s: %+v", tt.key, p)
			continue
		}
		if got, _ := json.Marshal(p.Calls[0]); string(got) != string(mustJSON(t, tt.want)) {
			t.Errorf("%s %v:\n got %s\nwant %s", tt.key, tt.form, got, mustJSON(t, tt.want))
		}
	}
	// A report without what its webhook recorded is not read.
	if _, err := twilio.Parse(channel.Raw{DedupeKey: "call:" + callSID + ":answer", Body: []byte("ParentCallSid=" + callSID)}); err == nil {
		t.Error("an answer without its agent and time was read")
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The voice settings take what the dashboard sends and refuse the rest,
// saying what is wrong.
func TestVoiceSettings(t *testing.T) {
	a := twilio.New("https://support.example.com", false, nil, nil)
	ok := []map[string]any{
		nil,
		{"ring_timeout": 5, "ring_strategy": "order", "voice_language": "bn-IN", "transcribe": "off", "greeting": "স্বাগতম", "screen_calls": "off"},
		{"screen_calls": "on"},
		{"ring_timeout": "60", "business_hours": map[string]any{"enabled": true, "time_zone": "Asia/Dhaka", "days": map[string]string{"sun": "09:00-18:00"}}},
	}
	for _, settings := range ok {
		if err := a.Validate(voiceInbox(t, settings)); err != nil {
			t.Errorf("%v: %v", settings, err)
		}
	}
	for _, tt := range []struct {
		settings map[string]any
		want     string
	}{
		{map[string]any{"ring_timeout": 4}, "settings.ring_timeout must be 5 to 60 seconds"},
		{map[string]any{"ring_timeout": "61"}, "settings.ring_timeout must be 5 to 60 seconds"},
		{map[string]any{"ring_timeout": "soon"}, "ring_timeout"},
		{map[string]any{"ring_strategy": "random"}, "settings.ring_strategy must be all"},
		{map[string]any{"voice_language": "fr-FR"}, "settings.voice_language must be one of en-IN, en-US, en-GB, bn-IN, hi-IN"},
		{map[string]any{"transcribe": "yes"}, "settings.transcribe must be on or off"},
		{map[string]any{"screen_calls": "true"}, "settings.screen_calls must be on"},
		{map[string]any{"greeting": strings.Repeat("অ", 501)}, "settings.greeting is at most 500 characters"},
		{map[string]any{"voicemail_prompt": strings.Repeat("a", 501)}, "settings.voicemail_prompt is at most 500 characters"},
		{map[string]any{"business_hours": map[string]any{"enabled": true, "time_zone": "Mars/Base"}}, "business_hours.time_zone"},
		{map[string]any{"business_hours": map[string]any{"days": map[string]string{"mon": "9 to 5"}}}, "business_hours.days.mon"},
		{map[string]any{"business_hours": "9-5"}, "business_hours"},
		{map[string]any{"ring_tone": "classic"}, "ring_tone"},
	} {
		err := a.Validate(voiceInbox(t, tt.settings))
		if sahay.ErrorCode(err) != sahay.EINVALID || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: %v, want invalid saying %q", tt.settings, err, tt.want)
		}
	}
}

// An inbox's line is its number, open in its business hours.
func TestLine(t *testing.T) {
	a := twilio.New("https://support.example.com", false, nil, nil)
	monday10 := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	if n, open := a.Line(voiceInbox(t, nil), monday10); n != business || !open {
		t.Errorf("without hours: %s %v", n, open)
	}
	hours := map[string]any{"business_hours": map[string]any{"enabled": true, "time_zone": "UTC", "days": map[string]string{"mon": "09:00-17:00"}}}
	if _, open := a.Line(voiceInbox(t, hours), monday10); !open {
		t.Error("closed within the hours")
	}
	if _, open := a.Line(voiceInbox(t, hours), monday10.Add(8*time.Hour)); open {
		t.Error("open after the hours")
	}
}

func mustRead(t *testing.T, file string) string {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
