package survey

import (
	"crypto/sha256"
	"encoding/base64"
	"html/template"
	"io"
	"strings"
)

// Languages are the languages the survey speaks, in the order of its
// language switch.
var Languages = []string{"en", "bn", "hi"}

// languageNames name each language in itself, for the switch.
var languageNames = map[string]string{"en": "English", "bn": "বাংলা", "hi": "हिन्दी"}

// Lang returns the survey's language for a conversation's detected
// language: English unless it is Bengali or Hindi.
func Lang(detected string) string {
	switch strings.ToLower(strings.TrimSpace(detected)) {
	case "bn":
		return "bn"
	case "hi":
		return "hi"
	}
	return "en"
}

// words are the survey's texts by language.
var words = map[string]map[string]string{
	"en": {
		"message":   "Thank you for contacting us. How did we do? Rate this conversation from 1 to 5: %s",
		"title":     "How did we do?",
		"question":  "How satisfied are you with the help you got?",
		"r1":        "Very dissatisfied",
		"r2":        "Dissatisfied",
		"r3":        "Neutral",
		"r4":        "Satisfied",
		"r5":        "Very satisfied",
		"comment":   "Anything you would like to tell us? (optional)",
		"submit":    "Send",
		"thanks":    "Thank you! Your rating was received.",
		"change":    "You can change it for a few minutes.",
		"invalid":   "This survey link is not valid. Please use the link in the message we sent you.",
		"expired":   "This survey link has expired.",
		"answered":  "This survey has been answered already. Thank you!",
		"choose":    "Please choose a rating from 1 to 5.",
		"too_long":  "The comment is too long.",
		"slow_down": "Too many requests. Please try again in a minute.",
		"error":     "Something went wrong. Please try again later.",
		"language":  "Language",
	},
	"bn": {
		"message":   "আমাদের সাথে যোগাযোগ করার জন্য ধন্যবাদ। আমাদের সেবা কেমন ছিল? ১ থেকে ৫ এর মধ্যে এই কথোপকথনের রেটিং দিন: %s",
		"title":     "আমাদের সেবা কেমন ছিল?",
		"question":  "আপনি যে সাহায্য পেয়েছেন তাতে আপনি কতটা সন্তুষ্ট?",
		"r1":        "খুবই অসন্তুষ্ট",
		"r2":        "অসন্তুষ্ট",
		"r3":        "মোটামুটি",
		"r4":        "সন্তুষ্ট",
		"r5":        "খুবই সন্তুষ্ট",
		"comment":   "আমাদের কিছু বলতে চান? (ঐচ্ছিক)",
		"submit":    "পাঠান",
		"thanks":    "ধন্যবাদ! আপনার রেটিং পেয়েছি।",
		"change":    "কয়েক মিনিটের মধ্যে আপনি এটি বদলাতে পারবেন।",
		"invalid":   "এই সার্ভে লিংকটি সঠিক নয়। আমাদের পাঠানো বার্তার লিংকটি ব্যবহার করুন।",
		"expired":   "এই সার্ভে লিংকের মেয়াদ শেষ হয়ে গেছে।",
		"answered":  "এই সার্ভের উত্তর আগেই দেওয়া হয়েছে। ধন্যবাদ!",
		"choose":    "১ থেকে ৫ এর মধ্যে একটি রেটিং বেছে নিন।",
		"too_long":  "মন্তব্যটি অনেক বড়।",
		"slow_down": "অনেক বেশি অনুরোধ। এক মিনিট পরে আবার চেষ্টা করুন।",
		"error":     "কিছু একটা ভুল হয়েছে। পরে আবার চেষ্টা করুন।",
		"language":  "ভাষা",
	},
	"hi": {
		"message":   "हमसे संपर्क करने के लिए धन्यवाद। हमारी सेवा कैसी रही? इस बातचीत को 1 से 5 तक रेटिंग दें: %s",
		"title":     "हमारी सेवा कैसी रही?",
		"question":  "आपको मिली सहायता से आप कितने संतुष्ट हैं?",
		"r1":        "बहुत असंतुष्ट",
		"r2":        "असंतुष्ट",
		"r3":        "ठीक-ठाक",
		"r4":        "संतुष्ट",
		"r5":        "बहुत संतुष्ट",
		"comment":   "क्या आप हमें कुछ बताना चाहेंगे? (वैकल्पिक)",
		"submit":    "भेजें",
		"thanks":    "धन्यवाद! आपकी रेटिंग मिल गई है।",
		"change":    "आप इसे कुछ मिनटों तक बदल सकते हैं।",
		"invalid":   "यह सर्वे लिंक मान्य नहीं है। कृपया हमारे भेजे गए संदेश का लिंक इस्तेमाल करें।",
		"expired":   "इस सर्वे लिंक की समय-सीमा समाप्त हो गई है।",
		"answered":  "इस सर्वे का उत्तर पहले ही दिया जा चुका है। धन्यवाद!",
		"choose":    "कृपया 1 से 5 तक कोई रेटिंग चुनें।",
		"too_long":  "टिप्पणी बहुत लंबी है।",
		"slow_down": "बहुत अधिक अनुरोध। कृपया एक मिनट बाद फिर से प्रयास करें।",
		"error":     "कुछ गड़बड़ हो गई। कृपया बाद में फिर से प्रयास करें।",
		"language":  "भाषा",
	},
}

// Text returns a survey text in a language (English if unknown).
func Text(lang, key string) string {
	if w, ok := words[lang]; ok {
		if s, ok := w[key]; ok {
			return s
		}
	}
	return words["en"][key]
}

// Keys returns every text key, for the catalogs' test.
func Keys() []string {
	var out []string
	for k := range words["en"] {
		out = append(out, k)
	}
	return out
}

// MaxComment is the longest comment, in characters.
const MaxComment = 1000

// Page is what the survey page shows.
type Page struct {
	Lang string
	// Path is the page's own path, for the form and the language switch.
	Path string
	// Form shows the rating form; Notice is the message above it (or
	// alone); Error is an error above the form.
	Form    bool
	Notice  string
	Error   string
	Rating  int
	Comment string
}

type pageData struct {
	Page
	T       func(string) string
	Ratings []int
	Switch  []langLink
	Max     int
}

type langLink struct {
	Code, Name string
	Current    bool
}

// Render writes the page.
func Render(w io.Writer, p Page) error {
	if _, ok := words[p.Lang]; !ok {
		p.Lang = "en"
	}
	d := pageData{Page: p, T: func(k string) string { return Text(p.Lang, k) }, Ratings: []int{1, 2, 3, 4, 5}, Max: MaxComment}
	for _, l := range Languages {
		d.Switch = append(d.Switch, langLink{Code: l, Name: languageNames[l], Current: l == p.Lang})
	}
	return pageTemplate.Execute(w, d)
}

// ContentSecurityPolicy is the page's policy: its own inline style, no
// script, forms posted to itself only.
var ContentSecurityPolicy = "default-src 'none'; style-src 'sha256-" + styleHash() + "'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

func styleHash() string {
	sum := sha256.Sum256([]byte(style))
	return base64.StdEncoding.EncodeToString(sum[:])
}

const style = `*{box-sizing:border-box}body{margin:0;font-family:system-ui,-apple-system,"Segoe UI","Noto Sans Bengali","Noto Sans Devanagari",sans-serif;background:#f5f6f8;color:#1d2430;line-height:1.5}main{max-width:32rem;margin:0 auto;padding:1.25rem}nav{text-align:right;font-size:.9rem}nav a{color:#2856c7;margin-left:.75rem}nav a[aria-current]{color:#1d2430;font-weight:600;text-decoration:none}h1{font-size:1.4rem;margin:1rem 0 .5rem}.card{background:#fff;border-radius:12px;padding:1.25rem;box-shadow:0 1px 3px rgba(0,0,0,.08)}fieldset{border:0;margin:0;padding:0}legend{font-weight:600;margin-bottom:.75rem}.scale{display:flex;gap:.4rem}.scale label{flex:1;text-align:center;cursor:pointer}.scale input{position:absolute;opacity:0}.scale span{display:block;border:2px solid #cfd5de;border-radius:10px;padding:.6rem 0;font-size:1.25rem;font-weight:600}.scale input:checked+span{border-color:#2856c7;background:#e8efff;color:#2856c7}.scale input:focus-visible+span{outline:3px solid #9bb5f0}.scale small{display:block;font-size:.7rem;color:#5a6575;margin-top:.25rem;line-height:1.2}textarea{width:100%;min-height:6rem;margin-top:.4rem;border:1px solid #cfd5de;border-radius:8px;padding:.6rem;font:inherit}button{margin-top:1rem;width:100%;border:0;border-radius:10px;background:#2856c7;color:#fff;font:inherit;font-weight:600;padding:.8rem;cursor:pointer}.notice{background:#e9f7ef;border-radius:8px;padding:.75rem;margin-bottom:1rem}.error{background:#fdecec;color:#8a1c1c;border-radius:8px;padding:.75rem;margin-bottom:1rem}p.comment{margin-top:1.25rem}`

var pageTemplate = template.Must(template.New("survey").Parse(`<!doctype html>
<html lang="{{.Lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{{call .T "title"}}</title>
<style>` + style + `</style>
</head>
<body>
<main>
<nav aria-label="{{call .T "language"}}">{{range .Switch}}<a href="{{$.Path}}?lang={{.Code}}" lang="{{.Code}}"{{if .Current}} aria-current="true"{{end}}>{{.Name}}</a>{{end}}</nav>
<h1>{{call .T "title"}}</h1>
<div class="card">
{{if .Notice}}<p class="notice" role="status">{{.Notice}}</p>{{end}}
{{if .Error}}<p class="error" role="alert">{{.Error}}</p>{{end}}
{{if .Form}}<form method="post" action="{{.Path}}?lang={{.Lang}}">
<fieldset>
<legend>{{call .T "question"}}</legend>
<div class="scale">{{range .Ratings}}<label><input type="radio" name="rating" value="{{.}}" required{{if eq . $.Rating}} checked{{end}}><span>{{.}}</span><small>{{call $.T (printf "r%d" .)}}</small></label>{{end}}</div>
</fieldset>
<p class="comment"><label for="comment">{{call .T "comment"}}</label>
<textarea id="comment" name="comment" maxlength="{{.Max}}">{{.Comment}}</textarea></p>
<input type="hidden" name="lang" value="{{.Lang}}">
<button type="submit">{{call .T "submit"}}</button>
</form>{{end}}
</div>
</main>
</body>
</html>
`))
