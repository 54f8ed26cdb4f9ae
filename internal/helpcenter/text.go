package helpcenter

import "strings"

// words are the help center's own texts by language; a language without
// them reads English.
var words = map[string]map[string]string{
	"en": {
		"home":             "Help center",
		"search":           "Search",
		"search_label":     "Search the help center",
		"search_hint":      "Search for answers",
		"search_title":     "Search results",
		"results_for":      "Results for “%s”",
		"no_results":       "No articles match “%s”. Try other words.",
		"search_prompt":    "Type a few words to find an article.",
		"query_too_long":   "That search is too long. Try fewer words.",
		"categories":       "Categories",
		"articles_n":       "%d articles",
		"articles_1":       "1 article",
		"popular":          "Popular articles",
		"other_articles":   "Other articles",
		"no_articles":      "No articles have been published yet.",
		"language":         "Language",
		"helpful_q":        "Was this helpful?",
		"yes":              "Yes",
		"no":               "No",
		"thanks":           "Thank you for your feedback!",
		"need_help":        "Still need help?",
		"contact":          "Contact us",
		"chat":             "Chat with us",
		"contact_text":     "Contact us through the chat, email or phone you use with %s.",
		"intro":            "How can we help?",
		"related":          "Related articles",
		"fallback":         "This article is not yet available in %s; shown in %s.",
		"updated":          "Updated %s",
		"not_found":        "Page not found",
		"not_found_text":   "The page you are looking for does not exist or is no longer published.",
		"slow_down":        "Too many requests. Please try again in a minute.",
		"bad_request":      "That request could not be understood.",
		"error":            "Something went wrong. Please try again later.",
		"back_home":        "Go to the help center",
		"in_language":      "In %s",
		"breadcrumb_label": "Breadcrumb",
	},
	"bn": {
		"home":             "সহায়তা কেন্দ্র",
		"search":           "খুঁজুন",
		"search_label":     "সহায়তা কেন্দ্রে খুঁজুন",
		"search_hint":      "উত্তর খুঁজুন",
		"search_title":     "খোঁজার ফলাফল",
		"results_for":      "“%s”-এর ফলাফল",
		"no_results":       "“%s”-এর সাথে মেলে এমন কোনো নিবন্ধ নেই। অন্য শব্দ দিয়ে চেষ্টা করুন।",
		"search_prompt":    "নিবন্ধ খুঁজতে কয়েকটি শব্দ লিখুন।",
		"query_too_long":   "খোঁজাটি অনেক বড়। কম শব্দ দিয়ে চেষ্টা করুন।",
		"categories":       "বিভাগ",
		"articles_n":       "%dটি নিবন্ধ",
		"articles_1":       "১টি নিবন্ধ",
		"popular":          "জনপ্রিয় নিবন্ধ",
		"other_articles":   "অন্যান্য নিবন্ধ",
		"no_articles":      "এখনো কোনো নিবন্ধ প্রকাশিত হয়নি।",
		"language":         "ভাষা",
		"helpful_q":        "এটি কি সহায়ক ছিল?",
		"yes":              "হ্যাঁ",
		"no":               "না",
		"thanks":           "আপনার মতামতের জন্য ধন্যবাদ!",
		"need_help":        "এখনো সাহায্য দরকার?",
		"contact":          "আমাদের সাথে যোগাযোগ করুন",
		"chat":             "আমাদের সাথে চ্যাট করুন",
		"contact_text":     "%s-এর সাথে যে চ্যাট, ইমেইল বা ফোনে কথা বলেন, সেখানেই আমাদের সাথে যোগাযোগ করুন।",
		"intro":            "আমরা কীভাবে সাহায্য করতে পারি?",
		"related":          "সম্পর্কিত নিবন্ধ",
		"fallback":         "এই নিবন্ধটি এখনো %s ভাষায় পাওয়া যাচ্ছে না; %s ভাষায় দেখানো হচ্ছে।",
		"updated":          "হালনাগাদ: %s",
		"not_found":        "পাতাটি পাওয়া যায়নি",
		"not_found_text":   "আপনি যে পাতাটি খুঁজছেন সেটি নেই অথবা আর প্রকাশিত নয়।",
		"slow_down":        "অনেক বেশি অনুরোধ। এক মিনিট পরে আবার চেষ্টা করুন।",
		"bad_request":      "অনুরোধটি বোঝা যায়নি।",
		"error":            "কিছু একটা ভুল হয়েছে। পরে আবার চেষ্টা করুন।",
		"back_home":        "সহায়তা কেন্দ্রে যান",
		"in_language":      "%s ভাষায়",
		"breadcrumb_label": "পথনির্দেশ",
	},
	"hi": {
		"home":             "सहायता केंद्र",
		"search":           "खोजें",
		"search_label":     "सहायता केंद्र में खोजें",
		"search_hint":      "जवाब खोजें",
		"search_title":     "खोज के नतीजे",
		"results_for":      "“%s” के नतीजे",
		"no_results":       "“%s” से मेल खाता कोई लेख नहीं मिला। दूसरे शब्दों से खोजें।",
		"search_prompt":    "लेख खोजने के लिए कुछ शब्द लिखें।",
		"query_too_long":   "यह खोज बहुत लंबी है। कम शब्दों से खोजें।",
		"categories":       "श्रेणियाँ",
		"articles_n":       "%d लेख",
		"articles_1":       "1 लेख",
		"popular":          "लोकप्रिय लेख",
		"other_articles":   "अन्य लेख",
		"no_articles":      "अभी तक कोई लेख प्रकाशित नहीं हुआ है।",
		"language":         "भाषा",
		"helpful_q":        "क्या यह मददगार था?",
		"yes":              "हाँ",
		"no":               "नहीं",
		"thanks":           "आपकी राय के लिए धन्यवाद!",
		"need_help":        "अब भी मदद चाहिए?",
		"contact":          "हमसे संपर्क करें",
		"chat":             "हमसे चैट करें",
		"contact_text":     "%s से आप जिस चैट, ईमेल या फ़ोन पर बात करते हैं, उसी पर हमसे संपर्क करें।",
		"intro":            "हम आपकी कैसे मदद कर सकते हैं?",
		"related":          "संबंधित लेख",
		"fallback":         "यह लेख अभी %s में उपलब्ध नहीं है; %s में दिखाया जा रहा है।",
		"updated":          "अपडेट: %s",
		"not_found":        "पेज नहीं मिला",
		"not_found_text":   "आप जो पेज ढूँढ रहे हैं वह मौजूद नहीं है या अब प्रकाशित नहीं है।",
		"slow_down":        "बहुत अधिक अनुरोध। कृपया एक मिनट बाद फिर से प्रयास करें।",
		"bad_request":      "यह अनुरोध समझ में नहीं आया।",
		"error":            "कुछ गड़बड़ हो गई। कृपया बाद में फिर से प्रयास करें।",
		"back_home":        "सहायता केंद्र पर जाएँ",
		"in_language":      "%s में",
		"breadcrumb_label": "ब्रेडक्रंब",
	},
}

// text returns a text in a language, English when the language has none.
func text(lang, key string) string {
	if w, ok := words[lang]; ok {
		if s, ok := w[key]; ok {
			return s
		}
	}
	return words["en"][key]
}

// languageNames name languages in themselves, for the language switch
// and the fallback note.
var languageNames = map[string]string{
	"en": "English", "bn": "বাংলা", "hi": "हिन्दी", "ur": "اردو", "ne": "नेपाली", "mr": "मराठी",
	"ta": "தமிழ்", "te": "తెలుగు", "gu": "ગુજરાતી", "pa": "ਪੰਜਾਬੀ", "ml": "മലയാളം", "kn": "ಕನ್ನಡ",
	"or": "ଓଡ଼ିଆ", "as": "অসমীয়া", "si": "සිංහල", "ar": "العربية", "fa": "فارسی", "fr": "Français",
	"es": "Español", "de": "Deutsch", "pt": "Português", "it": "Italiano", "nl": "Nederlands",
	"id": "Bahasa Indonesia", "ms": "Bahasa Melayu", "tr": "Türkçe", "ru": "Русский", "zh": "中文",
	"ja": "日本語", "ko": "한국어", "th": "ไทย", "vi": "Tiếng Việt", "sw": "Kiswahili",
}

// languageName names a locale in itself, or gives its tag.
func languageName(locale string) string {
	if n, ok := languageNames[locale]; ok {
		return n
	}
	primary, _, _ := strings.Cut(locale, "-")
	if n, ok := languageNames[primary]; ok {
		return n
	}
	return locale
}

// rtl tells the languages written right to left.
func rtl(locale string) bool {
	primary, _, _ := strings.Cut(locale, "-")
	switch primary {
	case "ar", "fa", "ur", "he", "ps", "sd", "yi":
		return true
	}
	return false
}
