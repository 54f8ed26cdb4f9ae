package web_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/apitest"
	"github.com/sahayhq/sahay/internal/channel/meta"
	"github.com/sahayhq/sahay/internal/channel/meta/metatest"
	"github.com/sahayhq/sahay/internal/store"
	"github.com/sahayhq/sahay/internal/store/storetest"

	"github.com/chromedp/chromedp"
)

// A Facebook Page on the Graph API simulator, and a customer commenting
// on one of its posts.
const (
	metaAppSecret = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
	pageID        = "106541234567890"
	postID        = pageID + "_998877665544"
	commentID     = "998877665544_1122334455"
	commenterID   = "7301234567890123"
	commenterPSID = "6099999999999999"
	postURL       = "https://www.facebook.com/106541234567890/posts/pfbid02abc"
)

// messengerPage makes a Messenger inbox of the owner's on the simulator.
func messengerPage(t *testing.T, d *dashboard, owner *apitest.User, settings map[string]any) (*metatest.Sim, *sahay.Inbox) {
	t.Helper()
	sim := metatest.New(t, metaAppSecret)
	s := map[string]any{"app_secret": metaAppSecret, "access_token": metatest.Token, "page_id": pageID, "api_base_url": sim.URL}
	for k, v := range settings {
		s[k] = v
	}
	return sim, d.NewInbox(t, owner, "Dhaka Saree House", "messenger", s, owner.ID)
}

// deliverPage posts a signed Page delivery of entries to the inbox's webhook, as Meta does.
func deliverPage(t *testing.T, d *dashboard, sim *metatest.Sim, inboxID int64, entries ...any) {
	t.Helper()
	resp, err := sim.Deliver(fmt.Sprintf("%s/webhooks/%d", d.Server.URL, inboxID), metatest.Payload(meta.ObjectPage, entries...))
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("delivery: status %d", resp.StatusCode)
	}
}

// commentEntry is a feed entry: the customer's comment on the Page's post.
func commentEntry(id, text string) map[string]any {
	return map[string]any{"id": pageID, "time": time.Now().Unix(), "changes": []any{map[string]any{"field": "feed", "value": map[string]any{
		"from":    map[string]any{"id": commenterID, "name": "Nusrat Jahan"},
		"post":    map[string]any{"id": postID, "permalink_url": postURL, "status_type": "added_photos", "is_published": true},
		"message": text, "post_id": postID, "comment_id": id, "created_time": time.Now().Unix(), "item": "comment", "parent_id": postID, "verb": "add",
	}}}}
}

// dmEntry is a messaging entry: the customer writes to the Page on Messenger.
func dmEntry(mid, text string) map[string]any {
	return map[string]any{"id": pageID, "time": time.Now().UnixMilli(), "messaging": []meta.MessagingEvent{{
		Sender: meta.MessagingParty{ID: commenterPSID}, Recipient: meta.MessagingParty{ID: pageID},
		Timestamp: time.Now().UnixMilli(), Message: &meta.MessagingMessage{MID: mid, Text: text}}}}
}

// conversationWhere waits for a conversation of the owner's that ok picks.
func conversationWhere(t *testing.T, d *dashboard, token string, what string, ok func(sahay.Conversation) bool) sahay.Conversation {
	t.Helper()
	var found sahay.Conversation
	eventually(t, what, func() bool {
		var list struct{ Items []sahay.Conversation }
		d.Must(t, token, http.MethodGet, "/api/v1/conversations?status=all", nil, http.StatusOK, &list)
		for _, c := range list.Items {
			if ok(c) {
				found = c
				return true
			}
		}
		return false
	})
	return found
}

// setLastIncoming moves when the customer last wrote in a conversation,
// as if they had written ago.
func setLastIncoming(t *testing.T, d *dashboard, accountID, convID int64, ago time.Duration) {
	t.Helper()
	storetest.MustWrite(t, d.App.Store, func(tx *store.Tx) error {
		c, err := tx.Conversation(context.Background(), accountID, convID)
		if err != nil {
			return err
		}
		next := *c
		at := time.Now().Add(-ago)
		next.LastIncomingAt = &at
		return tx.UpdateConversation(context.Background(), c, &next)
	})
}

// waitSim waits until the simulator has n requests to method and path.
func waitSim(t *testing.T, sim *metatest.Sim, method, path string, n int) []metatest.Request {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	rs, err := sim.Wait(ctx, method, path, n)
	if err != nil {
		t.Fatalf("%s %s: %v (requests %+v)", method, path, err, sim.Requests())
	}
	return rs
}

// TestBrowserMetaPublicComments: a customer's comment on a Page's post
// is a public conversation, badged in the list and the header with its
// post linked. A public reply that shows a phone number is held with the
// server's warning, the text kept, until the agent posts it anyway; the
// comment is hidden from the moderation menu; "Reply privately" opens the
// private conversation, and both link to each other. The private
// conversation's window follows the customer: closed before they write,
// counting down after, then the human agent tag's days.
func TestBrowserMetaPublicComments(t *testing.T) {
	needBrowser(t, browserEnv)
	apitest.Dialects(t, func(t *testing.T, dialect string) {
		d := startDashboard(t)
		owner := d.NewAccount(t, "Dhaka Saree House")
		sim, inbox := messengerPage(t, d, owner, nil)
		deliverPage(t, d, sim, inbox.ID, commentEntry(commentID, "এই শাড়িটা কি লাল রঙে আছে? দাম কত?"))
		pub := conversationWhere(t, d, owner.Token, "the comment makes a public conversation", func(c sahay.Conversation) bool { return c.Public })

		ctx := newBrowser(t)
		do(t, ctx, chromedp.EmulateViewport(1280, 800))
		login(t, ctx, d.URL, owner.Email, owner.Password)
		watchCSP(t, ctx)
		waitFor(t, ctx, "the list badges the conversation public", fmt.Sprintf(`document.querySelector('.conv-item[data-id="%d"] .public-badge')`, pub.ID))
		openConversation(t, ctx, pub.ID)
		waitFor(t, ctx, "the header says public and links the post", `document.querySelector(".conv-head .public-badge") && document.querySelector(".post-card .post-link")`)
		link := eval[map[string]string](t, ctx, `(() => { const a = document.querySelector(".post-card .post-link"); return { href: a.href, rel: a.rel, target: a.target, kind: document.querySelector(".post-kind").textContent } })()`)
		if link["href"] != postURL || !strings.Contains(link["rel"], "noopener") || link["target"] != "_blank" || link["kind"] != "Comments on a post" {
			t.Errorf("post link %v", link)
		}
		if !eval[bool](t, ctx, `!!document.querySelector(".msg.incoming.public .msg-head .moderate") && document.querySelector(".composer .mode.active").textContent === "Public reply"`) {
			t.Error("the comment has no moderation menu, or the reply box does not say the reply is public")
		}

		// A public reply with a phone number is held: the server's words, and the text kept.
		const risky = "দাম ২৫০০ টাকা, অর্ডার করতে কল করুন 01712-345678"
		setField(t, ctx, ".composer-input", risky)
		eval[bool](t, ctx, `(document.querySelector(".composer-input").focus(), true)`)
		press(t, ctx, "Enter")
		waitFor(t, ctx, "the personal-data warning shows", `document.querySelector(".composer-notice.personal-data .guard-message")?.textContent.includes("phone")`)
		if got := eval[string](t, ctx, `document.querySelector(".composer-input").value`); got != risky {
			t.Fatalf("the reply box holds %q after the warning, want the typed text", got)
		}
		if n := len(sim.Find(http.MethodPost, "/"+commentID+"/comments")); n != 0 {
			t.Fatalf("%d comments posted before the agent chose", n)
		}
		clickText(t, ctx, ".composer-notice.personal-data .post-anyway", "Post publicly anyway")
		waitFor(t, ctx, "the public reply is in the timeline", fmt.Sprintf(`[...document.querySelectorAll(".msg.outgoing.public .msg-body")].some((e) => e.textContent === %s)`, jsString(risky)))
		waitSim(t, sim, http.MethodPost, "/"+commentID+"/comments", 1)
		waitFor(t, ctx, "the box and the warning clear", `document.querySelector(".composer-input").value === "" && !document.querySelector(".composer-notice.personal-data")`)

		// Hide the comment from the public.
		eval[bool](t, ctx, `(document.querySelector(".msg.incoming.public .moderate").click(), true)`)
		clickText(t, ctx, ".menu .menu-item", "Hide comment")
		waitFor(t, ctx, "the comment says it is hidden", `document.querySelector(".msg.incoming.public .moderation-badge.hidden")?.textContent === "Hidden from the public"`)
		if rs := waitSim(t, sim, http.MethodPost, "/"+commentID, 1); rs[0].Param("is_hidden")+rs[0].Param("hide") != "true" {
			t.Errorf("moderation request %+v", rs[0])
		}

		// Reply privately: the private conversation opens, linked both ways.
		sim.AddComment(commentID, commenterPSID)
		eval[bool](t, ctx, `(document.querySelector(".composer .mode.private-reply").click(), true)`)
		setField(t, ctx, ".composer-input", "লাল রঙেও আছে। দামের তালিকা পাঠালাম।")
		eval[bool](t, ctx, `(document.querySelector(".composer-input").focus(), true)`)
		press(t, ctx, "Enter")
		dm := waitSim(t, sim, http.MethodPost, "/"+pageID+"/messages", 1)
		if !strings.Contains(string(dm[0].Body), commentID) {
			t.Errorf("the private reply went to %s, want the comment", dm[0].Body)
		}
		priv := conversationWhere(t, d, owner.Token, "the private conversation exists", func(c sahay.Conversation) bool { return !c.Public && c.LinkedConversationID == pub.ID })
		waitFor(t, ctx, "the public conversation links the private one", fmt.Sprintf(`document.querySelector(".link-banner a.linked-conversation")?.textContent === "Continued privately in #%d"`, priv.DisplayID))
		waitFor(t, ctx, "the comment says it was answered privately", `document.querySelector(".msg.incoming.public .answered-privately")`)
		waitFor(t, ctx, "the timeline records the private reply", fmt.Sprintf(`document.querySelector('.msg.activity a[href="/conversations/%d"]')`, priv.ID))
		eval[bool](t, ctx, `(document.querySelector(".link-banner a.linked-conversation").click(), true)`)
		waitFor(t, ctx, "the private conversation opens", fmt.Sprintf(`location.pathname.endsWith("/%d") && document.querySelector(".link-banner.public a")?.textContent === "From a public comment on a post"`, priv.ID))
		if eval[bool](t, ctx, `!!document.querySelector(".conv-head .public-badge")`) {
			t.Error("the private conversation is badged public")
		}

		// The customer has not written privately yet: Messenger takes no reply.
		waitFor(t, ctx, "the window is closed", `document.querySelector(".window-status.closed") && document.querySelector(".composer-notice.window-closed") && document.querySelector(".composer-input").disabled`)
		if eval[bool](t, ctx, `!!document.querySelector(".composer .choose-template")`) {
			t.Error("a channel without templates offers one")
		}
		clickText(t, ctx, ".composer .mode", "Private note")
		waitFor(t, ctx, "a note can still be written", `!document.querySelector(".composer-input").disabled && !document.querySelector(".composer-notice.window-closed")`)
		clickText(t, ctx, ".composer .mode", "Reply")

		// They write: the window opens for 24 hours.
		deliverPage(t, d, sim, inbox.ID, dmEntry("m_after", "ধন্যবাদ! ডেলিভারি কবে হবে?"))
		waitFor(t, ctx, "the window counts down", `/^Window closes in 2[34] h \d+ m$/.test(document.querySelector(".window-status.open")?.textContent ?? "") && !document.querySelector(".composer-input").disabled`)

		// 25 hours later, with the human agent tag on: 6 days left.
		d.Must(t, owner.Token, http.MethodPatch, fmt.Sprintf("/api/v1/inboxes/%d", inbox.ID), map[string]any{"settings": map[string]any{
			"page_id": pageID, "api_base_url": sim.URL, "human_agent_tag": "true"}}, http.StatusOK, nil)
		setLastIncoming(t, d, owner.AccountID, priv.ID, 25*time.Hour)
		do(t, ctx, chromedp.Reload())
		waitFor(t, ctx, "the tag's days show", `document.querySelector(".window-status.tag")?.textContent === "Human agent tag: 5 days left" && !document.querySelector(".composer-input").disabled`)
		noCSPViolation(t, ctx)
	})
}

// A WhatsApp number on the simulator, with its Business account's templates.
const (
	waPhoneID = "277321005464405"
	wabaID    = "102290129340398"
)

// whatsappNumber makes a WhatsApp inbox of the owner's on the simulator,
// whose account has an approved template in Bengali and English and one
// still in review.
func whatsappNumber(t *testing.T, d *dashboard, owner *apitest.User) (*metatest.Sim, *sahay.Inbox) {
	t.Helper()
	sim := metatest.New(t, metaAppSecret)
	sim.AddObject(waPhoneID, map[string]any{"display_phone_number": "+880 1700-000000", "verified_name": "Dhaka Saree House"})
	sim.AddTemplate(wabaID, metatest.Template{Name: "order_update", Language: "bn", Status: "APPROVED", Category: "UTILITY",
		Components: []metatest.Component{{Type: "BODY", Text: "নমস্কার {{1}}, আপনার অর্ডার {{2}} আগামীকাল পৌঁছাবে।"}, {Type: "FOOTER", Text: "Dhaka Saree House"}}})
	sim.AddTemplate(wabaID, metatest.Template{Name: "order_update", Language: "en_US", Status: "APPROVED", Category: "UTILITY",
		Components: []metatest.Component{{Type: "BODY", Text: "Hello {{1}}, your order {{2}} arrives tomorrow."}, {Type: "FOOTER", Text: "Dhaka Saree House"}}})
	sim.AddTemplate(wabaID, metatest.Template{Name: "eid_sale", Language: "en_US", Status: "PENDING", Category: "MARKETING",
		Components: []metatest.Component{{Type: "BODY", Text: "Eid sale: 20% off every saree!"}}})
	return sim, d.NewInbox(t, owner, "Dhaka Saree House", "whatsapp", map[string]any{"app_secret": metaAppSecret, "access_token": metatest.Token,
		"phone_number_id": waPhoneID, "business_account_id": wabaID, "api_base_url": sim.URL}, owner.ID)
}

// pickTemplate syncs (when asked) and fills in a template in the picker
// under scope, checking the live preview.
func pickTemplate(t *testing.T, ctx context.Context, scope, language string, shown int, params []string, preview string) {
	t.Helper()
	item := fmt.Sprintf(`%s .template-item[data-name="order_update"][data-language=%q]`, scope, language)
	waitFor(t, ctx, "the templates are listed", `document.querySelector(`+jsString(item)+`)`)
	if !eval[bool](t, ctx, `document.querySelector(`+jsString(scope+` .template-item[data-name="eid_sale"]`)+`)?.disabled === true`) {
		t.Error("a template in review can be chosen")
	}
	// The filter keeps the templates whose name or language has what is typed.
	setField(t, ctx, scope+" .template-filter", language)
	if n := eval[int](t, ctx, `document.querySelectorAll(`+jsString(scope+" .template-item")+`).length`); n != shown {
		t.Errorf("the filter %q leaves %d templates, want %d", language, n, shown)
	}
	eval[bool](t, ctx, `(document.querySelector(`+jsString(item)+`).click(), true)`)
	for i, p := range params {
		setField(t, ctx, fmt.Sprintf(`%s .template-param input[name=param%d]`, scope, i+1), p)
	}
	waitFor(t, ctx, "the preview shows the text filled in", `document.querySelector(`+jsString(scope+" .template-body")+`)?.textContent === `+jsString(preview))
}

// TestBrowserWhatsAppTemplates: a WhatsApp conversation starts with an
// approved template from the list's New message, its variables filled in
// with a live preview; the customer has not written, so the reply box
// takes no text and offers the templates, and one sent from there reaches
// WhatsApp as a template.
func TestBrowserWhatsAppTemplates(t *testing.T) {
	needBrowser(t, browserEnv)
	d := startDashboard(t)
	owner := d.NewAccount(t, "Dhaka Saree House")
	sim, inbox := whatsappNumber(t, d, owner)
	ctx := newBrowser(t)
	do(t, ctx, chromedp.EmulateViewport(1280, 800))
	login(t, ctx, d.URL, owner.Email, owner.Password)
	watchCSP(t, ctx)

	clickText(t, ctx, ".list-pane .new-template", "New message")
	waitFor(t, ctx, "the dialog opens", `document.querySelector(".dialog .new-template-conversation .sync-templates")`)
	setField(t, ctx, ".dialog input[name=to]", "+880 1712-345678")
	// The button is disabled while the dialog reads the stored templates; a
	// click then would do nothing.
	waitFor(t, ctx, "the stored templates are read", `!document.querySelector(".dialog .sync-templates").disabled`)
	eval[bool](t, ctx, `(document.querySelector(".dialog .sync-templates").click(), true)`)
	waitFor(t, ctx, "the sync says how many", `document.querySelector(".dialog .template-status")?.textContent === "3 templates synced."`)
	pickTemplate(t, ctx, ".dialog", "bn", 1, []string{"নুসরাত", "#4521"}, "নমস্কার নুসরাত, আপনার অর্ডার #4521 আগামীকাল পৌঁছাবে।")
	eval[bool](t, ctx, `(document.querySelector(".dialog .send-template").click(), true)`)
	sent := waitSim(t, sim, http.MethodPost, "/"+waPhoneID+"/messages", 1)
	if b := string(sent[0].Body); !strings.Contains(b, `"template"`) || !strings.Contains(b, "order_update") || !strings.Contains(b, "8801712345678") || !strings.Contains(b, "নুসরাত") {
		t.Fatalf("WhatsApp got %s, want the template to the number", b)
	}
	conv := conversationWhere(t, d, owner.Token, "the conversation is started", func(c sahay.Conversation) bool { return c.InboxID == inbox.ID })
	waitFor(t, ctx, "the new conversation opens", fmt.Sprintf(`location.pathname.endsWith("/%d") && document.querySelector(".msg.outgoing .detail.template")`, conv.ID))

	// The customer has not answered: no free-form reply, the templates instead.
	waitFor(t, ctx, "the reply box offers only templates", `document.querySelector(".composer-input").disabled && document.querySelector(".composer-notice.window-closed .choose-template") && !document.querySelector(".composer .template-picker").hidden`)
	notice := eval[string](t, ctx, `document.querySelector(".composer-notice.window-closed p").textContent`)
	if notice != "The customer has not written in this conversation yet: WhatsApp takes only an approved template until they answer." {
		t.Errorf("the closed window says %q", notice)
	}
	pickTemplate(t, ctx, ".composer", "en_US", 2, []string{"Nusrat", "#4521"}, "Hello Nusrat, your order #4521 arrives tomorrow.")
	eval[bool](t, ctx, `(document.querySelector(".composer .send-template").click(), true)`)
	sent = waitSim(t, sim, http.MethodPost, "/"+waPhoneID+"/messages", 2)
	if b := string(sent[1].Body); !strings.Contains(b, `"en_US"`) || !strings.Contains(b, "Nusrat") {
		t.Fatalf("WhatsApp got %s, want the English template", b)
	}
	waitFor(t, ctx, "the template is in the timeline", `[...document.querySelectorAll(".msg.outgoing .msg-body")].some((e) => e.textContent.includes("Hello Nusrat, your order #4521 arrives tomorrow."))`)
	noCSPViolation(t, ctx)
}
