package web_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/apitest"

	"github.com/chromedp/chromedp"
)

// messages returns a conversation's messages, oldest first.
func messages(t *testing.T, d *dashboard, token string, conversationID int64) []sahay.Message {
	t.Helper()
	var out struct{ Items []sahay.Message }
	d.Must(t, token, http.MethodGet, fmt.Sprintf("/api/v1/conversations/%d/messages", conversationID), nil, http.StatusOK, &out)
	return out.Items
}

// pngBytes is a small real PNG image.
func pngBytes(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	for i := range 8 {
		img.Set(i, i, color.RGBA{R: 15, G: 118, B: 110, A: 255})
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// openConversation opens a conversation of the list in the dashboard.
func openConversation(t *testing.T, ctx context.Context, id int64) {
	t.Helper()
	sel := fmt.Sprintf(`.conv-item[data-id="%d"] .conv-link`, id)
	waitFor(t, ctx, "the conversation is listed", fmt.Sprintf(`document.querySelector(%s)`, jsString(sel)))
	eval[bool](t, ctx, fmt.Sprintf(`(document.querySelector(%s).click(), true)`, jsString(sel)))
	waitFor(t, ctx, "the conversation opens", fmt.Sprintf(`document.querySelector(".conv-head .ref")?.textContent.length > 1 && document.querySelector(".composer-input") && location.pathname.endsWith("/%d")`, id))
}

// fileJS is a script expression for a File holding data.
func fileJS(name, contentType string, data []byte) string {
	return fmt.Sprintf(`new File([Uint8Array.from(atob(%s), (c) => c.charCodeAt(0))], %s, {type: %s})`,
		jsString(base64.StdEncoding.EncodeToString(data)), jsString(name), jsString(contentType))
}

func TestBrowserConversationAttachments(t *testing.T) {
	needBrowser(t, browserEnv)
	d := startDashboard(t)
	owner := d.NewAccount(t, "Shop")
	inbox := d.NewInbox(t, owner, "Website", "api", map[string]any{"webhook_url": ""}, owner.ID)
	conv := receive(t, d, owner.Token, inbox.ID, "c1", "Rahim", "I sent the order details, please check.", "m1").Conversation

	dir := t.TempDir()
	photo := pngBytes(t)
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	photoPath := write("parcel.png", photo)
	invoicePath := write("invoice.txt", []byte("Invoice 1042: 2 sarees, 3,400 taka\n"))
	pagePath := write("page.html", []byte("<script>alert(1)</script>"))
	hugePath := filepath.Join(dir, "video.mp4")
	f, err := os.Create(hugePath)
	if err != nil {
		t.Fatal(err)
	}
	// Sparse: the browser reads the size, the disk holds nothing.
	if err := f.Truncate(25<<20 + 1); err != nil {
		t.Fatal(err)
	}
	f.Close()

	ctx := newBrowser(t)
	login(t, ctx, d.URL, owner.Email, owner.Password)
	watchCSP(t, ctx)
	openConversation(t, ctx, conv.ID)

	lastMessage := func() sahay.Message {
		list := messages(t, d, owner.Token, conv.ID)
		return list[len(list)-1]
	}

	t.Run("file picker", func(t *testing.T) {
		do(t, ctx, chromedp.SetUploadFiles(chromedp.CSS(".composer .attach-input"), []string{photoPath, invoicePath}))
		waitFor(t, ctx, "two chips show the files", `document.querySelectorAll(".attach-chip").length === 2 && document.querySelector(".attach-chips").textContent.includes("invoice.txt")`)
		do(t, ctx, chromedp.SendKeys(chromedp.CSS(".composer-input"), "Photo and invoice attached."))
		press(t, ctx, "Enter")
		waitFor(t, ctx, "the chips clear after sending", `!document.querySelector(".attach-chip") && document.querySelector(".composer-input").value === ""`)
		m := lastMessage()
		if m.Kind != sahay.MessageOutgoing || m.Content != "Photo and invoice attached." || len(m.Attachments) != 2 {
			t.Fatalf("last message is %s %q with %d attachments, want the reply with 2", m.Kind, m.Content, len(m.Attachments))
		}
		got := map[string]string{}
		for _, a := range m.Attachments {
			got[a.FileName] = a.ContentType
		}
		if got["parcel.png"] != "image/png" || got["invoice.txt"] != "text/plain" {
			t.Fatalf("attachments stored as %v", got)
		}
		sel := fmt.Sprintf(`.timeline .msg[data-id="%d"]`, m.ID)
		waitFor(t, ctx, "the image shows as a thumbnail", fmt.Sprintf(`document.querySelector(%s)?.complete && document.querySelector(%s).naturalWidth === 8`,
			jsString(sel+" .attachment.image img"), jsString(sel+" .attachment.image img")))
		if href := eval[string](t, ctx, fmt.Sprintf(`document.querySelector(%s).getAttribute("href")`, jsString(sel+" .attachment.image a"))); !strings.HasPrefix(href, "/api/v1/attachments/") {
			t.Fatalf("thumbnail links to %q", href)
		}
		if got := eval[string](t, ctx, fmt.Sprintf(`document.querySelector(%s).textContent`, jsString(sel+" .attachment.file"))); !strings.Contains(got, "invoice.txt") || !strings.Contains(got, " byte") {
			t.Fatalf("file link reads %q, want its name and size", got)
		}
	})

	t.Run("paste", func(t *testing.T) {
		eval[bool](t, ctx, fmt.Sprintf(`(() => {
			const dt = new DataTransfer();
			dt.items.add(%s);
			const ta = document.querySelector(".composer-input");
			ta.focus();
			ta.dispatchEvent(new ClipboardEvent("paste", {clipboardData: dt, bubbles: true, cancelable: true}));
			return true;
		})()`, fileJS("screenshot.png", "image/png", photo)))
		waitFor(t, ctx, "the pasted image is a chip", `document.querySelector(".attach-chip")?.textContent.includes("screenshot.png")`)
		// No text: the file alone is the message.
		press(t, ctx, "Enter")
		waitFor(t, ctx, "the chip clears", `!document.querySelector(".attach-chip")`)
		if m := lastMessage(); m.Content != "" || len(m.Attachments) != 1 || m.Attachments[0].FileName != "screenshot.png" {
			t.Fatalf("last message %q has %+v, want screenshot.png alone", m.Content, m.Attachments)
		}
	})

	t.Run("drop", func(t *testing.T) {
		eval[bool](t, ctx, fmt.Sprintf(`(() => {
			const dt = new DataTransfer();
			dt.items.add(%s);
			window.__drop = dt;
			document.querySelector(".timeline").dispatchEvent(new DragEvent("dragenter", {dataTransfer: dt, bubbles: true, cancelable: true}));
			return true;
		})()`, fileJS("receipt.pdf", "application/pdf", []byte("%PDF-1.4\n%%EOF\n"))))
		waitFor(t, ctx, "the drop hint shows", `document.querySelector(".conv-main.dragging .drop-hint")`)
		eval[bool](t, ctx, `(document.querySelector(".timeline").dispatchEvent(new DragEvent("drop", {dataTransfer: window.__drop, bubbles: true, cancelable: true})), true)`)
		waitFor(t, ctx, "the dropped file is a chip and the hint goes", `document.querySelector(".attach-chip")?.textContent.includes("receipt.pdf") && !document.querySelector(".conv-main.dragging")`)
		do(t, ctx, chromedp.SendKeys(chromedp.CSS(".composer-input"), "Receipt"))
		press(t, ctx, "Enter")
		waitFor(t, ctx, "the chip clears", `!document.querySelector(".attach-chip")`)
		if m := lastMessage(); m.Content != "Receipt" || len(m.Attachments) != 1 || m.Attachments[0].ContentType != "application/pdf" {
			t.Fatalf("last message %q has %+v, want receipt.pdf", m.Content, m.Attachments)
		}
	})

	t.Run("refused files", func(t *testing.T) {
		before := len(messages(t, d, owner.Token, conv.ID))
		do(t, ctx, chromedp.SetUploadFiles(chromedp.CSS(".composer .attach-input"), []string{pagePath, hugePath}))
		waitFor(t, ctx, "both refusals are explained", `(() => {
			const e = document.querySelector(".attach-error:not([hidden])")?.textContent ?? "";
			return e.includes("page.html: files of this type cannot be sent") && e.includes("video.mp4 is larger than 25 MB");
		})()`)
		if n := eval[int](t, ctx, `document.querySelectorAll(".attach-chip").length`); n != 0 {
			t.Fatalf("%d refused files became chips", n)
		}
		paths := []string{photoPath, photoPath, photoPath, photoPath, photoPath, invoicePath}
		do(t, ctx, chromedp.SetUploadFiles(chromedp.CSS(".composer .attach-input"), paths))
		waitFor(t, ctx, "a sixth file is refused", `document.querySelector(".attach-error:not([hidden])")?.textContent.includes("At most 5 files") && document.querySelectorAll(".attach-chip").length === 5`)
		for range 5 {
			eval[bool](t, ctx, `(document.querySelector(".attach-chip .chip-x").click(), true)`)
		}
		waitFor(t, ctx, "removing the chips empties the list and the error", `!document.querySelector(".attach-chip") && document.querySelector(".attach-error").hidden`)
		click(t, ctx, ".composer .send")
		// A message sent after the empty click proves the composer has
		// acted on it: only that message may have been added.
		do(t, ctx, chromedp.SendKeys(chromedp.CSS(".composer-input"), "Nothing attached"))
		press(t, ctx, "Enter")
		var after []sahay.Message
		eventually(t, "the next message to be stored", func() bool {
			after = messages(t, d, owner.Token, conv.ID)
			return len(after) > before && after[len(after)-1].Content == "Nothing attached"
		})
		if len(after) != before+1 {
			t.Fatalf("%d messages after refusing every file and sending one, had %d", len(after), before)
		}
	})

	t.Run("no content security policy violation", func(t *testing.T) {
		noCSPViolation(t, ctx)
	})
}

func TestBrowserConversationPresence(t *testing.T) {
	needBrowser(t, browserEnv)
	d := startDashboard(t)
	owner := d.NewAccount(t, "Shop")
	agent := d.NewUser(t, owner, sahay.RoleAgent)
	inbox := d.NewInbox(t, owner, "Website", "api", map[string]any{"webhook_url": ""}, owner.ID, agent.ID)
	conv := receive(t, d, owner.Token, inbox.ID, "c1", "Rahim", "Where is my order?", "m1").Conversation

	browser := newBrowser(t)
	ours := browser
	theirs := newProfile(t, browser)
	login(t, ours, d.URL, owner.Email, owner.Password)
	login(t, theirs, d.URL, agent.Email, agent.Password)
	waitFor(t, ours, "we are connected", `window.__sahay && window.__sahay.connected()`)
	waitFor(t, theirs, "they are connected", `window.__sahay && window.__sahay.connected()`)

	openConversation(t, ours, conv.ID)
	openConversation(t, theirs, conv.ID)
	waitFor(t, ours, "we see the agent viewing", fmt.Sprintf(`document.querySelector(".presence-bar:not([hidden])")?.textContent.includes(%s)`, jsString(agent.Name+" is viewing")))
	// They came second, and still learn at once that we are here.
	waitFor(t, theirs, "they see us viewing", fmt.Sprintf(`document.querySelector(".presence-bar:not([hidden])")?.textContent.includes(%s)`, jsString(owner.Name+" is viewing")))

	do(t, theirs, chromedp.SendKeys(chromedp.CSS(".composer-input"), "Let me check"))
	waitFor(t, ours, "we see the agent typing", fmt.Sprintf(`document.querySelector(".presence-item.typing")?.textContent.includes(%s)`, jsString(agent.Name+" is typing a reply…")))
	waitFor(t, ours, "typing returns to viewing when they pause", fmt.Sprintf(`!document.querySelector(".presence-item.typing") && document.querySelector(".presence-bar").textContent.includes(%s)`, jsString(agent.Name+" is viewing")))

	// Leaving the conversation says so at once.
	eval[bool](t, theirs, `(history.back(), true)`)
	waitFor(t, ours, "the agent leaves the bar", `document.querySelector(".presence-bar").hidden`)
	if eval[bool](t, ours, `!!document.querySelector(".customer-typing:not([hidden])")`) {
		t.Fatal("an API inbox shows the customer typing")
	}
}

func TestBrowserConversationMerge(t *testing.T) {
	needBrowser(t, browserEnv)
	d := startDashboard(t)
	owner := d.NewAccount(t, "Shop")
	inbox := d.NewInbox(t, owner, "Website", "api", map[string]any{"webhook_url": ""}, owner.ID)
	first := receive(t, d, owner.Token, inbox.ID, "rahim-app", "Rahim", "My order 1042 has not come.", "m1")
	second := receive(t, d, owner.Token, inbox.ID, "rahim-web", "Rahim Uddin", "Any news about order 1042?", "m2")
	// One customer who wrote from two places: after merging the contacts
	// they have two conversations.
	d.Must(t, owner.Token, http.MethodPost, fmt.Sprintf("/api/v1/contacts/%d/merge", first.Conversation.ContactID),
		map[string]any{"other_id": second.Conversation.ContactID}, http.StatusOK, nil)
	other := receive(t, d, owner.Token, inbox.ID, "someone-else", "Karim", "Unrelated", "m3")

	ctx := newBrowser(t)
	login(t, ctx, d.URL, owner.Email, owner.Password)
	// A colleague's dashboard shows the list meanwhile.
	watcher := newProfile(t, ctx)
	login(t, watcher, d.URL, owner.Email, owner.Password)
	do(t, watcher, chromedp.Navigate(d.URL+"/"))
	waitFor(t, watcher, "the colleague's list shows the second conversation", fmt.Sprintf(`!!document.querySelector('.conv-item[data-id="%d"]')`, second.Conversation.ID))
	openConversation(t, ctx, first.Conversation.ID)
	click(t, ctx, ".conv-head .merge-btn")
	item := fmt.Sprintf(`.dialog .merge-item[data-id="%d"]`, second.Conversation.ID)
	waitFor(t, ctx, "the picker lists the contact's other conversation", fmt.Sprintf(`document.querySelector(%s)?.textContent.includes("Any news")`, jsString(item)))
	if n := eval[int](t, ctx, `document.querySelectorAll(".dialog .merge-item").length`); n != 1 {
		t.Fatalf("the picker lists %d conversations, want only the contact's other one (not this one, not %d)", n, other.Conversation.ID)
	}
	click(t, ctx, item)
	waitFor(t, ctx, "a confirmation asks first", fmt.Sprintf(`document.querySelector(".dialog p")?.textContent.includes("Merge #%d into #%d?")`, second.Conversation.DisplayID, first.Conversation.DisplayID))
	clickText(t, ctx, ".dialog .form-actions .btn.primary", "Merge")

	waitFor(t, ctx, "the merged message joins the timeline", `[...document.querySelectorAll(".timeline .msg.incoming .msg-body")].some((e) => e.textContent.includes("Any news"))`)
	waitFor(t, ctx, "the timeline records the merge", fmt.Sprintf(`[...document.querySelectorAll(".timeline .msg.activity")].some((e) => e.textContent.includes("merged conversation #%d into this one"))`, second.Conversation.DisplayID))
	if r := d.Call(t, owner.Token, http.MethodGet, fmt.Sprintf("/api/v1/conversations/%d", second.Conversation.ID), nil); r.Status != http.StatusNotFound {
		t.Fatalf("the merged conversation answers %d, want 404", r.Status)
	}
	var contents []string
	for _, m := range messages(t, d, owner.Token, first.Conversation.ID) {
		contents = append(contents, m.Content)
	}
	joined := strings.Join(contents, "|")
	if !strings.Contains(joined, "has not come") || !strings.Contains(joined, "Any news") {
		t.Fatalf("the conversation holds %q, want both customer messages", joined)
	}
	waitFor(t, ctx, "the merged conversation leaves the list", fmt.Sprintf(`!document.querySelector('.conv-item[data-id="%d"]')`, second.Conversation.ID))
	waitFor(t, watcher, "the merged conversation leaves the colleague's list, without a reload", fmt.Sprintf(`!document.querySelector('.conv-item[data-id="%d"]')`, second.Conversation.ID))
}

// TestBrowserWidgetConversation is a visitor on a website chatting with an
// agent in the dashboard, each in their own browser: typing both ways, the
// reply, and read receipts both ways.
func TestBrowserWidgetConversation(t *testing.T) {
	needBrowser(t, browserEnv)
	// One of the browser tests that also run on PostgreSQL; the others
	// run on SQLite only, to keep the suite's time down.
	apitest.Dialects(t, func(t *testing.T, dialect string) {
		d := startShop(t)
		owner := d.NewAccount(t, "Nakshi")
		inbox := d.NewInbox(t, owner, "Nakshi Crafts", "widget", map[string]any{"title": "Nakshi Crafts"}, owner.ID)
		var embed struct {
			WebsiteToken string `json:"website_token"`
		}
		d.Must(t, owner.Token, http.MethodGet, fmt.Sprintf("/api/v1/inboxes/%d/widget", inbox.ID), nil, http.StatusOK, &embed)

		browser := newBrowser(t)
		agent := browser
		visitor := newProfile(t, browser)
		const shadow = `document.getElementById("sahay-widget")?.shadowRoot`

		do(t, visitor, chromedp.Navigate(d.URL+"/demo?inbox="+embed.WebsiteToken))
		waitFor(t, visitor, "the widget loads", shadow+`?.querySelector(".launcher") && window.Sahay`)
		eval[bool](t, visitor, `window.Sahay.ready.then(() => true)`)
		eval[bool](t, visitor, `(`+shadow+`.querySelector(".launcher").click(), true)`)
		waitFor(t, visitor, "the chat opens", shadow+`.querySelector("textarea")`)
		eval[bool](t, visitor, `(() => { const r = `+shadow+`; r.querySelector("textarea").value = "Is the Jamdani saree in stock?"; r.querySelector(".send").click(); return true })()`)
		waitFor(t, visitor, "the message is sent", shadow+`.querySelector(".msg.out .st")?.textContent === "Sent"`)

		var conv sahay.Conversation
		eventually(t, "the conversation reaches the inbox", func() bool {
			var list struct{ Items []sahay.Conversation }
			d.Must(t, owner.Token, http.MethodGet, "/api/v1/conversations?status=open", nil, http.StatusOK, &list)
			if len(list.Items) == 1 {
				conv = list.Items[0]
			}
			return conv.ID != 0
		})

		login(t, agent, d.URL, owner.Email, owner.Password)
		waitFor(t, agent, "the agent is connected", `window.__sahay && window.__sahay.connected()`)
		waitFor(t, agent, "the conversation is listed", fmt.Sprintf(`document.querySelector('.conv-item[data-id="%d"]')`, conv.ID))
		// A typing indicator sent now reaches the visitor after anything the
		// dashboard sent on loading the list, such as a wrong "seen".
		typing := func(on bool) {
			d.Must(t, owner.Token, http.MethodPost, fmt.Sprintf("/api/v1/conversations/%d/typing", conv.ID), map[string]bool{"on": on}, http.StatusNoContent, nil)
		}
		typing(true)
		waitFor(t, visitor, "the visitor sees the team typing", shadow+`.querySelector(".typing") !== null`)
		if got := eval[string](t, visitor, shadow+`.querySelector(".msg.out .st")?.textContent`); got != "Sent" {
			t.Fatalf("before the agent opened the conversation the visitor's message says %q, want Sent", got)
		}
		typing(false)
		waitFor(t, visitor, "the typing line goes", shadow+`.querySelector(".typing") === null`)

		t.Run("the visitor sees Seen once the agent opens it", func(t *testing.T) {
			openConversation(t, agent, conv.ID)
			waitFor(t, agent, "the message shows", `document.querySelector(".timeline .msg.incoming")?.textContent.includes("Jamdani")`)
			waitFor(t, visitor, "the visitor's message says Seen", shadow+`.querySelector(".msg.out .st")?.textContent === "Seen"`)
		})

		t.Run("the agent sees the visitor typing", func(t *testing.T) {
			eval[bool](t, visitor, `(() => { const i = `+shadow+`.querySelector("textarea"); i.value = "Also"; i.dispatchEvent(new Event("input")); return true })()`)
			waitFor(t, agent, "the customer typing line shows", `document.querySelector(".timeline .customer-typing:not([hidden])")?.textContent.includes("Customer is typing…")`)
		})

		t.Run("the visitor sees the agent typing", func(t *testing.T) {
			do(t, agent, chromedp.SendKeys(chromedp.CSS(".composer-input"), "Yes, in red and green"))
			waitFor(t, visitor, "the widget says the agent is typing", shadow+`.querySelector(".typing")?.textContent.includes("Nakshi")`)
		})

		t.Run("the reply reaches the visitor and is read", func(t *testing.T) {
			press(t, agent, "Enter")
			waitFor(t, visitor, "the reply shows in the widget", shadow+`.querySelector(".body").textContent.includes("Yes, in red and green")`)
			waitFor(t, visitor, "the typing line goes", shadow+`.querySelector(".typing") === null`)
			waitFor(t, agent, "the reply shows as read", `document.querySelector(".timeline .msg.outgoing .delivery")?.classList.contains("read")`)
		})

		t.Run("the visitor's next message ends their typing", func(t *testing.T) {
			eval[bool](t, visitor, `(() => { const r = `+shadow+`; r.querySelector("textarea").value = "Also, do you ship to Sylhet?"; r.querySelector(".send").click(); return true })()`)
			waitFor(t, agent, "the message shows and the typing line goes", `document.querySelector(".timeline").textContent.includes("ship to Sylhet") && document.querySelector(".customer-typing").hidden`)
			waitFor(t, visitor, "the new message is seen too", shadow+`.querySelector(".msg.out .st")?.textContent === "Seen"`)
		})
	})
}
