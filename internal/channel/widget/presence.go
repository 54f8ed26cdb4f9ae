package widget

import (
	"encoding/json"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/sahayhq/sahay/internal/realtime"
)

// presenceLinger is how long a visitor stays listed after their last socket
// closed: long enough to move to the next page without vanishing.
const presenceLinger = 2 * time.Minute

// pageView is a page a visitor opened.
type pageView struct {
	URL   string `json:"url"`
	Title string `json:"title"`
}

// visitInfo is what the widget keeps of the current visit in the tab's
// session storage.
type visitInfo struct {
	// Start is when the visit began, in Unix milliseconds.
	Start    int64  `json:"start"`
	Pages    int    `json:"pages"`
	Referrer string `json:"referrer"`
	Visits   int64  `json:"visits"`
}

type trackedEvent struct {
	Name string          `json:"name"`
	Data json.RawMessage `json:"data,omitempty"`
	At   time.Time       `json:"at"`
}

// presence is what a visitor is doing on the site now.
type presence struct {
	accountID  int64
	page       pageView
	recent     []string
	pages      int
	referrer   string
	device     string
	browser    string
	language   string
	visitStart time.Time
	visits     int64
	cart       string
	events     []trackedEvent
	arrivedAt  time.Time
	leftAt     time.Time
}

// LiveVisitor is a visitor on the site now, as agents see them.
type LiveVisitor struct {
	// ID is the visitor's subject; start a chat with it.
	ID        string `json:"id"`
	ContactID int64  `json:"contact_id"`
	Online    bool   `json:"online"`
	// LeftAt is when a visitor who is no longer online closed their last
	// page; they stay listed for a couple of minutes.
	LeftAt      *time.Time     `json:"left_at,omitempty"`
	Page        pageView       `json:"page"`
	RecentPages []string       `json:"recent_pages"`
	PageCount   int            `json:"page_count"`
	Referrer    string         `json:"referrer"`
	Device      string         `json:"device"`
	Browser     string         `json:"browser"`
	Language    string         `json:"language"`
	TimeOnSite  int64          `json:"time_on_site_seconds"`
	Returning   bool           `json:"returning"`
	Visits      int64          `json:"visits"`
	Cart        string         `json:"cart"`
	Events      []trackedEvent `json:"events"`
}

// arrive records a socket's visitor as present.
func (h *hub) arrive(c *realtime.Visitor, r *http.Request) {
	ua := r.Header.Get("User-Agent")
	lang, _, _ := strings.Cut(r.Header.Get("Accept-Language"), ",")
	lang, _, _ = strings.Cut(lang, ";")
	h.mu.Lock()
	defer h.mu.Unlock()
	key := subjectKey{c.InboxID(), c.Subject()}
	p := h.presence[key]
	if p == nil {
		p = &presence{arrivedAt: time.Now(), visitStart: time.Now()}
		h.presence[key] = p
	}
	p.leftAt, p.accountID = time.Time{}, c.AccountID()
	p.device, p.browser, p.language = device(ua), browser(ua), strings.TrimSpace(lang)
	h.touch(key)
}

func (h *hub) pageView(c *realtime.Visitor, page pageView, visit *visitInfo) {
	page.URL = truncate(page.URL, 1000)
	page.Title = truncate(page.Title, 300)
	h.mu.Lock()
	defer h.mu.Unlock()
	key := subjectKey{c.InboxID(), c.Subject()}
	p := h.presence[key]
	if p == nil {
		return
	}
	h.touch(key)
	if page.URL != p.page.URL {
		p.recent = append(p.recent, page.URL)
		if len(p.recent) > 10 {
			p.recent = p.recent[len(p.recent)-10:]
		}
		p.pages++
	}
	p.page = page
	if visit != nil {
		if visit.Start > 0 && visit.Start <= time.Now().UnixMilli() {
			p.visitStart = time.UnixMilli(visit.Start)
		}
		p.pages = max(p.pages, visit.Pages)
		p.referrer = truncate(visit.Referrer, 1000)
		p.visits = visit.Visits
	}
}

func (h *hub) trackEvent(c *realtime.Visitor, name string, data json.RawMessage) {
	h.mu.Lock()
	defer h.mu.Unlock()
	key := subjectKey{c.InboxID(), c.Subject()}
	p := h.presence[key]
	if p == nil {
		return
	}
	h.touch(key)
	p.events = append(p.events, trackedEvent{Name: name, Data: data, At: time.Now().UTC()})
	if len(p.events) > 10 {
		p.events = p.events[len(p.events)-10:]
	}
}

// setCart records a visitor's cart value. A page may report its cart before
// the widget's socket has connected: the visitor is then kept as away until
// the socket arrives, with the cart.
func (h *hub) setCart(accountID, inboxID int64, subject, cart string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	key := subjectKey{inboxID, subject}
	p := h.presence[key]
	if p == nil {
		now := time.Now()
		p = &presence{accountID: accountID, arrivedAt: now, visitStart: now, leftAt: now}
		h.presence[key] = p
	}
	p.cart = cart
	h.touch(key)
}

// liveVisitors lists the visitors of an inbox, on this node and on the
// nodes that share theirs, longest on the site first.
func (h *hub) liveVisitors(inboxID int64) []LiveVisitor {
	h.mu.RLock()
	defer h.mu.RUnlock()
	out := []LiveVisitor{}
	local := map[string]int{}
	for k, p := range h.presence {
		if k.inbox == inboxID {
			local[k.subject] = len(out)
			out = append(out, h.liveVisitor(k, p))
		}
	}
	for k, byNode := range h.remote {
		if k.inbox != inboxID {
			continue
		}
		for _, r := range byNode {
			v := r.visitor
			v.TimeOnSite += int64(time.Since(r.received).Seconds())
			// A visitor with tabs on several nodes is listed once, as a
			// node that has them online sees them.
			if i, ok := local[k.subject]; ok {
				if !out[i].Online && v.Online {
					out[i] = v
				}
				continue
			}
			local[k.subject] = len(out)
			out = append(out, v)
		}
	}
	// Who is here now comes first, longest on the site first.
	sort.Slice(out, func(i, j int) bool {
		if out[i].Online != out[j].Online {
			return out[i].Online
		}
		return out[i].TimeOnSite > out[j].TimeOnSite
	})
	return out
}

// liveVisitor is one visitor this node holds, as agents see them. h.mu
// must be held.
func (h *hub) liveVisitor(k subjectKey, p *presence) LiveVisitor {
	sockets, contactID := h.sockets.Online(k.inbox, k.subject)
	v := LiveVisitor{ID: k.subject, ContactID: contactID, Online: sockets > 0, Page: p.page, RecentPages: append([]string{}, p.recent...),
		PageCount: p.pages, Referrer: p.referrer, Device: p.device, Browser: p.browser, Language: p.language,
		TimeOnSite: int64(time.Since(p.visitStart).Seconds()), Returning: p.visits > 1, Visits: p.visits, Cart: p.cart,
		Events: append([]trackedEvent{}, p.events...)}
	if !v.Online && !p.leftAt.IsZero() {
		left := p.leftAt.UTC()
		v.LeftAt = &left
	}
	return v
}

func device(ua string) string {
	switch {
	case strings.Contains(ua, "iPad") || strings.Contains(ua, "Tablet"):
		return "tablet"
	case strings.Contains(ua, "Mobi") || strings.Contains(ua, "Android"):
		return "mobile"
	case ua == "":
		return ""
	}
	return "desktop"
}

func browser(ua string) string {
	for _, b := range []struct{ token, name string }{
		{"Edg/", "Edge"}, {"OPR/", "Opera"}, {"SamsungBrowser", "Samsung Internet"}, {"Firefox/", "Firefox"},
		{"Chrome/", "Chrome"}, {"Safari/", "Safari"},
	} {
		if strings.Contains(ua, b.token) {
			return b.name
		}
	}
	return ""
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }
