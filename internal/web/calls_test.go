package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/apitest"
	"github.com/sahayhq/sahay/internal/channel"
	"github.com/sahayhq/sahay/internal/core"

	"github.com/chromedp/chromedp"
)

// phoneLine is a phone channel standing in for a telephony platform: a
// webhook delivers a channel.Parsed as JSON, journalled under the key its
// Key header names, and the calls agents place are recorded.
type phoneLine struct {
	mu     sync.Mutex
	placed []channel.CallRequest
}

const (
	phoneChannel = "phone"
	lineNumber   = "+8809612345678"
	caller       = "+8801711223344"
)

var (
	_ channel.Adapter   = (*phoneLine)(nil)
	_ channel.Phone     = (*phoneLine)(nil)
	_ channel.Webhooker = (*phoneLine)(nil)
	_ channel.Parser    = (*phoneLine)(nil)
	_ channel.Describer = (*phoneLine)(nil)
)

func (l *phoneLine) Validate(*sahay.Inbox) error { return nil }

func (l *phoneLine) Send(context.Context, channel.Outbound) (channel.SendResult, error) {
	return channel.SendResult{}, channel.Permanent(errors.New("a phone line sends no messages"))
}

func (l *phoneLine) Namespace() string { return "phone" }

func (l *phoneLine) Describe() channel.Description {
	return channel.Description{Capabilities: channel.Capabilities{Calls: true}}
}

func (l *phoneLine) Webhook(inbox *sahay.Inbox, r *http.Request, sub string, body []byte) (channel.Hook, error) {
	return channel.Hook{Events: []channel.Raw{{DedupeKey: r.Header.Get("Key"), Body: body}}}, nil
}

func (l *phoneLine) Parse(inbox *sahay.Inbox, raw channel.Raw) (channel.Parsed, error) {
	var p channel.Parsed
	err := json.Unmarshal(raw.Body, &p)
	return p, err
}

func (l *phoneLine) Line(*sahay.Inbox, time.Time) (string, bool) { return lineNumber, true }

func (l *phoneLine) Call(ctx context.Context, inbox *sahay.Inbox, req channel.CallRequest) (string, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.placed = append(l.placed, req)
	return fmt.Sprintf("CA-out-%d", len(l.placed)), nil
}

func (l *phoneLine) calls() []channel.CallRequest {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]channel.CallRequest(nil), l.placed...)
}

// callDesk is a workspace with a phone inbox on the stand-in line, its
// owner and two agents who take calls, Rahim and Priya.
type callDesk struct {
	d            *dashboard
	line         *phoneLine
	owner        *apitest.User
	rahim, priya *apitest.User
	inbox        *sahay.Inbox
}

func newCallDesk(t *testing.T, d *dashboard) *callDesk {
	t.Helper()
	k := &callDesk{d: d, line: &phoneLine{}}
	d.App.Service.Channels().Register(phoneChannel, k.line)
	k.owner = d.NewAccount(t, "Bazaar")
	k.rahim = k.agent(t, "Rahim", "+8801811000111")
	k.priya = k.agent(t, "Priya", "+8801911000222")
	k.inbox = d.NewInbox(t, k.owner, "Hotline", phoneChannel, map[string]any{}, k.owner.ID, k.rahim.ID, k.priya.ID)
	return k
}

func (k *callDesk) agent(t *testing.T, name, phone string) *apitest.User {
	t.Helper()
	u := k.d.NewUser(t, k.owner, sahay.RoleAgent)
	k.d.Must(t, k.owner.Token, http.MethodPatch, fmt.Sprintf("/api/v1/users/%d", u.ID), map[string]any{"name": name, "phone": phone}, http.StatusOK, u.User)
	return u
}

// deliver hands the line's report to Sahay as its webhook would.
func (k *callDesk) deliver(t *testing.T, key string, p channel.Parsed) {
	t.Helper()
	body, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodPost, "/webhooks/1", nil)
	r.Header.Set("Key", key)
	if _, err := k.d.App.Service.Webhook(context.Background(), k.inbox.ID, r, "", body); err != nil {
		t.Fatalf("webhook %s: %v", key, err)
	}
}

// entry waits until the message of the line's id satisfies ok.
func (k *callDesk) entry(t *testing.T, externalID string, ok func(*sahay.Message) bool) *sahay.Message {
	t.Helper()
	var m *sahay.Message
	eventually(t, "the entry of "+externalID, func() bool {
		var err error
		m, err = k.d.App.Store.MessageByExternalID(context.Background(), k.inbox.ID, externalID)
		return err == nil && ok(m)
	})
	return m
}

// ring delivers an inbound call that rings the phones of rang.
func (k *callDesk) ring(t *testing.T, sid string, rang ...int64) *sahay.Message {
	t.Helper()
	k.deliver(t, "call:"+sid, channel.Parsed{Messages: []channel.Inbound{{ExternalID: sid, Namespace: "phone", ContactID: caller, Phone: caller,
		Details: &sahay.MessageDetails{Call: &sahay.Call{Direction: sahay.CallInbound, Status: sahay.CallRinging, From: caller, To: lineNumber, Rang: rang}}}}})
	return k.entry(t, sid, func(*sahay.Message) bool { return true })
}

// report delivers the line's word on a call and waits until its entry
// shows it.
func (k *callDesk) report(t *testing.T, sid string, c sahay.Call) *sahay.Message {
	t.Helper()
	k.deliver(t, "status:"+sid+":"+c.Status+c.Outcome, channel.Parsed{Calls: []channel.CallEvent{{ExternalID: sid, Call: c}}})
	return k.entry(t, sid, func(m *sahay.Message) bool { return m.Details.Call.Status == c.Status })
}

// callWords are what the customer says and writes, in Bengali as a
// customer in Dhaka would.
var callWords = struct{ text, voicemail, preferred, note string }{
	text:      "আমার অর্ডার #4521 এখনো আসেনি। একটু ফোন করবেন?",
	voicemail: "হ্যালো, আমি নুসরাত। অর্ডার #4521 নিয়ে ফোন করেছিলাম, একটু কল ব্যাক করবেন।",
	preferred: "আজ সন্ধ্যা ৬টার পর",
	note:      "ডেলিভারির ঠিকানা বদলাতে চাই।",
}

// conversation records a customer's day on the phone inbox: a text, a
// call Rahim answered, Priya's call back nobody answered, a missed call
// with a voicemail still being transcribed, and a request to be called.
// It returns the conversation and the voicemail.
func (k *callDesk) conversation(t *testing.T) (sahay.Conversation, *sahay.Message) {
	t.Helper()
	ctx := context.Background()
	if _, err := k.d.App.Service.Receive(ctx, channel.Inbound{InboxID: k.inbox.ID, ExternalID: "SM1", Namespace: "phone", ContactID: caller,
		Phone: caller, Name: "Nusrat Jahan", Content: callWords.text}); err != nil {
		t.Fatal(err)
	}
	answered := k.ring(t, "CA1", k.rahim.ID, k.priya.ID)
	at := time.Now()
	k.report(t, "CA1", sahay.Call{Status: sahay.CallCompleted, Outcome: sahay.OutcomeAnswered, AgentID: k.rahim.ID, DurationSeconds: 192, AnsweredAt: &at})

	priya, err := k.d.App.Service.Actor(ctx, k.priya.User)
	if err != nil {
		t.Fatal(err)
	}
	out, err := k.d.App.Service.StartCall(ctx, priya, answered.ConversationID)
	if err != nil {
		t.Fatal(err)
	}
	k.report(t, out.ExternalID, sahay.Call{Status: sahay.CallNoAnswer})

	k.ring(t, "CA2", k.rahim.ID, k.priya.ID)
	k.report(t, "CA2", sahay.Call{Status: sahay.CallCompleted, Outcome: sahay.OutcomeVoicemail, Voicemail: "RE2"})
	recording, err := k.d.App.Service.StoreFile(ctx, core.Upload{FileName: "voicemail.mp3", ContentType: "audio/mpeg", Body: bytes.NewReader(mp3Frame())})
	if err != nil {
		t.Fatal(err)
	}
	vm, err := k.d.App.Service.Receive(ctx, channel.Inbound{InboxID: k.inbox.ID, ExternalID: "RE2", Namespace: "phone", ContactID: caller, Phone: caller,
		Attachments: []sahay.Attachment{recording},
		Details:     &sahay.MessageDetails{Voicemail: &sahay.Voicemail{Call: "CA2", DurationSeconds: 42, Transcript: "pending"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := k.d.App.Service.RequestCallback(ctx, k.owner.AccountID, k.inbox.ID, core.CallbackRequest{Phone: caller, Name: "Nusrat Jahan",
		PreferredTime: callWords.preferred, Note: callWords.note}); err != nil {
		t.Fatal(err)
	}
	var conv sahay.Conversation
	eventually(t, "the callback request is in the conversation", func() bool {
		conv = conversation(t, k.d, k.owner.Token, answered.ConversationID)
		ms := messages(t, k.d, k.owner.Token, conv.ID)
		return len(ms) > 0 && ms[len(ms)-1].Details != nil && ms[len(ms)-1].Details.Call != nil &&
			ms[len(ms)-1].Details.Call.Direction == sahay.CallbackRequest
	})
	return conv, vm.Message
}

// transcribe delivers the voicemail's transcript.
func (k *callDesk) transcribe(t *testing.T) {
	t.Helper()
	k.deliver(t, "transcript:RE2", channel.Parsed{Calls: []channel.CallEvent{{Recording: "RE2", Transcript: callWords.voicemail}}})
	k.entry(t, "RE2", func(m *sahay.Message) bool { return m.Details.Voicemail.Transcript == "completed" })
}

// mp3Frame is one silent MPEG-1 Layer III frame (128 kbit/s, 44.1 kHz).
func mp3Frame() []byte {
	frame := make([]byte, 417)
	copy(frame, []byte{0xff, 0xfb, 0x90, 0x64})
	return bytes.Repeat(frame, 38) // about a second
}

// cardTexts are the lines of the timeline's call cards, in order.
const cardTexts = `[...document.querySelectorAll(".timeline .call-entry .call-line")].map((e) => e.textContent)`

// TestBrowserCalls: a conversation of a phone inbox shows its calls, a
// voicemail and a callback request as cards that follow the line's
// reports; the Call button places a call, and says what to do when the
// agent has no phone number; a ringing call shows a notice that goes when
// it is answered.
func TestBrowserCalls(t *testing.T) {
	needBrowser(t, browserEnv)
	d := startDashboard(t)
	k := newCallDesk(t, d)
	conv, vm := k.conversation(t)

	ctx := newBrowser(t)
	do(t, ctx, chromedp.EmulateViewport(1280, 800))
	login(t, ctx, d.URL, k.owner.Email, k.owner.Password)
	watchCSP(t, ctx)
	do(t, ctx, chromedp.Navigate(fmt.Sprintf("%s/conversations/%d", d.URL, conv.ID)))
	waitFor(t, ctx, "the call cards show", `document.querySelectorAll(".timeline .call-entry").length === 5`)
	want := []string{
		"Incoming call · answered by Rahim · 3:12",
		"Outgoing call by Priya · no answer",
		"Missed call · voicemail left",
		"Voicemail · 0:42",
		"Callback requested",
	}
	if got := eval[[]string](t, ctx, cardTexts); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("the cards say\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if n := eval[int](t, ctx, `document.querySelectorAll(".timeline .call-entry .bubble").length`); n != 0 {
		t.Errorf("%d call cards are chat bubbles", n)
	}
	if got := eval[[]string](t, ctx, `[...document.querySelectorAll(".timeline .call-entry")].map((e) => e.className)`); !strings.Contains(got[1], "outgoing") || !strings.Contains(got[2], "missed") {
		t.Errorf("card classes %q: the call back is not on the team's side, or the missed call is not marked", got)
	}
	callback := eval[string](t, ctx, `document.querySelector(".call-entry.callback").innerText`)
	for _, s := range []string{caller, "Preferred time: " + callWords.preferred, callWords.note} {
		if !strings.Contains(callback, s) {
			t.Errorf("the callback request %q does not show %q", callback, s)
		}
	}

	// The voicemail plays its recording through the attachments route, and
	// its transcript arrives live.
	audio := eval[string](t, ctx, `document.querySelector(".call-entry.voicemail audio[controls]")?.getAttribute("src") ?? ""`)
	if want := fmt.Sprintf("/api/v1/attachments/%d", vm.Attachments[0].ID); audio != want {
		t.Errorf("the voicemail's player plays %q, want %q", audio, want)
	}
	if got := eval[string](t, ctx, `fetch(document.querySelector(".call-entry.voicemail audio").src).then((r) => r.status + " " + r.headers.get("content-type"))`); got != "200 audio/mpeg" {
		t.Errorf("the recording answers %q", got)
	}
	waitFor(t, ctx, "the voicemail is being transcribed", `document.querySelector(".call-entry.voicemail .transcript").textContent === "Transcribing…"`)
	k.transcribe(t)
	waitFor(t, ctx, "the transcript arrives", fmt.Sprintf(`document.querySelector(".call-entry.voicemail .transcript").textContent === %s`, jsString(callWords.voicemail)))
	waitFor(t, ctx, "the conversation waits for a call back", `[...document.querySelectorAll(".conv-tools .chip")].some((c) => c.textContent.includes("call-back"))`)

	// Without a phone number, the call is refused: the dialog says so and
	// leads to the profile, where the number is added.
	eval[bool](t, ctx, recordPosts)
	eval[bool](t, ctx, `(document.querySelector(".conv-head .call-btn").click(), true)`)
	waitFor(t, ctx, "the refusal shows", `document.querySelector(".dialog .call-error")`)
	posts := eval[[]post](t, ctx, `window.__posts`)
	if len(posts) != 1 || posts[0].URL != fmt.Sprintf("/api/v1/conversations/%d/calls", conv.ID) || posts[0].Status != http.StatusUnprocessableEntity {
		t.Fatalf("the Call button posted %+v", posts)
	}
	refusal := d.Call(t, k.owner.Token, http.MethodPost, fmt.Sprintf("/api/v1/conversations/%d/calls", conv.ID), nil)
	var body struct{ Error struct{ Message string } }
	refusal.Decode(t, &body)
	if got := eval[string](t, ctx, `document.querySelector(".dialog .call-error").textContent`); got != body.Error.Message || !strings.Contains(got, "phone number") {
		t.Errorf("the dialog says %q, the server %q", got, body.Error.Message)
	}
	if got := eval[string](t, ctx, `document.querySelector(".dialog .call-add-phone").textContent`); !strings.HasPrefix(got, "Add your phone number in your profile") {
		t.Errorf("the dialog's advice: %q", got)
	}
	eval[bool](t, ctx, `(document.querySelector(".dialog .open-profile").click(), true)`)
	waitFor(t, ctx, "the profile opens", `location.pathname === "/settings/profile" && document.querySelector("input[name=phone]")`)
	setField(t, ctx, "input[name=phone]", "01711")
	eval[bool](t, ctx, `(document.querySelector("input[name=phone]").form.requestSubmit(), true)`)
	waitFor(t, ctx, "the server refuses a number without its country code", `[...document.querySelectorAll(".toast.error")].some((e) => e.textContent.includes("country code"))`)
	setField(t, ctx, "input[name=phone]", "+880 1999 000111")
	eval[bool](t, ctx, `(document.querySelector("input[name=phone]").form.requestSubmit(), true)`)
	eventually(t, "the phone number is saved", func() bool {
		var me struct{ User sahay.User }
		d.Must(t, k.owner.Token, http.MethodGet, "/api/v1/me", nil, http.StatusOK, &me)
		return me.User.Phone == "+8801999000111"
	})

	// Now the call rings the agent's phone, and its card follows the line.
	do(t, ctx, chromedp.Navigate(fmt.Sprintf("%s/conversations/%d", d.URL, conv.ID)))
	waitFor(t, ctx, "the conversation shows", `document.querySelectorAll(".timeline .call-entry").length === 5 && document.querySelector(".conv-head .call-btn")`)
	eval[bool](t, ctx, `(document.querySelector(".conv-head .call-btn").click(), true)`)
	waitFor(t, ctx, "the call's card shows", `document.querySelectorAll(".timeline .call-entry").length === 6`)
	placed := k.line.calls()
	if len(placed) != 2 || placed[1].AgentPhone != "+8801999000111" || placed[1].CustomerPhone != caller {
		t.Fatalf("the line placed %+v", placed)
	}
	waitFor(t, ctx, "the call is being connected", `[...document.querySelectorAll(".timeline .call-entry")].at(-1).querySelector(".call-line").textContent === "Outgoing call by Bazaar Owner · connecting…" && [...document.querySelectorAll(".timeline .call-entry")].at(-1).querySelector(".live-dot")`)
	k.report(t, "CA-out-2", sahay.Call{Status: sahay.CallInProgress})
	waitFor(t, ctx, "the call is in progress", `[...document.querySelectorAll(".timeline .call-entry")].at(-1).querySelector(".call-line").textContent === "Outgoing call by Bazaar Owner · in progress"`)
	at := time.Now()
	k.report(t, "CA-out-2", sahay.Call{Status: sahay.CallCompleted, Outcome: sahay.OutcomeAnswered, DurationSeconds: 75, AnsweredAt: &at})
	waitFor(t, ctx, "the call ended", `[...document.querySelectorAll(".timeline .call-entry")].at(-1).querySelector(".call-line").textContent === "Outgoing call by Bazaar Owner · 1:15" && !document.querySelector(".live-dot")`)
	waitFor(t, ctx, "the answered call back takes the call-back label off", `![...document.querySelectorAll(".conv-tools .chip")].some((c) => c.textContent.includes("call-back"))`)

	// A ringing call shows a notice, on any page, until it is answered.
	do(t, ctx, chromedp.Navigate(d.URL+"/contacts"))
	waitFor(t, ctx, "the contacts show", `document.querySelector(".sidebar .me-name") && document.body.dataset.page === "contacts"`)
	k.ring(t, "CA3", k.owner.ID, k.rahim.ID)
	waitFor(t, ctx, "the notice shows", `document.querySelector(".call-notice")`)
	waitFor(t, ctx, "the notice names the caller and counts their conversations",
		`document.querySelector(".call-notice").innerText.includes("Incoming call from Nusrat Jahan") && document.querySelector(".call-notice").innerText.includes("1 open conversation")`)
	if got := eval[string](t, ctx, `document.querySelector(".call-notice .hint").textContent`); !strings.HasPrefix(got, "Ringing your phone") {
		t.Errorf("the notice of a call ringing the agent's phone says %q", got)
	}
	eval[bool](t, ctx, `(document.querySelector(".call-notice .open-call").click(), true)`)
	waitFor(t, ctx, "the button opens the conversation", fmt.Sprintf(`location.pathname === "/conversations/%d" && document.querySelectorAll(".timeline .call-entry").length === 7`, conv.ID))
	waitFor(t, ctx, "the opened notice is gone", `!document.querySelector(".call-notice")`)
	waitFor(t, ctx, "the card rings", `[...document.querySelectorAll(".timeline .call-entry")].at(-1).querySelector(".call-line").textContent === "Incoming call · ringing…"`)
	k.report(t, "CA3", sahay.Call{Status: sahay.CallInProgress, AgentID: k.rahim.ID, AnsweredAt: &at})
	waitFor(t, ctx, "the card shows who answered", `[...document.querySelectorAll(".timeline .call-entry")].at(-1).querySelector(".call-line").textContent === "Incoming call · answered by Rahim · in progress"`)

	k.ring(t, "CA4", k.rahim.ID)
	waitFor(t, ctx, "a second call's notice shows", `document.querySelector(".call-notice")`)
	if got := eval[string](t, ctx, `document.querySelector(".call-notice .hint").textContent`); strings.Contains(got, "Ringing your phone") {
		t.Errorf("a call ringing someone else's phone says %q", got)
	}
	k.report(t, "CA4", sahay.Call{Status: sahay.CallInProgress, AgentID: k.rahim.ID, AnsweredAt: &at})
	waitFor(t, ctx, "the notice goes once the call is answered", `!document.querySelector(".call-notice")`)
	k.ring(t, "CA5")
	waitFor(t, ctx, "a third call's notice shows", `document.querySelector(".call-notice")`)
	eval[bool](t, ctx, `(document.querySelector(".call-notice .icon-btn").click(), true)`)
	waitFor(t, ctx, "the notice is closed", `!document.querySelector(".call-notice")`)

	// On a phone, the cards keep to the screen.
	do(t, ctx, chromedp.EmulateViewport(375, 740, chromedp.EmulateMobile))
	do(t, ctx, chromedp.Navigate(fmt.Sprintf("%s/conversations/%d", d.URL, conv.ID)))
	waitFor(t, ctx, "the conversation shows on a phone", `document.querySelectorAll(".timeline .call-entry").length === 9`)
	if wide := eval[[]string](t, ctx, `[...document.querySelectorAll(".call-card")].filter((c) => c.getBoundingClientRect().right > innerWidth || c.scrollWidth > c.clientWidth + 1).map((c) => c.innerText)`); len(wide) > 0 {
		t.Errorf("cards wider than the phone: %q", wide)
	}
	if got := eval[string](t, ctx, `getComputedStyle(document.querySelector(".conv-head .call-btn")).height`); got != "40px" {
		t.Errorf("the Call button is %s tall on a phone, want 40px", got)
	}
	noCSPViolation(t, ctx)
}
