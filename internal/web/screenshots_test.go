package web_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/apitest"
	"github.com/sahayhq/sahay/internal/channel/apichannel"
	"github.com/sahayhq/sahay/internal/demo"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// TestScreenshots regenerates docs/screenshots: the demo workspace at
// 1280 and 375 pixels wide, in English, Bengali and Hindi.
//
//	SAHAY_SCREENSHOTS=1 go test ./internal/web -run TestScreenshots
//
// Bengali and Hindi need Noto fonts on the machine
// (apt-get install -y fonts-noto-core fonts-noto-ui-core).
func TestScreenshots(t *testing.T) {
	needBrowser(t, "SAHAY_SCREENSHOTS")
	d := startDashboard(t)
	seed, err := demo.Seed(context.Background(), d.App.Service, apichannel.Name, nil)
	if err != nil {
		t.Fatal(err)
	}
	owner := tokenFor(t, d, seed.Email, seed.Password)
	amina := tokenFor(t, d, "amina@demo.sahay.local", seed.Password)
	ravi := tokenFor(t, d, "ravi@demo.sahay.local", seed.Password)
	sam := tokenFor(t, d, "sam@demo.sahay.local", seed.Password)

	var list struct{ Items []sahay.Conversation }
	d.Must(t, owner.token, http.MethodGet, "/api/v1/conversations?status=open", nil, http.StatusOK, &list)
	byName := map[string]sahay.Conversation{}
	for _, c := range list.Items {
		byName[c.Contact.Name] = c
	}
	var teams struct{ Items []sahay.Team }
	d.Must(t, owner.token, http.MethodGet, "/api/v1/teams", nil, http.StatusOK, &teams)
	var inboxes struct{ Items []sahay.Inbox }
	d.Must(t, owner.token, http.MethodGet, "/api/v1/inboxes", nil, http.StatusOK, &inboxes)
	inbox := inboxes.Items[0]

	// Give the conversations the life of a working day: assignees,
	// priorities, labels, replies with their delivery status, notes.
	type step struct {
		contact, email string
		agent          session
		priority       int
		team           string
		labels         []string
		reply, note    string
		status         string
		answer         string
	}
	steps := []step{
		{contact: "Rahim Uddin", email: "rahim@example.com", agent: amina, priority: 3, team: "Delivery", labels: []string{"delivery", "vip"},
			reply: "দুঃখিত রহিম ভাই, আপনার অর্ডারটি আজ কুরিয়ারে আছে। বিকেলের মধ্যে পৌঁছে যাবে।", status: "read",
			note: "@Ravi Sharma কুরিয়ারের ট্র্যাকিং নম্বরটা একবার দেখবেন?", answer: "ধন্যবাদ! আমি অপেক্ষা করছি।"},
		{contact: "Priya Verma", email: "priya@example.com", agent: ravi, priority: 4, team: "Delivery", labels: []string{"delivery"},
			reply: "माफ़ कीजिए प्रिया जी, आपका ऑर्डर कल सुबह तक पहुँच जाएगा।", status: "delivered",
			note: "ग्राहक नाराज़ हैं — कल फ़ॉलो-अप करें।", answer: "ठीक है, धन्यवाद।"},
		{contact: "John Miles", email: "john@example.com", agent: sam, priority: 2, team: "Billing", labels: []string{"billing", "refund"},
			reply: "Sorry about that, John. I have refunded the duplicate charge; it reaches your card in 5–7 working days.", status: "read",
			note: "Refund approved in the payment dashboard.", answer: "Great, thanks for the quick help!"},
		{contact: "Farzana Akter", email: "farzana@example.com", agent: amina, team: "Billing", labels: []string{"refund"}},
	}
	for _, s := range steps {
		c := byName[s.contact]
		patch := map[string]any{"assignee_id": s.agent.user.ID, "priority": s.priority}
		for _, tm := range teams.Items {
			if tm.Name == s.team {
				patch["team_id"] = tm.ID
			}
		}
		d.Must(t, owner.token, http.MethodPatch, fmt.Sprintf("/api/v1/conversations/%d", c.ID), patch, http.StatusOK, nil)
		d.Must(t, owner.token, http.MethodPut, fmt.Sprintf("/api/v1/conversations/%d/labels", c.ID), map[string]any{"labels": s.labels}, http.StatusOK, nil)
		if s.reply == "" {
			continue
		}
		var m sahay.Message
		d.Must(t, s.agent.token, http.MethodPost, fmt.Sprintf("/api/v1/conversations/%d/messages", c.ID), map[string]any{"content": s.reply}, http.StatusCreated, &m)
		eventually(t, "the reply is sent", func() bool {
			var msgs struct{ Items []sahay.Message }
			d.Must(t, owner.token, http.MethodGet, fmt.Sprintf("/api/v1/conversations/%d/messages", c.ID), nil, http.StatusOK, &msgs)
			for _, x := range msgs.Items {
				if x.ID == m.ID && x.ExternalID != "" {
					m = x
					return true
				}
			}
			return false
		})
		d.Must(t, owner.token, http.MethodPost, fmt.Sprintf("/api/v1/inboxes/%d/statuses", inbox.ID), map[string]any{"external_id": m.ExternalID, "status": s.status}, http.StatusNoContent, nil)
		d.Must(t, s.agent.token, http.MethodPost, fmt.Sprintf("/api/v1/conversations/%d/messages", c.ID), map[string]any{"content": s.note, "private": true}, http.StatusCreated, nil)
		receive(t, d, owner.token, inbox.ID, s.email, s.contact, s.answer, s.email+"-2")
	}

	out := filepath.Join("..", "..", "docs", "screenshots")
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	browser := newBrowser(t)
	shots := []struct {
		lang, email, contact string
	}{
		{"en", "sam@demo.sahay.local", "John Miles"},
		{"bn", "amina@demo.sahay.local", "Rahim Uddin"},
		{"hi", "ravi@demo.sahay.local", "Priya Verma"},
	}
	for _, s := range shots {
		t.Run(s.lang, func(t *testing.T) {
			ctx := newProfile(t, browser)
			do(t, ctx, chromedp.EmulateViewport(1280, 800))
			login(t, ctx, d.URL, s.email, seed.Password)
			waitFor(t, ctx, "the interface speaks "+s.lang, fmt.Sprintf(`document.documentElement.lang === %q`, s.lang))
			// A message after the agent's first visit shows as unread.
			receive(t, d, owner.token, inbox.ID, "grace@example.com", "Grace Lee", "Also, can I pay with bKash?", "grace-"+s.lang)
			conv := byName[s.contact]
			query := "?view=all&status=open&sort=last_activity"
			do(t, ctx, chromedp.Navigate(fmt.Sprintf("%s/conversations/%d%s", d.URL, conv.ID, query)))
			waitFor(t, ctx, "the conversation shows", `document.querySelectorAll(".timeline .msg").length >= 4 && document.querySelector(".contact-panel")`)
			waitFor(t, ctx, "an unread mark shows", `document.querySelector(".conv-item.unread")`)
			shoot(t, ctx, filepath.Join(out, "inbox-"+s.lang+"-1280.png"))

			do(t, ctx, chromedp.EmulateViewport(375, 740, chromedp.EmulateMobile))
			do(t, ctx, chromedp.Navigate(d.URL+"/conversations"+query))
			waitFor(t, ctx, "the list shows", `document.querySelectorAll(".conv-item").length >= 6`)
			shoot(t, ctx, filepath.Join(out, "list-"+s.lang+"-375.png"))
			do(t, ctx, chromedp.Navigate(fmt.Sprintf("%s/conversations/%d%s", d.URL, conv.ID, query)))
			waitFor(t, ctx, "the conversation shows", `document.querySelectorAll(".timeline .msg").length >= 4`)
			shoot(t, ctx, filepath.Join(out, "conversation-"+s.lang+"-375.png"))

			if s.lang == "en" {
				do(t, ctx, chromedp.EmulateViewport(1280, 800), chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
					_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
						Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "dark"}},
					})
					return err
				}))
				do(t, ctx, chromedp.Navigate(fmt.Sprintf("%s/conversations/%d%s", d.URL, conv.ID, query)))
				waitFor(t, ctx, "the conversation shows", `document.querySelectorAll(".timeline .msg").length >= 4`)
				shoot(t, ctx, filepath.Join(out, "inbox-en-1280-dark.png"))
			}
		})
	}
}

type session struct {
	user  sahay.User
	token string
}

// tokenFor signs in as a user over HTTP and makes an API token for them.
func tokenFor(t *testing.T, d *dashboard, email, password string) session {
	t.Helper()
	r := d.Do(t, apitest.Request{Method: http.MethodPost, Path: "/api/v1/auth/login", Body: map[string]string{"email": email, "password": password}})
	if r.Status != http.StatusOK {
		t.Fatalf("login %s: %s", email, r)
	}
	var me struct{ User sahay.User }
	r.Decode(t, &me)
	tr := d.Do(t, apitest.Request{Method: http.MethodPost, Path: "/api/v1/me/tokens", Body: map[string]string{"name": "screenshots"}, Cookies: r.Cookies})
	if tr.Status != http.StatusCreated && tr.Status != http.StatusOK {
		t.Fatalf("token for %s: %s", email, tr)
	}
	var tok struct{ Token string }
	tr.Decode(t, &tok)
	return session{user: me.User, token: tok.Token}
}

func shoot(t *testing.T, ctx context.Context, path string) {
	t.Helper()
	// Let fonts, counts and relative times settle.
	do(t, ctx, chromedp.Sleep(400*time.Millisecond))
	c, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	png, err := chromedp.Run(c, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s", path)
}
