package app_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/app"
	"github.com/sahayhq/sahay/internal/channel/meta"
	"github.com/sahayhq/sahay/internal/channel/meta/metatest"
	"github.com/sahayhq/sahay/internal/channel/telegram"
	"github.com/sahayhq/sahay/internal/channel/telegram/telegramtest"
	"github.com/sahayhq/sahay/internal/channel/whatsapp"
	"github.com/sahayhq/sahay/internal/core"
	"github.com/sahayhq/sahay/internal/store"
	"github.com/sahayhq/sahay/internal/store/storetest"
)

// surveyNode opens a node on SQLite, or on a fresh PostgreSQL schema when
// the test database is set, with its public address given.
func surveyNode(t *testing.T) *app.App {
	t.Helper()
	env := map[string]string{"SAHAY_PUBLIC_URL": "https://help.shop.test"}
	if pg := os.Getenv("SAHAY_TEST_POSTGRES_URL"); pg != "" {
		env["SAHAY_DATABASE_URL"] = freshSchema(t, pg)
	}
	a := openNode(t, t.TempDir(), env)
	t.Cleanup(func() { a.Close() })
	return a
}

// ownerOf makes an account and returns its owner.
func ownerOf(t *testing.T, a *app.App) *core.Actor {
	t.Helper()
	ctx := context.Background()
	_, owner, err := a.Service.CreateAccount(ctx, "Shop", "owner@shop.test", "Owner", "correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	actor, err := a.Service.Actor(ctx, owner)
	if err != nil {
		t.Fatal(err)
	}
	return actor
}

func surveyOn(t *testing.T, a *app.App, actor *core.Actor, inboxID int64) {
	t.Helper()
	if _, err := a.Service.SetInboxSurvey(context.Background(), actor, inboxID, core.SurveySetting{SurveyOnResolve: true}); err != nil {
		t.Fatal(err)
	}
}

func setStatus(t *testing.T, a *app.App, actor *core.Actor, id int64, status string) {
	t.Helper()
	if _, err := a.Service.UpdateConversation(context.Background(), actor, id, core.ConversationUpdate{Status: &status}); err != nil {
		t.Fatalf("status %s: %v", status, err)
	}
}

func waitSurvey(t *testing.T, a *app.App, accountID, convID int64, status string) *store.Survey {
	t.Helper()
	var sv *store.Survey
	storetest.Eventually(t, 20*time.Second, "the survey to be "+status, func() bool {
		var err error
		sv, err = a.Store.Survey(context.Background(), accountID, convID)
		return err == nil && sv.Status == status
	})
	return sv
}

// page requests a survey page through the node's handler, from addr.
func page(t *testing.T, a *app.App, method, target, addr string, form url.Values) (int, string) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req := httptest.NewRequest(method, target, body)
	req.RemoteAddr = addr + ":5000"
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
	}
	rec := httptest.NewRecorder()
	a.Handler().ServeHTTP(rec, req)
	if csp := rec.Header().Get("Content-Security-Policy"); rec.Code != http.StatusUnauthorized && !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("%s %s: Content-Security-Policy %q", method, target, csp)
	}
	return rec.Code, rec.Body.String()
}

var surveyLink = regexp.MustCompile(`https://help\.shop\.test(/survey/[A-Za-z0-9_.-]+)`)

// A Telegram conversation in Bengali resolved by an agent gets one survey
// message in Bengali with a signed link; the page works without login,
// stores the rating where the widget's go, lets it be changed for a
// while; a reopen and a second resolve send no second survey.
func TestSurveySentOnceOnResolve(t *testing.T) {
	sim := telegramtest.New(t, botToken)
	a := surveyNode(t)
	actor := ownerOf(t, a)
	ctx := context.Background()
	name := "Telegram"
	settings, _ := json.Marshal(map[string]string{"bot_token": botToken, "secret_token": "s3cret", "api_base_url": sim.URL,
		"mode": telegram.ModePolling})
	inbox, err := a.Service.CreateInbox(ctx, actor, core.InboxInput{Name: &name, Channel: telegram.Name, Settings: settings})
	if err != nil {
		t.Fatal(err)
	}
	surveyOn(t, a, actor, inbox.ID)
	sim.Push(update(0, 61, 1, "আমার অর্ডার এখনো আসেনি"))
	m := waitStored(t, a.Store, inbox.ID, "61:1")
	setStatus(t, a, actor, m.ConversationID, sahay.StatusResolved)

	wctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	sent, err := sim.WaitSent(wctx, 1)
	if err != nil {
		t.Fatalf("no survey sent: %v", err)
	}
	if sent[0].ChatID != 61 || !strings.Contains(sent[0].Text, "রেটিং দিন") {
		t.Fatalf("sent %+v, want the Bengali survey to chat 61", sent[0])
	}
	match := surveyLink.FindStringSubmatch(sent[0].Text)
	if match == nil {
		t.Fatalf("no survey link in %q", sent[0].Text)
	}
	path := match[1]
	sv := waitSurvey(t, a, inbox.AccountID, m.ConversationID, store.SurveySent)
	if sv.Language != "bn" || sv.MessageID == 0 {
		t.Fatalf("survey %+v, want sent in bn with its message", sv)
	}

	// The page, without login, in the conversation's language.
	code, body := page(t, a, http.MethodGet, path, "198.51.100.1", nil)
	if code != http.StatusOK || !strings.Contains(body, `lang="bn"`) || !strings.Contains(body, "আমাদের সেবা কেমন ছিল?") || !strings.Contains(body, `name="rating"`) {
		t.Fatalf("page %d %s", code, body)
	}
	code, body = page(t, a, http.MethodGet, path+"?lang=hi", "198.51.100.1", nil)
	if code != http.StatusOK || !strings.Contains(body, `lang="hi"`) || !strings.Contains(body, "हमारी सेवा कैसी रही?") {
		t.Fatalf("page in hi %d %s", code, body)
	}
	// A rating out of range is refused and stores nothing.
	code, body = page(t, a, http.MethodPost, path, "198.51.100.1", url.Values{"rating": {"9"}, "comment": {"x"}})
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, "১ থেকে ৫") {
		t.Fatalf("rating 9: %d %s", code, body)
	}
	code, _ = page(t, a, http.MethodPost, path, "198.51.100.1", url.Values{"rating": {"4"}, "comment": {strings.Repeat("অ", 1001)}})
	if code != http.StatusUnprocessableEntity {
		t.Fatalf("long comment: %d", code)
	}
	if _, err := a.Store.ConversationCSAT(ctx, inbox.AccountID, m.ConversationID); sahay.ErrorCode(err) != sahay.ENOTFOUND {
		t.Fatalf("a refused answer stored a rating: %v", err)
	}
	code, body = page(t, a, http.MethodPost, path, "198.51.100.1", url.Values{"rating": {"4"}, "comment": {"দ্রুত সাহায্য"}})
	if code != http.StatusOK || !strings.Contains(body, "ধন্যবাদ") {
		t.Fatalf("answer: %d %s", code, body)
	}
	// Changed within the window: the latest answer counts.
	code, _ = page(t, a, http.MethodPost, path, "198.51.100.1", url.Values{"rating": {"5"}, "comment": {"দ্রুত সাহায্য"}})
	if code != http.StatusOK {
		t.Fatalf("changed answer: %d", code)
	}
	sat, err := a.Service.ConversationSatisfaction(ctx, actor, m.ConversationID)
	if err != nil || sat.Rating == nil || sat.Rating.Rating != 5 || sat.Rating.Comment != "দ্রুত সাহায্য" || sat.Survey.AnsweredAt == nil {
		t.Fatalf("satisfaction %+v %v", sat, err)
	}
	// Past the window, the answer stands: the page says so and a replay
	// of the form is refused.
	ageRating(t, a, m.ConversationID, core.SurveyAnswerWindow+time.Minute)
	code, body = page(t, a, http.MethodGet, path, "198.51.100.1", nil)
	if code != http.StatusOK || !strings.Contains(body, "আগেই দেওয়া হয়েছে") || strings.Contains(body, "<form") {
		t.Fatalf("answered page: %d %s", code, body)
	}
	code, _ = page(t, a, http.MethodPost, path, "198.51.100.1", url.Values{"rating": {"1"}})
	if code != http.StatusConflict {
		t.Fatalf("replayed answer: %d, want 409", code)
	}
	if r, err := a.Store.ConversationCSAT(ctx, inbox.AccountID, m.ConversationID); err != nil || r.Rating != 5 {
		t.Fatalf("rating after the replay %+v %v, want 5 kept", r, err)
	}
	// The dashboard's inbox ratings show it, as they show the widget's.
	report, err := a.Service.InboxRatings(ctx, actor, inbox.ID)
	if err != nil || report.Count != 1 || report.Responses[0].Rating != 5 {
		t.Fatalf("inbox ratings %+v %v", report, err)
	}
	list, err := a.Service.ListCSAT(ctx, actor, time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	if err != nil || len(list) != 1 {
		t.Fatalf("csat list %+v %v", list, err)
	}
	// The reports count the survey as asked, and answered.
	day := time.Now().UTC()
	period := core.ReportQuery{From: day.AddDate(0, 0, -1).Format(time.DateOnly), To: day.AddDate(0, 0, 1).Format(time.DateOnly)}
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		sum, err := a.Service.ReportSummary(ctx, actor, period)
		if err != nil {
			t.Fatal(err)
		}
		if c := sum.CSAT; c.SurveysSent == 1 && c.Responses == 1 && c.ResponseRate != nil && *c.ResponseRate == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("report csat %+v; want 1 survey sent, 1 response", sum.CSAT)
		}
	}
	// The timeline says so.
	ms, err := a.Store.Messages(ctx, inbox.AccountID, m.ConversationID, 0, 50)
	if err != nil {
		t.Fatal(err)
	}
	rated := 0
	for _, msg := range ms {
		if msg.Kind == sahay.MessageActivity && strings.HasPrefix(msg.Content, "csat:") {
			rated++
		}
	}
	if rated != 2 {
		t.Fatalf("%d csat lines in the timeline, want 2", rated)
	}

	// Reopened and resolved again: no second survey. An agent's reply
	// after the second resolve marks when the jobs have run.
	setStatus(t, a, actor, m.ConversationID, sahay.StatusOpen)
	setStatus(t, a, actor, m.ConversationID, sahay.StatusResolved)
	if _, err := a.Service.PostMessage(ctx, actor, m.ConversationID, core.NewMessage{Content: "marker"}); err != nil {
		t.Fatal(err)
	}
	if sent, err = sim.WaitSent(wctx, 2); err != nil {
		t.Fatal(err)
	}
	for _, s := range sim.Sent()[1:] {
		if surveyLink.MatchString(s.Text) {
			t.Fatalf("a second survey was sent: %q", s.Text)
		}
	}
}

// On WhatsApp, a conversation resolved after the 24-hour window closed is
// not sent a survey: it is recorded as skipped, and Meta hears nothing.
func TestSurveySkippedWhenWindowClosed(t *testing.T) {
	const secret = "0123456789abcdef0123456789abcdef"
	sim := metatest.New(t, secret)
	a := surveyNode(t)
	actor := ownerOf(t, a)
	ctx := context.Background()
	name := "WhatsApp"
	settings, _ := json.Marshal(map[string]string{"app_secret": secret, "access_token": metatest.Token,
		"phone_number_id": "1122334455667", "api_base_url": sim.URL})
	inbox, err := a.Service.CreateInbox(ctx, actor, core.InboxInput{Name: &name, Channel: whatsapp.Name, Settings: settings})
	if err != nil {
		t.Fatal(err)
	}
	surveyOn(t, a, actor, inbox.ID)
	deliver := func(id, text string) {
		body := metatest.Payload(meta.ObjectWhatsApp, map[string]any{"id": "1234567890987654321", "changes": []map[string]any{{"field": "messages", "value": map[string]any{
			"messaging_product": "whatsapp", "metadata": map[string]string{"phone_number_id": "1122334455667"},
			"contacts": []map[string]any{{"wa_id": "8801711223344", "profile": map[string]string{"name": "Rahim"}}},
			"messages": []map[string]any{{"from": "8801711223344", "id": id, "timestamp": fmt.Sprint(time.Now().Unix()), "type": "text", "text": map[string]string{"body": text}}}}}}})
		req := httptest.NewRequest(http.MethodPost, fmt.Sprintf("/webhooks/%d", inbox.ID), strings.NewReader(string(body)))
		req.Header.Set(meta.SignatureHeader, sim.Sign(body))
		rec := httptest.NewRecorder()
		a.Handler().ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("webhook %d %s", rec.Code, rec.Body)
		}
	}
	deliver("wamid.old", "मेरा ऑर्डर कहाँ है?")
	m := waitStored(t, a.Store, inbox.ID, "wamid.old")
	storetest.MustWrite(t, a.Store, func(tx *store.Tx) error {
		c, err := tx.Conversation(ctx, inbox.AccountID, m.ConversationID)
		if err != nil {
			return err
		}
		next := *c
		at := time.Now().Add(-25 * time.Hour)
		next.LastIncomingAt = &at
		return tx.UpdateConversation(ctx, c, &next)
	})
	setStatus(t, a, actor, m.ConversationID, sahay.StatusResolved)
	sv := waitSurvey(t, a, inbox.AccountID, m.ConversationID, store.SurveySkipped)
	if sv.Reason != sahay.EWINDOW || sv.MessageID != 0 {
		t.Fatalf("survey %+v, want skipped for the closed window", sv)
	}
	if sent := sim.Find(http.MethodPost, "/*/messages"); len(sent) != 0 {
		t.Fatalf("Meta was sent %d messages, want none", len(sent))
	}

	// The customer writes again, reopening it; resolved inside the
	// window, the survey goes, in Hindi.
	deliver("wamid.new", "मेरा दूसरा ऑर्डर कहाँ है?")
	m2 := waitStored(t, a.Store, inbox.ID, "wamid.new")
	setStatus(t, a, actor, m2.ConversationID, sahay.StatusResolved)
	wctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	reqs, err := sim.Wait(wctx, http.MethodPost, "/*/messages", 1)
	if err != nil {
		t.Fatal(err)
	}
	if body := string(reqs[0].Body); !strings.Contains(body, "/survey/") || !strings.Contains(body, "रेटिंग दें") {
		t.Fatalf("sent %s, want the Hindi survey link", body)
	}
	waitSurvey(t, a, inbox.AccountID, m2.ConversationID, store.SurveySent)
}

// A survey link altered in any way, or expired, shows a clear page and
// stores nothing; a guesser is slowed down.
func TestSurveyLinkTamperExpiryAndRateLimit(t *testing.T) {
	sim := telegramtest.New(t, botToken)
	a := surveyNode(t)
	ctx := context.Background()
	inbox := telegramInbox(t, a, sim, telegram.ModePolling)
	actor := ownerActor(t, a, inbox.AccountID)
	surveyOn(t, a, actor, inbox.ID)
	sim.Push(update(0, 71, 1, "hello"))
	m := waitStored(t, a.Store, inbox.ID, "71:1")
	setStatus(t, a, actor, m.ConversationID, sahay.StatusResolved)

	link, err := a.Service.SurveyLink(ctx, inbox.AccountID, m.ConversationID, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	path := strings.TrimPrefix(link, "https://help.shop.test")
	body, sig, _ := strings.Cut(strings.TrimPrefix(path, "/survey/"), ".")
	other, _ := a.Service.SurveyLink(ctx, inbox.AccountID, m.ConversationID+1, time.Now())
	otherBody, _, _ := strings.Cut(strings.TrimPrefix(other, "https://help.shop.test/survey/"), ".")
	flipped := []byte(sig)
	flipped[3] ^= 1
	for _, bad := range []string{
		"/survey/" + otherBody + "." + sig,        // another conversation's claims, this signature
		"/survey/" + body + "." + string(flipped), // signature altered
		"/survey/" + body,                         // no signature
		"/survey/x" + strings.Repeat("A", 300),    // too long
	} {
		code, page := page(t, a, http.MethodPost, bad, "203.0.113.5", url.Values{"rating": {"1"}})
		if code != http.StatusNotFound || !strings.Contains(page, "not valid") {
			t.Fatalf("%s: %d %s", bad, code, page)
		}
	}
	expired, _ := a.Service.SurveyLink(ctx, inbox.AccountID, m.ConversationID, time.Now().Add(-8*24*time.Hour))
	code, pg := page(t, a, http.MethodPost, strings.TrimPrefix(expired, "https://help.shop.test")+"?lang=hi", "203.0.113.5", url.Values{"rating": {"1"}})
	if code != http.StatusGone || !strings.Contains(pg, "समय-सीमा समाप्त") {
		t.Fatalf("expired: %d %s", code, pg)
	}
	if _, err := a.Store.ConversationCSAT(ctx, inbox.AccountID, m.ConversationID); sahay.ErrorCode(err) != sahay.ENOTFOUND {
		t.Fatalf("a bad link stored a rating: %v", err)
	}
	// The genuine link works, from another address.
	if code, pg := page(t, a, http.MethodGet, path, "203.0.113.9", nil); code != http.StatusOK || !strings.Contains(pg, `lang="en"`) {
		t.Fatalf("genuine: %d %s", code, pg)
	}
	// One address's burst runs out.
	limited := false
	for range 40 {
		if code, _ := page(t, a, http.MethodGet, path, "203.0.113.7", nil); code == http.StatusTooManyRequests {
			limited = true
			break
		}
	}
	if !limited {
		t.Fatal("40 requests at once from one address were not limited")
	}
}

// ownerActor returns the account's owner, made by telegramInbox.
func ownerActor(t *testing.T, a *app.App, accountID int64) *core.Actor {
	t.Helper()
	u, _, err := a.Store.UserByEmail(context.Background(), "owner@shop.test")
	if err != nil || u.AccountID != accountID {
		t.Fatalf("owner: %+v %v", u, err)
	}
	actor, err := a.Service.Actor(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	return actor
}

// ageRating moves a conversation's rating back in time, as if given that
// long ago.
func ageRating(t *testing.T, a *app.App, convID int64, by time.Duration) {
	t.Helper()
	driver, dsn := "sqlite", "file:"+filepath.Join(a.Config.DataDir, "sahay.db")+"?_pragma=busy_timeout(10000)"
	if a.Config.DatabaseURL != "" {
		driver, dsn = "pgx", a.Config.DatabaseURL
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`UPDATE widget_csat SET created_at = created_at - $1 WHERE conversation_id = $2`, by.Milliseconds(), convID); err != nil {
		t.Fatal(err)
	}
}
