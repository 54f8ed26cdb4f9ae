package widget

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/storage"
	"github.com/chromedp/chromedp"

	"github.com/sahayhq/sahay/internal/core"
	"github.com/sahayhq/sahay/internal/helpcenter"
)

// TestBrowserHelpArticles: on a phone, in English, Bengali and Hindi, a
// new visitor sees the article suggested for the page they are on,
// searches, reads an article inside the window, answers that it helped,
// and goes on to chat.
func TestBrowserHelpArticles(t *testing.T) {
	ctx := startBrowser(t)
	e := newEnv(t, `{"title":"Nakshi Crafts","greeting":"Hi! Ask us about orders, sizes or delivery."}`, Limits{})
	bg := context.Background()
	a := seedKB(t, e)
	// The help center's pages and the articles' images, as Sahay serves them.
	helpcenter.New(helpcenter.Config{Service: e.svc, Log: e.widget.log}).Routes(e.mux)
	// The returns article is about the demo store's page too.
	pages := []string{"/checkout*", "/demo"}
	if _, err := e.svc.UpdateKBArticle(bg, e.agent, a.returns, core.ArticleInput{Pages: &pages}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		locale, suggested, returns, query, results, orders, helpful, thanks, message string
	}{
		{"en", "Suggested articles", "Returns and refunds", "track order", "Articles found", "Track your order", "Was this helpful?", "Thank you for your feedback!", "My parcel has not moved for three days"},
		{"bn", "প্রস্তাবিত নিবন্ধ", "পণ্য ফেরত ও টাকা ফেরত", "অর্ডার", "পাওয়া নিবন্ধ", "আপনার অর্ডার ট্র্যাক করুন", "এটি কি সহায়ক ছিল?", "আপনার মতামতের জন্য ধন্যবাদ!", "তিন দিন ধরে পার্সেল একই জায়গায়"},
		{"hi", "सुझाए गए लेख", "वापसी और रिफंड", "ऑर्डर ट्रैक", "मिले हुए लेख", "अपना ऑर्डर ट्रैक करें", "क्या यह मददगार था?", "आपकी प्रतिक्रिया के लिए धन्यवाद!", "तीन दिन से पार्सल आगे नहीं बढ़ा"},
	} {
		t.Run(c.locale, func(t *testing.T) {
			// A new visitor on a phone.
			if err := chromedp.Do(ctx, chromedp.EmulateViewport(375, 740, chromedp.EmulateMobile), chromedp.Navigate("about:blank")); err != nil {
				t.Fatal(err)
			}
			if _, err := chromedp.Call(ctx, storage.ClearDataForOrigin, storage.ClearDataForOriginParams{Origin: e.srv.URL, StorageTypes: "local_storage"}); err != nil {
				t.Fatal(err)
			}
			if err := chromedp.Do(ctx, chromedp.Navigate(e.srv.URL+"/demo?inbox="+e.token+"&locale="+c.locale)); err != nil {
				t.Fatal(err)
			}
			until(t, ctx, "the launcher", shadow+`?.querySelector(".launcher") != null && window.Sahay != null`)
			js[any](t, ctx, `window.Sahay.ready.then(() => window.Sahay.open())`)

			// The page's article is suggested; the message box is still there.
			until(t, ctx, "the suggestions", shadow+`.querySelector(".kb h3")?.textContent == `+quote(c.suggested))
			if got := js[[]string](t, ctx, `[...`+shadow+`.querySelectorAll(".kbi strong")].map((x) => x.textContent)`); len(got) != 1 || got[0] != c.returns {
				t.Fatalf("suggested %q, want only %q", got, c.returns)
			}
			if !js[bool](t, ctx, shadow+`.querySelector("textarea").getClientRects().length > 0`) {
				t.Error("the message box is hidden beside the suggestions")
			}
			screenshot(t, ctx, "widget-kb-"+c.locale+".png")

			// A search in the visitor's language.
			js[any](t, ctx, `(() => { const i = `+shadow+`.querySelector(".kbq"); i.focus(); i.value = `+quote(c.query)+`; i.dispatchEvent(new Event("input")); })()`)
			until(t, ctx, "the results", shadow+`.querySelector(".kb h3")?.textContent == `+quote(c.results)+` && `+
				shadow+`.querySelector(".kbi strong")?.textContent == `+quote(c.orders))
			if !js[bool](t, ctx, shadow+`.querySelector(".kbi mark") != null`) {
				t.Error("the result marks no matched word")
			}
			screenshot(t, ctx, "widget-kb-search-"+c.locale+".png")

			// The article, inside the window, without the message box.
			js[any](t, ctx, shadow+`.querySelector(".kbi").click()`)
			until(t, ctx, "the article", shadow+`.querySelector(".kba h2")?.textContent == `+quote(c.orders))
			if js[bool](t, ctx, shadow+`.querySelector("textarea").getClientRects().length > 0`) {
				t.Error("the message box shows under the article")
			}
			if got := js[string](t, ctx, `(() => { const l = `+shadow+`.querySelector(".kbh a"); return l.href + " " + l.target + " " + l.rel; })()`); got != "https://courier.example.com/track _blank noopener" {
				t.Errorf("the article's link: %s", got)
			}
			if got := js[string](t, ctx, shadow+`.querySelector("a.link").href`); !strings.HasPrefix(got, e.srv.URL+"/hc/") || !strings.Contains(got, "/"+c.locale+"/articles/") {
				t.Errorf("the help center's address: %s", got)
			}
			if n := js[int](t, ctx, shadow+`.querySelectorAll(".kbh li, .kbh h2, .kbh strong").length`); n != 4 {
				t.Errorf("the article shows %d list items, headings and bold words, want 4", n)
			}
			// The picture comes from the help center and fits the window.
			until(t, ctx, "the article's picture", shadow+`.querySelector(".kbh img")?.complete && `+shadow+`.querySelector(".kbh img").naturalWidth == 1200`)
			if got := js[string](t, ctx, `(() => { const i = `+shadow+`.querySelector(".kbh img"), a = `+shadow+`.querySelector(".kbh");
				return i.src.startsWith(`+quote(e.srv.URL+"/hc-files/")+`) && i.getBoundingClientRect().width <= a.getBoundingClientRect().width ? "ok" : i.src + " " + i.getBoundingClientRect().width; })()`); got != "ok" {
				t.Errorf("the picture: %s", got)
			}
			page, err := http.Get(js[string](t, ctx, shadow+`.querySelector("a.link").href`))
			if err != nil {
				t.Fatal(err)
			}
			page.Body.Close()
			if page.StatusCode != 200 {
				t.Errorf("the help center's page answers %d", page.StatusCode)
			}
			screenshot(t, ctx, "widget-kb-article-"+c.locale+".png")

			if c.locale == "en" {
				// Back to the results, as they were.
				js[any](t, ctx, shadow+`.querySelector(".kbb").click()`)
				until(t, ctx, "the results again", shadow+`.querySelector(".kbq")?.value == `+quote(c.query)+` && `+
					shadow+`.querySelector(".kb h3")?.textContent == `+quote(c.results))
				js[any](t, ctx, shadow+`.querySelector(".kbi").click()`)
				until(t, ctx, "the article again", shadow+`.querySelector(".kba h2")?.textContent == `+quote(c.orders))
			}

			// It helped.
			if got := js[string](t, ctx, shadow+`.querySelector(".kbf span").textContent`); got != c.helpful {
				t.Errorf("the question reads %q, want %q", got, c.helpful)
			}
			js[any](t, ctx, shadow+`.querySelector(".kbf button").click()`)
			until(t, ctx, "the thanks", shadow+`.querySelector(".kbf").textContent == `+quote(c.thanks))

			// Still, a chat.
			js[any](t, ctx, shadow+`.querySelector(".kbc .primary").click()`)
			until(t, ctx, "the message box", shadow+`.querySelector(".kba") == null && `+shadow+`.querySelector(".kb") == null && `+
				shadow+`.activeElement === `+shadow+`.querySelector("textarea")`)
			js[any](t, ctx, `(() => { const r = `+shadow+`; r.querySelector("textarea").value = `+quote(c.message)+`; r.querySelector(".send").click(); })()`)
			waitFor(t, "the conversation", func() bool {
				list, _, err := e.svc.ListConversations(bg, e.agent, core.ListQuery{})
				if err != nil {
					t.Fatal(err)
				}
				for _, conv := range list {
					if conv.LastMessage == c.message {
						return true
					}
				}
				return false
			})
			until(t, ctx, "the message acknowledged", shadow+`.querySelector(".msg.out .st") != null`)
		})
	}

	if err := e.svc.FlushKBStats(bg); err != nil {
		t.Fatal(err)
	}
	r, err := e.svc.KBReport(bg, e.agent, "", "")
	if err != nil {
		t.Fatal(err)
	}
	// Each visitor read the article once, the English one twice, and
	// each page was fetched once from the help center.
	if r.Views != 7 || r.Helpful != 3 || r.NotHelpful != 0 || r.Searches == 0 {
		t.Errorf("report: %d views, %d helpful, %d not helpful, %d searches", r.Views, r.Helpful, r.NotHelpful, r.Searches)
	}

	// An agent who writes to a visitor reading an article is read at once.
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, storage.ClearDataForOrigin, storage.ClearDataForOriginParams{Origin: e.srv.URL, StorageTypes: "local_storage"}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(e.srv.URL+"/demo?inbox="+e.token)); err != nil {
		t.Fatal(err)
	}
	until(t, ctx, "the launcher", shadow+`?.querySelector(".launcher") != null && window.Sahay != null`)
	js[any](t, ctx, `window.Sahay.ready.then(() => window.Sahay.open())`)
	until(t, ctx, "the suggestions", shadow+`.querySelector(".kbi") != null`)
	js[any](t, ctx, shadow+`.querySelector(".kbi").click()`)
	until(t, ctx, "the article", shadow+`.querySelector(".kba") != null`)
	token := js[string](t, ctx, `JSON.parse(localStorage.getItem(Object.keys(localStorage).find((k) => k.startsWith("sahay:") && k !== "sahay:locale"))).token`)
	v, err := e.widget.parseVisitor(bg, token)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.svc.StartConversation(bg, e.agent, e.inbox.ID, v.subject, "Hi! Did the returns article answer your question?"); err != nil {
		t.Fatal(err)
	}
	until(t, ctx, "the agent's message in place of the article", shadow+`.querySelector(".kba") == null && `+
		shadow+`.querySelector(".body").textContent.includes("Did the returns article answer") && `+
		shadow+`.querySelector("textarea").getClientRects().length > 0`)
}
