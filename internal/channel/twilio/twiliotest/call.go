package twiliotest

import (
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Answer is how a phone behaves when a call rings it.
type Answer int

// How a phone answers.
const (
	// NoAnswer rings until the dial's timeout.
	NoAnswer Answer = iota
	// Answers is a person who picks up, and presses a key when asked
	// to.
	Answers
	// Busy refuses the call at once.
	Busy
	// Machine is the phone's own voicemail, or an answering machine: it
	// picks up and listens, but never presses a key.
	Machine
)

// Call is a phone call the simulator drives as Twilio does: it posts the
// call's requests, signed, and follows the TwiML each is answered with
// (Say, Dial with Numbers, Record, Hangup; on the leg of a phone that
// picks up, its Number's url: Say, Gather, Hangup), then posts the call's status
// callback and the voicemail's transcription. Time is simulated: ringing
// and talking only add to the call's duration.
type Call struct {
	SID  string
	From string
	To   string
	// Phones scripts the phones a Dial rings, by number; a phone not
	// named does not answer. The phones that pick up do so in the Dial's
	// order: the first whose leg is connected takes the call.
	Phones map[string]Answer
	// Talk is how long, in seconds, an answered call lasts.
	Talk int
	// Voicemail is the message the caller leaves when asked for one;
	// nil hangs up at the beep. VoicemailSeconds is its length.
	Voicemail        []byte
	VoicemailSeconds int
	// Transcript is what Twilio's transcription makes of the voicemail;
	// empty means the transcription fails.
	Transcript string

	// What happened, for the test to check.
	Said []string
	// Heard is what was said to the phones that picked up, on their
	// legs, before they were connected or hung up on.
	Heard     []string
	Dialled   [][]string
	Answered  string
	Recording string
	Status    string
	Duration  int

	sim *Sim
	// base are the parameters of every request of the call.
	base          url.Values
	transcription []Request
}

// Incoming drives a customer's call to the number: Twilio posts
// voiceURL, the number's voice webhook, and, when statusURL (its call
// status callback) is set, the call's end there.
func (s *Sim) Incoming(c *Call, voiceURL, statusURL string) error {
	if c.SID == "" {
		c.SID = NewSID("CA")
	}
	c.sim = s
	c.base = url.Values{"CallSid": {c.SID}, "AccountSid": {AccountSID}, "From": {c.From}, "To": {c.To}, "Caller": {c.From},
		"Called": {c.To}, "Direction": {"inbound"}, "ApiVersion": {"2010-04-01"}, "FromCountry": {"BD"}, "ToCountry": {"BD"}}
	doc, err := c.fetch(voiceURL, url.Values{"CallStatus": {"ringing"}})
	if err != nil {
		return err
	}
	if err := c.follow(doc); err != nil {
		return err
	}
	c.Status = "completed"
	if statusURL != "" {
		if err := c.report(statusURL, url.Values{"CallStatus": {c.Status}, "CallDuration": {strconv.Itoa(c.Duration)}}); err != nil {
			return err
		}
	}
	return c.transcribe()
}

// Outgoing drives a call the REST API placed: Twilio rings the number it
// was placed to (the agent), who behaves as agent says; once answered
// the call follows the TwiML at its Url. Its statuses go to its
// StatusCallback.
func (s *Sim) Outgoing(p Sent, c *Call, agent Answer) error {
	c.sim, c.SID, c.From, c.To = s, p.SID, p.Form.Get("From"), p.Form.Get("To")
	c.base = url.Values{"CallSid": {c.SID}, "AccountSid": {AccountSID}, "From": {c.From}, "To": {c.To}, "Caller": {c.From},
		"Called": {c.To}, "Direction": {"outbound-api"}, "ApiVersion": {"2010-04-01"}}
	callback := p.Form.Get("StatusCallback")
	events := strings.Join(p.Form["StatusCallbackEvent"], " ")
	status := func(event, callStatus string, extra url.Values) error {
		if callback == "" || (event != "completed" && !strings.Contains(events, event)) {
			return nil
		}
		form := url.Values{"CallStatus": {callStatus}}
		for k, v := range extra {
			form[k] = v
		}
		return c.report(callback, form)
	}
	if err := status("initiated", "initiated", nil); err != nil {
		return err
	}
	if err := status("ringing", "ringing", nil); err != nil {
		return err
	}
	switch agent {
	case Busy:
		c.Status = "busy"
		return status("completed", c.Status, url.Values{"CallDuration": {"0"}})
	case NoAnswer:
		c.Status = "no-answer"
		return status("completed", c.Status, url.Values{"CallDuration": {"0"}})
	}
	if err := status("answered", "in-progress", nil); err != nil {
		return err
	}
	doc, err := c.fetch(p.Form.Get("Url"), url.Values{"CallStatus": {"in-progress"}})
	if err != nil {
		return err
	}
	if err := c.follow(doc); err != nil {
		return err
	}
	c.Status = "completed"
	return status("completed", c.Status, url.Values{"CallDuration": {strconv.Itoa(c.Duration)}})
}

// twiml is a TwiML document as Twilio reads it.
type twiml struct {
	XMLName xml.Name  `xml:"Response"`
	Verbs   []element `xml:",any"`
}

type element struct {
	XMLName  xml.Name
	Attrs    []xml.Attr `xml:",any,attr"`
	Text     string     `xml:",chardata"`
	Children []element  `xml:",any"`
}

func (e element) attr(name string) string {
	for _, a := range e.Attrs {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// fetch posts one of the call's requests and reads the TwiML answered.
func (c *Call) fetch(u string, extra url.Values) (twiml, error) {
	return c.sim.twiml(u, c.form(extra))
}

// twiml posts a request of a call's, signed, and reads the TwiML
// answered.
func (s *Sim) twiml(u string, form url.Values) (twiml, error) {
	resp, body, err := s.post(u, "", AuthToken, form)
	if err != nil {
		return twiml{}, err
	}
	if resp.StatusCode != http.StatusOK {
		return twiml{}, fmt.Errorf("twiliotest: %s answered %d: %s", u, resp.StatusCode, body)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/xml") && !strings.HasPrefix(ct, "application/xml") {
		return twiml{}, fmt.Errorf("twiliotest: %s answered %s, not TwiML", u, ct)
	}
	var doc twiml
	if err := xml.Unmarshal(body, &doc); err != nil {
		return twiml{}, fmt.Errorf("twiliotest: %s: TwiML: %w", u, err)
	}
	return doc, nil
}

// report posts a callback Twilio answers nothing to.
func (c *Call) report(u string, extra url.Values) error {
	form := c.form(extra)
	form.Set("Timestamp", time.Now().UTC().Format(time.RFC1123Z))
	resp, body, err := c.sim.post(u, "", AuthToken, form)
	if err != nil {
		return err
	}
	if resp.StatusCode >= 300 {
		return fmt.Errorf("twiliotest: %s answered %d: %s", u, resp.StatusCode, body)
	}
	return nil
}

func (c *Call) form(extra url.Values) url.Values {
	form := url.Values{}
	for k, v := range c.base {
		form[k] = v
	}
	for k, v := range extra {
		form[k] = v
	}
	return form
}

// follow runs a document's verbs. A verb with an action goes on with the
// document its action answers; the call ends at a Hangup or after the
// last verb.
func (c *Call) follow(doc twiml) error {
	for _, v := range doc.Verbs {
		switch v.XMLName.Local {
		case "Say":
			c.Said = append(c.Said, v.Text)
		case "Hangup":
			return nil
		case "Dial":
			next, err := c.dial(v)
			if err != nil {
				return err
			}
			if next != nil {
				return c.follow(*next)
			}
		case "Record":
			if c.Voicemail == nil {
				// The caller hangs up at the beep: nothing is recorded,
				// and there is nobody left to hear the next verb.
				return nil
			}
			c.Recording = NewSID("RE")
			recording := c.sim.AddRecording(c.Recording, c.Voicemail)
			c.Duration += c.VoicemailSeconds
			rec := url.Values{"RecordingSid": {c.Recording}, "RecordingUrl": {recording},
				"RecordingDuration": {strconv.Itoa(c.VoicemailSeconds)}, "Digits": {"#"}, "CallStatus": {"in-progress"}}
			if v.attr("transcribe") == "true" && v.attr("transcribeCallback") != "" {
				t := url.Values{"RecordingSid": {c.Recording}, "RecordingUrl": {recording}, "TranscriptionSid": {NewSID("TR")},
					"TranscriptionStatus": {"completed"}, "TranscriptionText": {c.Transcript}, "CallStatus": {"completed"}}
				if c.Transcript == "" {
					t.Set("TranscriptionStatus", "failed")
					t.Del("TranscriptionText")
				}
				c.transcription = append(c.transcription, Request{URL: v.attr("transcribeCallback"), Form: c.form(t)})
			}
			action := v.attr("action")
			if action == "" {
				return errors.New("twiliotest: a Record without an action")
			}
			next, err := c.fetch(action, rec)
			if err != nil {
				return err
			}
			return c.follow(next)
		default:
			return fmt.Errorf("twiliotest: TwiML verb <%s> is not simulated", v.XMLName.Local)
		}
	}
	return nil
}

// dial rings a Dial's numbers. The phones that pick up do so in order,
// each running its Number's url on its own leg: the first whose leg is
// connected (no url, or TwiML that ends without hanging up) takes the
// call, which lasts Talk seconds. Otherwise the dial ends after its
// timeout, busy when every phone was. It returns the document of the
// dial's action, if any.
func (c *Call) dial(v element) (*twiml, error) {
	timeout := 30
	if t, err := strconv.Atoi(v.attr("timeout")); err == nil {
		timeout = t
	}
	var phones []string
	var pickUps []element
	busy := 0
	for _, n := range v.Children {
		if n.XMLName.Local != "Number" {
			return nil, fmt.Errorf("twiliotest: <Dial> rings <Number>s only, not <%s>", n.XMLName.Local)
		}
		phone := strings.TrimSpace(n.Text)
		phones = append(phones, phone)
		switch c.Phones[phone] {
		case Answers, Machine:
			pickUps = append(pickUps, n)
		case Busy:
			busy++
		}
	}
	c.Dialled = append(c.Dialled, phones)
	result := url.Values{"CallStatus": {"in-progress"}}
	var leg string
	for _, n := range pickUps {
		sid := NewSID("CA")
		connected, err := c.pickUp(sid, n)
		if err != nil {
			return nil, err
		}
		if connected {
			leg, c.Answered = sid, strings.TrimSpace(n.Text)
			break
		}
	}
	switch {
	case leg != "":
		c.Duration += c.Talk
		result.Set("DialCallStatus", "completed")
		result.Set("DialCallSid", leg)
		result.Set("DialCallDuration", strconv.Itoa(c.Talk))
	case busy == len(phones):
		result.Set("DialCallStatus", "busy")
	default:
		c.Duration += timeout
		result.Set("DialCallStatus", "no-answer")
	}
	action := v.attr("action")
	if action == "" {
		return nil, nil
	}
	doc, err := c.fetch(action, result)
	if err != nil {
		return nil, err
	}
	return &doc, nil
}

// pickUp runs a Number's url on the leg of its phone, which picked up,
// and reports whether the leg is connected to the caller: a Hangup on
// the leg, before, means it is not. A person presses a key at a Gather,
// whose action goes on with the leg; a machine never does, and the leg
// goes past the Gather.
func (c *Call) pickUp(sid string, n element) (bool, error) {
	u := n.attr("url")
	if u == "" {
		return true, nil
	}
	phone := strings.TrimSpace(n.Text)
	leg := url.Values{"CallSid": {sid}, "ParentCallSid": {c.SID}, "AccountSid": {AccountSID}, "From": {c.From},
		"To": {phone}, "Called": {phone}, "CallStatus": {"in-progress"}, "Direction": {"outbound-dial"}, "ApiVersion": {"2010-04-01"}}
	doc, err := c.sim.twiml(u, leg)
	if err != nil {
		return false, err
	}
	for {
		var next string
		for _, v := range doc.Verbs {
			switch v.XMLName.Local {
			case "Say":
				c.Heard = append(c.Heard, v.Text)
			case "Hangup":
				return false, nil
			case "Gather":
				for _, s := range v.Children {
					if s.XMLName.Local != "Say" {
						return false, fmt.Errorf("twiliotest: <Gather> says, not <%s>", s.XMLName.Local)
					}
					c.Heard = append(c.Heard, s.Text)
				}
				if c.Phones[phone] == Answers {
					if next = v.attr("action"); next == "" {
						return false, errors.New("twiliotest: a <Gather> without an action")
					}
				}
			default:
				return false, fmt.Errorf("twiliotest: TwiML verb <%s> is not simulated on a dialled phone's leg", v.XMLName.Local)
			}
			if next != "" {
				break
			}
		}
		if next == "" {
			return true, nil
		}
		pressed := url.Values{}
		for k, v := range leg {
			pressed[k] = v
		}
		pressed.Set("Digits", "1")
		if doc, err = c.sim.twiml(next, pressed); err != nil {
			return false, err
		}
	}
}

// transcribe posts the voicemail's transcription, which Twilio makes
// once the call has ended.
func (c *Call) transcribe() error {
	for _, r := range c.transcription {
		if err := c.report(r.URL, r.Form); err != nil {
			return err
		}
	}
	return nil
}
