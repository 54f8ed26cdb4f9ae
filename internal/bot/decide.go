package bot

import (
	"fmt"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/nlp"
)

// HandoffReason says whether a customer's message must go to a person at
// once, and why: one of the sahay.Handoff* reasons, or "" when the bot may
// go on. The analysis is the analyzer's reading of text; the request for
// a person is also matched here by AsksForHuman, so it works whatever the
// analyzer knows. A threshold of 0 turns its trigger off.
func HandoffReason(text string, a nlp.Analysis, s *sahay.BotSettings) string {
	switch asks, _ := AsksForHuman(text); {
	case asks || a.WantsHuman:
		return sahay.HandoffAsked
	case a.Threat:
		return sahay.HandoffThreat
	case s.Anger > 0 && a.AngerLevel >= s.Anger:
		return sahay.HandoffAnger
	case s.Negativity > 0 && a.Score <= -s.Negativity:
		return sahay.HandoffNegative
	case s.Urgency > 0 && a.Urgency >= s.Urgency:
		return sahay.HandoffUrgent
	}
	return ""
}

// IsVIP reports whether a contact is a VIP, whom the bot never keeps: the
// contact's "vip" attribute is true (or "true", "yes", "1", or a number
// other than 0), or the conversation has the label "vip".
func IsVIP(c *sahay.Contact, labels []string) bool {
	for _, l := range labels {
		if l == "vip" {
			return true
		}
	}
	if c == nil {
		return false
	}
	switch v := c.Attributes["vip"].(type) {
	case bool:
		return v
	case float64:
		return v != 0
	case string:
		switch v {
		case "true", "yes", "1", "TRUE", "Yes", "YES", "True":
			return true
		}
	}
	return false
}

// CheckSettings validates bot settings, naming the one at fault.
func CheckSettings(s *sahay.BotSettings) error {
	for _, v := range []struct {
		name  string
		value float64
	}{{"threshold", s.Threshold}, {"negativity", s.Negativity}, {"anger", s.Anger}, {"urgency", s.Urgency}} {
		if v.value < 0 || v.value > 1 {
			return sahay.Invalid("%s must be from 0 to 1, not %s", v.name, fmt.Sprint(v.value))
		}
	}
	if s.WaitMinutes < 0 || s.WaitMinutes > 7*24*60 {
		return sahay.Invalid("wait_minutes must be from 0 to 10080 (a week)")
	}
	return nil
}
