package twilio

import (
	"encoding/xml"
	"strings"
)

// TwiML is what Sahay answers Twilio's voice requests with: the verbs a
// call follows. Documents are built with encoding/xml, so no greeting an
// admin writes and no name or URL can change their structure.

// xmlHeader opens every TwiML document.
const xmlHeader = `<?xml version="1.0" encoding="UTF-8"?>`

// response is a TwiML document: its verbs in order.
type response struct {
	XMLName xml.Name `xml:"Response"`
	Verbs   []any
}

// say speaks text in a language.
type say struct {
	XMLName  xml.Name `xml:"Say"`
	Language string   `xml:"language,attr,omitempty"`
	Text     string   `xml:",chardata"`
}

// dial connects the call to one or more numbers; Twilio requests Action
// once the dialled call ends or nobody answered within Timeout seconds.
// With AnswerOnBridge the caller hears ringing until a number is
// connected, through its url's TwiML.
type dial struct {
	XMLName        xml.Name `xml:"Dial"`
	CallerID       string   `xml:"callerId,attr,omitempty"`
	Timeout        int      `xml:"timeout,attr,omitempty"`
	Action         string   `xml:"action,attr,omitempty"`
	AnswerOnBridge bool     `xml:"answerOnBridge,attr,omitempty"`
	Numbers        []number
}

// number is a phone a dial rings; Twilio requests URL on the answering
// phone's leg before connecting it.
type number struct {
	XMLName xml.Name `xml:"Number"`
	URL     string   `xml:"url,attr,omitempty"`
	Phone   string   `xml:",chardata"`
}

// record records the caller's message and posts it to Action; Twilio
// goes on with the next verb only when nothing was recorded.
type record struct {
	XMLName            xml.Name `xml:"Record"`
	Action             string   `xml:"action,attr"`
	MaxLength          int      `xml:"maxLength,attr"`
	PlayBeep           bool     `xml:"playBeep,attr"`
	FinishOnKey        string   `xml:"finishOnKey,attr"`
	Transcribe         bool     `xml:"transcribe,attr"`
	TranscribeCallback string   `xml:"transcribeCallback,attr,omitempty"`
}

// gather says its Says and waits, up to Timeout seconds after them, for
// NumDigits keys, which it posts to Action; with none pressed Twilio goes
// on with the next verb.
type gather struct {
	XMLName   xml.Name `xml:"Gather"`
	NumDigits int      `xml:"numDigits,attr"`
	Timeout   int      `xml:"timeout,attr"`
	Action    string   `xml:"action,attr"`
	Says      []say
}

// hangup ends the call.
type hangup struct {
	XMLName xml.Name `xml:"Hangup"`
}

// voicemailSeconds is the longest voicemail a caller may leave: two
// minutes, the longest recording Twilio transcribes.
const voicemailSeconds = 120

// screenSeconds is how long an agent who picked up has, once told who
// calls, to press a key and take the call.
const screenSeconds = 5

// bridgeTimeout is how long the customer's phone rings when an agent
// calls them back.
const bridgeTimeout = 30

// render writes a TwiML document.
func render(verbs ...any) []byte {
	b, err := xml.Marshal(response{Verbs: verbs})
	if err != nil {
		// Every verb is one of the types above, which always marshal.
		panic("twilio: TwiML: " + err.Error())
	}
	return append([]byte(xmlHeader), b...)
}

// prompts are what callers and agents hear in one language.
type prompts struct {
	// greeting opens every incoming call.
	greeting string
	// voicemail asks for a message, when nobody answers or the team is
	// out.
	voicemail string
	// thanks ends a call once a message is recorded.
	thanks string
	// noMessage ends a call on which nothing was recorded.
	noMessage string
	// connecting is said to an agent who answered Sahay's call, before
	// the customer is rung; %s is the customer's name.
	connecting, connectingNamed string
	// screening is said to an agent's phone that picked up a customer's
	// call: %s is the caller's name or number. screeningWithheld is said
	// when the number is withheld.
	screening, screeningWithheld string
}

// builtIn are the prompts of each language a voice speaks, by the
// language's first part ("en" of "en-IN").
var builtIn = map[string]prompts{
	"en": {
		greeting:          "Thank you for calling.",
		voicemail:         "Sorry, nobody can take your call right now. Please leave your name and message after the beep, then press the hash key. We will call you back.",
		thanks:            "Thank you. We will call you back soon. Goodbye.",
		noMessage:         "We did not get a message. Goodbye.",
		connecting:        "Connecting you to the customer.",
		connectingNamed:   "Connecting you to %s.",
		screening:         "Support call from %s. Press any key to take the call.",
		screeningWithheld: "Support call from a withheld number. Press any key to take the call.",
	},
	"bn": {
		greeting:          "ফোন করার জন্য ধন্যবাদ।",
		voicemail:         "দুঃখিত, এই মুহূর্তে কেউ আপনার কল ধরতে পারছেন না। বিপ শব্দের পরে আপনার নাম ও বার্তা বলুন, তারপর হ্যাশ চাপুন। আমরা আপনাকে ফোন করব।",
		thanks:            "ধন্যবাদ। আমরা শীঘ্রই আপনাকে ফোন করব।",
		noMessage:         "কোনো বার্তা রেকর্ড হয়নি। ধন্যবাদ।",
		connecting:        "গ্রাহকের সাথে যুক্ত করা হচ্ছে।",
		connectingNamed:   "%s-এর সাথে যুক্ত করা হচ্ছে।",
		screening:         "সাপোর্ট কল: %s। কলটি ধরতে যেকোনো বোতাম চাপুন।",
		screeningWithheld: "গোপন নম্বর থেকে সাপোর্ট কল। কলটি ধরতে যেকোনো বোতাম চাপুন।",
	},
	"hi": {
		greeting:          "कॉल करने के लिए धन्यवाद।",
		voicemail:         "क्षमा करें, अभी कोई आपकी कॉल नहीं ले पा रहा है। बीप के बाद अपना नाम और संदेश बोलें, फिर हैश दबाएँ। हम आपको वापस कॉल करेंगे।",
		thanks:            "धन्यवाद। हम जल्द ही आपको वापस कॉल करेंगे।",
		noMessage:         "कोई संदेश रिकॉर्ड नहीं हुआ। धन्यवाद।",
		connecting:        "ग्राहक से जोड़ा जा रहा है।",
		connectingNamed:   "%s से जोड़ा जा रहा है।",
		screening:         "सपोर्ट कॉल: %s। कॉल लेने के लिए कोई भी बटन दबाएँ।",
		screeningWithheld: "छिपे हुए नंबर से सपोर्ट कॉल। कॉल लेने के लिए कोई भी बटन दबाएँ।",
	},
}

// promptsFor are the built-in prompts of a voice language.
func promptsFor(language string) prompts {
	lang, _, _ := strings.Cut(language, "-")
	if p, ok := builtIn[lang]; ok {
		return p
	}
	return builtIn["en"]
}
