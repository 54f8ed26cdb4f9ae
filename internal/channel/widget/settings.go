package widget

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/url"
	"regexp"
	"strings"

	sahay "github.com/sahayhq/sahay"
)

// Secret keys a widget inbox keeps among its encrypted secrets.
const (
	// IdentitySecretKey names the key of setUser identity verification: a
	// site proves a user id with hex(HMAC-SHA256(key, id)). It also signs
	// visitor tokens. Validate generates it when an inbox has none.
	IdentitySecretKey = "identity_secret"
	// TokenSecretKey keeps the public website token, so that saving settings
	// without it cannot change the token every embedded script tag uses.
	TokenSecretKey = "website_token"
	// ShopifySecretKey is the Shopify app's secret that signs its webhooks
	// (X-Shopify-Hmac-Sha256); set it through the inbox's secrets.
	ShopifySecretKey = "shopify_secret"
)

// Settings are a widget inbox's settings, as the dashboard edits them.
// Validate fills every default, so what is stored is complete.
type Settings struct {
	// WebsiteToken is the public token of the script tag
	// (data-inbox="…"); it is set by Validate and cannot be chosen.
	WebsiteToken string `json:"website_token"`
	// Color is the brand color of the launcher, header and visitor bubbles.
	Color string `json:"color"`
	// TextColor is the color of text on Color.
	TextColor string `json:"text_color"`
	// Position is "right" or "left" (bottom corner).
	Position string `json:"position"`
	// LauncherIcon is "chat", "help" or "wave".
	LauncherIcon string `json:"launcher_icon"`
	// LauncherText is shown beside the launcher icon; "" shows the icon only.
	LauncherText string `json:"launcher_text"`
	// Title heads the chat window; "" uses the inbox name.
	Title string `json:"title"`
	// Greeting is the first thing a visitor reads.
	Greeting string `json:"greeting"`
	// AwayMessage replaces the expected reply time when nobody is available.
	AwayMessage string `json:"away_message"`
	// ReplyTime is what visitors are told to expect: "minutes", "hours" or "day".
	ReplyTime string `json:"reply_time"`
	// Avatars are up to three https image URLs of the team.
	Avatars []string `json:"avatars"`
	// Locale forces the widget's language; "" follows the browser.
	Locale string `json:"locale"`
	// BusinessHours, when enabled, tell visitors when the team answers.
	BusinessHours BusinessHours `json:"business_hours"`
	// PreChat asks for contact details before the first message.
	PreChat PreChat `json:"pre_chat"`
	// AllowedDomains limits the sites that may embed the widget
	// ("shop.example.com", "*.example.com"); empty allows any.
	AllowedDomains []string `json:"allowed_domains"`
	// IdentityRequired refuses setUser calls without a valid hash, and
	// ignores unverified ids.
	IdentityRequired bool `json:"identity_verification_required"`
	// Attachments lets visitors send files and images.
	Attachments bool `json:"attachments"`
	// CSAT asks for a rating when a conversation is resolved.
	CSAT bool `json:"csat"`
	// EmailContinuity sends replies a visitor did not see to their email.
	EmailContinuity bool `json:"email_continuity"`
	// Campaigns are proactive messages.
	Campaigns []Campaign `json:"campaigns"`
	// PhoneInboxID is the phone inbox of the same account whose calls the
	// widget offers; 0 offers none.
	PhoneInboxID int64 `json:"phone_inbox_id"`
	// CallUs shows the phone inbox's number, to call from the visitor's
	// phone, and whether someone takes calls now.
	CallUs bool `json:"call_us"`
	// CallMeBack offers a form asking the team to call the visitor: a
	// conversation in the phone inbox, marked call-back.
	CallMeBack bool `json:"call_me_back"`
}

// BusinessHours are the team's weekly hours in a time zone, as a phone
// inbox keeps them too.
type BusinessHours = sahay.BusinessHours

// PreChat is the form shown before a visitor's first message.
type PreChat struct {
	Enabled bool           `json:"enabled"`
	Message string         `json:"message"`
	Fields  []PreChatField `json:"fields"`
}

// PreChatField is one field of the pre-chat form.
type PreChatField struct {
	// Name is "name", "email" or "phone".
	Name     string `json:"name"`
	Required bool   `json:"required"`
}

// Campaign is a proactive message shown to visitors of matching pages.
type Campaign struct {
	// ID is stable across edits; stats are counted by it.
	ID      string `json:"id"`
	Enabled bool   `json:"enabled"`
	Message string `json:"message"`
	// URLPattern matches the page URL without scheme: "*" any, a trailing
	// "*" a prefix ("shop.example.com/products/*"), or a substring.
	URLPattern string `json:"url_pattern"`
	// TimeOnPage is how many seconds the visitor stays before it shows.
	TimeOnPage int `json:"time_on_page"`
	// BusinessHoursOnly shows it only while the team is in.
	BusinessHoursOnly bool `json:"business_hours_only"`
}

// DefaultSettings are what a new widget inbox starts with.
func DefaultSettings() Settings {
	return Settings{
		Color: "#1f6feb", TextColor: "#ffffff", Position: "right", LauncherIcon: "chat",
		ReplyTime: "minutes", Attachments: true, CSAT: true, EmailContinuity: true,
		PreChat:        PreChat{Fields: []PreChatField{{Name: "name"}, {Name: "email", Required: true}}},
		BusinessHours:  BusinessHours{TimeZone: "UTC", Days: map[string]string{}},
		Avatars:        []string{},
		AllowedDomains: []string{},
		Campaigns:      []Campaign{},
	}
}

var (
	colorPattern    = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)
	domainPattern   = regexp.MustCompile(`^(\*\.)?([a-z0-9-]+\.)*[a-z0-9-]+(:\d+)?$`)
	campaignPattern = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,40}$`)
)

// ParseSettings reads an inbox's settings over the defaults, strictly.
func ParseSettings(raw json.RawMessage) (Settings, error) {
	s := DefaultSettings()
	if len(bytes.TrimSpace(raw)) > 0 {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&s); err != nil {
			return s, sahay.Invalid("widget settings: %v", strings.TrimPrefix(err.Error(), "json: "))
		}
	}
	return s, s.check()
}

func (s *Settings) check() error {
	s.Position = strings.ToLower(s.Position)
	s.ReplyTime = strings.ToLower(s.ReplyTime)
	for i, d := range s.AllowedDomains {
		s.AllowedDomains[i] = strings.ToLower(strings.TrimSpace(d))
	}
	switch {
	case !colorPattern.MatchString(s.Color) || !colorPattern.MatchString(s.TextColor):
		return sahay.Invalid("color and text_color look like #1f6feb")
	case s.Position != "right" && s.Position != "left":
		return sahay.Invalid("position is right or left")
	case s.LauncherIcon != "chat" && s.LauncherIcon != "help" && s.LauncherIcon != "wave":
		return sahay.Invalid("launcher_icon is chat, help or wave")
	case s.ReplyTime != "minutes" && s.ReplyTime != "hours" && s.ReplyTime != "day":
		return sahay.Invalid("reply_time is minutes, hours or day")
	case len(s.LauncherText) > 40:
		return sahay.Invalid("launcher_text is at most 40 bytes")
	case len(s.Title) > 80 || len(s.Greeting) > 500 || len(s.AwayMessage) > 500 || len(s.PreChat.Message) > 500:
		return sahay.Invalid("title is at most 80 bytes; greeting, away_message and pre_chat.message at most 500")
	case len(s.Avatars) > 3:
		return sahay.Invalid("at most 3 avatars")
	case s.Locale != "" && !hasLocale(s.Locale):
		return sahay.Invalid("locale %q is not one of %s", s.Locale, strings.Join(Locales(), ", "))
	case len(s.AllowedDomains) > 50:
		return sahay.Invalid("at most 50 allowed_domains")
	case len(s.Campaigns) > 50:
		return sahay.Invalid("at most 50 campaigns")
	case s.PhoneInboxID < 0:
		return sahay.Invalid("phone_inbox_id is the id of a phone inbox, or 0 for none")
	case (s.CallUs || s.CallMeBack) && s.PhoneInboxID == 0:
		return sahay.Invalid("call_us and call_me_back need phone_inbox_id, the phone inbox whose calls the widget offers")
	}
	for _, a := range s.Avatars {
		if u, err := url.Parse(a); err != nil || u.Scheme != "https" || u.Host == "" {
			return sahay.Invalid("avatar %q is not an https URL", a)
		}
	}
	for _, d := range s.AllowedDomains {
		if !domainPattern.MatchString(d) {
			return sahay.Invalid("allowed domain %q is not a host name like shop.example.com or *.example.com", d)
		}
	}
	if err := s.BusinessHours.Check(); err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, f := range s.PreChat.Fields {
		if f.Name != "name" && f.Name != "email" && f.Name != "phone" {
			return sahay.Invalid("pre_chat field %q: use name, email or phone", f.Name)
		}
		if seen[f.Name] {
			return sahay.Invalid("pre_chat field %q appears twice", f.Name)
		}
		seen[f.Name] = true
	}
	ids := map[string]bool{}
	for _, c := range s.Campaigns {
		switch {
		case !campaignPattern.MatchString(c.ID):
			return sahay.Invalid("campaign id %q: 1 to 40 letters, digits, - or _", c.ID)
		case ids[c.ID]:
			return sahay.Invalid("campaign id %q appears twice", c.ID)
		case strings.TrimSpace(c.Message) == "" || len(c.Message) > 1000:
			return sahay.Invalid("campaign %s: message is 1 to 1000 bytes", c.ID)
		case c.TimeOnPage < 0 || c.TimeOnPage > 3600:
			return sahay.Invalid("campaign %s: time_on_page is 0 to 3600 seconds", c.ID)
		case len(c.URLPattern) > 500:
			return sahay.Invalid("campaign %s: url_pattern is at most 500 bytes", c.ID)
		}
		ids[c.ID] = true
	}
	return nil
}

// allowsOrigin reports whether a page of origin may use the widget.
func (s *Settings) allowsOrigin(origin string) bool {
	if len(s.AllowedDomains) == 0 {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return false
	}
	host := strings.ToLower(u.Host)
	hostname := strings.ToLower(u.Hostname())
	for _, d := range s.AllowedDomains {
		if rest, ok := strings.CutPrefix(d, "*."); ok {
			if strings.HasSuffix(hostname, "."+rest) || hostname == rest {
				return true
			}
			continue
		}
		if d == host || d == hostname {
			return true
		}
	}
	return false
}

// newToken returns n random bytes as lower-case hex.
func newToken(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
