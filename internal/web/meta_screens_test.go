package web_test

import (
	"fmt"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/channel/meta"
	"github.com/sahayhq/sahay/internal/channel/meta/metatest"
	"github.com/sahayhq/sahay/internal/channel/whatsapp"

	"github.com/chromedp/chromedp"
)

// TestScreenshotsMeta regenerates the screenshots of the Meta channels in
// the dashboard: a public comment conversation answered privately, the
// warning over a public reply that shows a phone number, a WhatsApp reply
// box outside the window with a template being filled in, and the
// connection of a Messenger inbox (its callback URL and verify token), at
// 1280 and 390 pixels wide in English, Bengali and Hindi.
//
//	SAHAY_SCREENSHOTS=1 go test ./internal/web -run TestScreenshotsMeta
func TestScreenshotsMeta(t *testing.T) {
	needBrowser(t, "SAHAY_SCREENSHOTS")
	d := startDashboard(t)
	owner := d.NewAccount(t, "Dhaka Saree House")

	// A comment on the Page's post, answered in public and then privately.
	sim, page := messengerPage(t, d, owner, map[string]any{"human_agent_tag": "true"})
	deliverPage(t, d, sim, page.ID, commentEntry(commentID, "এই শাড়িটা কি লাল রঙে আছে? দাম কত?"))
	pub := conversationWhere(t, d, owner.Token, "the comment makes a public conversation", func(c sahay.Conversation) bool { return c.Public })
	d.Must(t, owner.Token, http.MethodPost, fmt.Sprintf("/api/v1/conversations/%d/messages", pub.ID),
		map[string]any{"content": "জি, লাল রঙেও আছে! দাম জানাতে আপনাকে মেসেজ করছি।"}, http.StatusCreated, nil)
	sim.AddComment(commentID, commenterPSID)
	d.Must(t, owner.Token, http.MethodPost, fmt.Sprintf("/api/v1/conversations/%d/private_reply", pub.ID),
		map[string]any{"content": "লাল শাড়িটার দাম ২,৫০০ টাকা। অর্ডার করবেন?"}, http.StatusCreated, nil)

	// A WhatsApp customer who wrote 30 hours ago, with the place to deliver to.
	wa, number := whatsappNumber(t, d, owner)
	d.Must(t, owner.Token, http.MethodPost, fmt.Sprintf("/api/v1/inboxes/%d/templates/sync", number.ID), nil, http.StatusOK, nil)
	c := whatsapp.Contact{WaID: "8801712345678"}
	c.Profile.Name = "Nusrat Jahan"
	now := fmt.Sprint(time.Now().Unix())
	value := whatsapp.Value{MessagingProduct: "whatsapp", Metadata: whatsapp.Metadata{DisplayPhoneNumber: "8801700000000", PhoneNumberID: waPhoneID},
		Contacts: []whatsapp.Contact{c}, Messages: []whatsapp.Message{
			{From: c.WaID, ID: "wamid.s1", Timestamp: now, Type: "text", Text: &whatsapp.Text{Body: "আমার অর্ডার #4521 কবে আসবে? এই ঠিকানায় দেবেন।"}},
			{From: c.WaID, ID: "wamid.s2", Timestamp: now, Type: "location", Location: &whatsapp.Location{Latitude: 23.7465, Longitude: 90.3760,
				Name: "Dhanmondi 27", Address: "Road 27, Dhanmondi, Dhaka 1209"}},
		}}
	resp, err := wa.Deliver(fmt.Sprintf("%s/webhooks/%d", d.Server.URL, number.ID), metatest.Payload(meta.ObjectWhatsApp,
		map[string]any{"id": wabaID, "changes": []any{map[string]any{"field": "messages", "value": value}}}))
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("WhatsApp delivery: %v %v", resp, err)
	}
	waConv := conversationWhere(t, d, owner.Token, "the WhatsApp customer's conversation", func(c sahay.Conversation) bool { return c.InboxID == number.ID })
	eventually(t, "both WhatsApp messages are stored", func() bool { return len(messages(t, d, owner.Token, waConv.ID)) >= 2 })
	setLastIncoming(t, d, owner.AccountID, waConv.ID, 30*time.Hour)

	risky := map[string]string{
		"en": "Yes, it is ৳2,500. To order, call us on 01712-345678",
		"bn": "দাম ২,৫০০ টাকা। অর্ডার করতে কল করুন ০১৭১২-৩৪৫৬৭৮",
		"hi": "दाम ₹2,500 है। ऑर्डर के लिए 98765 43210 पर कॉल करें",
	}
	templates := map[string][3]string{
		"en": {"en_US", "Nusrat", "#4521"},
		"bn": {"bn", "নুসরাত", "#4521"},
		"hi": {"en_US", "Nusrat", "#4521"},
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
				do(t, ctx, chromedp.EmulateViewport(width, 800))
			}

			do(t, ctx, chromedp.Navigate(fmt.Sprintf("%s/conversations/%d", d.URL, pub.ID)))
			waitFor(t, ctx, "the public conversation and its private link", `document.querySelector(".post-card") && document.querySelector(".link-banner a")?.textContent.includes("#") && document.querySelector(".answered-privately")`)
			shoot(t, ctx, name("meta-public"))

			setField(t, ctx, ".composer-input", risky[lang])
			eval[bool](t, ctx, `(document.querySelector(".composer-input").focus(), true)`)
			press(t, ctx, "Enter")
			waitFor(t, ctx, "the personal-data warning", `document.querySelector(".composer-notice.personal-data")`)
			shoot(t, ctx, name("meta-personal-data"))
			setField(t, ctx, ".composer-input", "")

			tpl := templates[lang]
			do(t, ctx, chromedp.Navigate(fmt.Sprintf("%s/conversations/%d", d.URL, waConv.ID)))
			waitFor(t, ctx, "the closed window offers templates", `document.querySelector(".composer-notice.window-closed") && document.querySelector(".composer .template-item")`)
			eval[bool](t, ctx, fmt.Sprintf(`(document.querySelector('.composer .template-item[data-name="order_update"][data-language=%q]').click(), true)`, tpl[0]))
			setField(t, ctx, ".composer .template-param input[name=param1]", tpl[1])
			setField(t, ctx, ".composer .template-param input[name=param2]", tpl[2])
			shoot(t, ctx, name("whatsapp-template"))

			do(t, ctx, chromedp.Navigate(d.URL+"/settings/inboxes"))
			open := fmt.Sprintf(`document.querySelector('tr[data-id="%d"] .webhook-link')`, page.ID)
			waitFor(t, ctx, "the Messenger inbox is listed", open)
			eval[bool](t, ctx, `(`+open+`.click(), true)`)
			waitFor(t, ctx, "the verify token shows", `document.querySelector('.dialog .copy-value[data-name="verify_token"]')?.textContent.length > 20`)
			shoot(t, ctx, name("meta-webhook"))
		}
	}
}
