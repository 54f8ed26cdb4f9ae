package api_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/apitest"
)

// kbArticle is what the knowledge base API answers for an article.
type kbArticle struct {
	ID           int64           `json:"id"`
	CategoryID   *int64          `json:"category_id"`
	Internal     bool            `json:"internal"`
	Pages        []string        `json:"pages"`
	Translations []kbTranslation `json:"translations"`
}

type kbTranslation struct {
	Locale      string  `json:"locale"`
	Title       string  `json:"title"`
	Description string  `json:"description"`
	Body        string  `json:"body"`
	Status      string  `json:"status"`
	HasDraft    bool    `json:"has_draft"`
	PublishedAt *string `json:"published_at"`
	URL         string  `json:"url"`
	HTML        string  `json:"html"`
	// PublishedTitle is what readers see while Title changes.
	PublishedTitle string `json:"published_title"`
}

func (a kbArticle) in(locale string) kbTranslation {
	for _, t := range a.Translations {
		if t.Locale == locale {
			return t
		}
	}
	return kbTranslation{}
}

type kbHit struct {
	ArticleID int64  `json:"article_id"`
	Locale    string `json:"locale"`
	Title     string `json:"title"`
	Snippet   string `json:"snippet"`
	Internal  bool   `json:"internal"`
	URL       string `json:"url"`
}

func TestKnowledgeBase(t *testing.T) {
	apitest.Dialects(t, func(t *testing.T, _ string) {
		s := apitest.NewServer(t)
		owner := s.NewAccount(t, "Dhaka Gadgets")
		agent := s.NewUser(t, owner, sahay.RoleAgent)

		// The account's slug names its help center; /me tells it.
		var me struct {
			Slug    string `json:"slug"`
			Account struct {
				Slug string `json:"slug"`
			} `json:"account"`
		}
		s.Must(t, agent.Token, http.MethodGet, "/api/v1/me", nil, http.StatusOK, &me)
		if me.Slug != "dhaka-gadgets" || me.Account.Slug != me.Slug {
			t.Fatalf("me's slug = %q, account's %q; want dhaka-gadgets", me.Slug, me.Account.Slug)
		}

		var cat struct{ ID int64 }
		s.Must(t, owner.Token, http.MethodPost, "/api/v1/kb/categories",
			map[string]any{"names": map[string]string{"en": "Returns", "bn": "ফেরত"}}, http.StatusCreated, &cat)

		// The contract: one call creates a published article.
		var refund kbArticle
		s.Must(t, owner.Token, http.MethodPost, "/api/v1/kb/articles", map[string]any{
			"title": "How do I return an item?", "body": "You can return an item within **7 days**.\n\n![box](/hc-files/x/box.png)",
			"locale": "en", "category_id": cat.ID, "status": "published", "internal": false}, http.StatusCreated, &refund)
		en := refund.in("en")
		if en.Status != "published" || en.HasDraft || en.PublishedAt == nil || refund.CategoryID == nil || *refund.CategoryID != cat.ID ||
			!strings.Contains(en.HTML, "<strong>7 days</strong>") || en.URL != "/hc/dhaka-gadgets/en/articles/"+fmt.Sprint(refund.ID)+"-how-do-i-return-an-item" {
			t.Fatalf("created article: %+v", refund)
		}

		// A Bengali translation, first a draft.
		var got kbArticle
		s.Must(t, owner.Token, http.MethodPut, "/api/v1/kb/articles/"+fmt.Sprint(refund.ID)+"/translations/bn",
			map[string]any{"title": "কীভাবে পণ্য ফেরত দেব?", "body": "৭ দিনের মধ্যে পণ্য ফেরত দেওয়া যায়।"}, http.StatusOK, &got)
		if bn := got.in("bn"); bn.Status != "draft" || bn.URL != "" || bn.PublishedAt != nil {
			t.Fatalf("bn draft: %+v", bn)
		}
		// A draft is not searched; publishing it is.
		if hits := items[kbHit](t, s, agent.Token, "/api/v1/kb/search?q=ফেরত"); len(hits) != 0 {
			t.Fatalf("a draft was found: %+v", hits)
		}
		s.Must(t, owner.Token, http.MethodPut, "/api/v1/kb/articles/"+fmt.Sprint(refund.ID)+"/translations/bn",
			map[string]any{"status": "published"}, http.StatusOK, &got)
		hits := items[kbHit](t, s, agent.Token, "/api/v1/kb/search?q=ফেরত")
		if len(hits) != 1 || hits[0].ArticleID != refund.ID || hits[0].Locale != "bn" || !strings.Contains(hits[0].Snippet, "<mark>") {
			t.Fatalf("search in Bengali: %+v", hits)
		}

		// Editing a published translation keeps the published version
		// until it is published again.
		s.Must(t, owner.Token, http.MethodPut, "/api/v1/kb/articles/"+fmt.Sprint(refund.ID)+"/translations/en",
			map[string]any{"body": "You can return an item within **14 days**.", "status": "draft"}, http.StatusOK, &got)
		if en := got.in("en"); en.Status != "published" || !en.HasDraft || !strings.Contains(en.Body, "14 days") || !strings.Contains(en.HTML, "7 days") {
			t.Fatalf("draft of a published translation: %+v", en)
		}
		s.Must(t, owner.Token, http.MethodPatch, "/api/v1/kb/articles/"+fmt.Sprint(refund.ID),
			map[string]any{"locale": "en", "status": "published"}, http.StatusOK, &got)
		if en := got.in("en"); en.HasDraft || !strings.Contains(en.HTML, "14 days") {
			t.Fatalf("published again: %+v", en)
		}

		// An internal article: agents find it, with no public address.
		var policy kbArticle
		s.Must(t, owner.Token, http.MethodPost, "/api/v1/kb/articles", map[string]any{
			"title": "Refund policy for damaged parcels", "body": "Approve refunds up to 5,000 BDT without a manager.",
			"locale": "en", "status": "published", "internal": true}, http.StatusCreated, &policy)
		hits = items[kbHit](t, s, agent.Token, "/api/v1/kb/search?q=refund+damaged")
		if len(hits) == 0 || hits[0].ArticleID != policy.ID || !hits[0].Internal || hits[0].URL != "" {
			t.Fatalf("internal article in agents' search: %+v", hits)
		}
		if l := items[kbArticle](t, s, agent.Token, "/api/v1/kb/articles?internal=true"); len(l) != 1 || l[0].ID != policy.ID {
			t.Fatalf("internal filter: %+v", l)
		}
		if l := items[kbArticle](t, s, agent.Token, "/api/v1/kb/articles?locale=bn&status=published"); len(l) != 1 || l[0].ID != refund.ID {
			t.Fatalf("locale and status filter: %+v", l)
		}

		// Agents read and never write.
		before := items[kbArticle](t, s, owner.Token, "/api/v1/kb/articles")
		for _, r := range []struct {
			method, path string
			body         any
		}{
			{http.MethodPost, "/api/v1/kb/articles", map[string]any{"title": "x", "body": "y"}},
			{http.MethodPatch, "/api/v1/kb/articles/" + fmt.Sprint(refund.ID), map[string]any{"internal": true}},
			{http.MethodPut, "/api/v1/kb/articles/" + fmt.Sprint(refund.ID) + "/translations/hi", map[string]any{"title": "x"}},
			{http.MethodDelete, "/api/v1/kb/articles/" + fmt.Sprint(refund.ID), nil},
			{http.MethodPost, "/api/v1/kb/categories", map[string]any{"names": map[string]string{"en": "x"}}},
			{http.MethodPut, "/api/v1/kb/settings", map[string]any{"title": "x"}},
			{http.MethodGet, "/api/v1/kb/reports", nil},
		} {
			wantError(t, s.Call(t, agent.Token, r.method, r.path, r.body), http.StatusForbidden, "forbidden")
		}

		// Bad input is refused and changes nothing.
		long := strings.Repeat("a", 201)
		for _, r := range []struct {
			method, path string
			body         any
		}{
			{http.MethodPost, "/api/v1/kb/articles", map[string]any{"body": "no title"}},
			{http.MethodPost, "/api/v1/kb/articles", map[string]any{"title": long, "body": "x"}},
			{http.MethodPost, "/api/v1/kb/articles", map[string]any{"title": "x", "body": "x", "status": "live"}},
			{http.MethodPost, "/api/v1/kb/articles", map[string]any{"title": "x", "body": "x", "locale": "Bengali!"}},
			{http.MethodPost, "/api/v1/kb/articles", map[string]any{"title": "x", "body": "x", "category_id": 999999}},
			{http.MethodPost, "/api/v1/kb/articles", map[string]any{"title": "x", "body": "", "status": "published"}},
			{http.MethodPost, "/api/v1/kb/articles", map[string]any{"title": "x", "body": "x", "pages": make([]string, 21)}},
			{http.MethodPatch, "/api/v1/kb/articles/" + fmt.Sprint(refund.ID), map[string]any{"title": "no locale"}},
			{http.MethodPost, "/api/v1/kb/categories", map[string]any{"names": map[string]string{}}},
			{http.MethodPost, "/api/v1/kb/categories", map[string]any{"names": map[string]string{"en": long}}},
			{http.MethodDelete, "/api/v1/kb/articles/" + fmt.Sprint(policy.ID) + "/translations/en", nil},
			{http.MethodPut, "/api/v1/kb/settings", map[string]any{"domain": "127.0.0.1"}},
			{http.MethodPut, "/api/v1/kb/settings", map[string]any{"domain": "help.example.com/path"}},
			{http.MethodPut, "/api/v1/kb/settings", map[string]any{"color": "red"}},
			{http.MethodPut, "/api/v1/kb/settings", map[string]any{"locales": []string{"en"}, "default_locale": "bn"}},
			{http.MethodPatch, "/api/v1/account", map[string]any{"slug": "Not A Slug"}},
			{http.MethodPatch, "/api/v1/account", map[string]any{"slug": "api"}},
			{http.MethodGet, "/api/v1/kb/search?q=x&limit=500", nil},
			{http.MethodGet, "/api/v1/kb/reports?from=2026-13-01", nil},
		} {
			wantError(t, s.Call(t, owner.Token, r.method, r.path, r.body), http.StatusUnprocessableEntity, "invalid")
		}
		if after := items[kbArticle](t, s, owner.Token, "/api/v1/kb/articles"); len(after) != len(before) {
			t.Fatalf("bad input changed the articles: %d, then %d", len(before), len(after))
		}

		// A slug or a domain another account has is a conflict.
		other := s.NewAccount(t, "Other Shop")
		s.Must(t, other.Token, http.MethodPut, "/api/v1/kb/settings", map[string]any{"domain": "Help.Other.Example"}, http.StatusOK, nil)
		wantError(t, s.Call(t, owner.Token, http.MethodPut, "/api/v1/kb/settings", map[string]any{"domain": "help.other.example"}),
			http.StatusConflict, "conflict")
		wantError(t, s.Call(t, owner.Token, http.MethodPatch, "/api/v1/account", map[string]any{"slug": "other-shop"}),
			http.StatusConflict, "conflict")
		// Another account's articles are not found.
		wantError(t, s.Call(t, other.Token, http.MethodGet, "/api/v1/kb/articles/"+fmt.Sprint(refund.ID), nil), http.StatusNotFound, "not_found")
		if hits := items[kbHit](t, s, other.Token, "/api/v1/kb/search?q=return"); len(hits) != 0 {
			t.Fatalf("another account's search found %+v", hits)
		}

		// A new slug moves the public addresses.
		ctx := context.Background()
		if _, err := s.App.Service.HelpCenter(ctx, "dhaka-gadgets"); err != nil {
			t.Fatal(err)
		}
		s.Must(t, owner.Token, http.MethodPatch, "/api/v1/account", map[string]any{"slug": "dg"}, http.StatusOK, nil)
		if _, err := s.App.Service.HelpCenter(ctx, "dhaka-gadgets"); sahay.ErrorCode(err) != sahay.ENOTFOUND {
			t.Fatalf("the old slug still names the help center: %v", err)
		}
		if site, err := s.App.Service.HelpCenter(ctx, "dg"); err != nil || site.AccountID != owner.User.AccountID {
			t.Fatalf("the new slug: %v, %v", site, err)
		}
		s.Must(t, owner.Token, http.MethodGet, "/api/v1/kb/articles/"+fmt.Sprint(refund.ID), nil, http.StatusOK, &got)
		if !strings.HasPrefix(got.in("bn").URL, "/hc/dg/bn/articles/") {
			t.Fatalf("address after the slug changed: %q", got.in("bn").URL)
		}

		// A new title saved as a draft leaves the published one to readers.
		s.Must(t, owner.Token, http.MethodPut, "/api/v1/kb/articles/"+fmt.Sprint(refund.ID)+"/translations/bn",
			map[string]any{"title": "পণ্য ফেরতের নিয়ম", "status": "draft"}, http.StatusOK, &got)
		if bn := got.in("bn"); bn.Title != "পণ্য ফেরতের নিয়ম" || bn.PublishedTitle != "কীভাবে পণ্য ফেরত দেব?" || !bn.HasDraft {
			t.Fatalf("a new title as a draft: %+v", bn)
		}
		if hits := items[kbHit](t, s, agent.Token, "/api/v1/kb/search?q=ফেরত"); len(hits) != 1 || hits[0].Title != "কীভাবে পণ্য ফেরত দেব?" {
			t.Fatalf("search after a draft title: %+v", hits)
		}

		// Unpublishing withdraws the translation from search.
		var withdrawn kbArticle
		s.Must(t, owner.Token, http.MethodPut, "/api/v1/kb/articles/"+fmt.Sprint(refund.ID)+"/translations/bn",
			map[string]any{"status": "unpublished"}, http.StatusOK, &withdrawn)
		if bn := withdrawn.in("bn"); bn.Status != "draft" || bn.Title != "পণ্য ফেরতের নিয়ম" || bn.PublishedTitle != "" {
			t.Fatalf("unpublished: %+v", bn)
		}
		if hits := items[kbHit](t, s, agent.Token, "/api/v1/kb/search?q=ফেরত"); len(hits) != 0 {
			t.Fatalf("an unpublished translation was found: %+v", hits)
		}

		// Deleting the category leaves its articles uncategorized.
		s.Must(t, owner.Token, http.MethodDelete, "/api/v1/kb/categories/"+fmt.Sprint(cat.ID), nil, http.StatusNoContent, nil)
		s.Must(t, owner.Token, http.MethodGet, "/api/v1/kb/articles/"+fmt.Sprint(refund.ID), nil, http.StatusOK, &got)
		if got.CategoryID != nil {
			t.Fatalf("category after deleting it: %v", *got.CategoryID)
		}

		// The readers' report: views, feedback and searches counted by the
		// help center, written, then read.
		svc := s.App.Service
		site, err := svc.HelpCenterOf(ctx, owner.User.AccountID)
		if err != nil {
			t.Fatal(err)
		}
		svc.CountKBView(site, refund.ID, "en")
		svc.CountKBView(site, refund.ID, "en")
		if err := svc.KBFeedback(site, refund.ID, "en", false); err != nil {
			t.Fatal(err)
		}
		if err := svc.KBFeedback(site, policy.ID, "en", true); err == nil {
			t.Fatal("feedback on an internal article was counted")
		}
		svc.SearchHelpCenter(site, "warranty card", "en", 10)
		svc.SearchHelpCenter(site, "Warranty  card", "en", 10)
		svc.SearchHelpCenter(site, "return", "en", 10)
		var rep struct {
			Views, Searches, Helpful, NotHelpful int64
			MostViewed                           []struct {
				ArticleID int64  `json:"article_id"`
				Title     string `json:"title"`
				Views     int64  `json:"views"`
			} `json:"most_viewed"`
			NoResult []struct {
				Query string `json:"query"`
				Count int64  `json:"count"`
			} `json:"no_result_searches"`
			Helpfulness []struct {
				ArticleID int64    `json:"article_id"`
				Rate      *float64 `json:"rate"`
			} `json:"helpfulness"`
		}
		s.Must(t, owner.Token, http.MethodGet, "/api/v1/kb/reports", nil, http.StatusOK, &rep)
		if rep.Views != 2 || rep.Searches != 3 || len(rep.MostViewed) != 1 || rep.MostViewed[0].Title != "How do I return an item?" ||
			len(rep.NoResult) != 1 || rep.NoResult[0].Query != "warranty card" || rep.NoResult[0].Count != 2 ||
			len(rep.Helpfulness) != 1 || *rep.Helpfulness[0].Rate != 0 {
			t.Fatalf("report: %+v", rep)
		}

		// Deleting the article removes it and its counts.
		s.Must(t, owner.Token, http.MethodDelete, "/api/v1/kb/articles/"+fmt.Sprint(refund.ID), nil, http.StatusNoContent, nil)
		wantError(t, s.Call(t, owner.Token, http.MethodGet, "/api/v1/kb/articles/"+fmt.Sprint(refund.ID), nil), http.StatusNotFound, "not_found")
		s.Must(t, owner.Token, http.MethodGet, "/api/v1/kb/reports", nil, http.StatusOK, &rep)
		if rep.Views != 0 {
			t.Fatalf("views of a deleted article: %+v", rep)
		}
	})
}

func TestKnowledgeBaseImages(t *testing.T) {
	s := apitest.NewServer(t)
	owner := s.NewAccount(t, "Shop")
	agent := s.NewUser(t, owner, sahay.RoleAgent)
	var img bytes.Buffer
	png.Encode(&img, image.NewRGBA(image.Rect(0, 0, 4, 4)))
	upload := func(token, name, ct string, content []byte) *apitest.Response {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		h := make(map[string][]string)
		h["Content-Disposition"] = []string{`form-data; name="file"; filename="` + name + `"`}
		h["Content-Type"] = []string{ct}
		part, _ := mw.CreatePart(h)
		part.Write(content)
		mw.Close()
		return s.Do(t, apitest.Request{Method: http.MethodPost, Path: "/api/v1/kb/files", Token: token, Body: body.Bytes(),
			Header: http.Header{"Content-Type": {mw.FormDataContentType()}}})
	}
	r := upload(owner.Token, "parcel box.png", "image/png", img.Bytes())
	var out struct{ URL, Markdown string }
	r.Decode(t, &out)
	if r.Status != http.StatusCreated || !strings.HasPrefix(out.URL, "/hc-files/") || !strings.HasSuffix(out.URL, "/parcel%20box.png") ||
		out.Markdown != "![parcel box]("+out.URL+")" {
		t.Fatalf("upload: %d %+v", r.Status, out)
	}
	// A web page calling itself an image, a PDF, and an agent's upload are refused.
	wantError(t, upload(owner.Token, "x.png", "image/png", []byte("<html><script>alert(1)</script></html>")), http.StatusUnprocessableEntity, "invalid")
	wantError(t, upload(owner.Token, "x.pdf", "application/pdf", []byte("%PDF-1.4")), http.StatusUnprocessableEntity, "invalid")
	wantError(t, upload(agent.Token, "a.png", "image/png", img.Bytes()), http.StatusForbidden, "forbidden")
	// An image past 5 MB, though under a message attachment's limit.
	big := append(bytes.Clone(img.Bytes()), make([]byte, 5<<20)...)
	wantError(t, upload(owner.Token, "big.png", "image/png", big), http.StatusRequestEntityTooLarge, "too_large")
}

// TestBotAnswersFromArticles: with no FAQ entry for the question, the
// inbox's bot answers from the help center's published public article
// in the customer's language, with a link to it; an internal article is
// never said to a customer.
func TestBotAnswersFromArticles(t *testing.T) {
	apitest.Dialects(t, func(t *testing.T, _ string) {
		s := apitest.NewServer(t)
		owner := s.NewAccount(t, "Dokan")
		agent := s.NewUser(t, owner, sahay.RoleAgent)
		inbox := s.NewInbox(t, owner, "App", "api", nil, agent.ID)
		s.Must(t, owner.Token, http.MethodPatch, fmt.Sprintf("/api/v1/inboxes/%d/bot", inbox.ID), map[string]any{"enabled": true}, http.StatusOK, nil)
		var art kbArticle
		s.Must(t, owner.Token, http.MethodPost, "/api/v1/kb/articles", map[string]any{"title": "ডেলিভারি চার্জ কত?",
			"body": "ঢাকার ভিতরে ডেলিভারি চার্জ ৬০ টাকা, ঢাকার বাইরে ১২০ টাকা।", "locale": "bn", "status": "published"}, http.StatusCreated, &art)
		s.Must(t, owner.Token, http.MethodPost, "/api/v1/kb/articles", map[string]any{"title": "ডেলিভারি চার্জ মওকুফের নিয়ম",
			"body": "ম্যানেজার ছাড়া ডেলিভারি চার্জ মওকুফ করবেন না।", "locale": "bn", "status": "published", "internal": true}, http.StatusCreated, nil)

		var trial struct {
			Answers   bool   `json:"answers"`
			ArticleID int64  `json:"article_id"`
			Answer    string `json:"answer"`
		}
		s.Must(t, owner.Token, http.MethodPost, "/api/v1/bot/try", map[string]any{"inbox_id": inbox.ID, "text": "ডেলিভারি চার্জ কত টাকা?"}, http.StatusOK, &trial)
		if !trial.Answers || trial.ArticleID != art.ID || !strings.Contains(trial.Answer, "৬০ টাকা") {
			t.Fatalf("trial %+v", trial)
		}

		got := s.Receive(t, owner, inbox.ID, "cust-1", "ডেলিভারি চার্জ কত?", "m-1")
		msgsPath := fmt.Sprintf("/api/v1/conversations/%d/messages", got.Conversation.ID)
		waitFor(t, 15*time.Second, "the bot's answer", func() (bool, string) {
			ms := items[sahay.Message](t, s, agent.Token, msgsPath)
			last := ms[len(ms)-1]
			if last.SenderType != sahay.SenderBot {
				return false, fmt.Sprintf("%+v", ms)
			}
			if last.Details == nil || last.Details.Bot == nil || last.Details.Bot.ArticleID != art.ID ||
				!strings.Contains(last.Content, "৬০ টাকা") || strings.Contains(last.Content, "মওকুফ") ||
				!strings.Contains(last.Content, fmt.Sprintf("/hc/dokan/bn/articles/%d-", art.ID)) {
				t.Fatalf("the bot said %q, %+v", last.Content, last.Details)
			}
			return true, ""
		})
	})
}

// TestKnowledgeBaseHistory: each publication is a version of the
// translation's history; bringing one back makes it the working copy, a
// draft, and readers see it only when it is published again. Agents read
// the history and bring nothing back.
func TestKnowledgeBaseHistory(t *testing.T) {
	apitest.Dialects(t, func(t *testing.T, _ string) {
		s := apitest.NewServer(t)
		owner := s.NewAccount(t, "Shop")
		agent := s.NewUser(t, owner, sahay.RoleAgent)
		var art kbArticle
		s.Must(t, owner.Token, http.MethodPost, "/api/v1/kb/articles", map[string]any{"title": "Delivery", "body": "Two days.",
			"locale": "en", "status": "published"}, http.StatusCreated, &art)
		path := fmt.Sprintf("/api/v1/kb/articles/%d", art.ID)
		// A draft is no version; a publication is.
		s.Must(t, owner.Token, http.MethodPut, path+"/translations/en", map[string]any{"body": "Three days."}, http.StatusOK, nil)
		s.Must(t, owner.Token, http.MethodPut, path+"/translations/en", map[string]any{"body": "Four days.", "status": "published"}, http.StatusOK, nil)
		s.Must(t, owner.Token, http.MethodPut, path+"/translations/bn", map[string]any{"title": "ডেলিভারি", "body": "দুই দিন।", "status": "published"}, http.StatusOK, nil)
		type version struct {
			ID     int64  `json:"id"`
			Locale string `json:"locale"`
			Body   string `json:"body"`
		}
		en := items[version](t, s, agent.Token, path+"/versions?locale=en")
		if len(en) != 2 || en[0].Body != "Four days." || en[1].Body != "Two days." {
			t.Fatalf("English history: %+v", en)
		}
		if all := items[version](t, s, agent.Token, path+"/versions"); len(all) != 3 || all[0].Locale != "bn" {
			t.Fatalf("history: %+v", all)
		}
		restore := fmt.Sprintf("%s/versions/%d/restore", path, en[1].ID)
		wantError(t, s.Call(t, agent.Token, http.MethodPost, restore, nil), http.StatusForbidden, "forbidden")
		wantError(t, s.Call(t, owner.Token, http.MethodPost, path+"/versions/999999/restore", nil), http.StatusNotFound, "not_found")

		var got kbArticle
		s.Must(t, owner.Token, http.MethodPost, restore, nil, http.StatusOK, &got)
		if tr := got.in("en"); tr.Body != "Two days." || !tr.HasDraft || !strings.Contains(tr.HTML, "Four days.") {
			t.Fatalf("after bringing back the first version: %+v", tr)
		}
		if n := len(items[version](t, s, agent.Token, path+"/versions?locale=en")); n != 2 {
			t.Fatalf("bringing a version back made %d versions, want 2", n)
		}
		// Another account's article has no history to read.
		other := s.NewAccount(t, "Other")
		wantError(t, s.Call(t, other.Token, http.MethodGet, path+"/versions", nil), http.StatusNotFound, "not_found")
		// Deleting the translation forgets its history.
		s.Must(t, owner.Token, http.MethodDelete, path+"/translations/bn", nil, http.StatusNoContent, nil)
		if all := items[version](t, s, owner.Token, path+"/versions"); len(all) != 2 {
			t.Fatalf("history after deleting bn: %+v", all)
		}
	})
}
