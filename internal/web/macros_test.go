package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"testing"

	sahay "github.com/sahayhq/sahay"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
)

// pressArrow presses ArrowDown or ArrowUp in the focused element.
func pressArrow(t *testing.T, ctx context.Context, key string) {
	t.Helper()
	k := input.DispatchKeyEventParams{Key: key, Code: key, WindowsVirtualKeyCode: 40, NativeVirtualKeyCode: 40}
	if key == "ArrowUp" {
		k.WindowsVirtualKeyCode, k.NativeVirtualKeyCode = 38, 38
	}
	down, up := k, k
	down.Type, up.Type = input.DispatchKeyEventTypeRawKeyDown, input.DispatchKeyEventTypeKeyUp
	do(t, ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		for _, e := range []input.DispatchKeyEventParams{down, up} {
			if _, err := cdp.Call(ctx, tg, input.DispatchKeyEvent, e); err != nil {
				return err
			}
		}
		return nil
	}))
}

// buildMacro fills the open macro builder: a name, who sees it, and the
// actions (action, value) in order, through its pickers.
func buildMacro(t *testing.T, ctx context.Context, name, visibility string, actions [][2]string) {
	t.Helper()
	waitFor(t, ctx, "the builder opens", `document.querySelector(".dialog input[name=name]") && document.querySelector(".dialog .macro-action")`)
	setField(t, ctx, ".dialog input[name=name]", name)
	setField(t, ctx, ".dialog select[name=visibility]", visibility)
	for i, a := range actions {
		if i > 0 {
			eval[bool](t, ctx, `(document.querySelector(".dialog .add-action").click(), true)`)
		}
		row := fmt.Sprintf(".dialog .macro-action:nth-child(%d)", i+1)
		waitFor(t, ctx, "action row "+fmt.Sprint(i+1), fmt.Sprintf(`document.querySelector(%s)`, jsString(row+" select[name=action]")))
		setField(t, ctx, row+" select[name=action]", a[0])
		waitFor(t, ctx, "the value picker of "+a[0], fmt.Sprintf(`document.querySelector(%s)`, jsString(row+" [name=value]")))
		setField(t, ctx, row+" [name=value]", a[1])
	}
}

// TestBrowserMacros: an administrator builds a macro in Settings › Macros
// from pickers, and an agent runs it on conversations with the "m" key
// (arrows and Enter, then Enter on the confirmation) and with a click; the
// conversation shows its label, priority and message, and the timeline
// says who ran it. A phone has them in the conversation's actions menu,
// and the pages fit.
func TestBrowserMacros(t *testing.T) {
	needBrowser(t, browserEnv)
	d := startDashboard(t)
	owner := d.NewAccount(t, "Bazaar")
	agent := d.NewUser(t, owner, sahay.RoleAgent)
	inbox := d.NewInbox(t, owner, "Shop", "api", nil, agent.ID)
	for _, l := range []string{"billing", "vip"} {
		d.Must(t, owner.Token, http.MethodPost, "/api/v1/labels", map[string]string{"name": l}, http.StatusCreated, nil)
	}
	byKey := receive(t, d, owner.Token, inbox.ID, "c-1", "Rahim Uddin", "I was charged twice", "m-1").Conversation
	byClick := receive(t, d, owner.Token, inbox.ID, "c-2", "Priya Verma", "refund please", "m-2").Conversation
	onPhone := receive(t, d, owner.Token, inbox.ID, "c-3", "John Miles", "hello?", "m-3").Conversation

	browser := newBrowser(t)
	admin := newProfile(t, browser)
	do(t, admin, chromedp.EmulateViewport(1280, 800))
	login(t, admin, d.URL, owner.Email, owner.Password)

	t.Run("build a macro in the settings", func(t *testing.T) {
		do(t, admin, chromedp.Navigate(d.URL+"/settings/macros"))
		waitFor(t, admin, "the macros page shows", `document.querySelector(".settings-body .toolbar .add")`)
		eval[bool](t, admin, `(document.querySelector(".settings-body .toolbar .add").click(), true)`)
		buildMacro(t, admin, "Escalate", "account", [][2]string{{"add_label", "vip"}, {"set_priority", "4"}, {"send_message", "We are on it."}})
		eval[bool](t, admin, `(document.querySelector(".dialog input[name=name]").form.requestSubmit(), true)`)
		waitFor(t, admin, "the macro is listed with its actions", `[...document.querySelectorAll(".macro-item")].some((e) => e.querySelector(".macro-name").textContent === "Escalate" && e.querySelectorAll(".macro-steps li").length === 3)`)
		var list struct {
			Items []struct {
				Name, Visibility string
				Actions          []struct {
					Action string
					Value  json.RawMessage
				}
			}
		}
		d.Must(t, agent.Token, http.MethodGet, "/api/v1/macros", nil, http.StatusOK, &list)
		if len(list.Items) != 1 || list.Items[0].Visibility != "account" || len(list.Items[0].Actions) != 3 {
			t.Fatalf("macros: %+v", list.Items)
		}
		var got []string
		for _, a := range list.Items[0].Actions {
			got = append(got, a.Action+" "+string(a.Value))
		}
		if want := []string{`add_label "vip"`, "set_priority 4", `send_message "We are on it."`}; !slices.Equal(got, want) {
			t.Errorf("the built macro's actions: %v, want %v", got, want)
		}
	})

	ctx := newProfile(t, browser)
	do(t, ctx, chromedp.EmulateViewport(1280, 800))
	login(t, ctx, d.URL, agent.Email, agent.Password)
	ran := func(c sahay.Conversation) {
		t.Helper()
		waitFor(t, ctx, "the conversation shows the macro's label and priority",
			`[...document.querySelectorAll(".tool.labels .chip")].some((c) => c.textContent.includes("vip")) && document.querySelector(".tool.priority .prio.p4")`)
		waitFor(t, ctx, "the timeline shows the message and who ran the macro",
			`[...document.querySelectorAll(".timeline .msg")].some((m) => m.textContent.includes("We are on it.")) && document.querySelector(".timeline").textContent.includes("ran the macro Escalate")`)
		eventually(t, "the conversation changed", func() bool {
			got := conversation(t, d, owner.Token, c.ID)
			return slices.Equal(got.Labels, []string{"vip"}) && got.Priority == sahay.PriorityUrgent
		})
	}

	t.Run("run it with the keyboard", func(t *testing.T) {
		do(t, ctx, chromedp.Navigate(fmt.Sprintf("%s/conversations/%d", d.URL, byKey.ID)))
		waitFor(t, ctx, "the conversation shows", `document.querySelector(".conv-head .macros-btn") && document.querySelector(".timeline .msg")`)
		eval[bool](t, ctx, `(document.activeElement?.blur(), true)`)
		press(t, ctx, "m")
		waitFor(t, ctx, "the macro list opens", `document.querySelector(".dialog .macro-choice")`)
		if got := eval[string](t, ctx, `document.querySelector(".dialog .macro-filter").value`); got != "" {
			t.Errorf("the key that opened the list was typed into it: %q", got)
		}
		pressArrow(t, ctx, "ArrowDown")
		waitFor(t, ctx, "the arrow moves to the macro", `document.activeElement?.classList.contains("macro-choice")`)
		press(t, ctx, "Enter")
		waitFor(t, ctx, "the confirmation lists the actions", `document.querySelectorAll(".dialog .macro-steps li").length === 3 && document.activeElement?.classList.contains("run-macro")`)
		if got := eval[string](t, ctx, `document.querySelector(".dialog .macro-steps").textContent`); got != "Add the label vipSet the priority to UrgentSend: “We are on it.”" {
			t.Errorf("the confirmation reads %q", got)
		}
		press(t, ctx, "Enter")
		ran(byKey)
	})

	t.Run("run it with a click", func(t *testing.T) {
		do(t, ctx, chromedp.Navigate(fmt.Sprintf("%s/conversations/%d", d.URL, byClick.ID)))
		waitFor(t, ctx, "the conversation shows", `document.querySelector(".conv-head .macros-btn") && document.querySelector(".timeline .msg")`)
		eval[bool](t, ctx, `(document.querySelector(".conv-head .macros-btn").click(), true)`)
		clickText(t, ctx, ".dialog .macro-choice", "Escalate")
		waitFor(t, ctx, "the confirmation shows", `document.querySelector(".dialog .run-macro")`)
		eval[bool](t, ctx, `(document.querySelector(".dialog .run-macro").click(), true)`)
		ran(byClick)
		var msgs struct{ Items []sahay.Message }
		d.Must(t, owner.Token, http.MethodGet, fmt.Sprintf("/api/v1/conversations/%d/messages", byClick.ID), nil, http.StatusOK, &msgs)
		for _, m := range msgs.Items {
			if m.Content == "We are on it." && (m.SenderType != sahay.SenderUser || m.SenderID != agent.ID) {
				t.Errorf("the macro's message is not the agent's: %+v", m)
			}
		}
	})

	t.Run("on a phone", func(t *testing.T) {
		do(t, ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
		do(t, ctx, chromedp.Navigate(fmt.Sprintf("%s/conversations/%d", d.URL, onPhone.ID)))
		waitFor(t, ctx, "the conversation shows", `document.querySelector(".timeline .msg")`)
		if w := eval[float64](t, ctx, `document.documentElement.scrollWidth`); w > 390 {
			t.Errorf("the conversation is %v px wide on a 390 px phone", w)
		}
		click(t, ctx, ".conv-head .more-actions")
		clickText(t, ctx, ".menu .menu-item", "Macros")
		clickText(t, ctx, ".dialog .macro-choice", "Escalate")
		waitFor(t, ctx, "the confirmation shows", `document.querySelector(".dialog .run-macro")`)
		eval[bool](t, ctx, `(document.querySelector(".dialog .run-macro").click(), true)`)
		ran(onPhone)
		do(t, ctx, chromedp.Navigate(d.URL+"/settings/macros"))
		waitFor(t, ctx, "the agent sees the macro, without changing it", `document.querySelector(".macro-item") && !document.querySelector(".macro-item .actions")`)
		if w := eval[float64](t, ctx, `document.documentElement.scrollWidth`); w > 390 {
			t.Errorf("the macros page is %v px wide on a 390 px phone", w)
		}
	})
}

// TestScreenshotsMacros writes docs/screenshots/macros-*: the list and the
// builder in the settings, the list of macros in a conversation, the
// confirmation before a run and the conversation after it, at 1280 and
// 390 pixels wide, in English and Hindi.
//
//	SAHAY_SCREENSHOTS=1 go test ./internal/web -run TestScreenshotsMacros
func TestScreenshotsMacros(t *testing.T) {
	needBrowser(t, "SAHAY_SCREENSHOTS")
	d := startDashboard(t)
	owner := d.NewAccount(t, "Bazaar")
	inbox := d.NewInbox(t, owner, "Shop", "api", nil, owner.ID)
	var team struct{ ID int64 }
	d.Must(t, owner.Token, http.MethodPost, "/api/v1/teams", map[string]string{"name": "Billing"}, http.StatusCreated, &team)
	for _, l := range []string{"billing", "refund", "vip"} {
		d.Must(t, owner.Token, http.MethodPost, "/api/v1/labels", map[string]string{"name": l}, http.StatusCreated, nil)
	}
	act := func(action string, value any) map[string]any { return map[string]any{"action": action, "value": value} }
	var refund struct{ ID int64 }
	d.Must(t, owner.Token, http.MethodPost, "/api/v1/macros", map[string]any{"name": "Refund to billing", "visibility": "account", "actions": []any{
		act("add_label", "refund"), act("set_priority", 3), act("assign_team", team.ID),
		act("send_message", "We have passed your refund to our billing team; they answer within a day."), act("add_private_note", "Check the payment gateway first.")}},
		http.StatusCreated, &refund)
	d.Must(t, owner.Token, http.MethodPost, "/api/v1/macros", map[string]any{"name": "Close politely", "actions": []any{
		act("send_message", "Glad we could help! Write any time."), act("resolve", nil)}}, http.StatusCreated, nil)

	out := filepath.Join("..", "..", "docs", "screenshots")
	browser := newBrowser(t)
	for _, lang := range []string{"en", "hi"} {
		d.Must(t, owner.Token, http.MethodPatch, "/api/v1/me", map[string]any{"locale": lang}, http.StatusOK, nil)
		ctx := newProfile(t, browser)
		login(t, ctx, d.URL, owner.Email, owner.Password)
		waitFor(t, ctx, "the interface speaks "+lang, fmt.Sprintf(`document.documentElement.lang === %q`, lang))
		for _, width := range []int64{1280, 390} {
			name := func(page string) string { return filepath.Join(out, fmt.Sprintf("%s-%s-%d.png", page, lang, width)) }
			if width < 500 {
				do(t, ctx, chromedp.EmulateViewport(width, 844, chromedp.EmulateMobile))
			} else {
				do(t, ctx, chromedp.EmulateViewport(width, 800))
			}
			do(t, ctx, chromedp.Navigate(d.URL+"/settings/macros"))
			waitFor(t, ctx, "the macros are listed", `document.querySelectorAll(".macro-item").length === 2`)
			shoot(t, ctx, name("macros-settings"))
			eval[bool](t, ctx, fmt.Sprintf(`(document.querySelector('.macro-item[data-id="%d"] .actions button').click(), true)`, refund.ID))
			waitFor(t, ctx, "the builder shows the actions", `document.querySelectorAll(".dialog .macro-action").length === 5`)
			shoot(t, ctx, name("macros-builder"))

			// A conversation of its own for each run of the macro.
			key := fmt.Sprint(lang, width)
			conv := receive(t, d, owner.Token, inbox.ID, "c-"+key, "Priya Verma", "मुझे दो बार चार्ज किया गया है, रिफ़ंड चाहिए", "m-"+key).Conversation
			do(t, ctx, chromedp.Navigate(fmt.Sprintf("%s/conversations/%d", d.URL, conv.ID)))
			waitFor(t, ctx, "the conversation shows", `document.querySelector(".conv-head .head-actions") && document.querySelector(".timeline .msg")`)
			if width < 500 {
				click(t, ctx, ".conv-head .more-actions")
				clickText(t, ctx, ".menu .menu-item", map[string]string{"en": "Macros", "hi": "मैक्रो"}[lang])
			} else {
				eval[bool](t, ctx, `(document.querySelector(".conv-head .macros-btn").click(), true)`)
			}
			waitFor(t, ctx, "the macro list opens", `document.querySelectorAll(".dialog .macro-choice").length === 2`)
			shoot(t, ctx, name("macros-picker"))
			clickText(t, ctx, ".dialog .macro-choice", "Refund to billing")
			waitFor(t, ctx, "the confirmation shows", `document.querySelector(".dialog .run-macro")`)
			shoot(t, ctx, name("macros-confirm"))
			eval[bool](t, ctx, `(document.querySelector(".dialog .run-macro").click(), true)`)
			waitFor(t, ctx, "the timeline shows the run", `document.querySelectorAll(".timeline .msg.note").length === 1 && document.querySelector(".tool.priority .prio.p3")`)
			shoot(t, ctx, name("macros-ran"))
		}
	}
}
