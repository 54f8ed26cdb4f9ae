package web_test

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"

	"github.com/chromedp/chromedp"
)

// TestBrowserRota: an administrator adds a phone shift on the Rota page
// and offers tomorrow's to an agent; the agent, on a phone, sees the shift
// and the request on their Rota page, accepts it, and the day then shows
// them taking it.
func TestBrowserRota(t *testing.T) {
	needBrowser(t, browserEnv)
	d := startDashboard(t)
	owner := d.NewAccount(t, "Haat Bazaar")
	agent := d.NewUser(t, owner, sahay.RoleAgent)
	d.Must(t, owner.Token, http.MethodPatch, fmt.Sprintf("/api/v1/users/%d", agent.ID), map[string]any{"name": "Rahim Uddin"}, http.StatusOK, nil)
	// Tomorrow in the account's zone (UTC): its shift is still to come.
	tomorrow := time.Now().UTC().AddDate(0, 0, 1)
	day := strings.ToLower(tomorrow.Format("Mon"))
	date := tomorrow.Format(time.DateOnly)

	browser := newBrowser(t)
	ctx := browser
	do(t, ctx, chromedp.EmulateViewport(1280, 800))
	login(t, ctx, d.URL, owner.Email, owner.Password)
	watchCSP(t, ctx)
	eval[bool](t, ctx, `(document.querySelector("#nav-rota").click(), true)`)
	waitFor(t, ctx, "the empty rota", `location.pathname === "/rota" && document.querySelector(".rota-empty") && document.querySelector(".rota-now-card.phone .hint")`)

	// The administrator adds a phone shift for themselves, 09:00–17:00.
	clickText(t, ctx, ".page-head button.rota-add", "Add shift")
	waitFor(t, ctx, "the shift dialog opens", `document.querySelector(".dialog select[name=kind]")`)
	setField(t, ctx, ".dialog select[name=user_id]", fmt.Sprint(owner.ID))
	setField(t, ctx, ".dialog select[name=kind]", "phone")
	setField(t, ctx, ".dialog select[name=weekday]", day)
	setField(t, ctx, ".dialog input[name=start]", "09:00")
	setField(t, ctx, ".dialog input[name=end]", "17:00")
	eval[bool](t, ctx, `(document.querySelector(".dialog button[type=submit]").click(), true)`)
	shift := fmt.Sprintf(`document.querySelector(%s)`, jsString(`.rota-day[data-date="`+date+`"] .rota-shift.phone`))
	waitFor(t, ctx, "tomorrow shows the shift", shift+`?.querySelector(".rota-who .name")?.textContent === "Haat Bazaar Owner"`)
	if got := eval[string](t, ctx, shift+`.querySelector(".rota-time").textContent`); got != "09:00–17:00" {
		t.Errorf("the shift reads %q", got)
	}

	// They offer tomorrow's to Rahim.
	eval[bool](t, ctx, `(`+shift+`.querySelector("button.rota-offer").click(), true)`)
	waitFor(t, ctx, "the colleague dialog opens", `document.querySelector(".dialog select[name=user_id]")`)
	setField(t, ctx, ".dialog select[name=user_id]", fmt.Sprint(agent.ID))
	eval[bool](t, ctx, `(document.querySelector(".dialog button[type=submit]").click(), true)`)
	waitFor(t, ctx, "the offer shows", shift+`?.querySelector(".chip.rota-pending")?.textContent === "Offered to Rahim Uddin"`)

	// Rahim, on a phone, is notified, sees the shift and accepts.
	phone := newProfile(t, browser)
	do(t, phone, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
	login(t, phone, d.URL, agent.Email, agent.Password)
	watchCSP(t, phone)
	waitFor(t, phone, "the swap notification counts", `document.querySelector("#nav-notifications .badge")?.textContent === "1"`)
	do(t, phone, chromedp.Navigate(d.URL+"/notifications"))
	waitFor(t, phone, "the notification says what is offered", `document.querySelector(".note-item.swap .note-body")?.textContent.startsWith("Haat Bazaar Owner offers you the Phone shift of ")`)
	eval[bool](t, phone, `(document.querySelector(".note-item.swap a").click(), true)`)
	waitFor(t, phone, "the notification leads to the rota", `location.pathname === "/rota"`)
	waitFor(t, phone, "the request waits for Rahim", `document.querySelector(".rota-waiting .rota-request")?.textContent.includes("Haat Bazaar Owner")`)
	phoneShift := shift
	waitFor(t, phone, "Rahim sees the shift", phoneShift+`?.querySelector(".rota-who .name")?.textContent === "Haat Bazaar Owner"`)
	if eval[bool](t, phone, `!!document.querySelector(".page-head button.rota-add") || !!document.querySelector(".rota-remove")`) {
		t.Error("an agent is offered to add or remove shifts")
	}
	if w := eval[int](t, phone, `document.documentElement.scrollWidth`); w > 390 {
		t.Errorf("the rota is %dpx wide on a 390px phone", w)
	}
	eval[bool](t, phone, `(`+phoneShift+`.querySelector("button.rota-accept").click(), true)`)
	waitFor(t, phone, "Rahim takes tomorrow's shift", phoneShift+`?.querySelector(".rota-who .name")?.textContent === "Rahim Uddin" && `+phoneShift+`.querySelector(".chip.rota-swapped") && !document.querySelector(".rota-waiting")`)

	// The administrator's page shows the same once read again.
	do(t, ctx, chromedp.Reload())
	waitFor(t, ctx, "the swap shows to the administrator", shift+`?.querySelector(".rota-who .name")?.textContent === "Rahim Uddin" && `+shift+`.querySelector("button.rota-undo")`)
	noCSPViolation(t, ctx)
	noCSPViolation(t, phone)
}

// TestScreenshotsRota writes docs/screenshots/rota-{en,bn}-{1280,390}.png:
// a shop's week of chat, phone and social shifts in Dhaka, with a swap
// accepted and one waiting for the reader.
//
//	SAHAY_SCREENSHOTS=1 go test ./internal/web -run TestScreenshotsRota
func TestScreenshotsRota(t *testing.T) {
	needBrowser(t, "SAHAY_SCREENSHOTS")
	d := startDashboard(t)
	owner := d.NewAccount(t, "Dhaka Saree House")
	d.Must(t, owner.Token, http.MethodPatch, "/api/v1/account", map[string]any{"time_zone": "Asia/Dhaka"}, http.StatusOK, nil)
	d.Must(t, owner.Token, http.MethodPatch, fmt.Sprintf("/api/v1/users/%d", owner.ID), map[string]any{"name": "Farzana Akter"}, http.StatusOK, nil)
	names := []string{"Rahim Uddin", "Nusrat Jahan", "Priya Verma", "Joy Das"}
	ids, tokens := []int64{owner.ID}, map[int64]string{owner.ID: owner.Token}
	for _, n := range names {
		u := d.NewUser(t, owner, sahay.RoleAgent)
		d.Must(t, owner.Token, http.MethodPatch, fmt.Sprintf("/api/v1/users/%d", u.ID), map[string]any{"name": n}, http.StatusOK, nil)
		ids = append(ids, u.ID)
		tokens[u.ID] = u.Token
	}
	joy := ids[4]
	ids = ids[:4]
	add := func(user int64, kind, day, start, end string) sahay.Shift {
		var sh sahay.Shift
		d.Must(t, owner.Token, http.MethodPost, "/api/v1/rota/shifts", map[string]any{"user_id": user, "kind": kind, "weekday": day, "start": start, "end": end}, http.StatusCreated, &sh)
		return sh
	}
	shifts := map[string]sahay.Shift{}
	for i, day := range []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"} {
		shifts[day] = add(ids[i%4], "chat", day, "09:00", "15:00")
		add(ids[(i+1)%4], "chat", day, "15:00", "21:00")
		add(ids[(i+2)%4], "phone", day, "10:00", "18:00")
		add(ids[(i+3)%4], "social", day, "12:00", "22:00")
		if day == "fri" || day == "sat" {
			add(ids[(i+1)%4], "phone", day, "21:00", "01:00")
		}
	}
	dhaka, _ := time.LoadLocation("Asia/Dhaka")
	now := time.Now().In(dhaka)
	// Joy covers the hours around now, on chat and the phone, so "on now"
	// names someone whenever this runs.
	from := now.Add(-2 * time.Hour).Truncate(time.Hour)
	for _, kind := range []string{"chat", "phone"} {
		add(joy, kind, strings.ToLower(from.Format("Mon")), from.Format("15:04"), from.Add(5*time.Hour).Format("15:04"))
	}
	// A swap recorded two days ahead, and one offered to the owner three
	// days ahead, waiting for their answer.
	in := func(days int) (sahay.Shift, string) {
		d := now.AddDate(0, 0, days)
		return shifts[strings.ToLower(d.Format("Mon"))], d.Format(time.DateOnly)
	}
	sh, date := in(2)
	to := ids[1]
	if to == sh.UserID {
		to = ids[2]
	}
	d.Must(t, owner.Token, http.MethodPost, "/api/v1/rota/swaps", map[string]any{"shift_id": sh.ID, "date": date, "user_id": to}, http.StatusCreated, nil)
	if sh, date = in(3); sh.UserID == owner.ID {
		sh, date = in(4)
	}
	d.Must(t, tokens[sh.UserID], http.MethodPost, "/api/v1/rota/swaps", map[string]any{"shift_id": sh.ID, "date": date, "user_id": owner.ID}, http.StatusCreated, nil)

	out := filepath.Join("..", "..", "docs", "screenshots")
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	browser := newBrowser(t)
	for _, lang := range []string{"en", "bn"} {
		t.Run(lang, func(t *testing.T) {
			d.Must(t, owner.Token, http.MethodPatch, "/api/v1/me", map[string]any{"locale": lang}, http.StatusOK, nil)
			ctx := newProfile(t, browser)
			do(t, ctx, chromedp.EmulateViewport(1280, 800))
			login(t, ctx, d.URL, owner.Email, owner.Password)
			waitFor(t, ctx, "the interface speaks "+lang, fmt.Sprintf(`document.documentElement.lang === %q`, lang))
			do(t, ctx, chromedp.Navigate(d.URL+"/rota"))
			waitFor(t, ctx, "the week shows", `document.querySelectorAll(".rota-day").length === 7 && document.querySelector(".rota-waiting")`)
			shoot(t, ctx, filepath.Join(out, "rota-"+lang+"-1280.png"))

			do(t, ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
			do(t, ctx, chromedp.Navigate(d.URL+"/rota"))
			waitFor(t, ctx, "the week shows on a phone", `document.querySelectorAll(".rota-day").length === 7`)
			shoot(t, ctx, filepath.Join(out, "rota-"+lang+"-390.png"))
		})
	}
}
