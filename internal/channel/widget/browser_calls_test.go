package widget

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"testing"

	"github.com/chromedp/cdproto/storage"
	"github.com/chromedp/chromedp"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/core"
)

// TestBrowserCallUsAndCallMeBack: on a phone, in English, Bengali and
// Hindi, a visitor sees "Call us" with the line's number as a tel: link
// and that someone is available; in English they ask to be called back,
// are told the server's reason for a bad number, and the request reaches
// the phone inbox. Once the line is closed, the panel says so.
func TestBrowserCallUsAndCallMeBack(t *testing.T) {
	ctx := startBrowser(t)
	e := newEnv(t, `{}`, Limits{})
	bg := context.Background()
	line, phone := e.withPhone(t)
	e.mustSetWidget(t, fmt.Sprintf(`{"title":"Nakshi Crafts","phone_inbox_id":%d,"call_us":true,"call_me_back":true}`, phone.ID))
	number := "+8801711000111"
	if _, err := e.svc.UpdateUser(bg, e.agent, e.agent.User.ID, core.UserInput{Phone: &number}); err != nil {
		t.Fatal(err)
	}
	defer e.svc.AgentConnected(e.agent)()

	open := func(t *testing.T, locale string) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(375, 740, chromedp.EmulateMobile), chromedp.Navigate("about:blank")); err != nil {
			t.Fatal(err)
		}
		if _, err := chromedp.Call(ctx, storage.ClearDataForOrigin, storage.ClearDataForOriginParams{Origin: e.srv.URL, StorageTypes: "local_storage"}); err != nil {
			t.Fatal(err)
		}
		if err := chromedp.Do(ctx, chromedp.Navigate(e.srv.URL+"/demo?inbox="+e.token+"&locale="+locale)); err != nil {
			t.Fatal(err)
		}
		until(t, ctx, "the launcher", shadow+`?.querySelector(".launcher") != null && window.Sahay != null`)
		js[any](t, ctx, `window.Sahay.ready.then(() => window.Sahay.open())`)
		until(t, ctx, "the call buttons", shadow+`.querySelector(".calls .cb") != null`)
	}

	for _, locale := range []string{"en", "bn", "hi"} {
		t.Run(locale, func(t *testing.T) {
			str := e.widget.assets.strings(locale)
			open(t, locale)
			buttons := js[[]string](t, ctx, `[...`+shadow+`.querySelectorAll(".calls .cb")].map((b) => b.textContent)`)
			if !slices.Equal(buttons, []string{str["call_us"], str["call_me_back"]}) {
				t.Fatalf("call buttons = %q, want %q and %q", buttons, str["call_us"], str["call_me_back"])
			}
			js[any](t, ctx, shadow+`.querySelector(".calls .cb").click()`)
			until(t, ctx, "the call panel", shadow+`.querySelector(".call .tel") != null`)
			if href := js[string](t, ctx, shadow+`.querySelector(".call .tel").getAttribute("href")`); href != "tel:"+lineNumber {
				t.Errorf("the number links to %q", href)
			}
			if got := js[string](t, ctx, shadow+`.querySelector(".call .cst").textContent`); got != str["call_available"] {
				t.Errorf("status = %q, want %q", got, str["call_available"])
			}
			if js[bool](t, ctx, shadow+`.querySelector("footer").getClientRects().length > 0`) {
				t.Error("the message box shows beside the call panel")
			}
			// Nothing is wider than the phone.
			if wide := js[[]string](t, ctx, `[...`+shadow+`.querySelectorAll(".panel, .calls .cb, .call, .call *")]
				.filter((el) => el.scrollWidth > el.clientWidth + 1 || el.getBoundingClientRect().right > 376)
				.map((el) => el.className || el.tagName)`); len(wide) > 0 {
				t.Errorf("wider than the phone: %v", wide)
			}
			screenshot(t, ctx, "widget-call-"+locale+".png")
		})
	}

	t.Run("call me back", func(t *testing.T) {
		str := e.widget.assets.strings("en")
		open(t, "en")
		js[any](t, ctx, `[...`+shadow+`.querySelectorAll(".calls .cb")][1].click()`)
		until(t, ctx, "the form, with the cursor in its number", shadow+`.activeElement === `+shadow+`.querySelector("form.cbf input[name=phone]")`)
		submit := func(phone string) {
			js[any](t, ctx, `(() => { const r = `+shadow+`; r.querySelector("input[name=phone]").value = `+strconv.Quote(phone)+`;
				r.querySelector("input[name=preferred_time]").value = "after 5 pm"; r.querySelector("textarea[name=note]").value = "About my order #1042";
				r.querySelector("form.cbf button[type=submit]").click(); })()`)
		}
		submit("")
		until(t, ctx, "the number is required", shadow+`.querySelector("form.cbf .err").textContent == `+strconv.Quote(str["field_required"]))
		submit("01711 223344")
		until(t, ctx, "the server's reason", shadow+`.querySelector("form.cbf .err").textContent.includes("country code, like +8801712345678")`)
		if n := len(phoneConversations(t, e, phone.ID)); n != 0 {
			t.Fatalf("a refused request made %d conversations", n)
		}
		submit("+880 1711 223344")
		until(t, ctx, "the confirmation", shadow+`.querySelector(".call .ok")?.textContent == "Thank you! We'll call you at +8801711223344."`)
		list := phoneConversations(t, e, phone.ID)
		if len(list) != 1 || !slices.Contains(list[0].Labels, sahay.CallBackLabel) {
			t.Fatalf("the phone inbox's conversations = %+v, want one labelled call-back", list)
		}
		if entries := callbackEntries(t, e, list[0].ID); len(entries) != 1 || entries[0].Details.Call.PreferredTime != "after 5 pm" ||
			entries[0].Content != "About my order #1042" {
			t.Fatalf("the request's entry = %+v", entries)
		}
		// Back to the chat, whose message box is there again.
		js[any](t, ctx, shadow+`.querySelector(".call .link").click()`)
		until(t, ctx, "the message box", shadow+`.querySelector(".call") == null && `+shadow+`.querySelector("textarea").getClientRects().length > 0`)

		// Out of the line's hours the panel says so.
		line.closed.Store(true)
		e.forgetLines()
		open(t, "en")
		js[any](t, ctx, shadow+`.querySelector(".calls .cb").click()`)
		until(t, ctx, "closed", shadow+`.querySelector(".call .cst")?.textContent == `+strconv.Quote(str["call_closed_leave"]))
	})
}
