package sahay

import (
	"slices"
	"time"
)

// Call directions.
const (
	// CallInbound is a customer's call to the inbox's number.
	CallInbound = "inbound"
	// CallOutbound is a call an agent placed from Sahay.
	CallOutbound = "outbound"
	// CallbackRequest is a customer's request to be called (from the
	// website widget): no call has been made yet.
	CallbackRequest = "callback_request"
)

// Call statuses, as the phone platform reports them.
const (
	CallQueued     = "queued"
	CallRinging    = "ringing"
	CallInProgress = "in-progress"
	CallCompleted  = "completed"
	CallBusy       = "busy"
	CallNoAnswer   = "no-answer"
	CallFailed     = "failed"
	CallCanceled   = "canceled"
)

// Call outcomes, once a call has ended.
const (
	OutcomeAnswered  = "answered"
	OutcomeVoicemail = "voicemail"
	OutcomeBusy      = "busy"
	OutcomeMissed    = "missed"
	OutcomeFailed    = "failed"
)

// CallBackLabel is the label of a conversation whose customer waits for
// a call back: a missed call, a voicemail or a request from the widget.
// It goes once an agent's call back is answered.
const CallBackLabel = "call-back"

// Call is a phone call as its timeline entry records it. Its message's
// external id is the platform's id of the call.
type Call struct {
	Direction string `json:"direction"`
	// Status is the platform's latest word on the call; it never moves
	// back (a late "ringing" after "completed" changes nothing).
	Status string `json:"status,omitempty"`
	// Outcome is how the call ended, empty while it lasts: answered,
	// voicemail, busy, missed or failed.
	Outcome string `json:"outcome,omitempty"`
	// From and To are the phone numbers, with their country codes.
	From string `json:"from,omitempty"`
	To   string `json:"to,omitempty"`
	// AgentID is the agent who answered an inbound call or placed an
	// outbound one.
	AgentID int64 `json:"agent_id,omitempty"`
	// Rang are the agents whose phones rang for an inbound call.
	Rang []int64 `json:"rang,omitempty"`
	// DurationSeconds is how long the call lasted once it ended.
	DurationSeconds int        `json:"duration_seconds,omitempty"`
	AnsweredAt      *time.Time `json:"answered_at,omitempty"`
	EndedAt         *time.Time `json:"ended_at,omitempty"`
	// Voicemail is the external id of the voicemail message the caller
	// left (its recording's id).
	Voicemail string `json:"voicemail,omitempty"`
	// PreferredTime is when a customer who asked to be called would like
	// it, in their words.
	PreferredTime string `json:"preferred_time,omitempty"`
}

// Voicemail is a recorded message a caller left.
type Voicemail struct {
	// Call is the external id of the call it was left on.
	Call            string `json:"call"`
	DurationSeconds int    `json:"duration_seconds,omitempty"`
	// Transcript is "pending" until the platform's transcription arrives
	// in the message's content, then "completed", or "failed" when there
	// is none; empty when none was asked for.
	Transcript string `json:"transcript,omitempty"`
}

var callStatusRank = map[string]int{
	CallQueued: 1, CallRinging: 2, CallInProgress: 3,
	CallCompleted: 4, CallBusy: 4, CallNoAnswer: 4, CallFailed: 4, CallCanceled: 4,
}

// Ended reports whether the status is a final one.
func CallEnded(status string) bool { return callStatusRank[status] == 4 }

var outcomeRank = map[string]int{
	OutcomeFailed: 1, OutcomeMissed: 2, OutcomeBusy: 3, OutcomeVoicemail: 4, OutcomeAnswered: 5,
}

// Merge applies what the platform reported of the call in u to c. The
// result does not depend on the order reports arrive in, and a report
// applied twice changes nothing: a status only moves forward, the first
// final status stays, an outcome only moves toward "answered" (a
// voicemail outranks a no-answer; a person answering outranks both),
// and durations keep their largest value.
func (c *Call) Merge(u Call) {
	if c.Direction == "" {
		c.Direction = u.Direction
	}
	if r := callStatusRank[u.Status]; r > callStatusRank[c.Status] {
		c.Status = u.Status
	}
	if outcomeRank[u.Outcome] > outcomeRank[c.Outcome] {
		c.Outcome = u.Outcome
	}
	if c.From == "" {
		c.From = u.From
	}
	if c.To == "" {
		c.To = u.To
	}
	if c.AgentID == 0 {
		c.AgentID = u.AgentID
	}
	for _, id := range u.Rang {
		if !slices.Contains(c.Rang, id) {
			c.Rang = append(c.Rang, id)
		}
	}
	c.DurationSeconds = max(c.DurationSeconds, u.DurationSeconds)
	if u.AnsweredAt != nil && (c.AnsweredAt == nil || u.AnsweredAt.Before(*c.AnsweredAt)) {
		c.AnsweredAt = u.AnsweredAt
	}
	if u.EndedAt != nil && (c.EndedAt == nil || u.EndedAt.Before(*c.EndedAt)) {
		c.EndedAt = u.EndedAt
	}
	if c.Voicemail == "" {
		c.Voicemail = u.Voicemail
	}
	if c.PreferredTime == "" {
		c.PreferredTime = u.PreferredTime
	}
	if CallEnded(c.Status) && c.Outcome == "" {
		c.Outcome = endedOutcome(c)
	}
}

// endedOutcome is the outcome of a call that ended with no report of how.
func endedOutcome(c *Call) string {
	switch {
	case c.AnsweredAt != nil:
		return OutcomeAnswered
	case c.Status == CallBusy:
		return OutcomeBusy
	case c.Status == CallFailed:
		return OutcomeFailed
	}
	return OutcomeMissed
}

// NeedsCallBack reports whether the customer of a call waits to be called
// back: they called and reached nobody, or asked to be called.
func (c *Call) NeedsCallBack() bool {
	switch c.Direction {
	case CallbackRequest:
		return true
	case CallInbound:
		return c.Outcome != "" && c.Outcome != OutcomeAnswered
	}
	return false
}
