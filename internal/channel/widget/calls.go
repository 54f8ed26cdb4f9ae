package widget

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/core"
	"github.com/sahayhq/sahay/internal/httpx"
)

// Phone calls from the widget. A widget inbox may name a phone inbox of
// its account (Settings.PhoneInboxID): the chat window then shows that
// line's number to call (call_us) and whether someone takes calls now,
// and takes requests to be called back (call_me_back), which become
// conversations of the phone inbox marked call-back.

// publicPhone is the phone line a widget offers its visitors.
type publicPhone struct {
	// Number is the line's number, only when the widget shows it
	// (call_us).
	Number string `json:"number,omitempty"`
	// Open: within the phone inbox's business hours.
	Open bool `json:"open"`
	// Available: someone takes a call now.
	Available  bool `json:"available"`
	CallMeBack bool `json:"call_me_back"`
}

// lineKey names a phone inbox of an account.
type lineKey struct{ account, inbox int64 }

// cachedLine is a phone inbox's line, or ok false when it could not be
// read (a phone inbox deleted since the widget named it), kept for a few
// seconds, like the team's status.
type cachedLine struct {
	line core.PhoneLine
	ok   bool
	at   time.Time
}

// phone returns what the settings offer of their phone inbox, or nil when
// they offer no calls or the line cannot be read: the chat works without
// it.
func (s *Server) phone(ctx context.Context, accountID int64, set Settings) *publicPhone {
	if set.PhoneInboxID == 0 || !set.CallUs && !set.CallMeBack {
		return nil
	}
	key := lineKey{accountID, set.PhoneInboxID}
	s.linesMu.Lock()
	c, ok := s.lines[key]
	s.linesMu.Unlock()
	if !ok || time.Since(c.at) >= 15*time.Second {
		line, err := s.svc.Line(ctx, accountID, set.PhoneInboxID)
		if err != nil {
			s.log.Warn("widget: the phone line of a widget", "account", accountID, "phone_inbox", set.PhoneInboxID, "err", err)
		}
		c = cachedLine{line: line, ok: err == nil, at: time.Now()}
		s.linesMu.Lock()
		s.lines[key] = c
		s.linesMu.Unlock()
	}
	if !c.ok {
		return nil
	}
	p := &publicPhone{Open: c.line.Open, Available: c.line.Available, CallMeBack: set.CallMeBack}
	if set.CallUs {
		p.Number = c.line.Number
	}
	return p
}

// CallbackRequest is a visitor's request to be called by the team.
type CallbackRequest struct {
	// Phone is the number to call, with its country code.
	Phone string `json:"phone"`
	// PreferredTime is when the visitor would like the call, in their
	// words.
	PreferredTime string `json:"preferred_time"`
	// Note is what they want to talk about.
	Note string `json:"note"`
}

// errNoCallbacks answers a request to be called when the widget's phone
// inbox is gone or takes calls no more.
var errNoCallbacks = sahay.Errorf(sahay.ECONFLICT, "call-back requests cannot be taken now; please write to us instead")

// handleCallback records a visitor's request to be called in the phone
// inbox the widget names, with the name and email their contact holds.
// A request the checks refuse costs nothing of the call-back limits, so
// a mistyped number can be corrected at once.
func (s *Server) handleCallback(w http.ResponseWriter, r *http.Request) error {
	v, err := s.visitor(r)
	if err != nil {
		return err
	}
	set := v.inbox.settings
	if set.PhoneInboxID == 0 || !set.CallMeBack {
		return sahay.Errorf(sahay.EFORBIDDEN, "this chat takes no call-back requests")
	}
	var req CallbackRequest
	if err := httpx.Decode(w, r, &req); err != nil {
		return err
	}
	cb := core.CallbackRequest{Phone: req.Phone, PreferredTime: req.PreferredTime, Note: req.Note}
	if err := cb.Check(); err != nil {
		return err
	}
	if s.phone(r.Context(), v.inbox.AccountID, set) == nil {
		return errNoCallbacks
	}
	if err := limitVisitor(v, s.limits.callbacksPerVisitor, "call-back requests from this visitor"); err != nil {
		return err
	}
	if err := s.limitAddress(r, s.limits.callbacksPerAddress, "call-back requests from your address"); err != nil {
		return err
	}
	if err := s.limits.callbacksPerInbox.Allow(strconv.FormatInt(v.inbox.ID, 10), "call-back requests on this website"); err != nil {
		return err
	}
	contact, err := s.svc.ChannelContact(r.Context(), v.inbox.Inbox, "", v.subject)
	switch {
	case err == nil:
		if !core.IsPlaceholderName(contact.Name, v.subject) {
			cb.Name = strings.TrimSpace(contact.Name)
		}
		cb.Email = contact.Email
	case sahay.ErrorCode(err) != sahay.ENOTFOUND:
		return err
	}
	if _, err := s.svc.RequestCallback(r.Context(), v.inbox.AccountID, set.PhoneInboxID, cb); err != nil {
		if sahay.ErrorCode(err) == sahay.ENOTFOUND {
			return errNoCallbacks
		}
		return err
	}
	return httpx.OK(w, map[string]string{"phone": cb.Phone})
}
