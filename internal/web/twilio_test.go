package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/channel/twilio/twiliotest"

	"github.com/chromedp/chromedp"
)

// TestBrowserSMSSegments: the reply box of an SMS conversation counts
// the SMS segments a reply takes, and says when Bengali or Hindi make it
// UCS-2 segments of 67 characters.
func TestBrowserSMSSegments(t *testing.T) {
	needBrowser(t, browserEnv)
	sim := twiliotest.New(t)
	d := startDashboard(t)
	owner := d.NewAccount(t, "Bazaar")
	inbox := d.NewInbox(t, owner, "SMS", "twilio", map[string]any{"account_sid": twiliotest.AccountSID,
		"auth_token": twiliotest.AuthToken, "phone_number": "+8809612345678", "api_base_url": sim.URL, "public_url": d.Server.URL})
	form := sim.SMS(twiliotest.NewSID("SM"), "+8801711223344", "+8809612345678", "অর্ডার কোথায়?")
	if resp, err := sim.Post(fmt.Sprintf("%s/webhooks/%d/sms", d.Server.URL, inbox.ID), "", twiliotest.AuthToken, form); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("sms: %v %v", resp, err)
	}
	var conv sahay.Conversation
	eventually(t, "the customer's SMS makes a conversation", func() bool {
		var list struct{ Items []sahay.Conversation }
		d.Must(t, owner.Token, http.MethodGet, "/api/v1/conversations", nil, http.StatusOK, &list)
		if len(list.Items) == 1 {
			conv = list.Items[0]
		}
		return len(list.Items) == 1
	})
	ctx := newBrowser(t)
	do(t, ctx, chromedp.EmulateViewport(1280, 800))
	login(t, ctx, d.URL, owner.Email, owner.Password)
	do(t, ctx, chromedp.Navigate(fmt.Sprintf("%s/conversations/%d", d.URL, conv.ID)))
	waitFor(t, ctx, "the reply box shows", `document.querySelector(".composer-input") && document.querySelector(".timeline .msg")`)
	setField(t, ctx, ".composer-input", "Your parcel ships today.")
	waitFor(t, ctx, "one GSM-7 segment", `document.querySelector(".composer-count").textContent === "24 / 1,600 · SMS segments: 1" && !document.querySelector(".composer-notice")`)
	setField(t, ctx, ".composer-input", strings.Repeat("ক", 100))
	waitFor(t, ctx, "two UCS-2 segments", `document.querySelector(".composer-count").textContent === "100 / 1,600 · SMS segments: 2"`)
	notice := eval[string](t, ctx, `document.querySelector(".composer-notice.sms")?.textContent ?? ""`)
	if !strings.Contains(notice, "67 each") || !strings.Contains(notice, "2 segments") {
		t.Errorf("the UCS-2 notice says %q", notice)
	}
}

// TestBrowserTwilioCalls: a Twilio number's calls, driven by the simulator
// as Twilio drives them, in the dashboard: a call nobody answers ends in a
// voicemail whose recording plays from Sahay and whose transcript shows;
// Call places a call through Twilio's REST API, whose card follows the
// call's status callbacks until nobody answers.
func TestBrowserTwilioCalls(t *testing.T) {
	needBrowser(t, browserEnv)
	sim := twiliotest.New(t)
	d := startDashboard(t)
	owner := d.NewAccount(t, "Bazaar")
	d.Must(t, owner.Token, http.MethodPatch, "/api/v1/me", map[string]any{"phone": "+8801811000001"}, http.StatusOK, nil)
	inbox := d.NewInbox(t, owner, "Hotline", "twilio", map[string]any{"account_sid": twiliotest.AccountSID,
		"auth_token": twiliotest.AuthToken, "phone_number": "+8809612345678", "api_base_url": sim.URL, "public_url": d.Server.URL})
	hook := func(sub string) string { return fmt.Sprintf("%s/webhooks/%d%s", d.Server.URL, inbox.ID, sub) }

	call := &twiliotest.Call{From: "+8801711223344", To: "+8809612345678", Voicemail: mp3Frame(), VoicemailSeconds: 42,
		Transcript: "Please call me back about order 4521."}
	if err := sim.Incoming(call, hook("/voice"), hook("/voice/status")); err != nil {
		t.Fatal(err)
	}
	conv := conversationWhere(t, d, owner.Token, "the call makes a conversation", func(c sahay.Conversation) bool { return c.InboxID == inbox.ID })

	ctx := newBrowser(t)
	do(t, ctx, chromedp.EmulateViewport(1280, 800))
	login(t, ctx, d.URL, owner.Email, owner.Password)
	watchCSP(t, ctx)
	do(t, ctx, chromedp.Navigate(fmt.Sprintf("%s/conversations/%d", d.URL, conv.ID)))
	waitFor(t, ctx, "the missed call and its transcribed voicemail show",
		`document.querySelector(".call-entry.missed .call-line")?.textContent === "Missed call · voicemail left" && `+
			`document.querySelector(".call-entry.voicemail .transcript")?.textContent === "Please call me back about order 4521."`)
	if got := eval[string](t, ctx, `document.querySelector(".call-entry.voicemail .call-line").textContent`); got != "Voicemail · 0:42" {
		t.Errorf("the voicemail's card says %q", got)
	}
	if got := eval[string](t, ctx, `fetch(document.querySelector(".call-entry.voicemail audio[controls]").src).then((r) => r.status + " " + r.headers.get("content-type"))`); got != "200 audio/mpeg" {
		t.Errorf("the recording answers %q", got)
	}

	eval[bool](t, ctx, `(document.querySelector(".conv-head .call-btn").click(), true)`)
	eventually(t, "Twilio is asked to call the agent", func() bool { return len(sim.Placed()) == 1 })
	waitFor(t, ctx, "the call's card shows", `[...document.querySelectorAll(".call-entry.outgoing .call-line")].some((e) => e.textContent === "Outgoing call by Bazaar Owner · connecting…")`)
	if err := sim.Outgoing(sim.Placed()[0], &twiliotest.Call{}, twiliotest.NoAnswer); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "nobody answered", `[...document.querySelectorAll(".call-entry.outgoing .call-line")].some((e) => e.textContent === "Outgoing call by Bazaar Owner · no answer")`)
	noCSPViolation(t, ctx)
}

// TestBrowserPhoneHours: a phone inbox's business hours are edited in the
// inbox's dialog like the widget's, saved as hours the server checks, and
// kept when the inbox is saved again for something else.
func TestBrowserPhoneHours(t *testing.T) {
	needBrowser(t, browserEnv)
	sim := twiliotest.New(t)
	d := startDashboard(t)
	owner := d.NewAccount(t, "Bazaar")
	inbox := d.NewInbox(t, owner, "Hotline", "twilio", map[string]any{"account_sid": twiliotest.AccountSID,
		"auth_token": twiliotest.AuthToken, "phone_number": "+8809612345678", "api_base_url": sim.URL, "public_url": d.Server.URL})

	ctx := newBrowser(t)
	do(t, ctx, chromedp.EmulateViewport(1280, 800))
	login(t, ctx, d.URL, owner.Email, owner.Password)
	watchCSP(t, ctx)
	editButton := fmt.Sprintf(`document.querySelector('tr[data-id="%d"] .actions button[title="Edit"]')`, inbox.ID)
	openEdit := func() {
		do(t, ctx, chromedp.Navigate(d.URL+"/settings/inboxes"))
		waitFor(t, ctx, "the inbox is listed", editButton)
		eval[bool](t, ctx, `(`+editButton+`.click(), true)`)
		waitFor(t, ctx, "the dialog asks for business hours", `document.querySelector(".dialog fieldset.hours-setting input[name='business_hours.business_hours']")`)
	}
	saved := func() map[string]any {
		var got sahay.Inbox
		d.Must(t, owner.Token, http.MethodGet, fmt.Sprintf("/api/v1/inboxes/%d", inbox.ID), nil, http.StatusOK, &got)
		var settings map[string]any
		if err := json.Unmarshal(got.Settings, &settings); err != nil {
			t.Fatal(err)
		}
		return settings
	}

	openEdit()
	if !eval[bool](t, ctx, `document.querySelector(".dialog fieldset.hours-setting .hours").hidden`) {
		t.Error("the days show before the hours are switched on")
	}
	eval[bool](t, ctx, `(document.querySelector(".dialog input[name='business_hours.business_hours']").click(), true)`)
	setField(t, ctx, ".dialog select[name='business_hours.time_zone']", "Asia/Dhaka")
	setField(t, ctx, ".dialog input[name='business_hours.hours_sun']", "09:00-18:00")
	setField(t, ctx, ".dialog input[name='business_hours.hours_mon']", "09:00-18:00")
	eval[bool](t, ctx, `(document.querySelector(".dialog form").requestSubmit(), true)`)
	waitFor(t, ctx, "the dialog closes", `!document.querySelector(".dialog")`)
	want := `{"days":{"mon":"09:00-18:00","sun":"09:00-18:00"},"enabled":true,"time_zone":"Asia/Dhaka"}`
	if got, _ := json.Marshal(saved()["business_hours"]); string(got) != want {
		t.Fatalf("saved hours %s, want %s", got, want)
	}

	// Saved again for its greeting, the inbox keeps its hours, shown as saved.
	openEdit()
	shown := eval[string](t, ctx, `(() => { const q = (s) => document.querySelector(".dialog " + s);
		return [q("input[name='business_hours.business_hours']").checked, q("select[name='business_hours.time_zone']").value, q("input[name='business_hours.hours_mon']").value, q("input[name='business_hours.hours_tue']").value].join(" ") })()`)
	if shown != "true Asia/Dhaka 09:00-18:00 " {
		t.Errorf("the dialog shows the saved hours as %q", shown)
	}
	setField(t, ctx, ".dialog input[name=greeting]", "Thank you for calling Bazaar.")
	eval[bool](t, ctx, `(document.querySelector(".dialog form").requestSubmit(), true)`)
	waitFor(t, ctx, "the dialog closes", `!document.querySelector(".dialog")`)
	settings := saved()
	if got, _ := json.Marshal(settings["business_hours"]); string(got) != want || settings["greeting"] != "Thank you for calling Bazaar." {
		t.Errorf("after saving the greeting: hours %s, greeting %v", got, settings["greeting"])
	}

	// Hours the server refuses keep the dialog open with its reason.
	openEdit()
	setField(t, ctx, ".dialog input[name='business_hours.hours_mon']", "9 to 5")
	eval[bool](t, ctx, `(document.querySelector(".dialog form").requestSubmit(), true)`)
	waitFor(t, ctx, "the refusal shows", `[...document.querySelectorAll(".toast.error")].some((e) => e.textContent.includes("business_hours")) && !!document.querySelector(".dialog")`)
	if got, _ := json.Marshal(saved()["business_hours"]); string(got) != want {
		t.Errorf("refused hours changed the inbox: %s", got)
	}
	noCSPViolation(t, ctx)
}

// TestScreenshotsPhoneInbox regenerates the screenshots of a new phone
// inbox's dialog, scrolled to its voice settings and its business hours,
// switched on with a time zone and the working days filled in, at 1280
// and 390 pixels wide in English, Bengali and Hindi.
//
//	SAHAY_SCREENSHOTS=1 go test ./internal/web -run TestScreenshotsPhoneInbox
func TestScreenshotsPhoneInbox(t *testing.T) {
	needBrowser(t, "SAHAY_SCREENSHOTS")
	d := startDashboard(t)
	owner := d.NewAccount(t, "Bazaar")
	// A Bangladeshi team works Sunday to Thursday, an Indian one Monday to Saturday.
	hours := map[string]struct {
		zone string
		days []string
	}{
		"en": {"Asia/Dhaka", []string{"sun", "mon", "tue", "wed", "thu"}},
		"bn": {"Asia/Dhaka", []string{"sun", "mon", "tue", "wed", "thu"}},
		"hi": {"Asia/Kolkata", []string{"mon", "tue", "wed", "thu", "fri", "sat"}},
	}
	out := filepath.Join("..", "..", "docs", "screenshots")
	browser := newBrowser(t)
	for _, lang := range []string{"en", "bn", "hi"} {
		d.Must(t, owner.Token, http.MethodPatch, "/api/v1/me", map[string]any{"locale": lang}, http.StatusOK, nil)
		ctx := newProfile(t, browser)
		login(t, ctx, d.URL, owner.Email, owner.Password)
		waitFor(t, ctx, "the interface speaks "+lang, fmt.Sprintf(`document.documentElement.lang === %q`, lang))
		for _, width := range []int64{1280, 390} {
			if width < 500 {
				do(t, ctx, chromedp.EmulateViewport(width, 844, chromedp.EmulateMobile))
			} else {
				do(t, ctx, chromedp.EmulateViewport(width, 800))
			}
			do(t, ctx, chromedp.Navigate(d.URL+"/settings/inboxes"))
			waitFor(t, ctx, "the inboxes page", `document.querySelector(".toolbar .add")`)
			eval[bool](t, ctx, `(document.querySelector(".toolbar .add").click(), true)`)
			waitFor(t, ctx, "the dialog opens", `document.querySelector(".dialog select[name=channel]")`)
			setField(t, ctx, ".dialog input[name=name]", "Hotline")
			setField(t, ctx, ".dialog select[name=channel]", "twilio")
			waitFor(t, ctx, "the phone's settings", `document.querySelector(".dialog fieldset.hours-setting")`)
			setField(t, ctx, ".dialog input[name=account_sid]", twiliotest.AccountSID)
			setField(t, ctx, ".dialog input[name=phone_number]", "+8809612345678")
			eval[bool](t, ctx, `(document.querySelector(".dialog input[name='business_hours.business_hours']").click(), true)`)
			h := hours[lang]
			setField(t, ctx, ".dialog select[name='business_hours.time_zone']", h.zone)
			for _, day := range h.days {
				setField(t, ctx, fmt.Sprintf(".dialog input[name='business_hours.hours_%s']", day), "09:00-18:00")
			}
			// The account's settings are above: the voice's and the hours end the dialog.
			eval[bool](t, ctx, `(() => { const d = document.querySelector(".dialog"); d.scrollTop = d.scrollHeight; return true })()`)
			shoot(t, ctx, filepath.Join(out, fmt.Sprintf("phone-inbox-%s-%d.png", lang, width)))
		}
	}
}
