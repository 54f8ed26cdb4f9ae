package helpcenter

import (
	"net/http"
	"strings"
)

// A help center whose settings name a website chat inbox shows that
// inbox's widget on its pages, and its "Contact us" opens the chat: a
// reader who did not find the answer asks the team without leaving.

// chatScript opens the widget from any element marked data-sahay-open,
// once the widget has its session: opened before, it would show an empty
// window.
const chatScript = `document.addEventListener("click", function (e) {
  var a = e.target.closest && e.target.closest("[data-sahay-open]");
  if (!a || !window.Sahay) return;
  e.preventDefault();
  Promise.resolve(window.Sahay.ready).then(function () { window.Sahay.open(); });
});
`

// chat is the widget a page shows.
type chat struct {
	// Script is the widget's script address, Opener the page's script
	// that opens it; Token names the inbox.
	Script, Opener, Token string
	// Server is the origin the widget talks to ("" for this page's).
	Server string
}

// chatOf returns the widget of q's help center, or nil. On its own domain
// the widget is loaded from the server's public URL, so without one there
// is no chat there.
func (q *request) chatOf() *chat {
	if q.site.ChatToken == "" || q.domain != "" && q.server == "" {
		return nil
	}
	server := ""
	if q.domain != "" {
		server = q.server
	}
	return &chat{Script: server + "/widget.js", Opener: q.base + "/chat.js", Token: q.site.ChatToken, Server: server}
}

// chatPolicy is the content security policy of a page that shows the
// widget: its script from here (or the server), its style elements in
// its shadow root (inline, so the page's own styles are allowed as
// such), and its requests and socket to the server.
func chatPolicy(c *chat) string {
	src := "'self'"
	if c.Server != "" {
		src += " " + c.Server + " ws" + strings.TrimPrefix(c.Server, "http")
	}
	return "default-src 'none'; script-src " + src + "; style-src 'self' 'unsafe-inline'; img-src 'self' https: http: data: blob:; " +
		"media-src 'self' blob:; font-src 'self'; connect-src " + src + "; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
}

// opener serves the script that opens the chat.
func (s *Server) opener(w http.ResponseWriter, r *http.Request, q *request) error {
	h := w.Header()
	h.Set("Content-Type", "text/javascript; charset=utf-8")
	h.Set("Cache-Control", "public, max-age=86400")
	return writeBody(w, r, http.StatusOK, []byte(chatScript))
}
