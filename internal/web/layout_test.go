package web_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// unobstructed is a script that reports why the element matching selector
// cannot be seen and clicked where it is, or "" if it can: it must lie
// within the window and be what the window shows at its centre.
func unobstructed(selector string) string {
	return fmt.Sprintf(`(() => {
		const e = document.querySelector(%s);
		if (!e) return "missing";
		const r = e.getBoundingClientRect();
		if (r.width === 0 || r.height === 0) return "not shown";
		if (r.left < 0 || r.top < 0 || r.right > window.innerWidth + 0.5 || r.bottom > window.innerHeight + 0.5) return "outside the window at " + JSON.stringify(r);
		const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
		if (!hit || !(hit === e || e.contains(hit))) return "covered by " + (hit ? hit.className || hit.tagName : "nothing");
		return "";
	})()`, jsString(selector))
}

func checkUnobstructed(t *testing.T, ctx context.Context, what map[string]string) {
	t.Helper()
	for name, sel := range what {
		if why := eval[string](t, ctx, unobstructed(sel)); why != "" {
			t.Errorf("%s (%s): %s", name, sel, why)
		}
	}
}

// TestBrowserLayout checks the conversation screen where agents work: on a
// laptop the contact panel sits beside the conversation and hides none of
// its controls; on a phone the tools wrap instead of scrolling out of
// sight, and the header's actions are named.
func TestBrowserLayout(t *testing.T) {
	needBrowser(t, browserEnv)
	d := startDashboard(t)
	owner := d.NewAccount(t, "Shop")
	inbox := d.NewInbox(t, owner, "Website", "api", map[string]any{"webhook_url": ""}, owner.ID)
	d.Must(t, owner.Token, "POST", "/api/v1/labels", map[string]any{"name": "delivery", "color": "#2563eb"}, 201, nil)
	conv := receive(t, d, owner.Token, inbox.ID, "c1", "Mohammad Rahim Uddin Chowdhury", "My parcel has not arrived yet, can you check?", "m1").Conversation
	d.Must(t, owner.Token, "PUT", fmt.Sprintf("/api/v1/conversations/%d/labels", conv.ID), map[string]any{"labels": []string{"delivery"}}, 200, nil)
	browser := newBrowser(t)

	t.Run("laptop", func(t *testing.T) {
		ctx := newProfile(t, browser)
		do(t, ctx, chromedp.EmulateViewport(1280, 800))
		login(t, ctx, d.URL, owner.Email, owner.Password)
		openConversation(t, ctx, conv.ID)
		waitFor(t, ctx, "the contact panel is open", `document.querySelector(".conversation.panel-open .contact-panel")?.getBoundingClientRect().width > 0`)
		checkUnobstructed(t, ctx, map[string]string{
			"Send":    ".composer .send",
			"Resolve": ".conv-head .resolve",
			"Labels":  ".conv-tools .add-label",
		})
		if got := eval[string](t, ctx, `(() => {
			const main = document.querySelector(".conv-main").getBoundingClientRect();
			const panel = document.querySelector(".contact-panel").getBoundingClientRect();
			return panel.left >= main.right - 1 ? "" : "panel " + panel.left + " overlaps the conversation ending at " + main.right;
		})()`); got != "" {
			t.Error(got)
		}

		// A snoozed conversation can be resolved as well as reopened.
		until := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
		d.Must(t, owner.Token, "PATCH", fmt.Sprintf("/api/v1/conversations/%d", conv.ID), map[string]any{"status": "snoozed", "snoozed_until": until}, 200, nil)
		waitFor(t, ctx, "the snoozed conversation offers Reopen and Resolve", `document.querySelector(".conv-head .status-badge.snoozed") && document.querySelector(".conv-head .reopen") && document.querySelector(".conv-head .resolve")`)
		click(t, ctx, ".conv-head .resolve")
		eventually(t, "the snoozed conversation is resolved", func() bool {
			return conversation(t, d, owner.Token, conv.ID).Status == "resolved"
		})
		d.Must(t, owner.Token, "PATCH", fmt.Sprintf("/api/v1/conversations/%d", conv.ID), map[string]any{"status": "open"}, 200, nil)
	})

	t.Run("phone", func(t *testing.T) {
		ctx := newProfile(t, browser)
		do(t, ctx, chromedp.EmulateViewport(375, 740, chromedp.EmulateMobile))
		login(t, ctx, d.URL, owner.Email, owner.Password)
		openConversation(t, ctx, conv.ID)
		if got := eval[string](t, ctx, `(() => {
			const tools = document.querySelector(".conv-tools");
			return tools.scrollWidth > tools.clientWidth + 1 ? "the tools scroll sideways: " + tools.scrollWidth + " > " + tools.clientWidth : "";
		})()`); got != "" {
			t.Error(got)
		}
		checkUnobstructed(t, ctx, map[string]string{
			"Agent":    ".conv-tools .tool.assign",
			"Team":     ".conv-tools .tool.team",
			"Priority": ".conv-tools .tool.priority",
			"Labels":   ".conv-tools .add-label",
			"Resolve":  ".conv-head .resolve",
			"Actions":  ".conv-head .more-actions",
			"Send":     ".composer .send",
		})
		if got := eval[string](t, ctx, `document.querySelector(".conv-head .resolve").innerText.trim()`); got != "Resolve" {
			t.Errorf("the resolve button reads %q, want Resolve", got)
		}
		if n := eval[int](t, ctx, `[...document.querySelectorAll(".conv-head .head-actions .icon-btn")].filter((e) => e.getBoundingClientRect().width > 0).length`); n != 1 {
			t.Errorf("%d unnamed icon buttons show in the header, want only the actions menu", n)
		}
		click(t, ctx, ".conv-head .more-actions")
		waitFor(t, ctx, "the actions menu names its actions", `["Snooze", "Merge", "Contact"].every((w) => [...document.querySelectorAll(".menu .menu-item")].some((e) => e.textContent.includes(w)))`)
		clickText(t, ctx, ".menu .menu-item", "Contact")
		waitFor(t, ctx, "the contact panel opens over the conversation", `getComputedStyle(document.querySelector(".contact-panel")).position === "fixed"`)
		checkUnobstructed(t, ctx, map[string]string{"close the panel": ".contact-panel .panel-close"})
	})
}
