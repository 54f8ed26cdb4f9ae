package web_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/channel/widget"

	"github.com/chromedp/chromedp"
)

// widgetShadow finds the widget's shadow root in a page.
const widgetShadow = `document.getElementById("sahay-widget")?.shadowRoot`

// previewShadow finds the widget's shadow root inside the editor's preview.
const previewShadow = `document.querySelector(".widget-preview-frame")?.contentDocument?.getElementById("sahay-widget")?.shadowRoot`

func widgetSettings(t *testing.T, d *dashboard, token string, inbox int64) widget.Settings {
	t.Helper()
	var e widget.Embed
	d.Must(t, token, http.MethodGet, fmt.Sprintf("/api/v1/inboxes/%d/widget", inbox), nil, http.StatusOK, &e)
	return e.Settings
}

// openShop opens the demo shop as a new visitor and waits for the widget.
func openShop(t *testing.T, browser context.Context, d *dashboard, query string) context.Context {
	t.Helper()
	ctx := newProfile(t, browser)
	do(t, ctx, chromedp.EmulateViewport(1100, 800), chromedp.Navigate(d.URL+"/demo?"+query))
	waitFor(t, ctx, "the widget loads", widgetShadow+`?.querySelector(".launcher") && window.Sahay`)
	eval[bool](t, ctx, `window.Sahay.ready.then(() => true)`)
	return ctx
}

func TestBrowserWidgetPages(t *testing.T) {
	needBrowser(t, browserEnv)
	d := startShop(t)
	owner := d.NewAccount(t, "Nakshi Crafts")
	inbox := d.NewInbox(t, owner, "Website", "widget", map[string]any{"greeting": "Hello from the shop"}, owner.ID)
	var embed widget.Embed
	d.Must(t, owner.Token, http.MethodGet, fmt.Sprintf("/api/v1/inboxes/%d/widget", inbox.ID), nil, http.StatusOK, &embed)
	shop := "inbox=" + embed.WebsiteToken

	browser := newBrowser(t)
	ctx := browser
	do(t, ctx, chromedp.EmulateViewport(1500, 900))
	login(t, ctx, d.URL, owner.Email, owner.Password)

	t.Run("the preview follows the form before saving", func(t *testing.T) {
		do(t, ctx, chromedp.Navigate(d.URL+"/settings/inboxes"))
		watchCSP(t, ctx)
		clickText(t, ctx, ".widget-link", "Widget settings")
		waitFor(t, ctx, "the editor opens", fmt.Sprintf(`location.pathname === "/settings/inboxes/%d/widget" && document.querySelector("input[name=color]")`, inbox.ID))
		waitFor(t, ctx, "the preview shows the saved greeting", previewShadow+`?.querySelector(".body")?.textContent.includes("Hello from the shop")`)

		setField(t, ctx, "input[name=color]", "#b42318")
		setField(t, ctx, "textarea[name=greeting]", "")
		do(t, ctx, chromedp.SendKeys(chromedp.CSS("textarea[name=greeting]"), "Namaskar! Ask us about sarees."))
		waitFor(t, ctx, "the preview's URL carries the new settings",
			`decodeURIComponent(document.querySelector(".widget-preview-frame").src.replaceAll("+", " ")).includes('"color":"#b42318"')`)
		waitFor(t, ctx, "the preview shows the new greeting", previewShadow+`?.querySelector(".body")?.textContent.includes("Namaskar! Ask us about sarees.")`)
		do(t, ctx, chromedp.Sleep(500*time.Millisecond))
		if got := eval[string](t, ctx, `document.activeElement?.name ?? document.activeElement?.tagName`); got != "greeting" {
			t.Errorf("after the preview reloaded, the focus is on %s, not on the greeting being typed", got)
		}
		if c := eval[string](t, ctx, `getComputedStyle(`+previewShadow+`.querySelector("header")).backgroundColor`); c != "rgb(180, 35, 24)" {
			t.Errorf("preview header is %s, want the new color rgb(180, 35, 24)", c)
		}
		if !eval[bool](t, ctx, `!document.querySelector(".widget-dirty").hidden`) {
			t.Error("the editor does not say the changes are unsaved")
		}
		if s := widgetSettings(t, d, owner.Token, inbox.ID); s.Color != "#1f6feb" || s.Greeting != "Hello from the shop" {
			t.Fatalf("settings changed before saving: color %s, greeting %q", s.Color, s.Greeting)
		}

		click(t, ctx, ".widget-save")
		waitFor(t, ctx, "the save is confirmed", `[...document.querySelectorAll(".toast")].some((e) => e.textContent === "Saved")`)
		s := widgetSettings(t, d, owner.Token, inbox.ID)
		if s.Color != "#b42318" || s.Greeting != "Namaskar! Ask us about sarees." {
			t.Fatalf("saved settings: color %s, greeting %q", s.Color, s.Greeting)
		}
		if s.WebsiteToken != embed.WebsiteToken {
			t.Fatalf("saving changed the website token from %s to %s", embed.WebsiteToken, s.WebsiteToken)
		}
		waitFor(t, ctx, "the editor has no unsaved changes", `document.querySelector(".widget-dirty").hidden`)
		noCSPViolation(t, ctx)
	})

	t.Run("an invalid color shows the server's reason and saves nothing", func(t *testing.T) {
		shown := eval[string](t, ctx, `document.querySelector(".widget-preview-frame").src`)
		setField(t, ctx, "input[name=color]", "#b4231")
		waitFor(t, ctx, "the preview reports the reason", `document.querySelector(".widget-error:not([hidden])")?.textContent.includes("color and text_color look like #1f6feb")`)
		click(t, ctx, ".widget-save")
		waitFor(t, ctx, "saving reports the reason", `[...document.querySelectorAll(".toast.error")].some((e) => e.textContent.includes("color and text_color look like #1f6feb"))`)
		if got := eval[string](t, ctx, `document.querySelector(".widget-preview-frame").src`); got != shown {
			t.Errorf("the preview moved to refused settings: %s", got)
		}
		if s := widgetSettings(t, d, owner.Token, inbox.ID); s.Color != "#b42318" {
			t.Fatalf("the refused color was saved: %s", s.Color)
		}
		setField(t, ctx, "input[name=color]", "#b42318")
		waitFor(t, ctx, "the reason goes once the color is right", `document.querySelector(".widget-error").hidden`)
	})

	t.Run("a campaign is added and listed with its counts", func(t *testing.T) {
		clickText(t, ctx, ".add-campaign", "Add campaign")
		waitFor(t, ctx, "the campaign form shows", `document.querySelector(".campaign textarea[name=campaign_message]")`)
		setField(t, ctx, ".campaign input[name=campaign_id]", "saree-help")
		setField(t, ctx, ".campaign textarea[name=campaign_message]", "Looking for a saree? We can help.")
		setField(t, ctx, ".campaign input[name=campaign_url]", "*campaign=1*")
		setField(t, ctx, ".campaign input[name=campaign_delay]", "0")
		click(t, ctx, ".widget-save")
		waitFor(t, ctx, "the campaign is listed with its counts", `document.querySelector('.campaign-stats tr[data-campaign="saree-help"] .shown')?.textContent === "0"`)
		s := widgetSettings(t, d, owner.Token, inbox.ID)
		if len(s.Campaigns) != 1 || s.Campaigns[0] != (widget.Campaign{ID: "saree-help", Enabled: true, Message: "Looking for a saree? We can help.", URLPattern: "*campaign=1*"}) {
			t.Fatalf("saved campaigns: %+v", s.Campaigns)
		}
	})

	var conv sahay.Conversation
	visitor := openShop(t, browser, d, shop)

	t.Run("the visitors page lists a live visitor and starts a chat", func(t *testing.T) {
		eval[bool](t, visitor, `window.Sahay.setCart({items: [{name: "Jamdani saree", quantity: 1, price: 9800}], total: 9800, currency: "BDT"}).then(() => true)`)
		click(t, ctx, "#nav-visitors")
		waitFor(t, ctx, "the visitor is listed on the shop's page", `[...document.querySelectorAll(".visitors .visitor-page")].some((e) => e.textContent.includes("Nakshi Crafts"))`)
		waitFor(t, ctx, "the visitor's cart shows", `document.querySelector(".visitors .visitor-cart")?.textContent.includes("9,800")`)
		row := eval[string](t, ctx, `document.querySelector(".visitors tbody tr").innerText`)
		for _, want := range []string{"New visitor", "1 page this visit", "Desktop", "Chrome"} {
			if !strings.Contains(row, want) {
				t.Errorf("the visitor's row lacks %q:\n%s", want, row)
			}
		}

		clickText(t, ctx, ".visitors .start-chat", "Start chat")
		waitFor(t, ctx, "the dialog asks for a message", `document.querySelector(".dialog textarea[name=content]")`)
		setField(t, ctx, ".dialog textarea[name=content]", "Hi! Can I help you choose a saree?")
		eval[bool](t, ctx, `(document.querySelector(".dialog form").requestSubmit(), true)`)
		waitFor(t, ctx, "the new conversation opens", `location.pathname.startsWith("/conversations/") && document.querySelector(".timeline .msg.outgoing")?.textContent.includes("choose a saree")`)
		id := eval[int64](t, ctx, `Number(location.pathname.split("/")[2])`)
		conv = conversation(t, d, owner.Token, id)
		if conv.InboxID != inbox.ID {
			t.Fatalf("the chat started in inbox %d, want %d", conv.InboxID, inbox.ID)
		}

		waitFor(t, visitor, "the visitor's widget opens with the message", widgetShadow+`.querySelector(".panel") && getComputedStyle(`+widgetShadow+`.querySelector(".panel")).display === "flex" && `+
			widgetShadow+`.querySelector(".body").textContent.includes("Hi! Can I help you choose a saree?")`)
	})

	t.Run("the contact panel shows the cart", func(t *testing.T) {
		waitFor(t, ctx, "the cart shows in the contact panel", `document.querySelector(".contact-panel .orders-box:not([hidden]) .cart")?.textContent.includes("Jamdani saree")`)
		box := eval[string](t, ctx, `document.querySelector(".contact-panel .orders-box").textContent`)
		for _, want := range []string{"Cart and orders", "× 1", "BDT", "9,800.00"} {
			if !strings.Contains(box, want) {
				t.Errorf("the cart lacks %q:\n%s", want, box)
			}
		}
		eval[bool](t, visitor, `window.Sahay.setCart({items: [{name: "Jamdani saree", quantity: 1, price: 9800}, {name: "Terracotta horse", quantity: 2, price: 850}], total: 11500, currency: "BDT"}).then(() => true)`)
		waitFor(t, ctx, "the panel follows the new cart", `document.querySelector(".contact-panel .orders-box .cart")?.textContent.includes("Terracotta horse")`)
	})

	t.Run("a campaign and a rating reach the widget page", func(t *testing.T) {
		other := openShop(t, browser, d, shop+"&campaign=1")
		waitFor(t, other, "the campaign opens the widget", widgetShadow+`.querySelector(".body")?.textContent.includes("Looking for a saree? We can help.")`)
		eventually(t, "the showing is counted", func() bool {
			var r struct{ Campaigns []widget.CampaignReport }
			d.Must(t, owner.Token, http.MethodGet, fmt.Sprintf("/api/v1/inboxes/%d/campaigns", inbox.ID), nil, http.StatusOK, &r)
			return len(r.Campaigns) == 1 && r.Campaigns[0].Shown == 1
		})

		d.Must(t, owner.Token, http.MethodPatch, fmt.Sprintf("/api/v1/conversations/%d", conv.ID), map[string]any{"status": "resolved"}, http.StatusOK, nil)
		waitFor(t, visitor, "the visitor is asked for a rating", widgetShadow+`.querySelector(".csat .face")`)
		eval[bool](t, visitor, `(`+widgetShadow+`.querySelectorAll(".csat .face")[4].click(), `+widgetShadow+`.querySelector(".csat button.primary").click(), true)`)
		waitFor(t, visitor, "the rating is thanked for", widgetShadow+`.querySelector(".csat") && !`+widgetShadow+`.querySelector(".csat .face")`)

		do(t, ctx, chromedp.Navigate(fmt.Sprintf("%s/settings/inboxes/%d/widget", d.URL, inbox.ID)))
		watchCSP(t, ctx)
		waitFor(t, ctx, "the campaign counts one showing", `document.querySelector('.campaign-stats tr[data-campaign="saree-help"] .shown')?.textContent === "1"`)
		waitFor(t, ctx, "the satisfaction score shows", `document.querySelector(".csat-value")?.textContent === "100%"`)
		waitFor(t, ctx, "the preview loads", previewShadow+`?.querySelector(".body")`)
		noCSPViolation(t, ctx)
	})

	t.Run("a website chat inbox is created and renamed from the dashboard", func(t *testing.T) {
		do(t, ctx, chromedp.Navigate(d.URL+"/settings/inboxes"))
		clickText(t, ctx, ".toolbar .add", "New inbox")
		waitFor(t, ctx, "the dialog opens", `document.querySelector(".dialog select[name=channel]")`)
		setField(t, ctx, ".dialog input[name=name]", "Outlet")
		setField(t, ctx, ".dialog select[name=channel]", "widget")
		if eval[bool](t, ctx, `!!document.querySelector(".dialog input[name=webhook_url]")`) {
			t.Error("a website chat inbox is offered a webhook")
		}
		if eval[bool](t, ctx, `!!document.querySelector(".dialog input:required:not([name=name])")`) {
			t.Error("a website chat inbox asks for a setting it does not need")
		}
		eval[bool](t, ctx, `(document.querySelector(".dialog form").requestSubmit(), true)`)
		waitFor(t, ctx, "its widget settings open", `/^\/settings\/inboxes\/\d+\/widget$/.test(location.pathname) && document.querySelector(".copy-field .snippet")?.value.includes("data-inbox=")`)
		id := eval[int64](t, ctx, `Number(location.pathname.split("/")[3])`)

		do(t, ctx, chromedp.Navigate(d.URL+"/settings/inboxes"))
		waitFor(t, ctx, "the inbox is listed", fmt.Sprintf(`document.querySelector('tr[data-id="%d"]')`, id))
		eval[bool](t, ctx, fmt.Sprintf(`(document.querySelector('tr[data-id="%d"] .actions button[title=Edit]').click(), true)`, id))
		setField(t, ctx, ".dialog input[name=name]", "Outlet shop")
		eval[bool](t, ctx, `(document.querySelector(".dialog form").requestSubmit(), true)`)
		waitFor(t, ctx, "the new name is listed", fmt.Sprintf(`document.querySelector('tr[data-id="%d"]')?.textContent.includes("Outlet shop")`, id))
		var in sahay.Inbox
		d.Must(t, owner.Token, http.MethodGet, fmt.Sprintf("/api/v1/inboxes/%d", id), nil, http.StatusOK, &in)
		if in.Channel != widget.Name || in.Name != "Outlet shop" {
			t.Fatalf("inbox %d is %s %q, want the widget inbox Outlet shop", id, in.Channel, in.Name)
		}
	})

	if os.Getenv("SAHAY_SCREENSHOTS") == "1" {
		t.Run("screenshots", func(t *testing.T) {
			out := filepath.Join("..", "..", "docs", "screenshots")
			for _, lang := range []string{"en", "bn"} {
				d.Must(t, owner.Token, http.MethodPatch, "/api/v1/me", map[string]any{"locale": lang}, http.StatusOK, nil)
				pages := []struct{ name, path, ready string }{
					{"widget", fmt.Sprintf("/settings/inboxes/%d/widget", inbox.ID), previewShadow + `?.querySelector(".body")`},
					{"visitors", "/visitors", `document.querySelector(".visitors .visitor-cart")`},
				}
				for _, p := range pages {
					for _, size := range []struct{ w, h int64 }{{1280, 800}, {375, 740}} {
						opts := []chromedp.EmulateViewportOption{}
						if size.w < 500 {
							opts = append(opts, chromedp.EmulateMobile)
						}
						do(t, ctx, chromedp.EmulateViewport(size.w, size.h, opts...), chromedp.Navigate(d.URL+p.path))
						waitFor(t, ctx, p.name+" in "+lang, fmt.Sprintf(`document.documentElement.lang === %q && (%s)`, lang, p.ready))
						shoot(t, ctx, filepath.Join(out, fmt.Sprintf("dashboard-%s-%s-%d.png", p.name, lang, size.w)))
					}
				}
			}
		})
	}

	t.Run("one name for a visitor, in the agent's language, and who left is apart", func(t *testing.T) {
		do(t, ctx, chromedp.Navigate(d.URL+"/visitors"))
		waitFor(t, ctx, "the visitor is listed", `document.querySelector(".visitors tr[data-visitor]")`)
		id := eval[string](t, ctx, `document.querySelector(".visitors tr[data-visitor]").dataset.visitor`)
		code := strings.ToUpper(strings.TrimPrefix(id, "v:")[:4])
		names := map[string]string{"en": "Visitor " + code, "bn": "ভিজিটর " + code, "hi": "विज़िटर " + code}
		for _, lang := range []string{"en", "bn", "hi"} {
			d.Must(t, owner.Token, http.MethodPatch, "/api/v1/me", map[string]any{"locale": lang}, http.StatusOK, nil)
			name := names[lang]
			do(t, ctx, chromedp.Navigate(fmt.Sprintf("%s/conversations/%d?view=all&status=resolved", d.URL, conv.ID)))
			waitFor(t, ctx, "the conversation's header names the visitor in "+lang, fmt.Sprintf(`document.documentElement.lang === %q && document.querySelector(".conv-head")?.textContent.includes(%q)`, lang, name))
			waitFor(t, ctx, "the list names the visitor in "+lang, fmt.Sprintf(`[...document.querySelectorAll(".conv-item")].some((e) => e.textContent.includes(%q))`, name))
			do(t, ctx, chromedp.Navigate(d.URL+"/visitors"))
			waitFor(t, ctx, "the visitors page names the visitor in "+lang, fmt.Sprintf(`document.querySelector(".visitors tr[data-visitor] .visitor-name")?.textContent === %q`, name))
		}

		if err := chromedp.Cancel(visitor); err != nil {
			t.Fatal(err)
		}
		waitFor(t, ctx, "the visitor who left is listed apart", `document.querySelector(".visitors.left tr[data-visitor]")?.textContent.includes("साइट छोड़ गए") && !document.querySelector(".visitors.here")`)
		if got := eval[string](t, ctx, `document.querySelector(".visitors-total").textContent`); !strings.Contains(got, "0") && !strings.Contains(got, "०") {
			t.Errorf("the page says %q, want no one online", got)
		}
		d.Must(t, owner.Token, http.MethodPatch, "/api/v1/me", map[string]any{"locale": "en"}, http.StatusOK, nil)
	})
}
