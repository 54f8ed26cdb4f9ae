package widget

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/core"
	"github.com/sahayhq/sahay/internal/httpx"
)

// tokenPattern is the shape of a website token.
var tokenPattern = regexp.MustCompile(`^[0-9a-f]{16,64}$`)

// newVisitAfter is how long a visitor must be away for their next page view
// to count as a new visit.
const newVisitAfter = 30 * time.Minute

// visitor is an authenticated visitor of a widget inbox.
type visitor struct {
	inbox   *widgetInbox
	subject string
}

// IdentityHash returns what a site passes to setUser as hash for a user id:
// hex(HMAC-SHA256(secret, id)), secret being the inbox's identity secret.
func IdentityHash(secret, userID string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(userID))
	return hex.EncodeToString(mac.Sum(nil))
}

// signVisitor returns the token of a visitor: the inbox and subject, and a
// MAC keyed by the inbox's identity secret, so a token cannot be made for
// another subject or moved to another inbox.
func signVisitor(in *widgetInbox, subject string) string {
	payload := base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(in.ID, 10) + "\n" + subject))
	return payload + "." + visitorMAC(in, payload)
}

func visitorMAC(in *widgetInbox, payload string) string {
	mac := hmac.New(sha256.New, []byte(in.Secrets[IdentitySecretKey]))
	mac.Write([]byte("sahay-visitor\n" + payload))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

var errBadToken = sahay.Errorf(sahay.EUNAUTHORIZED, "the visitor token is not valid; start a new session")

// parseVisitor checks a visitor token and returns its visitor.
func (s *Server) parseVisitor(ctx context.Context, token string) (*visitor, error) {
	payload, mac, ok := strings.Cut(token, ".")
	if !ok || len(token) > 600 {
		return nil, errBadToken
	}
	raw, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return nil, errBadToken
	}
	idText, subject, ok := strings.Cut(string(raw), "\n")
	id, err := strconv.ParseInt(idText, 10, 64)
	if !ok || err != nil || id <= 0 || !validSubject(subject) {
		return nil, errBadToken
	}
	in, err := s.cache.get(ctx, 0, id)
	if sahay.ErrorCode(err) == sahay.ENOTFOUND {
		return nil, errBadToken
	}
	if err != nil {
		return nil, err
	}
	if !hmac.Equal([]byte(mac), []byte(visitorMAC(in, payload))) {
		return nil, errBadToken
	}
	return &visitor{inbox: in, subject: subject}, nil
}

func validSubject(s string) bool {
	return (strings.HasPrefix(s, "v:") || strings.HasPrefix(s, "u:")) && len(s) > 2 && len(s) <= 255 && utf8.ValidString(s) &&
		!strings.ContainsAny(s, "\n\r")
}

// visitor authenticates a request by its bearer visitor token and checks
// that its page's origin may use the inbox.
func (s *Server) visitor(r *http.Request) (*visitor, error) {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		token = r.URL.Query().Get("token")
	}
	if token == "" {
		return nil, sahay.Errorf(sahay.EUNAUTHORIZED, "a visitor token is required (Authorization: Bearer …)")
	}
	v, err := s.parseVisitor(r.Context(), token)
	if err != nil {
		return nil, err
	}
	if !originAllowed(r, &v.inbox.settings) {
		return nil, errOrigin
	}
	if r.Method == http.MethodGet {
		err = limitVisitor(v, s.limits.readsPerVisitor, "requests from this visitor")
	} else {
		err = limitVisitor(v, s.limits.writesPerVisitor, "messages and updates from this visitor")
	}
	if err != nil {
		return nil, err
	}
	return v, nil
}

var errOrigin = sahay.Errorf(sahay.EFORBIDDEN, "this website is not allowed to use this chat widget; add its domain to the inbox's allowed domains")

// contactID returns the visitor's contact, or 0 if they have none yet.
func (s *Server) contactID(ctx context.Context, v *visitor) (int64, error) {
	id, err := s.svc.ChannelContactID(ctx, v.inbox.Inbox, "", v.subject)
	if sahay.ErrorCode(err) == sahay.ENOTFOUND {
		return 0, nil
	}
	return id, err
}

// SessionRequest starts or resumes a visitor's session.
type SessionRequest struct {
	// Inbox is the website token of the script tag.
	Inbox string `json:"inbox"`
	// Token is the visitor token from an earlier session, if any.
	Token string `json:"token"`
	// User is what the site's setUser call passed, if anything.
	User *UserInfo `json:"user"`
	// Locales are the languages to speak, best first: the site's setLocale
	// choice, then the browser's.
	Locales []string `json:"locales"`
}

// UserInfo identifies a site's signed-in user. Without ID, its name,
// email and phone are the current visitor's.
type UserInfo struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
	Phone string `json:"phone"`
	// Hash is hex(HMAC-SHA256(identity secret, id)), computed by the site's
	// server.
	Hash string `json:"hash"`
}

// SessionResponse is what the widget needs to start.
type SessionResponse struct {
	Token         string                `json:"token"`
	Visitor       visitorInfo           `json:"visitor"`
	Settings      publicSettings        `json:"settings"`
	Locale        string                `json:"locale"`
	Strings       map[string]string     `json:"strings"`
	Conversations []visitorConversation `json:"conversations"`
	// Seq is the account's latest event; the socket resumes after it.
	Seq int64 `json:"seq"`
}

type visitorInfo struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Email    string `json:"email"`
	Phone    string `json:"phone"`
	Verified bool   `json:"verified"`
	Visits   int64  `json:"visits"`
}

// handleSession starts a visitor session: it checks the inbox and origin,
// keeps or issues the visitor token, applies setUser (refusing a hash that
// does not verify), and returns settings, strings and conversations.
func (s *Server) handleSession(w http.ResponseWriter, r *http.Request) error {
	if err := s.limitAddress(r, s.limits.sessionsPerAddress, "new chat sessions from your address"); err != nil {
		return err
	}
	var req SessionRequest
	if err := httpx.Decode(w, r, &req); err != nil {
		return err
	}
	in, err := s.cache.byWebsiteToken(r.Context(), req.Inbox)
	if err != nil {
		return err
	}
	if !originAllowed(r, &in.settings) {
		return errOrigin
	}
	if err := s.limits.sessionsPerInbox.Allow(strconv.FormatInt(in.ID, 10), "new chat sessions on this website"); err != nil {
		return err
	}
	subject := ""
	if req.Token != "" {
		if v, err := s.parseVisitor(r.Context(), req.Token); err == nil && v.inbox.ID == in.ID {
			subject = v.subject
		}
	}
	fields := core.ContactFields{}
	verified := strings.HasPrefix(subject, "u:")
	if u := req.User; u != nil && strings.TrimSpace(u.ID) == "" {
		// No id: the details are the current visitor's, as the pre-chat
		// form gives them.
		switch {
		case u.Hash != "":
			return sahay.Invalid("setUser: a hash needs the user id it was computed for")
		case in.settings.IdentityRequired:
			return sahay.Errorf(sahay.EUNAUTHORIZED, "this chat requires identity verification: setUser needs the user's id and hash")
		case u.Name == "" && u.Email == "" && u.Phone == "":
			return sahay.Invalid("setUser needs an id, or a name, email or phone for the current visitor")
		}
		fields = core.ContactFields{Name: u.Name, Email: u.Email, Phone: u.Phone}
	} else if u != nil {
		u.ID = strings.TrimSpace(u.ID)
		if len(u.ID) > 200 || !utf8.ValidString(u.ID) || strings.ContainsAny(u.ID, "\n\r") {
			return sahay.Invalid("user id is at most 200 bytes on one line")
		}
		fields = core.ContactFields{Name: u.Name, Email: u.Email, Phone: u.Phone}
		switch {
		case u.Hash != "":
			if !hmac.Equal([]byte(strings.ToLower(u.Hash)), []byte(IdentityHash(in.Secrets[IdentitySecretKey], u.ID))) {
				return sahay.Errorf(sahay.EUNAUTHORIZED, "the identity hash does not match this user id: compute hex(HMAC-SHA256(identity secret, id)) on your server")
			}
			subject, verified, fields.Overwrite = "u:"+u.ID, true, true
		case in.settings.IdentityRequired:
			return sahay.Errorf(sahay.EUNAUTHORIZED, "this chat requires identity verification: setUser needs the user's hash")
		default:
			// An unverified id is only a hint: it names the anonymous
			// visitor, it never opens that user's conversations.
			fields.Attributes = map[string]any{"site_user_id": u.ID}
		}
	}
	if subject == "" {
		subject = "v:" + newToken(12)
	}
	v := &visitor{inbox: in, subject: subject}
	resp := SessionResponse{Token: signVisitor(in, subject), Conversations: []visitorConversation{}}
	visits, err := s.svc.TouchWidgetVisitor(r.Context(), in.Inbox, subject, newVisitAfter)
	if err != nil {
		return err
	}
	var contact *sahay.Contact
	if fields.Name != "" || fields.Email != "" || fields.Phone != "" || len(fields.Attributes) > 0 {
		if err := s.limitNewContact(r.Context(), v); err != nil {
			return err
		}
		if contact, err = s.svc.UpsertChannelContact(r.Context(), in.Inbox, "", subject, fields); err != nil {
			return err
		}
	} else if contact, err = s.svc.ChannelContact(r.Context(), in.Inbox, "", subject); sahay.ErrorCode(err) == sahay.ENOTFOUND {
		// A visitor who never wrote nor named themselves has no contact.
		contact, err = nil, nil
	} else if err != nil {
		return err
	}
	resp.Visitor = visitorInfo{ID: subject, Verified: verified, Visits: visits}
	if contact != nil {
		resp.Visitor.Name, resp.Visitor.Email, resp.Visitor.Phone = contact.Name, contact.Email, contact.Phone
		if core.IsPlaceholderName(resp.Visitor.Name, subject) {
			resp.Visitor.Name = ""
		}
		if resp.Conversations, err = s.conversations(r.Context(), in, contact.ID); err != nil {
			return err
		}
	}
	if resp.Settings, err = s.publicSettings(r.Context(), in, in.settings); err != nil {
		return err
	}
	resp.Locale = pickLocale(append([]string{in.settings.Locale}, req.Locales...))
	resp.Strings = s.assets.strings(resp.Locale)
	if resp.Seq, err = s.svc.LastEventSeq(r.Context(), in.AccountID); err != nil {
		return err
	}
	return httpx.OK(w, resp)
}

// ContactRequest is what setUser without a hash, setAttributes and the
// pre-chat form tell about the visitor.
type ContactRequest struct {
	Name       string         `json:"name"`
	Email      string         `json:"email"`
	Phone      string         `json:"phone"`
	Attributes map[string]any `json:"attributes"`
}

// handleContact saves what the visitor or site tells about the visitor.
// Fields fill blanks; a verified visitor may overwrite them.
func (s *Server) handleContact(w http.ResponseWriter, r *http.Request) error {
	v, err := s.visitor(r)
	if err != nil {
		return err
	}
	var req ContactRequest
	if err := httpx.Decode(w, r, &req); err != nil {
		return err
	}
	if err := s.limitNewContact(r.Context(), v); err != nil {
		return err
	}
	c, err := s.svc.UpsertChannelContact(r.Context(), v.inbox.Inbox, "", v.subject, core.ContactFields{
		Name: req.Name, Email: req.Email, Phone: req.Phone, Attributes: req.Attributes, Overwrite: strings.HasPrefix(v.subject, "u:")})
	if err != nil {
		return err
	}
	s.hub.sockets.BindContact(v.inbox.ID, v.subject, c.ID)
	name := c.Name
	if core.IsPlaceholderName(name, v.subject) {
		name = ""
	}
	return httpx.OK(w, visitorInfo{ID: v.subject, Name: name, Email: c.Email, Phone: c.Phone, Verified: strings.HasPrefix(v.subject, "u:")})
}
