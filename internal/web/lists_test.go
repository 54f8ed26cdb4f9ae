package web_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserListMenus checks the list's menus: a choice closes the menu and
// takes effect, and labelling conversations in bulk shows the labels on
// their rows.
func TestBrowserListMenus(t *testing.T) {
	needBrowser(t, browserEnv)
	d := startDashboard(t)
	owner := d.NewAccount(t, "Shop")
	inbox := d.NewInbox(t, owner, "Website", "api", map[string]any{"webhook_url": ""}, owner.ID)
	d.Must(t, owner.Token, http.MethodPost, "/api/v1/labels", map[string]any{"name": "refund", "color": "#dc2626"}, http.StatusCreated, nil)
	var ids []int64
	for i, name := range []string{"Rahim", "Priya", "John"} {
		ids = append(ids, receive(t, d, owner.Token, inbox.ID, fmt.Sprintf("c%d", i), name, "Where is my refund?", fmt.Sprintf("m%d", i)).Conversation.ID)
	}

	ctx := newBrowser(t)
	do(t, ctx, chromedp.EmulateViewport(1280, 800))
	login(t, ctx, d.URL, owner.Email, owner.Password)
	waitFor(t, ctx, "the list shows the three conversations", `document.querySelectorAll(".conv-item").length === 3`)

	t.Run("sort", func(t *testing.T) {
		clickText(t, ctx, ".list-pane .sort", "")
		clickText(t, ctx, ".menu .menu-item", "Waiting longest")
		waitFor(t, ctx, "the sort applies", `location.search.includes("sort=waiting") && document.querySelector(".sort-label").textContent === "Waiting longest"`)
		if eval[bool](t, ctx, `!!document.querySelector(".menu")`) {
			t.Fatal("the sort menu stays open after a choice")
		}
		clickText(t, ctx, ".list-pane .sort", "")
		waitFor(t, ctx, "the menu ticks the new order", `document.querySelector(".menu .menu-item.checked")?.textContent.includes("Waiting longest")`)
		press(t, ctx, "Escape")
		waitFor(t, ctx, "the menu closes", `!document.querySelector(".menu")`)
	})

	t.Run("bulk label", func(t *testing.T) {
		for _, id := range ids {
			eval[bool](t, ctx, fmt.Sprintf(`(document.querySelector('.conv-item[data-id="%d"] .select').click(), true)`, id))
		}
		waitFor(t, ctx, "the bulk bar counts three", `document.querySelector(".bulk-count")?.textContent === "3 selected"`)
		clickText(t, ctx, ".bulk .btn", "Label")
		clickText(t, ctx, ".menu .menu-item", "refund")
		waitFor(t, ctx, "every row shows the label", `[...document.querySelectorAll(".conv-item")].every((e) => e.querySelector(".chip")?.textContent.includes("refund"))`)
		if eval[bool](t, ctx, `!!document.querySelector(".menu")`) {
			t.Fatal("the Label menu stays open after a choice")
		}
		for _, id := range ids {
			if c := conversation(t, d, owner.Token, id); len(c.Labels) != 1 || c.Labels[0] != "refund" {
				t.Errorf("conversation %d has labels %q, want refund", id, c.Labels)
			}
		}
	})
}
