package twilio

import (
	"fmt"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/channel"
)

// callStatuses are Twilio's statuses of a call, as Sahay records them:
// "initiated", which a status callback may say, is Sahay's queued.
var callStatuses = map[string]string{
	"queued": sahay.CallQueued, "initiated": sahay.CallQueued, "ringing": sahay.CallRinging, "in-progress": sahay.CallInProgress,
	"completed": sahay.CallCompleted, "busy": sahay.CallBusy, "no-answer": sahay.CallNoAnswer, "failed": sahay.CallFailed,
	"canceled": sahay.CallCanceled,
}

// withheldName names a caller whose number Twilio did not get.
const withheldName = "Withheld number"

// callSID reports whether s is a call's SID.
func callSID(s string) bool { return strings.HasPrefix(s, "CA") && sidPattern.MatchString(s) }

// caller is who a call is from: the customer known by their number, or,
// when the number is withheld, a contact of this call alone.
func caller(form url.Values) (namespace, id, phone, name string) {
	if from := form.Get("From"); phonePattern.MatchString(from) {
		return Namespace, from, from, ""
	}
	return "", "withheld:" + form.Get("CallSid"), "", withheldName
}

// parseCall reads an incoming call's first request: the call's entry,
// with the agents its phones rang.
func parseCall(form url.Values, headers map[string]string) (channel.Inbound, error) {
	sid := form.Get("CallSid")
	if !callSID(sid) {
		return channel.Inbound{}, fmt.Errorf("twilio: CallSid %q is not a call SID", sid)
	}
	rang, err := splitIDs(headers[HeaderRang], ",")
	if err != nil {
		return channel.Inbound{}, fmt.Errorf("twilio: agents rung: %w", err)
	}
	status := callStatuses[form.Get("CallStatus")]
	if status == "" {
		status = sahay.CallRinging
	}
	namespace, id, phone, name := caller(form)
	call := &sahay.Call{Direction: sahay.CallInbound, Status: status, From: phone, Rang: rang}
	if to := form.Get("To"); phonePattern.MatchString(to) {
		call.To = to
	}
	return channel.Inbound{ExternalID: sid, Namespace: namespace, ContactID: id, Phone: phone, Name: name,
		Details: &sahay.MessageDetails{Call: call}}, nil
}

// parseRecording reads a voicemail: a message of the caller's with the
// recording as its file, and the call's outcome.
func parseRecording(form url.Values, headers map[string]string) (channel.Parsed, error) {
	rec, sid := form.Get("RecordingSid"), form.Get("CallSid")
	if !sidPattern.MatchString(rec) {
		return channel.Parsed{}, fmt.Errorf("twilio: RecordingSid %q is not a recording SID", rec)
	}
	if !callSID(sid) {
		return channel.Parsed{}, fmt.Errorf("twilio: CallSid %q is not a call SID", sid)
	}
	u, err := url.Parse(form.Get("RecordingUrl"))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return channel.Parsed{}, fmt.Errorf("twilio: RecordingUrl %q is not a web address", form.Get("RecordingUrl"))
	}
	file := u.String()
	if path.Ext(u.Path) == "" {
		// Twilio serves a recording as MP3 at its address with ".mp3".
		file = strings.TrimSuffix(file, "/") + ".mp3"
	}
	vm := &sahay.Voicemail{Call: sid, DurationSeconds: seconds(form.Get("RecordingDuration"))}
	if headers[HeaderTranscribe] == "on" {
		vm.Transcript = "pending"
	}
	namespace, id, phone, name := caller(form)
	in := channel.Inbound{ExternalID: rec, Namespace: namespace, ContactID: id, Phone: phone, Name: name,
		Files:   []channel.RemoteFile{{ID: file, ContentType: "audio/mpeg", Name: "voicemail.mp3"}},
		Details: &sahay.MessageDetails{Voicemail: vm}}
	ev := channel.CallEvent{ExternalID: sid, Call: sahay.Call{Outcome: sahay.OutcomeVoicemail, Voicemail: rec}}
	return channel.Parsed{Messages: []channel.Inbound{in}, Calls: []channel.CallEvent{ev}}, nil
}

// parseCallEvent reads a report on a call after its first request; false
// when it reports nothing Sahay keeps.
func parseCallEvent(kind string, form url.Values, headers map[string]string) (channel.CallEvent, bool, error) {
	received, err := time.Parse(time.RFC3339Nano, headers[HeaderReceived])
	if err != nil && kind != kindTranscript {
		return channel.CallEvent{}, false, fmt.Errorf("twilio: a %s report without the time it was received", kind)
	}
	var messageID int64
	if m := headers[HeaderMessage]; m != "" {
		if messageID, err = strconv.ParseInt(m, 10, 64); err != nil || messageID <= 0 {
			return channel.CallEvent{}, false, fmt.Errorf("twilio: call entry %q is not an id", m)
		}
	}
	if kind == kindTranscript {
		rec := form.Get("RecordingSid")
		if !sidPattern.MatchString(rec) {
			return channel.CallEvent{}, false, fmt.Errorf("twilio: RecordingSid %q is not a recording SID", rec)
		}
		if form.Get("TranscriptionStatus") != "completed" {
			return channel.CallEvent{Recording: rec, TranscriptFailed: true}, true, nil
		}
		return channel.CallEvent{Recording: rec, Transcript: form.Get("TranscriptionText")}, true, nil
	}
	sid := form.Get("CallSid")
	if kind == kindAnswer {
		sid = form.Get("ParentCallSid")
	}
	if !callSID(sid) {
		return channel.CallEvent{}, false, fmt.Errorf("twilio: %q is not a call SID", sid)
	}
	ev := channel.CallEvent{ExternalID: sid, MessageID: messageID}
	switch kind {
	case kindAnswer:
		agent, err := strconv.ParseInt(headers[HeaderAgent], 10, 64)
		if err != nil || agent <= 0 {
			return channel.CallEvent{}, false, fmt.Errorf("twilio: agent %q is not an id", headers[HeaderAgent])
		}
		ev.Call = sahay.Call{Status: sahay.CallInProgress, Outcome: sahay.OutcomeAnswered, AgentID: agent, AnsweredAt: &received}
	case kindDial:
		switch form.Get("DialCallStatus") {
		case "completed", "answered":
			// The call ends: Sahay hangs up once the agent's leg ends.
			ev.Call = sahay.Call{Status: sahay.CallCompleted, Outcome: sahay.OutcomeAnswered,
				DurationSeconds: seconds(form.Get("DialCallDuration")), EndedAt: &received}
		default:
			rang, err := splitIDs(headers[HeaderRang], ",")
			if err != nil {
				return channel.CallEvent{}, false, fmt.Errorf("twilio: agents rung: %w", err)
			}
			if len(rang) == 0 {
				return channel.CallEvent{}, false, nil
			}
			ev.Call = sahay.Call{Rang: rang}
		}
	case kindCallStatus:
		status, ok := callStatuses[form.Get("CallStatus")]
		if !ok {
			return channel.CallEvent{}, false, fmt.Errorf("twilio: CallStatus %q is not a call status", form.Get("CallStatus"))
		}
		ev.Call = sahay.Call{Status: status, DurationSeconds: seconds(form.Get("CallDuration"))}
		if sahay.CallEnded(status) {
			ended := received
			if t, err := time.Parse(time.RFC1123Z, form.Get("Timestamp")); err == nil {
				ended = t.UTC()
			}
			ev.Call.EndedAt = &ended
		}
	case kindBridge:
		if messageID == 0 {
			return channel.CallEvent{}, false, fmt.Errorf("twilio: a call to connect names no entry")
		}
		ev.Call = sahay.Call{Status: sahay.CallInProgress}
	case kindBridged:
		if messageID == 0 {
			return channel.CallEvent{}, false, fmt.Errorf("twilio: a connected call names no entry")
		}
		d := seconds(form.Get("DialCallDuration"))
		ev.Call = sahay.Call{Status: sahay.CallCompleted, EndedAt: &received}
		switch form.Get("DialCallStatus") {
		case "completed", "answered":
			answered := received.Add(-time.Duration(d) * time.Second)
			ev.Call.Outcome, ev.Call.AnsweredAt, ev.Call.DurationSeconds = sahay.OutcomeAnswered, &answered, d
		case "busy":
			ev.Call.Outcome = sahay.OutcomeBusy
		case "failed":
			ev.Call.Outcome = sahay.OutcomeFailed
		default:
			ev.Call.Outcome = sahay.OutcomeMissed
		}
	}
	return ev, true, nil
}

// seconds reads a duration Twilio gives in whole seconds; 0 when it is
// not one.
func seconds(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > 7*24*3600 {
		return 0
	}
	return n
}
