package bot

import (
	"fmt"
	"time"
)

// Language returns lang when the bot speaks it ("en", "bn", "hi"), and
// English otherwise.
func Language(lang string) string {
	switch lang {
	case "bn", "hi":
		return lang
	}
	return "en"
}

// Unsure is what the bot says when it cannot answer: it asks the customer
// to say it another way.
func Unsure(lang string) string {
	switch Language(lang) {
	case "bn":
		return "দুঃখিত, আমি ঠিক বুঝতে পারিনি। অন্যভাবে একটু লিখবেন? অথবা \"এজেন্ট\" লিখুন, আমাদের টিমের কেউ উত্তর দেবেন।"
	case "hi":
		return "माफ़ कीजिए, मैं ठीक से समझ नहीं पाया। क्या आप इसे दूसरे शब्दों में लिखेंगे? या \"एजेंट\" लिखिए, हमारी टीम का कोई जवाब देगा।"
	}
	return "Sorry, I'm not sure I understood. Could you say it another way? Or type \"agent\" and a person from our team will reply."
}

// Coming tells the customer that a person from the team will answer and
// roughly when: within waitMinutes when the team is in (opens is zero), or
// when it opens next, told in loc. waitText, when set, is the estimate in
// the team's own words and replaces the minutes.
func Coming(lang string, waitMinutes int, waitText string, now, opens time.Time, loc *time.Location) string {
	lang = Language(lang)
	intro := map[string]string{
		"en": "I'm passing you to a person from our team.",
		"bn": "আমি আপনাকে আমাদের টিমের একজন মানুষের কাছে দিচ্ছি।",
		"hi": "मैं आपको हमारी टीम के एक व्यक्ति से जोड़ रहा हूँ।",
	}[lang]
	if waitText != "" {
		return intro + " " + waitText
	}
	if opens.IsZero() {
		if waitMinutes <= 0 {
			return intro + " " + map[string]string{
				"en": "Someone will reply shortly.",
				"bn": "শিগগিরই কেউ উত্তর দেবেন।",
				"hi": "जल्द ही कोई जवाब देगा।",
			}[lang]
		}
		return intro + " " + fmt.Sprintf(map[string]string{
			"en": "Someone will reply within about %d minutes.",
			"bn": "প্রায় %d মিনিটের মধ্যে কেউ উত্তর দেবেন।",
			"hi": "लगभग %d मिनट में कोई जवाब देगा।",
		}[lang], waitMinutes)
	}
	return intro + " " + fmt.Sprintf(map[string]string{
		"en": "We're closed right now; someone will reply when we open, %s.",
		"bn": "এখন আমাদের অফিস বন্ধ; খোলার পর, %s, কেউ উত্তর দেবেন।",
		"hi": "अभी हमारा दफ़्तर बंद है; खुलने पर, %s, कोई जवाब देगा।",
	}[lang], when(lang, now, opens, loc))
}

// when names a time soon after now, in loc: "today at 09:00", "tomorrow
// at 09:00", "on Monday at 09:00".
func when(lang string, now, t time.Time, loc *time.Location) string {
	now, t = now.In(loc), t.In(loc)
	clock := t.Format("15:04")
	y1, m1, d1 := now.Date()
	days := int(time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC).Sub(time.Date(y1, m1, d1, 0, 0, 0, 0, time.UTC)).Hours() / 24)
	zone := t.Format("MST")
	switch days {
	case 0:
		return fmt.Sprintf(map[string]string{"en": "today at %s %s", "bn": "আজ %s %s", "hi": "आज %s %s"}[lang], clock, zone)
	case 1:
		return fmt.Sprintf(map[string]string{"en": "tomorrow at %s %s", "bn": "আগামীকাল %s %s", "hi": "कल %s %s"}[lang], clock, zone)
	}
	day := weekdays[lang][t.Weekday()]
	return fmt.Sprintf(map[string]string{"en": "on %s at %s %s", "bn": "%s %s %s", "hi": "%s %s %s"}[lang], day, clock, zone)
}

var weekdays = map[string][7]string{
	"en": {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"},
	"bn": {"রবিবার", "সোমবার", "মঙ্গলবার", "বুধবার", "বৃহস্পতিবার", "শুক্রবার", "শনিবার"},
	"hi": {"रविवार", "सोमवार", "मंगलवार", "बुधवार", "गुरुवार", "शुक्रवार", "शनिवार"},
}

// Joined tells the customer that an agent took the conversation over.
func Joined(lang, agent string) string {
	return fmt.Sprintf(map[string]string{
		"en": "%s from our team has joined the conversation.",
		"bn": "আমাদের টিমের %s কথোপকথনে যোগ দিয়েছেন।",
		"hi": "हमारी टीम से %s बातचीत में जुड़ गए हैं।",
	}[Language(lang)], agent)
}
