package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/channel"
	"github.com/sahayhq/sahay/internal/channel/email/emailtest"
	"github.com/sahayhq/sahay/internal/core"

	"github.com/chromedp/chromedp"
)

// pngImage is a w×h picture in one colour.
func pngImage(t *testing.T, w, h int, c color.Color) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// remoteImages is a web server with one picture, counting how often it is
// fetched: an email's remote image, which must load only when asked.
func remoteImages(t *testing.T) (url string, hits *atomic.Int64) {
	t.Helper()
	hits = new(atomic.Int64)
	pic := pngImage(t, 120, 30, color.RGBA{R: 0xe0, G: 0x6c, B: 0x1b, A: 0xff})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "image/png")
		w.Write(pic)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/banner.png", hits
}

// emailInbox connects an email inbox that only receives what the test
// hands to core, as mail delivered to Sahay's SMTP listener would be.
func emailInbox(t *testing.T, d *dashboard, owner string, name, address string) sahay.Inbox {
	t.Helper()
	var inbox sahay.Inbox
	d.Must(t, owner, http.MethodPost, "/api/v1/inboxes", map[string]any{"name": name, "channel": "email",
		"settings": map[string]any{"address": address}}, http.StatusCreated, &inbox)
	return inbox
}

// mail is a customer's email as the channel's parser hands it to core.
type mail struct {
	from      sahay.EmailAddress
	to, cc    []sahay.EmailAddress
	subject   string
	messageID string
	inReplyTo string
	content   string // the new words
	html      string
	text      string
	inline    []byte // an inline image, named logo@shop by the HTML
}

func receiveMail(t *testing.T, d *dashboard, inboxID int64, m mail) *core.Received {
	t.Helper()
	ctx := context.Background()
	var atts []sahay.Attachment
	if m.inline != nil {
		a, err := d.App.Service.StoreFile(ctx, core.Upload{FileName: "logo.png", ContentType: "image/png", Body: bytes.NewReader(m.inline)})
		if err != nil {
			t.Fatal(err)
		}
		a.ContentID = "logo@shop"
		atts = append(atts, a)
	}
	var thread []string
	if m.inReplyTo != "" {
		thread = []string{m.inReplyTo}
	}
	r, err := d.App.Service.Receive(ctx, channel.Inbound{
		InboxID: inboxID, ExternalID: m.messageID, Namespace: "email", ContactID: m.from.Address, Name: m.from.Name, Email: m.from.Address,
		Content: m.content, Attachments: atts, Thread: thread,
		Mail: &sahay.Email{Subject: m.subject, From: m.from, To: m.to, CC: m.cc, MessageID: m.messageID, InReplyTo: m.inReplyTo, HTML: m.html, Text: m.text},
	})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// orderMail is the email of the tests and screenshots: new words over a
// quoted answer, a signature, an inline logo and a remote banner.
func orderMail(banner, subject, words, quoted string) mail {
	return mail{
		from:      sahay.EmailAddress{Name: "Rahim Uddin", Address: "rahim@example.com"},
		to:        []sahay.EmailAddress{{Name: "Bazaar support", Address: "support@bazaar.example"}},
		cc:        []sahay.EmailAddress{{Name: "Anita Sen", Address: "anita@example.com"}},
		subject:   subject,
		messageID: "CAF1042@mail.example.com",
		content:   words,
		html: `<div><p>` + words + `</p><p><img data-cid="logo@shop" alt="logo"> <img data-src="` + banner + `" alt="banner" width="120" height="30"></p>` +
			`<p>-- <br>Rahim Uddin</p><blockquote>On Monday, Bazaar support wrote:<br>` + quoted + `</blockquote></div>`,
		text: words + "\n\n-- \nRahim Uddin\n\nOn Monday, Bazaar support wrote:\n> " + quoted,
	}
}

// recordPosts wraps the page's fetch so that the test reads what the
// dashboard posted and what the server answered.
const recordPosts = `(() => {
	window.__posts = [];
	const f = window.fetch;
	window.fetch = async (url, init) => {
		const res = await f(url, init);
		if (init && init.method === "POST") {
			let body = init.body;
			if (body instanceof FormData) body = Object.fromEntries([...body.entries()].filter(([, v]) => typeof v === "string"));
			window.__posts.push({ url: String(url), body: typeof body === "string" ? JSON.parse(body) : body, status: res.status });
		}
		return res;
	};
	return true;
})()`

type post struct {
	URL    string         `json:"url"`
	Body   map[string]any `json:"body"`
	Status int            `json:"status"`
}

// serverTakes checks that the server took what the dashboard posted.
func serverTakes(t *testing.T, p post) {
	t.Helper()
	if p.Status != http.StatusCreated {
		t.Fatalf("the server answered %s with %d", p.URL, p.Status)
	}
}

func lastPost(t *testing.T, ctx context.Context, suffix string) post {
	t.Helper()
	var found post
	waitFor(t, ctx, "the dashboard posts to "+suffix, fmt.Sprintf(`window.__posts.some((p) => p.url.endsWith(%s))`, jsString(suffix)))
	raw := eval[string](t, ctx, fmt.Sprintf(`JSON.stringify(window.__posts.filter((p) => p.url.endsWith(%s)).pop())`, jsString(suffix)))
	if err := json.Unmarshal([]byte(raw), &found); err != nil {
		t.Fatal(err)
	}
	return found
}

// TestBrowserEmail: an email in the timeline shows its subject, addresses
// and new words, with the quoted history folded away; the full message
// opens in the sandboxed frame with its inline image, and its remote image
// is fetched only after "Load images". A reply carries its subject and Cc,
// and a new email is started from the contact panel.
func TestBrowserEmail(t *testing.T) {
	needBrowser(t, browserEnv)
	banner, hits := remoteImages(t)
	d := startDashboard(t)
	owner := d.NewAccount(t, "Bazaar")
	inbox := emailInbox(t, d, owner.Token, "Support mail", "support@bazaar.example")
	r := receiveMail(t, d, inbox.ID, func() mail {
		m := orderMail(banner, "Order 1042 is late", "Where is my order 1042? It was due on Friday.", "Your order 1042 has shipped.")
		m.inline = pngImage(t, 40, 20, color.RGBA{R: 0x0f, G: 0x76, B: 0x6e, A: 0xff})
		return m
	}())

	ctx := newBrowser(t)
	do(t, ctx, chromedp.EmulateViewport(1280, 800))
	login(t, ctx, d.URL, owner.Email, owner.Password)
	watchCSP(t, ctx)
	do(t, ctx, chromedp.Navigate(fmt.Sprintf("%s/conversations/%d", d.URL, r.Conversation.ID)))
	waitFor(t, ctx, "the email shows", `document.querySelector(".timeline .msg.incoming.email")`)
	watchCSP(t, ctx)
	eval[bool](t, ctx, recordPosts)

	t.Run("timeline", func(t *testing.T) {
		got := eval[map[string]any](t, ctx, `(() => {
			const m = document.querySelector(".timeline .msg.incoming.email");
			return {
				subject: document.querySelector(".conv-subject")?.textContent,
				body: m.querySelector(".msg-body").textContent,
				summary: m.querySelector(".email-summary-text").textContent,
				headersHidden: m.querySelector(".email-headers").hidden,
				files: m.querySelectorAll(".attachments li").length,
				full: m.querySelector(".email-full-toggle")?.textContent,
			};
		})()`)
		want := map[string]any{"subject": "Order 1042 is late", "body": "Where is my order 1042? It was due on Friday.",
			"summary": "To Bazaar support · Cc Anita Sen", "headersHidden": true, "files": float64(0), "full": "Show full message"}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("the email's %s is %v, want %v", k, got[k], v)
			}
		}
		eval[bool](t, ctx, `(document.querySelector(".msg.email .email-summary").click(), true)`)
		headers := eval[string](t, ctx, `document.querySelector(".msg.email .email-headers").innerText`)
		for _, s := range []string{"Rahim Uddin <rahim@example.com>", "Bazaar support <support@bazaar.example>", "Anita Sen <anita@example.com>"} {
			if !strings.Contains(headers, s) {
				t.Errorf("the unfolded headers %q lack %q", headers, s)
			}
		}
	})

	t.Run("full message", func(t *testing.T) {
		eval[bool](t, ctx, `(document.querySelector(".msg.email .email-full-toggle").click(), true)`)
		frame := `document.querySelector(".msg.email iframe.email-frame")`
		waitFor(t, ctx, "the original shows with its quoted history", frame+`?.contentDocument?.querySelector("blockquote")?.textContent.includes("has shipped")`)
		if got := eval[string](t, ctx, frame+`.getAttribute("sandbox")`); strings.Contains(got, "allow-scripts") || !strings.Contains(got, "allow-same-origin") {
			t.Errorf("the frame's sandbox is %q", got)
		}
		waitFor(t, ctx, "the inline image shows from its attachment", frame+`.contentDocument.querySelector("img[data-cid]").complete && `+frame+`.contentDocument.querySelector("img[data-cid]").naturalWidth === 40`)
		if got := eval[bool](t, ctx, frame+`.contentDocument.querySelector("img[data-src]").hasAttribute("src")`); got {
			t.Error("the remote image has a src before the agent asked")
		}
		waitFor(t, ctx, "the agent is offered to load the images", `document.querySelector(".msg.email .email-images:not([hidden]) .load-images:not([hidden])")`)
		if n := hits.Load(); n != 0 {
			t.Fatalf("the remote image was fetched %d times before the agent asked", n)
		}
		// Even a remote image the HTML names in src waits: the frame's
		// policy refuses it until the agent asks.
		res, err := http.Get(d.URL + "/email-frame")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		policy := res.Header.Get("Content-Security-Policy")
		if !strings.Contains(policy, "img-src 'self' data: blob:;") || strings.Contains(policy, "script-src") && !strings.Contains(policy, "script-src 'none'") || !strings.Contains(policy, "default-src 'none'") {
			t.Errorf("the frame's policy is %q", policy)
		}
		eval[bool](t, ctx, `(document.querySelector(".msg.email .load-images").click(), true)`)
		waitFor(t, ctx, "the remote image loads", frame+`.contentDocument.querySelector("img[data-src]")?.complete && `+frame+`.contentDocument.querySelector("img[data-src]").naturalWidth === 120`)
		if hits.Load() == 0 {
			t.Error("the remote image was not fetched after the agent asked")
		}
		if !eval[bool](t, ctx, `document.querySelector(".msg.email .email-images").hidden`) {
			t.Error("the load images notice stays after loading them")
		}
	})

	t.Run("reply with cc", func(t *testing.T) {
		waitFor(t, ctx, "the reply's subject follows the thread", `document.querySelector(".composer .email-subject-input")?.value === "Re: Order 1042 is late"`)
		cc := eval[[]string](t, ctx, `[...document.querySelectorAll(".composer [data-field=cc] .address-chip")].map((c) => c.firstChild.textContent)`)
		if strings.Join(cc, ",") != "anita@example.com" {
			t.Errorf("the reply is copied to %v, want the customer's Cc", cc)
		}
		// Enter in the subject or an address box moves on; it sends nothing.
		setField(t, ctx, ".composer-input", "Sorry for the wait, Rahim: it leaves our warehouse today.")
		eval[bool](t, ctx, `(document.querySelector(".composer .email-subject-input").focus(), true)`)
		press(t, ctx, "Enter")
		eval[bool](t, ctx, `(document.querySelector(".composer [data-field=cc] input").focus(), true)`)
		press(t, ctx, "Enter")
		if n := eval[int](t, ctx, `window.__posts.length`); n != 0 {
			t.Fatalf("Enter in the email's fields posted %d times", n)
		}
		eval[bool](t, ctx, `(document.querySelector(".composer .show-bcc").click(), true)`)
		if eval[bool](t, ctx, `document.querySelector(".composer [data-field=bcc]").hidden`) {
			t.Error("the Bcc box stays hidden when asked for")
		}
		setField(t, ctx, ".composer [data-field=bcc] input", "not an address")
		eval[bool](t, ctx, `(document.querySelector(".composer [data-field=bcc] input").dispatchEvent(new Event("blur")), true)`)
		waitFor(t, ctx, "a wrong address is refused", `document.querySelector(".composer [data-field=bcc] .address-error:not([hidden])")?.textContent.includes("not")`)
		setField(t, ctx, ".composer [data-field=bcc] input", "ravi@bazaar.example")
		eval[bool](t, ctx, `(document.querySelector(".composer [data-field=bcc] input").dispatchEvent(new Event("blur")), true)`)
		waitFor(t, ctx, "the address becomes a chip", `document.querySelector(".composer [data-field=bcc] .address-chip")?.textContent.includes("ravi@bazaar.example") && document.querySelector(".composer [data-field=bcc] .address-error").hidden`)
		setField(t, ctx, ".composer-input", "Sorry for the wait, Rahim: it leaves our warehouse today.")
		eval[bool](t, ctx, `(document.querySelector(".composer-input").focus(), true)`)
		press(t, ctx, "Enter")
		p := lastPost(t, ctx, fmt.Sprintf("/conversations/%d/messages", r.Conversation.ID))
		email, _ := p.Body["email"].(map[string]any)
		if email == nil || email["subject"] != "Re: Order 1042 is late" || fmt.Sprint(email["cc"]) != "[anita@example.com]" || fmt.Sprint(email["bcc"]) != "[ravi@bazaar.example]" {
			t.Fatalf("the reply was posted as %v", p.Body)
		}
		serverTakes(t, p)
		waitFor(t, ctx, "the reply shows", `document.querySelector(".timeline .msg.outgoing")`)
		var msgs struct{ Items []sahay.Message }
		d.Must(t, owner.Token, http.MethodGet, fmt.Sprintf("/api/v1/conversations/%d/messages", r.Conversation.ID), nil, http.StatusOK, &msgs)
		reply := msgs.Items[len(msgs.Items)-1]
		if reply.Email == nil || reply.Email.Subject != "Re: Order 1042 is late" || len(reply.Email.CC) != 1 || reply.Email.CC[0].Address != "anita@example.com" ||
			len(reply.Email.BCC) != 1 || reply.Email.BCC[0].Address != "ravi@bazaar.example" {
			t.Errorf("the reply was kept with the email %+v", reply.Email)
		}
	})

	t.Run("new email", func(t *testing.T) {
		eval[bool](t, ctx, `(document.querySelector(".contact-panel .new-email")?.click(), true)`)
		waitFor(t, ctx, "the new email dialog opens", `document.querySelector(".dialog form.new-email")`)
		if got := eval[string](t, ctx, `document.querySelector(".new-email input[name=to]").value`); got != "rahim@example.com" {
			t.Errorf("the new email is to %q, want the contact's address", got)
		}
		setField(t, ctx, ".new-email input[name=subject]", "Your refund for order 1042")
		setField(t, ctx, ".new-email textarea[name=content]", "Your refund of ৳1,250 was sent today.")
		eval[bool](t, ctx, `(document.querySelector(".new-email .show-copies").click(), true)`)
		setField(t, ctx, ".new-email [data-field=cc] input", "anita@example.com")
		receipt := filepath.Join(t.TempDir(), "refund-1042.pdf")
		if err := os.WriteFile(receipt, []byte("%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		do(t, ctx, chromedp.SetUploadFiles(chromedp.CSS(".new-email .attach-input"), []string{receipt}))
		waitFor(t, ctx, "the file is attached", `document.querySelector(".new-email .attach-chip")?.textContent.includes("refund-1042.pdf")`)
		eval[bool](t, ctx, `(document.querySelector("form.new-email").requestSubmit(), true)`)
		p := lastPost(t, ctx, "/api/v1/conversations")
		email, _ := p.Body["email"].(map[string]any)
		// With a file it is multipart: the fields are strings, "email" JSON.
		if s, ok := p.Body["email"].(string); ok {
			json.Unmarshal([]byte(s), &email)
		}
		if fmt.Sprint(p.Body["inbox_id"]) != fmt.Sprint(inbox.ID) || fmt.Sprint(p.Body["contact_id"]) != fmt.Sprint(r.Conversation.ContactID) || p.Body["content"] != "Your refund of ৳1,250 was sent today." ||
			email == nil || email["subject"] != "Your refund for order 1042" || fmt.Sprint(email["cc"]) != "[anita@example.com]" {
			t.Fatalf("the new email was posted as %v", p.Body)
		}
		serverTakes(t, p)
		waitFor(t, ctx, "the new conversation opens", `document.querySelector(".conv-subject")?.textContent === "Your refund for order 1042" && document.querySelector(".timeline .msg.outgoing .attachments")?.textContent.includes("refund-1042.pdf")`)
	})

	t.Run("test connection", func(t *testing.T) {
		srv := emailtest.NewIMAPServer(t, "support@bazaar.example", "the app password", false)
		wrong := wrongPasswordInbox(t, d, owner.Token, srv)
		do(t, ctx, chromedp.Navigate(d.URL+"/settings/inboxes"))
		test := fmt.Sprintf(`document.querySelector('tr[data-id="%d"] .actions button[title="Test connection"]')`, wrong.ID)
		waitFor(t, ctx, "the email inbox offers a connection test", test)
		eval[bool](t, ctx, `(`+test+`.click(), true)`)
		waitFor(t, ctx, "the test says the password was refused", `document.querySelector(".dialog .test-error")?.textContent.includes("refused the user name \"support@bazaar.example\" or its password")`)
	})
	noCSPViolation(t, ctx)
}

// wrongPasswordInbox connects an email inbox to srv with a password srv
// refuses.
func wrongPasswordInbox(t *testing.T, d *dashboard, owner string, srv *emailtest.IMAPServer) sahay.Inbox {
	t.Helper()
	var inbox sahay.Inbox
	d.Must(t, owner, http.MethodPost, "/api/v1/inboxes", map[string]any{"name": "Sales mail", "channel": "email",
		"settings": map[string]any{"address": "sales@bazaar.example", "imap_host": srv.Host, "imap_port": srv.Port, "imap_tls": "none",
			"imap_username": srv.User, "imap_password": "an old password"}}, http.StatusCreated, &inbox)
	return inbox
}

// TestScreenshotsEmail regenerates the screenshots of email in the
// dashboard: a conversation with its full message open and its remote
// image waiting, the reply box with its subject and Cc; a new email; and
// an email inbox's form filled by the Gmail preset. At 1280 and 390 pixels
// wide, in English, Bengali and Hindi.
//
//	SAHAY_SCREENSHOTS=1 go test ./internal/web -run TestScreenshotsEmail
func TestScreenshotsEmail(t *testing.T) {
	needBrowser(t, "SAHAY_SCREENSHOTS")
	banner, _ := remoteImages(t)
	d := startDashboard(t)
	owner := d.NewAccount(t, "Bazaar")
	inbox := emailInbox(t, d, owner.Token, "Support mail", "support@bazaar.example")
	wrong := wrongPasswordInbox(t, d, owner.Token, emailtest.NewIMAPServer(t, "support@bazaar.example", "the app password", false))
	logo := pngImage(t, 40, 20, color.RGBA{R: 0x0f, G: 0x76, B: 0x6e, A: 0xff})
	mails := map[string]mail{
		"en": orderMail(banner, "Order 1042 is late", "Where is my order 1042? It was due on Friday, and the tracking page has not changed since Tuesday.", "Your order 1042 has shipped and should reach you by Friday."),
		"bn": orderMail(banner, "অর্ডার ১০৪২ এখনো আসেনি", "আমার অর্ডার ১০৪২ কোথায়? শুক্রবারে আসার কথা ছিল, অথচ ট্র্যাকিং পেজ মঙ্গলবার থেকে একই আছে।", "আপনার অর্ডার ১০৪২ পাঠানো হয়েছে, শুক্রবারের মধ্যে পৌঁছে যাবে।"),
		"hi": orderMail(banner, "ऑर्डर 1042 अब तक नहीं आया", "मेरा ऑर्डर 1042 कहाँ है? शुक्रवार तक आना था, पर ट्रैकिंग पेज मंगलवार से वैसा ही है।", "आपका ऑर्डर 1042 भेज दिया गया है, शुक्रवार तक पहुँच जाएगा।"),
	}
	replies := map[string]string{
		"en": "Sorry for the wait: the courier has it and it reaches you tomorrow.",
		"bn": "দেরির জন্য দুঃখিত: পার্সেলটি কুরিয়ারের কাছে আছে, কাল পৌঁছে যাবে।",
		"hi": "देर के लिए माफ़ी: पार्सल कूरियर के पास है, कल पहुँच जाएगा।",
	}
	convs := map[string]int64{}
	for i, lang := range []string{"en", "bn", "hi"} {
		m := mails[lang]
		m.messageID = fmt.Sprintf("order-%s@mail.example.com", lang)
		m.from = []sahay.EmailAddress{{Name: "Rahim Uddin", Address: "rahim@example.com"}, {Name: "রহিম উদ্দিন", Address: "rahim.bn@example.com"}, {Name: "राहुल वर्मा", Address: "rahul@example.in"}}[i]
		m.inline = logo
		convs[lang] = receiveMail(t, d, inbox.ID, m).Conversation.ID
	}
	out := filepath.Join("..", "..", "docs", "screenshots")
	browser := newBrowser(t)
	for _, lang := range []string{"en", "bn", "hi"} {
		d.Must(t, owner.Token, http.MethodPatch, "/api/v1/me", map[string]any{"locale": lang}, http.StatusOK, nil)
		ctx := newProfile(t, browser)
		login(t, ctx, d.URL, owner.Email, owner.Password)
		waitFor(t, ctx, "the interface speaks "+lang, fmt.Sprintf(`document.documentElement.lang === %q`, lang))
		for _, width := range []int64{1280, 390} {
			name := func(page string) string { return filepath.Join(out, fmt.Sprintf("%s-%s-%d.png", page, lang, width)) }
			if width < 500 {
				do(t, ctx, chromedp.EmulateViewport(width, 844, chromedp.EmulateMobile))
			} else {
				do(t, ctx, chromedp.EmulateViewport(width, 860))
			}

			do(t, ctx, chromedp.Navigate(fmt.Sprintf("%s/conversations/%d", d.URL, convs[lang])))
			waitFor(t, ctx, "the email shows", `document.querySelector(".timeline .msg.email .email-full-toggle") && document.querySelector(".composer .email-subject-input")?.value`)
			eval[bool](t, ctx, `(document.querySelector(".msg.email .email-full-toggle").click(), true)`)
			waitFor(t, ctx, "the original shows", `document.querySelector(".msg.email iframe.email-frame")?.contentDocument?.querySelector("blockquote") && !document.querySelector(".email-images").hidden`)
			setField(t, ctx, ".composer-input", replies[lang])
			eval[bool](t, ctx, `(document.querySelector(".msg.email").scrollIntoView({ block: "start" }), true)`)
			shoot(t, ctx, name("email-conversation"))

			do(t, ctx, chromedp.Navigate(d.URL+"/conversations?view=all&status=open&sort=last_activity"))
			waitFor(t, ctx, "the list offers a new email", `document.querySelector(".list-pane .new-email") && document.querySelector(".conv-item")`)
			eval[bool](t, ctx, `(document.querySelector(".list-pane .new-email").click(), true)`)
			waitFor(t, ctx, "the new email dialog opens", `document.querySelector("form.new-email")`)
			setField(t, ctx, ".new-email input[name=to]", "anita@example.com")
			setField(t, ctx, ".new-email input[name=subject]", mails[lang].subject)
			setField(t, ctx, ".new-email textarea[name=content]", replies[lang])
			eval[bool](t, ctx, `(document.querySelector(".new-email .show-copies").click(), true)`)
			setField(t, ctx, ".new-email [data-field=cc] input", "rahim@example.com")
			eval[bool](t, ctx, `(document.querySelector(".new-email [data-field=cc] input").dispatchEvent(new Event("blur")), true)`)
			shoot(t, ctx, name("email-new"))

			do(t, ctx, chromedp.Navigate(d.URL+"/settings/inboxes"))
			waitFor(t, ctx, "the inboxes are listed", `document.querySelector("tr[data-id] .actions button")`)
			eval[bool](t, ctx, `(document.querySelector(".toolbar .add").click(), true)`)
			waitFor(t, ctx, "the dialog opens", `document.querySelector(".dialog select[name=channel]")`)
			setField(t, ctx, ".dialog input[name=name]", "Support mail")
			setField(t, ctx, ".dialog select[name=channel]", "email")
			waitFor(t, ctx, "the presets show", `document.querySelector(".dialog .preset")`)
			setField(t, ctx, ".dialog input[name=address]", "support@bazaar.example")
			eval[bool](t, ctx, `(document.querySelector(".dialog .preset[data-preset=gmail]").click(), true)`)
			shoot(t, ctx, name("email-inbox-form"))

			do(t, ctx, chromedp.Navigate(d.URL+"/settings/inboxes"))
			test := fmt.Sprintf(`document.querySelector('tr[data-id="%d"] .actions button')`, wrong.ID)
			waitFor(t, ctx, "the inbox is listed", test)
			eval[bool](t, ctx, `(`+test+`.click(), true)`)
			waitFor(t, ctx, "the test fails", `document.querySelector(".dialog .test-error")`)
			shoot(t, ctx, name("email-inbox-test"))
		}
	}
}
