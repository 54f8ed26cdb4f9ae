package web_test

import (
	"fmt"
	"net/http"
	"testing"

	sahay "github.com/sahayhq/sahay"

	"github.com/chromedp/chromedp"
)

// TestBrowserSavedViewsAndContacts: a team lead saves the list's filters
// as a view, which appears in the sidebar with its count and opens the same
// list; the contacts page searches, filters and opens a contact's
// conversations; both pages offer their CSV export.
func TestBrowserSavedViewsAndContacts(t *testing.T) {
	needBrowser(t, browserEnv)
	d := startDashboard(t)
	owner := d.NewAccount(t, "Bazaar")
	inbox := d.NewInbox(t, owner, "Shop", "api", nil, owner.ID)
	refund := receive(t, d, owner.Token, inbox.ID, "c-1", "রহিম উদ্দিন", "I want a refund", "m-1")
	receive(t, d, owner.Token, inbox.ID, "c-2", "अमित शर्मा", "where is my parcel", "m-2")
	another := receive(t, d, owner.Token, inbox.ID, "c-3", "Karim Hossain", "another refund please", "m-3")
	d.Must(t, owner.Token, http.MethodPost, "/api/v1/labels", map[string]string{"name": "refund"}, http.StatusCreated, nil)
	d.Must(t, owner.Token, http.MethodPut, fmt.Sprintf("/api/v1/conversations/%d/labels", refund.Conversation.ID),
		map[string][]string{"labels": {"refund"}}, http.StatusOK, nil)

	ctx := newBrowser(t)
	do(t, ctx, chromedp.EmulateViewport(1280, 800))
	login(t, ctx, d.URL, owner.Email, owner.Password)

	t.Run("save the label view", func(t *testing.T) {
		do(t, ctx, chromedp.Navigate(d.URL+"/conversations?view=label:refund&status=open&sort=last_activity"))
		waitFor(t, ctx, "the refund list shows one conversation", `document.querySelectorAll(".conv-item").length === 1`)
		if href := eval[string](t, ctx, `document.querySelector(".list-pane a.export").getAttribute("href")`); href != "/api/v1/conversations/export.csv?status=open&sort=last_activity&label=refund" {
			t.Errorf("list export link = %q", href)
		}
		click(t, ctx, ".list-pane .save-view")
		waitFor(t, ctx, "the save dialog opens", `document.querySelector(".dialog input[name=name]")`)
		setField(t, ctx, ".dialog input[name=name]", "Refunds to do")
		eval[bool](t, ctx, `(document.querySelector(".dialog input[name=name]").form.requestSubmit(), true)`)
		waitFor(t, ctx, "the view is in the sidebar with its count", `[...document.querySelectorAll(".sidebar .saved-view")].some((a) => a.querySelector(".nav-label")?.textContent === "Refunds to do" && a.querySelector(".count")?.textContent === "1")`)
		waitFor(t, ctx, "the saved view is open", `document.querySelector(".list-pane h1")?.textContent === "Refunds to do" && document.querySelectorAll(".conv-item").length === 1`)
		var views struct {
			Items []struct {
				Name    string
				Filters sahay.ViewFilters
			}
		}
		d.Must(t, owner.Token, http.MethodGet, "/api/v1/views", nil, http.StatusOK, &views)
		if len(views.Items) != 1 || views.Items[0].Filters != (sahay.ViewFilters{Status: "open", Sort: "last_activity", Label: "refund"}) {
			t.Errorf("saved views = %+v", views.Items)
		}
	})

	t.Run("the view's count follows the conversations", func(t *testing.T) {
		d.Must(t, owner.Token, http.MethodPut, fmt.Sprintf("/api/v1/conversations/%d/labels", another.Conversation.ID),
			map[string][]string{"labels": {"refund"}}, http.StatusOK, nil)
		waitFor(t, ctx, "the count moves to 2", `[...document.querySelectorAll(".sidebar .saved-view")].some((a) => a.querySelector(".count")?.textContent === "2")`)
	})

	t.Run("contacts page searches and opens a contact", func(t *testing.T) {
		click(t, ctx, "#nav-contacts")
		waitFor(t, ctx, "three contacts are listed", `document.querySelectorAll(".contact-item").length === 3`)
		setField(t, ctx, ".contact-search", "রহিম")
		waitFor(t, ctx, "the search narrows the list", `document.querySelectorAll(".contact-item").length === 1 && document.querySelector(".contact-item .name").textContent === "রহিম উদ্দিন"`)
		if href := eval[string](t, ctx, `document.querySelector(".contacts-page a.export").getAttribute("href")`); href != "/api/v1/contacts/export.csv?q=%E0%A6%B0%E0%A6%B9%E0%A6%BF%E0%A6%AE" {
			t.Errorf("contacts export link = %q", href)
		}
		setField(t, ctx, ".contact-search", "")
		setField(t, ctx, ".contact-label", "refund")
		waitFor(t, ctx, "the label filter keeps the labelled contacts", `document.querySelectorAll(".contact-item").length === 2`)
		if got := eval[string](t, ctx, `location.search`); got != "?label=refund" {
			t.Errorf("the page's address keeps its filters: %q", got)
		}
		click(t, ctx, fmt.Sprintf(`.contact-item[data-id="%d"] a`, refund.Conversation.ContactID))
		waitFor(t, ctx, "the contact's conversations are listed", fmt.Sprintf(`document.querySelector('.history a[href="/conversations/%d"]')`, refund.Conversation.ID))
		click(t, ctx, fmt.Sprintf(`.history a[href="/conversations/%d"]`, refund.Conversation.ID))
		waitFor(t, ctx, "the conversation opens", `location.pathname === "/conversations/`+fmt.Sprint(refund.Conversation.ID)+`"`)
	})

	t.Run("on a phone", func(t *testing.T) {
		do(t, ctx, chromedp.EmulateViewport(375, 740), chromedp.Navigate(d.URL+"/contacts"))
		waitFor(t, ctx, "the contacts list shows", `document.querySelectorAll(".contact-item").length === 3`)
		if w := eval[float64](t, ctx, `document.documentElement.scrollWidth`); w > 375 {
			t.Errorf("the contacts page is %v px wide on a 375 px phone", w)
		}
	})
}
