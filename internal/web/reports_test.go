package web_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/apitest"
	"github.com/sahayhq/sahay/internal/store"

	"github.com/chromedp/chromedp"
)

// reportShop is an account with conversations in two inboxes: some
// answered, some resolved, a few rated, one labelled refund.
type reportShop struct {
	owner      *apitest.User
	agent      *apitest.User
	shop, help *sahay.Inbox
	period     string
}

// seedReports fills an account through the API and waits until the report
// follower has counted it: opened conversations and a first response.
func seedReports(t *testing.T, d *dashboard, customers []string) reportShop {
	t.Helper()
	owner := d.NewAccount(t, "Haat Bazaar")
	agent := d.NewUser(t, owner, sahay.RoleAgent)
	d.Must(t, owner.Token, http.MethodPatch, fmt.Sprintf("/api/v1/users/%d", agent.ID), map[string]any{"name": "Rahim Uddin"}, http.StatusOK, nil)
	d.Must(t, owner.Token, http.MethodPost, "/api/v1/labels", map[string]string{"name": "refund"}, http.StatusCreated, nil)
	shop := d.NewInbox(t, owner, "Shop", "api", nil, agent.ID, owner.ID)
	help := d.NewInbox(t, owner, "Helpline", "api", nil, agent.ID, owner.ID)
	ctx := context.Background()
	for i, text := range customers {
		inbox := shop.ID
		if i%4 == 3 {
			inbox = help.ID
		}
		c := receive(t, d, owner.Token, inbox, fmt.Sprint("customer-", i), fmt.Sprint("Customer ", i+1), text, fmt.Sprint("m", i)).Conversation
		if i%2 == 0 {
			d.Must(t, owner.Token, http.MethodPatch, fmt.Sprintf("/api/v1/conversations/%d", c.ID), map[string]any{"assignee_id": agent.ID}, http.StatusOK, nil)
			d.Must(t, agent.Token, http.MethodPost, fmt.Sprintf("/api/v1/conversations/%d/messages", c.ID), map[string]string{"content": "Let me check that for you."}, http.StatusCreated, nil)
		}
		if strings.Contains(strings.ToLower(text), "refund") {
			d.Must(t, owner.Token, http.MethodPut, fmt.Sprintf("/api/v1/conversations/%d/labels", c.ID), map[string]any{"labels": []string{"refund"}}, http.StatusOK, nil)
		}
		if i%3 == 0 {
			d.Must(t, agent.Token, http.MethodPatch, fmt.Sprintf("/api/v1/conversations/%d", c.ID), map[string]any{"status": "resolved"}, http.StatusOK, nil)
			link, err := d.App.Service.SurveyLink(ctx, c.AccountID, c.ID, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			r := d.Do(t, apitest.Request{Method: http.MethodPost, Path: link[strings.Index(link, "/survey/"):], Body: fmt.Sprintf("rating=%d", 5-i%2),
				Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}})
			if r.Status != http.StatusOK {
				t.Fatalf("rating: %s", r)
			}
		}
	}
	day := time.Now().UTC()
	s := reportShop{owner: owner, agent: agent, shop: shop, help: help,
		period: fmt.Sprintf("from=%s&to=%s", day.AddDate(0, 0, -29).Format(time.DateOnly), day.Format(time.DateOnly))}
	eventually(t, "the report follower counts the conversations", func() bool {
		sum := s.summary(t, d, "")
		return sum.Opened == len(customers) && sum.FirstResponse.Median != nil && sum.CSAT.Responses > 0
	})
	return s
}

type reportSummary struct {
	Opened        int `json:"conversations_opened"`
	Resolved      int `json:"conversations_resolved"`
	FirstResponse struct {
		Median *int64 `json:"median"`
	} `json:"first_response_seconds"`
	NextResponse struct {
		Median *float64 `json:"median"`
	} `json:"next_response_seconds"`
	CSAT struct {
		Score     *float64 `json:"score"`
		Responses int      `json:"responses"`
	} `json:"csat"`
	FCR *float64 `json:"first_contact_resolution_rate"`
	SLA *float64 `json:"sla_compliance_rate"`
	Bot struct {
		ResolutionRate *float64 `json:"resolution_rate"`
		HandoffRate    *float64 `json:"handoff_rate"`
	} `json:"bot"`
}

func (s reportShop) summary(t *testing.T, d *dashboard, filter string) reportSummary {
	t.Helper()
	var sum reportSummary
	d.Must(t, s.owner.Token, http.MethodGet, "/api/v1/reports/summary?"+s.period+filter, nil, http.StatusOK, &sum)
	return sum
}

// figure is the JavaScript that reads a headline figure's text.
func figure(metric string) string {
	return fmt.Sprintf(`document.querySelector('[data-card=summary] [data-metric=%s] .figure-value')?.textContent`, metric)
}

// TestBrowserReports: an administrator opens Reports from the sidebar and
// reads the same headline figures the API gives; choosing an inbox changes
// the address and the figures, the address brings them back after a
// reload, the CSV export answers, a topic lists its conversations, the
// page fits a phone, and an agent has no Reports.
func TestBrowserReports(t *testing.T) {
	needBrowser(t, browserEnv)
	d := startDashboard(t)
	s := seedReports(t, d, []string{"Where is my order?", "I want a refund", "Is this in stock?", "My parcel is late", "Refund please", "Thanks!"})
	all, inShop := s.summary(t, d, ""), s.summary(t, d, fmt.Sprintf("&inbox_id=%d", s.shop.ID))
	if inShop.Opened == all.Opened {
		t.Fatalf("the shop inbox has all %d conversations; the filter would change nothing", all.Opened)
	}

	ctx := newBrowser(t)
	do(t, ctx, chromedp.EmulateViewport(1280, 900))
	login(t, ctx, d.URL, s.owner.Email, s.owner.Password)
	watchCSP(t, ctx)
	eval[bool](t, ctx, `(document.querySelector("#nav-reports").click(), true)`)
	waitFor(t, ctx, "the headline figures", figure("opened")+` === "`+fmt.Sprint(all.Opened)+`"`)
	if got := eval[string](t, ctx, `location.search`); got != "?period=30" {
		t.Errorf("the address is %q, want the last 30 days", got)
	}
	if got := eval[string](t, ctx, figure("resolved")); got != fmt.Sprint(all.Resolved) {
		t.Errorf("resolved reads %q, the API says %d", got, all.Resolved)
	}
	if got := eval[string](t, ctx, `document.querySelector('[data-metric=first_response]').dataset.value`); got != fmt.Sprint(*all.FirstResponse.Median) {
		t.Errorf("the first response median is %q, the API says %d", got, *all.FirstResponse.Median)
	}
	if got := eval[string](t, ctx, figure("first_response")); got == "—" || got == "" {
		t.Errorf("the first response median reads %q", got)
	}
	// Rates and times the API gives as null read "—"; the others carry the API's value.
	for m, v := range map[string]*float64{"sla": all.SLA, "csat": all.CSAT.Score, "fcr": all.FCR, "bot_resolution": all.Bot.ResolutionRate, "bot_handoff": all.Bot.HandoffRate, "next_response": all.NextResponse.Median} {
		text := eval[string](t, ctx, figure(m))
		raw := eval[string](t, ctx, fmt.Sprintf(`document.querySelector('[data-metric=%s]').dataset.value`, m))
		switch {
		case v == nil && (text != "—" || raw != ""):
			t.Errorf("%s reads %q (%q); the API has none", m, text, raw)
		case v != nil && (text == "—" || raw != strconv.FormatFloat(*v, 'f', -1, 64)):
			t.Errorf("%s reads %q (%q); the API says %v", m, text, raw, *v)
		}
	}

	// One inbox: the address and the figures follow.
	eval[bool](t, ctx, fmt.Sprintf(`(() => { const f = document.querySelector("select[name=inbox_id]"); f.value = "%d"; f.dispatchEvent(new Event("change")); return true })()`, s.shop.ID))
	waitFor(t, ctx, "the shop's figures", fmt.Sprintf(`location.search.includes("inbox_id=%d") && %s === "%d"`, s.shop.ID, figure("opened"), inShop.Opened))
	csv := eval[string](t, ctx, `(async () => { const r = await fetch(document.querySelector("[data-csv=summary]").href); return r.status + " " + r.headers.get("Content-Type") + "\n" + await r.text() })()`)
	if !strings.HasPrefix(csv, "200 text/csv") || !strings.Contains(csv, fmt.Sprintf("conversations_opened,%d\r\n", inShop.Opened)) {
		t.Errorf("the summary's CSV answers:\n%s", csv)
	}
	do(t, ctx, chromedp.Reload())
	waitFor(t, ctx, "the shared address keeps the inbox", fmt.Sprintf(`document.querySelector("select[name=inbox_id]")?.value === "%d" && %s === "%d"`, s.shop.ID, figure("opened"), inShop.Opened))
	eval[bool](t, ctx, `(() => { const f = document.querySelector("select[name=period]"); f.value = "7"; f.dispatchEvent(new Event("change")); return true })()`)
	waitFor(t, ctx, "the last 7 days", `location.search.startsWith("?period=7&inbox_id=")`)
	// Chosen dates: yesterday alone.
	yesterday := time.Now().UTC().AddDate(0, 0, -1).Format(time.DateOnly)
	eval[bool](t, ctx, fmt.Sprintf(`(() => { for (const n of ["from", "to"]) { const f = document.querySelector("input[name=" + n + "]"); f.value = %q; f.dispatchEvent(new Event("change")); } return true })()`, yesterday))
	waitFor(t, ctx, "yesterday's figures", fmt.Sprintf(`location.search === "?from=%s&to=%s&inbox_id=%d" && document.querySelector("select[name=period]").value === "custom" && %s === "0"`, yesterday, yesterday, s.shop.ID, figure("opened")))
	eval[bool](t, ctx, `(() => { const f = document.querySelector("select[name=period]"); f.value = "7"; f.dispatchEvent(new Event("change")); return true })()`)
	waitFor(t, ctx, "the last 7 days again", `location.search.startsWith("?period=7&inbox_id=")`)

	checkReportCards(t, d, s, ctx)
	do(t, ctx, chromedp.Navigate(d.URL+"/reports?period=7"))
	waitFor(t, ctx, "the reports again", figure("opened")+` === "`+fmt.Sprint(all.Opened)+`"`)

	// A label instead of an inbox: the topics say they count all labels.
	refund := s.summary(t, d, "&label=refund")
	if refund.Opened == 0 || refund.Opened == all.Opened {
		t.Fatalf("%d of %d conversations are labelled refund; the filter would show nothing", refund.Opened, all.Opened)
	}
	eval[bool](t, ctx, `(() => { const f = document.querySelector("select[name=inbox_id]"); f.value = ""; f.dispatchEvent(new Event("change")); return true })()`)
	waitFor(t, ctx, "every inbox again", `location.search === "?period=7" && `+figure("opened")+` === "`+fmt.Sprint(all.Opened)+`"`)
	eval[bool](t, ctx, `(() => { const f = document.querySelector("select[name=label]"); f.value = "refund"; f.dispatchEvent(new Event("change")); return true })()`)
	waitFor(t, ctx, "the refund conversations", fmt.Sprintf(`location.search === "?period=7&label=refund" && %s === "%d"`, figure("opened"), refund.Opened))
	// The sentiment trend is kept for each label; the topics are not.
	waitFor(t, ctx, "the topics card says the label does not apply", `document.querySelectorAll("[data-card=voice] .report-unfiltered").length === 1 && `+
		`!document.querySelector("[data-card=sentiment] .report-unfiltered") && document.querySelector("[data-card=sentiment] .report-chart")`)
	if href := eval[string](t, ctx, `document.querySelector("[data-card=sentiment] .report-csv").getAttribute("href")`); !strings.Contains(href, "label=refund") {
		t.Errorf("the sentiment export leaves the label out: %s", href)
	}
	if href := eval[string](t, ctx, `document.querySelector("[data-card=voice] .report-csv").getAttribute("href")`); strings.Contains(href, "label=") {
		t.Errorf("the topics export asks for a label: %s", href)
	}
	// Business hours: in the address, and every card still answers.
	eval[bool](t, ctx, `(document.querySelector("input[name=business_hours]").click(), true)`)
	waitFor(t, ctx, "durations in business hours", `location.search === "?period=7&label=refund&business_hours=1" && document.querySelector(".report-note").textContent.includes("business hours") && `+
		`![...document.querySelectorAll("[data-card] .report-card-body > .hint:not(.report-unfiltered)")].length && document.querySelector("[data-card=sentiment] .report-chart")`)

	// A phone: cards stack and nothing is wider than the screen.
	do(t, ctx, chromedp.EmulateViewport(375, 812, chromedp.EmulateMobile))
	do(t, ctx, chromedp.Navigate(d.URL+"/reports"))
	waitFor(t, ctx, "the figures on a phone", figure("opened")+` === "`+fmt.Sprint(all.Opened)+`"`)
	if w := eval[int](t, ctx, `document.documentElement.scrollWidth`); w > 375 {
		t.Errorf("the reports are %d px wide on a 375 px phone", w)
	}
	// The filters fold under a button, which opens them.
	if eval[bool](t, ctx, `!!document.querySelector("select[name=inbox_id]").offsetParent`) {
		t.Error("the filters are open on a phone before the reader asks")
	}
	eval[bool](t, ctx, `(document.querySelector(".report-fold").click(), true)`)
	waitFor(t, ctx, "the filters open", `document.querySelector("select[name=inbox_id]").offsetParent && document.querySelector(".report-fold").getAttribute("aria-expanded") === "true"`)
	noCSPViolation(t, ctx)

	// An agent has no Reports in the sidebar, and the page says why.
	agent := newProfile(t, ctx)
	login(t, agent, d.URL, s.agent.Email, s.agent.Password)
	if eval[bool](t, agent, `!!document.querySelector("#nav-reports")`) {
		t.Error("an agent is shown Reports")
	}
	do(t, agent, chromedp.Navigate(d.URL+"/reports"))
	waitFor(t, agent, "the page refuses an agent", `document.querySelector(".reports-page .empty") && !document.querySelector("[data-card]")`)
}

// checkReportCards checks each card beside the summary: drawn from its
// report, with a CSV export that answers; the label behind the refund
// conversations lists them; the live view links the longest wait.
func checkReportCards(t *testing.T, d *dashboard, s reportShop, ctx context.Context) {
	t.Helper()
	cards := []struct{ card, ready string }{
		{"volume", `.report-chart .bar`},
		{"times", `.report-chart .line`},
		{"csat", `.report-table tbody tr`},
		{"sentiment", `.report-chart`},
		{"heatmap", `.heatmap-chart .cell:not(.none)`},
		{"agents", `[data-agent="` + fmt.Sprint(s.agent.ID) + `"]`},
		{"voice", `.topic[data-kind=label][data-topic=refund]`},
		{"live", `[data-metric=live_open]`},
	}
	for _, c := range cards {
		sel := fmt.Sprintf(`document.querySelector('[data-card=%s]')`, c.card)
		waitFor(t, ctx, "the "+c.card+" card", fmt.Sprintf(`%s && !%s.hidden && %s.querySelector(%s)`, sel, sel, sel, jsString(c.ready)))
		if c.card == "live" {
			continue
		}
		csv := eval[string](t, ctx, fmt.Sprintf(`(async () => { const r = await fetch(%s.querySelector(".report-csv").href); return r.status + " " + r.headers.get("Content-Type") })()`, sel))
		if !strings.HasPrefix(csv, "200 text/csv") {
			t.Errorf("the %s card's CSV answers %s", c.card, csv)
		}
	}

	// The live view: the API's counts, and the longest wait opens its conversation.
	var live struct {
		Open           int `json:"open"`
		WaitingLongest []struct {
			ConversationID int64 `json:"conversation_id"`
		} `json:"waiting_longest"`
	}
	d.Must(t, s.owner.Token, http.MethodGet, "/api/v1/reports/live", nil, http.StatusOK, &live)
	if got := eval[string](t, ctx, `document.querySelector('[data-metric=live_open]').dataset.value`); got != fmt.Sprint(live.Open) {
		t.Errorf("the live view shows %s open, the API %d", got, live.Open)
	}
	if len(live.WaitingLongest) == 0 {
		t.Fatal("nobody waits in the live view; the seed leaves customers unanswered")
	}
	first := live.WaitingLongest[0].ConversationID
	waitFor(t, ctx, "the longest wait's link", fmt.Sprintf(`document.querySelector('[data-card=live] .live-waiting a').getAttribute("href") === "/conversations/%d"`, first))

	// The label refund lists its conversations, and one opens.
	eval[bool](t, ctx, `(document.querySelector('[data-card=voice] .topic[data-kind=label][data-topic=refund]').click(), true)`)
	waitFor(t, ctx, "the conversations behind the label", `document.querySelector(".dialog .topic-conversations a[data-conversation]")`)
	id := eval[string](t, ctx, `document.querySelector(".dialog .topic-conversations a[data-conversation]").dataset.conversation`)
	eval[bool](t, ctx, `(document.querySelector(".dialog .topic-conversations a[data-conversation]").click(), true)`)
	waitFor(t, ctx, "the conversation opens", fmt.Sprintf(`location.pathname === "/conversations/%s" && !document.querySelector(".dialog")`, id))
}

// TestScreenshotsReports writes docs/screenshots/reports-{en,bn,hi}-{1280,375}.png.
//
//	SAHAY_SCREENSHOTS=1 go test ./internal/web -run TestScreenshotsReports
func TestScreenshotsReports(t *testing.T) {
	needBrowser(t, "SAHAY_SCREENSHOTS")
	d := startDashboard(t)
	s := seedReports(t, d, []string{
		"Where is my order?", "আমার টাকা ফেরত চাই, refund please", "डिलीवरी कब होगी?", "My parcel is late", "ডেলিভারি এখনো আসেনি",
		"Refund for the blue saree", "क्या यह स्टॉक में है?", "Thanks, got it!", "অর্ডার বাতিল করতে চাই", "Do you ship to Sylhet?",
		"पैसे वापस चाहिए, refund", "Is cash on delivery available?",
	})
	seedReportHistory(t, d, s)
	// The voice of the customer counts words once the messages are analysed.
	eventually(t, "the customers' words are counted", func() bool {
		var topics struct {
			Terms []struct{ Term string } `json:"terms"`
		}
		d.Must(t, s.owner.Token, http.MethodGet, "/api/v1/reports/topics?"+s.period, nil, http.StatusOK, &topics)
		return len(topics.Terms) > 0
	})
	out := filepath.Join("..", "..", "docs", "screenshots")
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	browser := newBrowser(t)
	for _, lang := range []string{"en", "bn", "hi"} {
		t.Run(lang, func(t *testing.T) {
			d.Must(t, s.owner.Token, http.MethodPatch, "/api/v1/me", map[string]any{"locale": lang}, http.StatusOK, nil)
			ctx := newProfile(t, browser)
			for _, size := range []struct{ w, h int64 }{{1280, 800}, {375, 812}} {
				opts := []chromedp.EmulateViewportOption{}
				if size.w < 400 {
					opts = append(opts, chromedp.EmulateMobile)
				}
				do(t, ctx, chromedp.EmulateViewport(size.w, size.h, opts...))
				if size.w == 1280 {
					login(t, ctx, d.URL, s.owner.Email, s.owner.Password)
					waitFor(t, ctx, "the interface speaks "+lang, fmt.Sprintf(`document.documentElement.lang === %q`, lang))
				}
				do(t, ctx, chromedp.Navigate(d.URL+"/reports?period=7"))
				waitFor(t, ctx, "the figures", `document.querySelector('[data-card=summary] [data-metric=opened]') && ![...document.querySelectorAll('[data-card]:not([hidden]) .report-card-body > .hint')].length`)
				if w := eval[int](t, ctx, `document.documentElement.scrollWidth`); w > int(size.w) {
					t.Errorf("%s: the page is %d px wide at %d px", lang, w, size.w)
				}
				// The whole page in one picture: as tall as its content.
				tall := eval[int64](t, ctx, `Math.ceil(document.querySelector(".report-body").scrollHeight + document.querySelector(".reports-page .page-head").offsetHeight)`)
				do(t, ctx, chromedp.EmulateViewport(size.w, max(tall, 800), opts...))
				shoot(t, ctx, filepath.Join(out, fmt.Sprintf("reports-%s-%d.png", lang, size.w)))
			}
		})
	}
}

// seedReportHistory writes report facts for the six days before today,
// as the report follower would have kept them, so the screenshots show a
// week of figures: conversations the API cannot date in the past. They
// use conversation ids no real conversation has.
func seedReportHistory(t *testing.T, d *dashboard, s reportShop) {
	t.Helper()
	ctx := context.Background()
	r := rand.New(rand.NewPCG(7, 17))
	day := func(at time.Time) int { y, m, dd := at.UTC().Date(); return y*10000 + int(m)*100 + dd }
	dur := func(lo, hi int64) int64 { return lo + r.Int64N(hi-lo) }
	var changes []store.ReportFactChange
	today := time.Now().UTC().Truncate(24 * time.Hour)
	for back := 6; back >= 1; back-- {
		for i := range 10 + r.IntN(14) {
			hour := 8 + r.IntN(12)
			if r.IntN(5) == 0 {
				hour = r.IntN(24)
			}
			opened := today.AddDate(0, 0, -back).Add(time.Duration(hour)*time.Hour + time.Duration(r.IntN(3600))*time.Second)
			inbox := s.shop.ID
			if i%4 == 3 {
				inbox = s.help.ID
			}
			f := &store.ReportFact{AccountID: s.owner.AccountID, ConversationID: int64(1_000_000 + back*100 + i), InboxID: inbox, Channel: "api",
				AssigneeID: []int64{s.agent.ID, s.owner.ID}[i%2], Status: sahay.StatusOpen, OpenedAt: opened, OpenedDay: day(opened),
				OpenedHour: opened.Hour(), ClockAt: &opened}
			if i%5 == 1 {
				f.Labels = []string{"refund"}
			}
			if r.IntN(10) < 9 {
				frs := dur(60, 2400)
				at := opened.Add(time.Duration(frs) * time.Second)
				dd := day(at)
				f.FirstResponseAt, f.FirstResponseDay, f.FirstResponseS, f.FirstResponseBS = &at, &dd, &frs, &frs
				f.AgentReplies = 1 + r.IntN(3)
				f.ReplyDays = map[int]int{dd: f.AgentReplies}
				for range f.AgentReplies - 1 {
					wait := dur(30, 1200)
					f.NextResponses = append(f.NextResponses, store.ReportResponse{Day: dd, S: wait, BS: wait})
				}
				if r.IntN(10) < 8 {
					res := frs + dur(600, 6*3600)
					at := opened.Add(time.Duration(res) * time.Second)
					dd := day(at)
					f.Status, f.Resolves = sahay.StatusResolved, 1
					f.ResolvedAt, f.ResolvedDay, f.ResolutionS, f.ResolutionBS = &at, &dd, &res, &res
					f.AskedDay = &dd
					if r.IntN(2) == 0 {
						rating := []int{5, 5, 4, 4, 3, 2}[r.IntN(6)]
						f.CSATRating, f.CSATDay = &rating, &dd
					}
				}
			}
			changes = append(changes, store.ReportFactChange{New: f})
		}
	}
	if _, err := d.App.Store.Write(ctx, func(tx *store.Tx) error { return tx.SaveReportFacts(ctx, s.owner.AccountID, changes) }); err != nil {
		t.Fatal(err)
	}
}
