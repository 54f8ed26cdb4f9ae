package twilio_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/apitest"
	"github.com/sahayhq/sahay/internal/channel/twilio"
	"github.com/sahayhq/sahay/internal/channel/twilio/twiliotest"
	"github.com/sahayhq/sahay/internal/core"
)

// screened is what an agent's phone that picks up hears of a call from
// the customer whose name the team does not know.
const screened = "Support call from 8 8 0 1 7 1 1 2 2 3 3 4 4. Press any key to take the call."

// line is a Twilio inbox that takes calls, with agents whose phones it
// rings.
type line struct {
	*number
	agents []*apitest.User
	phones []string
}

// newLine connects a number with the settings over the required ones;
// each of its agents (the account's owner first) has a phone, and the
// first available of them have a dashboard open.
func newLine(t *testing.T, settings map[string]any, agents, available int) *line {
	t.Helper()
	n := &number{s: apitest.NewServer(t), sim: twiliotest.New(t)}
	n.owner = n.s.NewAccount(t, "Shop")
	all := map[string]any{"account_sid": twiliotest.AccountSID, "auth_token": twiliotest.AuthToken, "phone_number": business,
		"api_base_url": n.sim.URL, "public_url": n.s.URL}
	for k, v := range settings {
		all[k] = v
	}
	n.inbox = n.s.NewInbox(t, n.owner, "Phone", "twilio", all)
	l := &line{number: n}
	for i := range agents {
		u := n.owner
		if i > 0 {
			u = n.s.NewUser(t, n.owner, "agent")
		}
		phone := fmt.Sprintf("+88018110000%02d", i+1)
		n.s.Must(t, u.Token, http.MethodPatch, "/api/v1/me", map[string]any{"phone": phone}, http.StatusOK, nil)
		if i < available {
			n.s.Connect(t, u.Token, "")
		}
		l.agents, l.phones = append(l.agents, u), append(l.phones, phone)
	}
	return l
}

// call drives a customer's call to the number, which has its status
// callback set.
func (l *line) call(t *testing.T, c *twiliotest.Call) {
	t.Helper()
	c.From, c.To = customer, business
	if err := l.sim.Incoming(c, l.hook("/voice"), l.hook("/voice/status")); err != nil {
		t.Fatal(err)
	}
	l.idle(t)
}

// idle waits until every journalled event is processed.
func (l *line) idle(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		pending := l.events(t, "pending")
		if len(pending) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("events still pending after 20s: %v (failed: %v)", pending, l.events(t, "failed"))
		}
		time.Sleep(20 * time.Millisecond)
	}
	if failed := l.events(t, "failed"); len(failed) > 0 {
		t.Fatalf("failed events: %v", failed)
	}
}

// entry is a call's timeline entry and its conversation.
func (l *line) entry(t *testing.T, externalID string) (*sahay.Message, *sahay.Conversation) {
	t.Helper()
	ctx := context.Background()
	m, err := l.s.App.Store.MessageByExternalID(ctx, l.inbox.ID, externalID)
	if err != nil {
		t.Fatalf("entry %s: %v", externalID, err)
	}
	if m.Details == nil || m.Details.Call == nil {
		t.Fatalf("message %+v is not a call", m)
	}
	c, err := l.s.App.Store.Conversation(ctx, l.inbox.AccountID, m.ConversationID)
	if err != nil {
		t.Fatal(err)
	}
	return m, c
}

func (l *line) messages(t *testing.T, conversationID int64) []*sahay.Message {
	t.Helper()
	ms, err := l.s.App.Store.Messages(context.Background(), l.inbox.AccountID, conversationID, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

// An answered call, in hours: every available agent's phone rings at
// once, the one who picks up hears who calls and presses a key, owns the
// conversation, and the customer no longer waits. Twilio delivering every request of the call again
// changes nothing. On SQLite and PostgreSQL.
func TestCallAnswered(t *testing.T) {
	t.Parallel()
	apitest.Dialects(t, func(t *testing.T, _ string) {
		l := newLine(t, nil, 2, 2)
		c := &twiliotest.Call{Phones: map[string]twiliotest.Answer{l.phones[1]: twiliotest.Answers}, Talk: 75}
		l.call(t, c)
		if !reflect.DeepEqual(c.Dialled, [][]string{l.phones}) || c.Answered != l.phones[1] || !reflect.DeepEqual(c.Said, []string{"Thank you for calling."}) ||
			!reflect.DeepEqual(c.Heard, []string{screened}) {
			t.Fatalf("call: dialled %v, answered %s, said %q, the agent heard %q", c.Dialled, c.Answered, c.Said, c.Heard)
		}
		m, conv := l.entry(t, c.SID)
		call := m.Details.Call
		if call.Direction != sahay.CallInbound || call.Status != sahay.CallCompleted || call.Outcome != sahay.OutcomeAnswered ||
			call.AgentID != l.agents[1].ID || call.DurationSeconds != 75 || call.From != customer || call.To != business ||
			!reflect.DeepEqual(call.Rang, []int64{l.agents[0].ID, l.agents[1].ID}) || call.AnsweredAt == nil || call.EndedAt == nil {
			t.Fatalf("entry %+v", call)
		}
		if conv.AssigneeID != l.agents[1].ID || conv.WaitingSince != nil || conv.FirstReplyAt == nil || slices.Contains(conv.Labels, sahay.CallBackLabel) {
			t.Fatalf("conversation %+v", conv)
		}

		done := len(l.events(t, "done"))
		before := l.messages(t, conv.ID)
		for _, r := range l.sim.Requests() {
			resp, err := l.sim.Repeat(r)
			if err != nil || resp.StatusCode >= 300 {
				t.Fatalf("again %s: %v %v", r.URL, resp, err)
			}
		}
		l.idle(t)
		again, _ := l.entry(t, c.SID)
		if got := len(l.events(t, "done")); got != done {
			t.Errorf("%d events after the requests came again, want %d", got, done)
		}
		if after := l.messages(t, conv.ID); len(after) != len(before) {
			t.Errorf("%d messages after the requests came again, want %d", len(after), len(before))
		}
		if !reflect.DeepEqual(again.Details.Call, m.Details.Call) {
			t.Errorf("entry changed: %+v, was %+v", again.Details.Call, m.Details.Call)
		}
	})
}

// Nobody answers: the caller leaves a voicemail, kept as their message
// with the recording and Twilio's transcript, and the conversation waits
// for a call back. On SQLite and PostgreSQL.
func TestCallVoicemail(t *testing.T) {
	t.Parallel()
	apitest.Dialects(t, func(t *testing.T, _ string) {
		l := newLine(t, nil, 2, 2)
		audio := []byte("ID3\x04 a voicemail")
		c := &twiliotest.Call{Phones: map[string]twiliotest.Answer{l.phones[0]: twiliotest.Busy}, Voicemail: audio, VoicemailSeconds: 14,
			Transcript: "Please call me back about order 42."}
		l.call(t, c)
		if len(c.Dialled) != 1 || len(c.Said) != 3 || !strings.Contains(c.Said[1], "leave your name and message") || !strings.HasPrefix(c.Said[2], "Thank you.") {
			t.Fatalf("call: dialled %v, said %q", c.Dialled, c.Said)
		}
		m, conv := l.entry(t, c.SID)
		if call := m.Details.Call; call.Outcome != sahay.OutcomeVoicemail || call.Voicemail != c.Recording || call.Status != sahay.CallCompleted || call.AgentID != 0 {
			t.Fatalf("entry %+v", call)
		}
		if !slices.Contains(conv.Labels, sahay.CallBackLabel) || conv.WaitingSince == nil || conv.Status != sahay.StatusOpen {
			t.Fatalf("conversation %+v", conv)
		}
		vm := l.waitMessage(t, c.Recording)
		full, err := l.s.App.Store.Message(context.Background(), l.inbox.AccountID, vm.ID)
		if err != nil {
			t.Fatal(err)
		}
		if full.ConversationID != conv.ID || full.Kind != sahay.MessageIncoming || full.Content != "Please call me back about order 42." ||
			full.Details == nil || full.Details.Voicemail == nil || *full.Details.Voicemail != (sahay.Voicemail{Call: c.SID, DurationSeconds: 14, Transcript: "completed"}) {
			t.Fatalf("voicemail %+v", full)
		}
		if len(full.Attachments) != 1 || full.Attachments[0].FileName != "voicemail.mp3" || full.Attachments[0].ContentType != "audio/mpeg" ||
			full.Attachments[0].Size != int64(len(audio)) {
			t.Fatalf("recording %+v", full.Attachments)
		}
	})
}

// Out of hours nobody's phone rings: the caller goes straight to the
// voicemail, untranscribed when transcription is off.
func TestCallOutOfHours(t *testing.T) {
	t.Parallel()
	l := newLine(t, map[string]any{"transcribe": "off", "voicemail_prompt": "We are closed. Leave a message.",
		"business_hours": map[string]any{"enabled": true, "time_zone": "Asia/Dhaka", "days": map[string]string{}}}, 1, 1)
	c := &twiliotest.Call{Voicemail: []byte("ID3 closed"), VoicemailSeconds: 5}
	l.call(t, c)
	if len(c.Dialled) != 0 || len(c.Said) != 3 || c.Said[1] != "We are closed. Leave a message." {
		t.Fatalf("call: dialled %v, said %q", c.Dialled, c.Said)
	}
	m, conv := l.entry(t, c.SID)
	if call := m.Details.Call; call.Outcome != sahay.OutcomeVoicemail || len(call.Rang) != 0 {
		t.Fatalf("entry %+v", call)
	}
	vm := l.waitMessage(t, c.Recording)
	if vm.Details.Voicemail.Transcript != "" || vm.Content != "" || !slices.Contains(conv.Labels, sahay.CallBackLabel) {
		t.Fatalf("voicemail %+v %+v, conversation %+v", vm, vm.Details.Voicemail, conv)
	}
}

// A line without hours of its own keeps its account's: with the account
// closed all week nobody's phone rings and the caller leaves a voicemail.
func TestCallOutOfTheAccountsHours(t *testing.T) {
	t.Parallel()
	l := newLine(t, map[string]any{"transcribe": "off", "voicemail_prompt": "We are closed. Leave a message."}, 1, 1)
	l.s.Must(t, l.owner.Token, http.MethodPatch, "/api/v1/account",
		map[string]any{"business_hours": map[string]any{"enabled": true, "days": map[string]string{}}}, http.StatusOK, nil)
	c := &twiliotest.Call{Voicemail: []byte("ID3 closed"), VoicemailSeconds: 5}
	l.call(t, c)
	if len(c.Dialled) != 0 || len(c.Said) != 3 || c.Said[1] != "We are closed. Leave a message." {
		t.Fatalf("call: dialled %v, said %q", c.Dialled, c.Said)
	}
	if m, _ := l.entry(t, c.SID); m.Details.Call.Outcome != sahay.OutcomeVoicemail {
		t.Fatalf("entry %+v", m.Details.Call)
	}
}

// With no agent available (their dashboards closed), the caller is asked
// for a voicemail; one who hangs up at the beep is a missed call the team
// calls back.
func TestCallNobodyAvailable(t *testing.T) {
	t.Parallel()
	l := newLine(t, nil, 1, 0)
	c := &twiliotest.Call{}
	l.call(t, c)
	if len(c.Dialled) != 0 || len(c.Said) != 2 || c.Recording != "" {
		t.Fatalf("call: dialled %v, said %q", c.Dialled, c.Said)
	}
	m, conv := l.entry(t, c.SID)
	if call := m.Details.Call; call.Outcome != sahay.OutcomeMissed || call.Status != sahay.CallCompleted || call.EndedAt == nil {
		t.Fatalf("entry %+v", call)
	}
	if !slices.Contains(conv.Labels, sahay.CallBackLabel) || conv.WaitingSince == nil {
		t.Fatalf("conversation %+v", conv)
	}
}

// Ringing in order, the second agent's phone rings once the first's
// rang out, and the second takes the call. On SQLite and PostgreSQL.
func TestCallRingsInOrder(t *testing.T) {
	t.Parallel()
	apitest.Dialects(t, func(t *testing.T, _ string) {
		l := newLine(t, map[string]any{"ring_strategy": "order", "ring_timeout": 12}, 2, 2)
		c := &twiliotest.Call{Phones: map[string]twiliotest.Answer{l.phones[1]: twiliotest.Answers}, Talk: 30}
		l.call(t, c)
		if !reflect.DeepEqual(c.Dialled, [][]string{{l.phones[0]}, {l.phones[1]}}) || c.Answered != l.phones[1] {
			t.Fatalf("dialled %v, answered %s", c.Dialled, c.Answered)
		}
		m, conv := l.entry(t, c.SID)
		call := m.Details.Call
		if call.Outcome != sahay.OutcomeAnswered || call.AgentID != l.agents[1].ID || call.DurationSeconds != 12+30 ||
			!reflect.DeepEqual(call.Rang, []int64{l.agents[0].ID, l.agents[1].ID}) {
			t.Fatalf("entry %+v", call)
		}
		if conv.AssigneeID != l.agents[1].ID {
			t.Fatalf("conversation %+v", conv)
		}
	})
}

// An agent's own voicemail picks up: it hears the screening, presses no
// key and is hung up on, so the caller is not connected to it and nobody
// is recorded as answering; the other phone rings on, and the caller
// leaves Sahay's voicemail, which waits for a call back. On SQLite and
// PostgreSQL.
func TestCallScreensVoicemail(t *testing.T) {
	t.Parallel()
	apitest.Dialects(t, func(t *testing.T, _ string) {
		l := newLine(t, nil, 2, 2)
		c := &twiliotest.Call{Phones: map[string]twiliotest.Answer{l.phones[0]: twiliotest.Machine}, Talk: 60,
			Voicemail: []byte("ID3\x04 call me"), VoicemailSeconds: 9, Transcript: "Please call me back."}
		l.call(t, c)
		if c.Answered != "" || !reflect.DeepEqual(c.Dialled, [][]string{l.phones}) || !reflect.DeepEqual(c.Heard, []string{screened}) ||
			len(c.Said) != 3 || !strings.Contains(c.Said[1], "leave your name and message") || c.Recording == "" {
			t.Fatalf("call: dialled %v, answered %q, the machine heard %q, the caller %q", c.Dialled, c.Answered, c.Heard, c.Said)
		}
		m, conv := l.entry(t, c.SID)
		call := m.Details.Call
		if call.Outcome != sahay.OutcomeVoicemail || call.AgentID != 0 || call.AnsweredAt != nil || call.Voicemail != c.Recording ||
			call.Status != sahay.CallCompleted || !reflect.DeepEqual(call.Rang, []int64{l.agents[0].ID, l.agents[1].ID}) {
			t.Fatalf("entry %+v", call)
		}
		if !slices.Contains(conv.Labels, sahay.CallBackLabel) || conv.WaitingSince == nil || conv.Status != sahay.StatusOpen {
			t.Fatalf("conversation %+v", conv)
		}
		if vm := l.waitMessage(t, c.Recording); vm.ConversationID != conv.ID || vm.Kind != sahay.MessageIncoming {
			t.Fatalf("voicemail %+v", vm)
		}
		for _, key := range l.events(t, "done") {
			if strings.HasSuffix(key, ":answer") {
				t.Fatalf("an answer was journalled: %s", key)
			}
		}
	})
}

// Ringing in order, the first agent's voicemail picks up and is hung up
// on; the next agent, a person, hears the caller's name, presses a key
// and takes the call. On SQLite and PostgreSQL.
func TestCallScreenedInOrder(t *testing.T) {
	t.Parallel()
	apitest.Dialects(t, func(t *testing.T, _ string) {
		l := newLine(t, map[string]any{"ring_strategy": "order", "ring_timeout": 12}, 2, 2)
		if _, err := l.s.App.Service.UpsertChannelContact(context.Background(), l.inbox, twilio.Namespace, customer,
			core.ContactFields{Name: "Asha Rahman", Phone: customer}); err != nil {
			t.Fatal(err)
		}
		c := &twiliotest.Call{Phones: map[string]twiliotest.Answer{l.phones[0]: twiliotest.Machine, l.phones[1]: twiliotest.Answers}, Talk: 30}
		l.call(t, c)
		named := "Support call from Asha Rahman. Press any key to take the call."
		if !reflect.DeepEqual(c.Dialled, [][]string{{l.phones[0]}, {l.phones[1]}}) || c.Answered != l.phones[1] ||
			!reflect.DeepEqual(c.Heard, []string{named, named}) {
			t.Fatalf("dialled %v, answered %s, heard %q", c.Dialled, c.Answered, c.Heard)
		}
		m, conv := l.entry(t, c.SID)
		call := m.Details.Call
		if call.Outcome != sahay.OutcomeAnswered || call.AgentID != l.agents[1].ID || call.DurationSeconds != 12+30 ||
			!reflect.DeepEqual(call.Rang, []int64{l.agents[0].ID, l.agents[1].ID}) {
			t.Fatalf("entry %+v", call)
		}
		if conv.AssigneeID != l.agents[1].ID || slices.Contains(conv.Labels, sahay.CallBackLabel) {
			t.Fatalf("conversation %+v", conv)
		}
	})
}

// With screening off, whatever picks up takes the call at once: an
// agent's own voicemail answers it as that agent. On SQLite and
// PostgreSQL.
func TestCallUnscreened(t *testing.T) {
	t.Parallel()
	apitest.Dialects(t, func(t *testing.T, _ string) {
		l := newLine(t, map[string]any{"screen_calls": "off"}, 2, 2)
		c := &twiliotest.Call{Phones: map[string]twiliotest.Answer{l.phones[0]: twiliotest.Machine}, Talk: 25}
		l.call(t, c)
		if c.Answered != l.phones[0] || len(c.Heard) != 0 || !reflect.DeepEqual(c.Said, []string{"Thank you for calling."}) {
			t.Fatalf("answered %s, heard %q, said %q", c.Answered, c.Heard, c.Said)
		}
		m, _ := l.entry(t, c.SID)
		if call := m.Details.Call; call.Outcome != sahay.OutcomeAnswered || call.AgentID != l.agents[0].ID || call.DurationSeconds != 25 {
			t.Fatalf("entry %+v", call)
		}
	})
}

// An agent calls back a customer who waits: Twilio rings the agent's
// phone, then the customer's from the inbox's number; once the customer
// answers, the call-back label goes. Its status callbacks, twice, change
// nothing more. On SQLite and PostgreSQL.
func TestClickToCall(t *testing.T) {
	t.Parallel()
	apitest.Dialects(t, func(t *testing.T, _ string) {
		l := newLine(t, nil, 1, 0)
		missed := &twiliotest.Call{}
		l.call(t, missed)
		_, conv := l.entry(t, missed.SID)
		if !slices.Contains(conv.Labels, sahay.CallBackLabel) {
			t.Fatalf("a missed call's conversation %+v", conv)
		}

		var entry sahay.Message
		l.s.Must(t, l.owner.Token, http.MethodPost, fmt.Sprintf("/api/v1/conversations/%d/calls", conv.ID), nil, http.StatusCreated, &entry)
		placed := l.sim.Placed()
		if len(placed) != 1 || entry.ExternalID != placed[0].SID || entry.Details == nil || entry.Details.Call == nil ||
			entry.Details.Call.Direction != sahay.CallOutbound {
			t.Fatalf("placed %+v, entry %+v", placed, entry)
		}
		f := placed[0].Form
		m := fmt.Sprint(entry.ID)
		bridge := l.hook("/voice/bridge") + "?" + url.Values{"m": {m}, "to": {strings.TrimPrefix(customer, "+")}}.Encode()
		if f.Get("To") != l.phones[0] || f.Get("From") != business || f.Get("Timeout") != "20" || f.Get("Url") != bridge ||
			f.Get("StatusCallback") != l.hook("/voice/status")+"?m="+m ||
			!reflect.DeepEqual(f["StatusCallbackEvent"], []string{"initiated", "ringing", "answered", "completed"}) {
			t.Fatalf("call placed with %v", f)
		}
		c := &twiliotest.Call{Phones: map[string]twiliotest.Answer{customer: twiliotest.Answers}, Talk: 40}
		if err := l.sim.Outgoing(placed[0], c, twiliotest.Answers); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(c.Dialled, [][]string{{customer}}) || !reflect.DeepEqual(c.Said, []string{"Connecting you to the customer."}) {
			t.Fatalf("dialled %v, said %q", c.Dialled, c.Said)
		}
		l.idle(t)
		out, conv := l.entry(t, placed[0].SID)
		call := out.Details.Call
		if out.ID != entry.ID || call.Direction != sahay.CallOutbound || call.Outcome != sahay.OutcomeAnswered || call.Status != sahay.CallCompleted ||
			call.AgentID != l.owner.ID || call.To != customer || call.From != business || call.DurationSeconds < 40 || call.AnsweredAt == nil {
			t.Fatalf("entry %+v", call)
		}
		if slices.Contains(conv.Labels, sahay.CallBackLabel) || conv.WaitingSince != nil {
			t.Fatalf("conversation %+v", conv)
		}
		done := len(l.events(t, "done"))
		for _, r := range l.sim.Requests() {
			if strings.Contains(r.URL, "/voice/status") || strings.Contains(r.URL, "/voice/bridged") {
				if resp, err := l.sim.Repeat(r); err != nil || resp.StatusCode >= 300 {
					t.Fatalf("again %s: %v %v", r.URL, resp, err)
				}
			}
		}
		l.idle(t)
		if again, _ := l.entry(t, placed[0].SID); !reflect.DeepEqual(again.Details.Call, call) || len(l.events(t, "done")) != done {
			t.Fatalf("after the callbacks came again: %+v, was %+v", again.Details.Call, call)
		}
	})
}

// A request not signed with the inbox's token is refused and stores
// nothing.
func TestCallSignature(t *testing.T) {
	t.Parallel()
	l := newLine(t, nil, 0, 0)
	form := url.Values{"CallSid": {twiliotest.NewSID("CA")}, "From": {customer}, "To": {business}, "CallStatus": {"ringing"}}
	form.Set("ParentCallSid", twiliotest.NewSID("CA"))
	for _, sub := range []string{"/voice", "/voice/status", "/voice/recorded", "/voice/screen?agent=1"} {
		resp, err := l.sim.Post(l.hook(sub), "", "0000000000000000", form)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s: status %d, want 401", sub, resp.StatusCode)
		}
	}
	for _, state := range []string{"pending", "done", "failed"} {
		if keys := l.events(t, state); len(keys) != 0 {
			t.Fatalf("refused requests left %s events %v", state, keys)
		}
	}
}

// A status callback of a call Sahay has no entry for (placed by another
// tool, or reported before its first request is processed) is kept and
// tried again later; calls go on meanwhile.
func TestCallStatusOfUnknownCall(t *testing.T) {
	t.Parallel()
	l := newLine(t, nil, 1, 1)
	sid := twiliotest.NewSID("CA")
	resp, err := l.sim.Post(l.hook("/voice/status"), "", twiliotest.AuthToken,
		url.Values{"CallSid": {sid}, "CallStatus": {"completed"}, "CallDuration": {"12"}, "From": {customer}, "To": {business}})
	if err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("status: %v %v", resp, err)
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		var pending struct {
			Items []struct {
				DedupeKey string `json:"dedupe_key"`
				Attempts  int    `json:"attempts"`
				LastError string `json:"last_error"`
			}
		}
		l.s.Must(t, l.owner.Token, http.MethodGet, fmt.Sprintf("/api/v1/inboxes/%d/events?state=pending", l.inbox.ID), nil, http.StatusOK, &pending)
		// An attempt is counted when the event is claimed, and its error
		// written when the attempt ends: wait for both.
		if len(pending.Items) == 1 && pending.Items[0].Attempts > 0 && pending.Items[0].LastError != "" {
			if e := pending.Items[0]; e.DedupeKey != "callstatus:"+sid+":completed" || !strings.Contains(e.LastError, "not recorded yet") {
				t.Fatalf("event %+v", e)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the status was not tried within 15s: %+v", pending.Items)
		}
		time.Sleep(20 * time.Millisecond)
	}
	c := &twiliotest.Call{Phones: map[string]twiliotest.Answer{l.phones[0]: twiliotest.Answers}, Talk: 5}
	c.From, c.To = customer, business
	if err := l.sim.Incoming(c, l.hook("/voice"), l.hook("/voice/status")); err != nil {
		t.Fatal(err)
	}
	deadline = time.Now().Add(15 * time.Second)
	for {
		m, err := l.s.App.Store.MessageByExternalID(context.Background(), l.inbox.ID, c.SID)
		if err == nil && m.Details.Call.Outcome == sahay.OutcomeAnswered && m.Details.Call.Status == sahay.CallCompleted {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the next call: %+v %v", m, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if failed := l.events(t, "failed"); len(failed) != 0 {
		t.Fatalf("failed events %v", failed)
	}
}

// Saving an inbox checks its voice settings, business hours strictly;
// the channel declares that it takes calls, and the hours' setting type.
func TestVoiceSettingsSaved(t *testing.T) {
	t.Parallel()
	s := apitest.NewServer(t)
	owner := s.NewAccount(t, "Shop")
	base := func(extra map[string]any) map[string]any {
		settings := map[string]any{"account_sid": twiliotest.AccountSID, "auth_token": twiliotest.AuthToken, "phone_number": business}
		for k, v := range extra {
			settings[k] = v
		}
		return map[string]any{"name": "Phone", "channel": "twilio", "settings": settings}
	}
	for _, tt := range []struct {
		extra map[string]any
		want  string
	}{
		{map[string]any{"business_hours": "09:00-17:00"}, "must be an object"},
		{map[string]any{"business_hours": map[string]any{"enabled": true, "timezone": "Asia/Dhaka"}}, "timezone"},
		{map[string]any{"business_hours": map[string]any{"enabled": true, "time_zone": "Dhaka"}}, "business_hours.time_zone"},
		{map[string]any{"ring_timeout": 90}, "ring_timeout"},
		{map[string]any{"ring_strategy": "everyone"}, "ring_strategy"},
	} {
		r := s.Call(t, owner.Token, http.MethodPost, "/api/v1/inboxes", base(tt.extra))
		if _, msg := r.Error(); r.Status != http.StatusUnprocessableEntity || !strings.Contains(msg, tt.want) {
			t.Errorf("%v: %s, want 422 saying %q", tt.extra, r, tt.want)
		}
	}
	s.Must(t, owner.Token, http.MethodPost, "/api/v1/inboxes", base(map[string]any{"ring_timeout": "30", "transcribe": "off",
		"business_hours": map[string]any{"enabled": true, "time_zone": "Asia/Dhaka", "days": map[string]string{"sun": "09:00-18:00"}}}),
		http.StatusCreated, nil)

	type setting struct {
		Key  string `json:"key"`
		Type string `json:"type"`
	}
	var channels struct {
		Items []struct {
			Name         string `json:"name"`
			Capabilities struct {
				Calls bool `json:"calls"`
			} `json:"capabilities"`
			Settings []setting `json:"settings"`
		} `json:"items"`
	}
	s.Must(t, owner.Token, http.MethodGet, "/api/v1/channels", nil, http.StatusOK, &channels)
	for _, ch := range channels.Items {
		if ch.Name != "twilio" {
			continue
		}
		if !ch.Capabilities.Calls || !slices.Contains(ch.Settings, setting{"business_hours", "business_hours"}) {
			t.Fatalf("twilio: %+v", ch)
		}
		return
	}
	t.Fatal("no twilio channel")
}
