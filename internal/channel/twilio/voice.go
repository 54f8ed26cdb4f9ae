package twilio

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/channel"
)

// Phone calls on the number. An incoming call is answered with TwiML:
// the greeting, then the phones of the inbox's available agents (all at
// once, or one after another), or the voicemail when the team is out or
// nobody answers. A phone that picks up is screened: it hears who is
// calling and takes the call with a key, so an agent's own voicemail,
// which presses none, is hung up on and the call rings on. Every request
// Twilio makes on the way is signed like an SMS and journalled under a
// key of the call, so a retried request stores nothing twice, while its
// TwiML is computed again the same way.
// Agents call customers back through the REST API: Twilio rings the
// agent, then fetches /voice/bridge, which dials the customer.

// Agents tells which agents an incoming call rings.
type Agents interface {
	// CallAgents returns the agents available to take a call of the
	// inbox now, with their phone numbers, in the order to ring them.
	CallAgents(ctx context.Context, inbox *sahay.Inbox) ([]channel.CallAgent, error)
}

// Hours, when the agents implement it, give an inbox without enabled
// hours of its own the account's business hours.
type Hours interface {
	// EffectiveHours returns own when enabled, else the account's hours.
	EffectiveHours(ctx context.Context, accountID int64, own sahay.BusinessHours) (sahay.BusinessHours, error)
}

// Voice languages the greetings and prompts are spoken in.
var voiceLanguages = []string{"en-IN", "en-US", "en-GB", "bn-IN", "hi-IN"}

// How an incoming call rings the agents.
const (
	// RingAll rings every available agent at once; the first to answer
	// takes the call.
	RingAll = "all"
	// RingOrder rings one agent after another, each for the ring
	// timeout.
	RingOrder = "order"
)

// Bounds and defaults of the voice settings.
const (
	defaultRingTimeout = 20
	minRingTimeout     = 5
	maxRingTimeout     = 60
	maxPromptChars     = 500
	// agentRingSeconds is how long an agent's phone rings when they call
	// a customer from Sahay.
	agentRingSeconds = 20
)

// Headers a voice webhook adds to the event it journals: what [Parse]
// needs besides Twilio's form, fixed when the request was taken.
const (
	// HeaderRang is the ids of the agents whose phones the request rang,
	// separated by commas.
	HeaderRang = "Rang"
	// HeaderAgent is the id of the agent who answered.
	HeaderAgent = "Agent"
	// HeaderReceived is when the request was taken, in RFC 3339 form.
	HeaderReceived = "Received"
	// HeaderMessage is the id of the entry of a call Sahay placed.
	HeaderMessage = "Message"
	// HeaderTranscribe is "on" when the voicemail's transcription was
	// asked for.
	HeaderTranscribe = "Transcribe"
)

// Seconds is the ring timeout, a number of seconds given as a JSON
// number or a string of digits (as a form sends it).
type Seconds int

// UnmarshalJSON implements [json.Unmarshaler].
func (n *Seconds) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if s == "" || s == "null" {
		*n = 0
		return nil
	}
	v, err := strconv.Atoi(s)
	if err != nil {
		return fmt.Errorf("settings.ring_timeout must be a whole number of seconds, not %s", b)
	}
	*n = Seconds(v)
	return nil
}

// checkVoice validates the voice settings.
func checkVoice(s *Settings) error {
	switch {
	case s.VoiceLanguage != "" && !slices.Contains(voiceLanguages, s.VoiceLanguage):
		return sahay.Invalid("settings.voice_language must be one of %s", strings.Join(voiceLanguages, ", "))
	case s.RingStrategy != "" && s.RingStrategy != RingAll && s.RingStrategy != RingOrder:
		return sahay.Invalid("settings.ring_strategy must be all (every available agent at once) or order (one after another)")
	case s.RingTimeout != 0 && (s.RingTimeout < minRingTimeout || s.RingTimeout > maxRingTimeout):
		return sahay.Invalid("settings.ring_timeout must be %d to %d seconds", minRingTimeout, maxRingTimeout)
	case s.Transcribe != "" && s.Transcribe != "on" && s.Transcribe != "off":
		return sahay.Invalid("settings.transcribe must be on or off")
	case s.ScreenCalls != "" && s.ScreenCalls != "on" && s.ScreenCalls != "off":
		return sahay.Invalid("settings.screen_calls must be on (an agent presses a key to take a call) or off")
	case len([]rune(s.Greeting)) > maxPromptChars:
		return sahay.Invalid("settings.greeting is at most %d characters", maxPromptChars)
	case len([]rune(s.VoicemailPrompt)) > maxPromptChars:
		return sahay.Invalid("settings.voicemail_prompt is at most %d characters", maxPromptChars)
	}
	if s.BusinessHours != nil {
		if err := s.BusinessHours.Check(); err != nil {
			return err
		}
	}
	return nil
}

// voice is how an inbox's calls go, as its settings say.
type voice struct {
	language   string
	prompts    prompts
	greeting   string
	voicemail  string
	strategy   string
	timeout    int
	transcribe bool
	// screen has an agent who picks up press a key to take the call.
	screen bool
	hours  sahay.BusinessHours
	number string
	// hook is the address of a webhook, with a query.
	hook func(sub string, query url.Values) string
}

func (a *Adapter) voice(inbox *sahay.Inbox, s Settings) voice {
	v := voice{language: s.VoiceLanguage, strategy: s.RingStrategy, timeout: int(s.RingTimeout),
		transcribe: s.Transcribe != "off", screen: s.ScreenCalls != "off", number: s.PhoneNumber}
	if v.language == "" {
		v.language = voiceLanguages[0]
	}
	if v.strategy == "" {
		v.strategy = RingAll
	}
	if v.timeout == 0 {
		v.timeout = defaultRingTimeout
	}
	if s.BusinessHours != nil {
		v.hours = *s.BusinessHours
	}
	v.prompts = promptsFor(v.language)
	v.greeting, v.voicemail = strings.TrimSpace(s.Greeting), strings.TrimSpace(s.VoicemailPrompt)
	if v.greeting == "" {
		v.greeting = v.prompts.greeting
	}
	if v.voicemail == "" {
		v.voicemail = v.prompts.voicemail
	}
	v.hook = func(sub string, query url.Values) string {
		u := a.hookURL(inbox, s, sub)
		if len(query) > 0 {
			u += "?" + query.Encode()
		}
		return u
	}
	return v
}

func (v voice) say(text string) say { return say{Language: v.language, Text: text} }

// answer is the TwiML of an incoming call from caller (empty when the
// number is withheld): the greeting, then the agents' phones, or the
// voicemail when there is nobody to ring.
func (v voice) answer(agents []channel.CallAgent, caller string) []byte {
	if len(agents) == 0 {
		return render(append([]any{v.say(v.greeting)}, v.voicemailVerbs()...)...)
	}
	ids := agentIDs(agents)
	if v.strategy == RingOrder {
		return render(v.say(v.greeting), v.ring(ids, agents[:1], 1, caller))
	}
	return render(v.say(v.greeting), v.ring(ids, agents, len(ids), caller))
}

// ring dials the agents' phones. Its action carries every agent of the
// call in order and the index of the next one to ring, so that the next
// step is the same however often Twilio asks. A phone that picks up runs
// its Number's url: the screening, which names the caller, or, without
// screening, the answer itself.
func (v voice) ring(ids []int64, agents []channel.CallAgent, next int, caller string) dial {
	d := dial{Timeout: v.timeout, Action: v.hook("/voice/dial", url.Values{"agents": {joinIDs(ids, ".")}, "next": {strconv.Itoa(next)}})}
	// The caller hears ringing until an agent takes the call, not the
	// silence of the screening.
	d.AnswerOnBridge = v.screen
	for _, ag := range agents {
		agent := url.Values{"agent": {strconv.FormatInt(ag.UserID, 10)}}
		u := v.hook("/voice/answer", agent)
		if v.screen {
			if caller != "" {
				// Without its "+", which a proxy could take for an
				// escaped space.
				agent.Set("caller", strings.TrimPrefix(caller, "+"))
			}
			u = v.hook("/voice/screen", agent)
		}
		d.Numbers = append(d.Numbers, number{URL: u, Phone: ag.Phone})
	}
	return d
}

// screening is said to an agent's phone that picked up: who calls (by
// name, or their number read digit by digit), and to press a key, which
// fetches the answer and connects the call. A phone that presses none
// within screenSeconds, a voicemail, is hung up on: the caller is not
// connected to it and the dial goes on.
func (v voice) screening(agent int64, caller, name string) []byte {
	text := v.prompts.screeningWithheld
	switch {
	case name != "":
		text = fmt.Sprintf(v.prompts.screening, name)
	case caller != "":
		text = fmt.Sprintf(v.prompts.screening, digits(caller))
	}
	g := gather{NumDigits: 1, Timeout: screenSeconds, Action: v.hook("/voice/answer", url.Values{"agent": {strconv.FormatInt(agent, 10)}}),
		Says: []say{v.say(text)}}
	return render(g, hangup{})
}

// digits spells a phone number digit by digit, as Twilio reads digits
// set apart: "+8801711223344" is "8 8 0 1 7 1 1 2 2 3 3 4 4", not a
// number in the trillions.
func digits(phone string) string {
	var b strings.Builder
	for _, r := range phone {
		if r < '0' || r > '9' {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// callerNumber is a call's caller as screening names them: their number,
// empty when it is withheld.
func callerNumber(form url.Values) string {
	if from := form.Get("From"); phonePattern.MatchString(from) {
		return from
	}
	return ""
}

// voicemailVerbs ask the caller for a message. Twilio goes past Record
// only when nothing was recorded.
func (v voice) voicemailVerbs() []any {
	r := record{Action: v.hook("/voice/recorded", nil), MaxLength: voicemailSeconds, PlayBeep: true, FinishOnKey: "#", Transcribe: v.transcribe}
	if v.transcribe {
		r.TranscribeCallback = v.hook("/voice/transcript", nil)
	}
	return []any{v.say(v.voicemail), r, v.say(v.prompts.noMessage), hangup{}}
}

// voicemailTwiML is the voicemail alone, once the agents did not answer.
func (v voice) voicemailTwiML() []byte { return render(v.voicemailVerbs()...) }

// recorded ends a call once the caller's message is recorded.
func (v voice) recorded() []byte { return render(v.say(v.prompts.thanks), hangup{}) }

// bridge is said to an agent who answered a call Sahay placed: it dials
// the customer from the inbox's number.
func (v voice) bridge(messageID int64, to, name string) []byte {
	text := v.prompts.connecting
	if name != "" {
		text = fmt.Sprintf(v.prompts.connectingNamed, name)
	}
	m := url.Values{"m": {strconv.FormatInt(messageID, 10)}}
	return render(v.say(text), dial{CallerID: v.number, Timeout: bridgeTimeout, Action: v.hook("/voice/bridged", m),
		Numbers: []number{{Phone: to}}})
}

// joinIDs writes ids separated by sep: a comma in a header, a full
// stop in a URL, which no proxy escapes or unescapes on the way.
func joinIDs(ids []int64, sep string) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(parts, sep)
}

// splitIDs reads ids joined by [joinIDs]; anything else is an error.
func splitIDs(s, sep string) ([]int64, error) {
	if s == "" {
		return nil, nil
	}
	var ids []int64
	for _, p := range strings.Split(s, sep) {
		id, err := strconv.ParseInt(p, 10, 64)
		if err != nil || id <= 0 {
			return nil, fmt.Errorf("%q is not a list of ids", s)
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// voiceHook answers a verified voice request of one kind and journals
// what it reports.
func (a *Adapter) voiceHook(ctx context.Context, inbox *sahay.Inbox, s Settings, kind string, form, query url.Values, body []byte) (channel.Hook, error) {
	v := a.voice(inbox, s)
	now := time.Now().UTC()
	received := now.Format(time.RFC3339Nano)
	sid := form.Get("CallSid")
	if !callSID(sid) {
		return channel.Hook{}, sahay.Invalid("twilio: CallSid %q is not a call SID", sid)
	}
	messageID, err := queryID(query, "m")
	if err != nil {
		return channel.Hook{}, err
	}
	event := func(key string, headers map[string]string) []channel.Raw {
		return []channel.Raw{{DedupeKey: key, Body: body, Headers: headers}}
	}
	switch kind {
	case kindCall:
		var agents []channel.CallAgent
		hours := v.hours
		if h, ok := a.agents.(Hours); ok {
			if hours, err = h.EffectiveHours(ctx, inbox.AccountID, v.hours); err != nil {
				return channel.Hook{}, fmt.Errorf("twilio: business hours: %w", err)
			}
		}
		if hours.Open(now) && a.agents != nil {
			if agents, err = a.agents.CallAgents(ctx, inbox); err != nil {
				return channel.Hook{}, fmt.Errorf("twilio: agents to ring: %w", err)
			}
		}
		rang := agents
		if v.strategy == RingOrder && len(agents) > 0 {
			rang = agents[:1]
		}
		return twimlHook(v.answer(agents, callerNumber(form)), event(kindCall+":"+sid, map[string]string{HeaderRang: joinIDs(agentIDs(rang), ",")})), nil
	case kindAnswer:
		parent := form.Get("ParentCallSid")
		if !callSID(parent) {
			return channel.Hook{}, sahay.Invalid("twilio: ParentCallSid %q is not a call SID", parent)
		}
		agent, err := queryID(query, "agent")
		if err != nil || agent == 0 {
			return channel.Hook{}, sahay.Invalid("twilio: the answer of a call names no agent")
		}
		return twimlHook([]byte(emptyTwiML), event(kindCall+":"+parent+":"+kindAnswer,
			map[string]string{HeaderAgent: strconv.FormatInt(agent, 10), HeaderReceived: received})), nil
	case kindDial:
		return a.dialed(ctx, inbox, v, form, query, event, received)
	case kindScreen:
		return a.screen(ctx, inbox, v, form, query)
	case kindRecording:
		rec := form.Get("RecordingSid")
		if !sidPattern.MatchString(rec) {
			return channel.Hook{}, sahay.Invalid("twilio: RecordingSid %q is not a recording SID", rec)
		}
		transcribe := "off"
		if v.transcribe {
			transcribe = "on"
		}
		return twimlHook(v.recorded(), event(kindRecording+":"+rec, map[string]string{HeaderTranscribe: transcribe})), nil
	case kindTranscript:
		rec := form.Get("RecordingSid")
		if !sidPattern.MatchString(rec) {
			return channel.Hook{}, sahay.Invalid("twilio: RecordingSid %q is not a recording SID", rec)
		}
		return channel.Hook{Events: event(kindTranscript+":"+rec, nil), Status: http.StatusNoContent}, nil
	case kindCallStatus:
		status := form.Get("CallStatus")
		if _, ok := callStatuses[status]; !ok {
			return channel.Hook{}, sahay.Invalid("twilio: CallStatus %q is not a call status", status)
		}
		return channel.Hook{Events: event(kindCallStatus+":"+sid+":"+status, messageHeaders(messageID, received)), Status: http.StatusNoContent}, nil
	case kindBridge:
		to := "+" + query.Get("to")
		if messageID == 0 || !phonePattern.MatchString(to) {
			return channel.Hook{}, sahay.Invalid("twilio: a call to connect names its entry (m) and the customer's number (to)")
		}
		name := query.Get("name")
		return twimlHook(v.bridge(messageID, to, name), event(kindCall+":"+sid+":"+kindBridge, messageHeaders(messageID, received))), nil
	case kindBridged:
		if messageID == 0 {
			return channel.Hook{}, sahay.Invalid("twilio: a connected call names its entry (m)")
		}
		return twimlHook(render(hangup{}), event(kindCall+":"+sid+":"+kindBridged, messageHeaders(messageID, received))), nil
	}
	return channel.Hook{}, sahay.NotFound("Twilio webhook " + kind)
}

// dialed answers the end of a Dial on the caller's leg: a call answered
// ends; otherwise the next agent in order rings, or the voicemail
// follows.
func (a *Adapter) dialed(ctx context.Context, inbox *sahay.Inbox, v voice, form, query url.Values,
	event func(string, map[string]string) []channel.Raw, received string) (channel.Hook, error) {
	sid := form.Get("CallSid")
	ids, err := splitIDs(query.Get("agents"), ".")
	if err != nil {
		return channel.Hook{}, sahay.Invalid("twilio: agents: %v", err)
	}
	next, err := strconv.Atoi(query.Get("next"))
	if err != nil || next < 0 || next > len(ids) {
		return channel.Hook{}, sahay.Invalid("twilio: next %q is not an index of the agents", query.Get("next"))
	}
	headers := map[string]string{HeaderReceived: received}
	var doc []byte
	switch status := form.Get("DialCallStatus"); {
	case status == "completed" || status == "answered":
		doc = render(hangup{})
	case form.Get("CallStatus") == sahay.CallCompleted:
		// The caller hung up while the phones rang.
		doc = render(hangup{})
	default:
		agent, at, err := a.nextAgent(ctx, inbox, ids, next)
		if err != nil {
			return channel.Hook{}, err
		}
		if agent == nil {
			doc = v.voicemailTwiML()
			break
		}
		headers[HeaderRang] = strconv.FormatInt(agent.UserID, 10)
		doc = render(v.ring(ids, []channel.CallAgent{*agent}, at+1, callerNumber(form)))
	}
	return twimlHook(doc, event(fmt.Sprintf("%s:%s:%s:%d", kindCall, sid, kindDial, next), headers)), nil
}

// screen answers an agent's phone that picked up with the screening. It
// is answered at once and not journalled: it changes nothing, and
// whatever Twilio asks again hears the same. What the screening leads
// to is journalled: the key the agent presses fetches /voice/answer,
// which records them as answering; a phone that presses none is hung
// up on, and the end of the dial says so.
func (a *Adapter) screen(ctx context.Context, inbox *sahay.Inbox, v voice, form, query url.Values) (channel.Hook, error) {
	if parent := form.Get("ParentCallSid"); !callSID(parent) {
		return channel.Hook{}, sahay.Invalid("twilio: ParentCallSid %q is not a call SID", parent)
	}
	agent, err := queryID(query, "agent")
	if err != nil || agent == 0 {
		return channel.Hook{}, sahay.Invalid("twilio: the screening of a call names no agent")
	}
	var caller, name string
	if c := query.Get("caller"); c != "" {
		if caller = "+" + c; !phonePattern.MatchString(caller) {
			return channel.Hook{}, sahay.Invalid("twilio: caller %q is not a phone number", c)
		}
		if name, err = a.callerName(ctx, inbox, caller); err != nil {
			return channel.Hook{}, err
		}
	}
	return twimlHook(v.screening(agent, caller, name), nil), nil
}

// callerName is the name of the contact who calls from phone, "" when the
// team knows them by their number alone.
func (a *Adapter) callerName(ctx context.Context, inbox *sahay.Inbox, phone string) (string, error) {
	if a.contacts == nil {
		return "", nil
	}
	name, err := a.contacts.ContactName(ctx, inbox, Namespace, phone)
	if sahay.ErrorCode(err) == sahay.ENOTFOUND {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("twilio: name of caller %s: %w", phone, err)
	}
	// A name that is a number is read as one.
	if phonePattern.MatchString(strings.Join(strings.Fields(name), "")) {
		return "", nil
	}
	return strings.TrimSpace(name), nil
}

// nextAgent is the first of ids, from next on, still available to ring,
// and its index; nil when none is.
func (a *Adapter) nextAgent(ctx context.Context, inbox *sahay.Inbox, ids []int64, next int) (*channel.CallAgent, int, error) {
	if next >= len(ids) || a.agents == nil {
		return nil, 0, nil
	}
	agents, err := a.agents.CallAgents(ctx, inbox)
	if err != nil {
		return nil, 0, fmt.Errorf("twilio: agents to ring: %w", err)
	}
	for i := next; i < len(ids); i++ {
		for _, ag := range agents {
			if ag.UserID == ids[i] {
				return &ag, i, nil
			}
		}
	}
	return nil, 0, nil
}

func agentIDs(agents []channel.CallAgent) []int64 {
	ids := make([]int64, len(agents))
	for i, ag := range agents {
		ids[i] = ag.UserID
	}
	return ids
}

// queryID reads an id in the query of a URL Sahay gave Twilio: 0 when it
// is not there.
func queryID(query url.Values, key string) (int64, error) {
	s := query.Get(key)
	if s == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, sahay.Invalid("twilio: %s %q is not an id", key, s)
	}
	return id, nil
}

func messageHeaders(messageID int64, received string) map[string]string {
	h := map[string]string{HeaderReceived: received}
	if messageID != 0 {
		h[HeaderMessage] = strconv.FormatInt(messageID, 10)
	}
	return h
}

func twimlHook(doc []byte, events []channel.Raw) channel.Hook {
	return channel.Hook{Events: events, Status: http.StatusOK, Body: doc, ContentType: "text/xml"}
}

// Line implements [channel.Phone]: the inbox's number, open within its
// business hours.
func (a *Adapter) Line(inbox *sahay.Inbox, t time.Time) (string, bool) {
	s, err := settings(inbox)
	if err != nil {
		return "", false
	}
	if s.BusinessHours == nil {
		return s.PhoneNumber, true
	}
	return s.PhoneNumber, s.BusinessHours.Open(t)
}

// Call implements [channel.Phone]: Twilio rings the agent from the
// inbox's number and, once they answer, fetches the bridge, which dials
// the customer. Its statuses come back to /voice/status naming the
// call's entry.
func (a *Adapter) Call(ctx context.Context, inbox *sahay.Inbox, req channel.CallRequest) (string, error) {
	c, s, err := a.client(inbox)
	if err != nil {
		return "", channel.Permanent(err)
	}
	if !phonePattern.MatchString(req.AgentPhone) || !phonePattern.MatchString(req.CustomerPhone) {
		return "", channel.Permanent(fmt.Errorf("twilio: calls go between phone numbers with their country codes, not %q and %q", req.AgentPhone, req.CustomerPhone))
	}
	m := strconv.FormatInt(req.MessageID, 10)
	// The number goes without its "+", which a proxy could take for an
	// escaped space.
	bridge := url.Values{"m": {m}, "to": {strings.TrimPrefix(req.CustomerPhone, "+")}}
	// A customer known by their number alone is not named: the agent
	// would hear the number read out.
	if name := strings.TrimSpace(req.CustomerName); name != "" && !phonePattern.MatchString(strings.Join(strings.Fields(name), "")) {
		bridge.Set("name", name)
	}
	v := a.voice(inbox, s)
	placed, err := c.Call(ctx, s.PhoneNumber, req.AgentPhone, v.hook("/voice/bridge", bridge), v.hook("/voice/status", url.Values{"m": {m}}), agentRingSeconds)
	if err != nil {
		return "", err
	}
	return placed.SID, nil
}
