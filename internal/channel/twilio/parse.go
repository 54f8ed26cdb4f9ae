package twilio

import (
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/channel"
)

// Namespace is whose ids a Twilio contact's identity holds: phone numbers
// in E.164 form ("+8801711223344"), the same person on every number.
const Namespace = "phone"

// Kinds of journalled events. A key is "<kind>:<sid>…", except the
// reports on a call after its first request: "call:<call sid>:<kind>…"
// (see [kindOf]).
const (
	kindSMS    = "sms"
	kindStatus = "status"
	// kindCall is an incoming call: "call:<call sid>".
	kindCall = "call"
	// kindAnswer is an agent answering an incoming call.
	kindAnswer = "answer"
	// kindDial is the end of a dial of agents' phones:
	// "call:<call sid>:dial:<index of the next agent>".
	kindDial = "dial"
	// kindRecording is a voicemail: "recording:<recording sid>".
	kindRecording = "recording"
	// kindTranscript is a voicemail's transcription.
	kindTranscript = "transcript"
	// kindCallStatus is a status callback of a call, once per status.
	kindCallStatus = "callstatus"
	// kindBridge and kindBridged are an agent answering a call Sahay
	// placed, and the end of its dial of the customer.
	kindBridge  = "bridge"
	kindBridged = "bridged"
	// kindScreen is the prompt an agent's phone hears once it picks up,
	// before the caller is connected: the one request of a call that is
	// not journalled (see [Adapter.screen]).
	kindScreen = "screen"
)

// kindOf is the kind of a journalled event, read from its dedupe key.
func kindOf(key string) string {
	parts := strings.SplitN(key, ":", 4)
	if parts[0] == kindCall && len(parts) > 2 {
		return parts[2]
	}
	return parts[0]
}

// maxMedia bounds the files one message may name: Twilio sends at most 10.
const maxMedia = 10

var (
	sidPattern   = regexp.MustCompile(`^[A-Z]{2}[0-9a-fA-F]{32}$`)
	phonePattern = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)
)

// dedupeKey is the journal's key of a verified request: a message once,
// a status callback once per status.
func dedupeKey(kind string, form url.Values) (string, error) {
	sid := form.Get("MessageSid")
	if !sidPattern.MatchString(sid) {
		return "", sahay.Invalid("twilio: MessageSid %q is not a message SID", sid)
	}
	switch kind {
	case kindSMS:
		return kindSMS + ":" + sid, nil
	default:
		status := form.Get("MessageStatus")
		if status == "" || len(status) > 32 {
			return "", sahay.Invalid("twilio: a status callback without MessageStatus")
		}
		return kindStatus + ":" + sid + ":" + status, nil
	}
}

// Parse reads one journalled request: its dedupe key says which webhook
// took it, its body is Twilio's form, and its headers what the webhook
// added (see [HeaderRang] and the others).
func Parse(raw channel.Raw) (channel.Parsed, error) {
	form, err := url.ParseQuery(string(raw.Body))
	if err != nil {
		return channel.Parsed{}, fmt.Errorf("twilio: form: %w", err)
	}
	switch kind := kindOf(raw.DedupeKey); kind {
	case kindSMS:
		in, err := ParseSMS(form)
		if err != nil {
			return channel.Parsed{}, err
		}
		return channel.Parsed{Messages: []channel.Inbound{in}}, nil
	case kindStatus:
		r, ok := ParseStatus(form)
		if !ok {
			return channel.Parsed{}, nil
		}
		return channel.Parsed{Receipts: []channel.Receipt{r}}, nil
	case kindCall:
		in, err := parseCall(form, raw.Headers)
		if err != nil {
			return channel.Parsed{}, err
		}
		return channel.Parsed{Messages: []channel.Inbound{in}}, nil
	case kindRecording:
		return parseRecording(form, raw.Headers)
	case kindAnswer, kindDial, kindTranscript, kindCallStatus, kindBridge, kindBridged:
		ev, ok, err := parseCallEvent(kind, form, raw.Headers)
		if err != nil || !ok {
			return channel.Parsed{}, err
		}
		return channel.Parsed{Calls: []channel.CallEvent{ev}}, nil
	default:
		return channel.Parsed{}, fmt.Errorf("twilio: unknown kind of event %q", kind)
	}
}

// ParseSMS reads an incoming message's form: its text and the files it
// carries (MMS), from the customer's number.
func ParseSMS(form url.Values) (channel.Inbound, error) {
	sid, from := form.Get("MessageSid"), form.Get("From")
	if !sidPattern.MatchString(sid) {
		return channel.Inbound{}, fmt.Errorf("twilio: MessageSid %q is not a message SID", sid)
	}
	if !phonePattern.MatchString(from) {
		return channel.Inbound{}, fmt.Errorf("twilio: From %q is not a phone number in E.164 form", from)
	}
	in := channel.Inbound{ExternalID: sid, Namespace: Namespace, ContactID: from, Phone: from, Content: form.Get("Body")}
	n, _ := strconv.Atoi(form.Get("NumMedia"))
	for i := range min(max(n, 0), maxMedia) {
		u := form.Get(fmt.Sprintf("MediaUrl%d", i))
		if u == "" {
			continue
		}
		if p, err := url.Parse(u); err != nil || (p.Scheme != "https" && p.Scheme != "http") {
			return channel.Inbound{}, fmt.Errorf("twilio: MediaUrl%d %q is not a web address", i, u)
		}
		ct := form.Get(fmt.Sprintf("MediaContentType%d", i))
		in.Files = append(in.Files, channel.RemoteFile{ID: u, ContentType: ct, Name: mediaName(u, ct)})
	}
	return in, nil
}

// mediaName names a customer's file after its media SID, with the
// extension of its type.
func mediaName(u, contentType string) string {
	name := u[strings.LastIndex(u, "/")+1:]
	if name == "" || len(name) > 64 {
		name = "media"
	}
	ext := map[string]string{"image/jpeg": ".jpg", "image/png": ".png", "image/gif": ".gif", "video/mp4": ".mp4",
		"audio/mpeg": ".mp3", "audio/ogg": ".ogg", "text/vcard": ".vcf", "application/pdf": ".pdf"}[contentType]
	return name + ext
}

// ParseStatus reads a delivery status callback. Statuses before sending
// (queued, accepted, sending…) report nothing Sahay shows: false.
func ParseStatus(form url.Values) (channel.Receipt, bool) {
	sid := form.Get("MessageSid")
	if !sidPattern.MatchString(sid) {
		return channel.Receipt{}, false
	}
	r := channel.Receipt{ExternalID: sid}
	switch form.Get("MessageStatus") {
	case "sent":
		r.Status = sahay.DeliverySent
	case "delivered", "partially_delivered":
		r.Status = sahay.DeliveryDelivered
	case "read":
		r.Status = sahay.DeliveryRead
	case "undelivered", "failed", "canceled":
		r.Status = sahay.DeliveryFailed
		r.Error = failure(form.Get("MessageStatus"), form.Get("ErrorCode"))
	default:
		return channel.Receipt{}, false
	}
	return r, true
}

// failure explains an undelivered message.
func failure(status, code string) string {
	reasons := map[string]string{
		"21610": "the customer replied STOP to this number and has unsubscribed",
		"30003": "the customer's phone is off or unreachable",
		"30004": "the customer's number blocks this message",
		"30005": "the customer's number does not exist",
		"30006": "the customer's number cannot receive SMS (a landline, or a carrier that does not take it)",
		"30007": "the carrier filtered the message as spam",
		"30008": "the carrier did not say why",
	}
	if r, ok := reasons[code]; ok {
		return fmt.Sprintf("Twilio: %s (error %s)", r, code)
	}
	if code != "" && len(code) <= 8 {
		return fmt.Sprintf("Twilio: message %s (error %s)", status, code)
	}
	return "Twilio: message " + status
}

// Keyword is an opt-out or opt-in word a customer texts.
type Keyword string

// The keywords carriers and Twilio act on.
const (
	KeywordStop  Keyword = "STOP"
	KeywordStart Keyword = "START"
	KeywordHelp  Keyword = "HELP"
)

// ParseKeyword reads a message that is an opt-out (STOP, STOPALL,
// UNSUBSCRIBE, CANCEL, END, QUIT), opt-in (START, YES, UNSTOP) or HELP
// keyword alone, in any case, with spaces or a full stop around it: ""
// for any other text.
func ParseKeyword(body string) Keyword {
	w := strings.ToUpper(strings.Trim(body, " \t\r\n.!"))
	switch w {
	case "STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT", "REVOKE":
		return KeywordStop
	case "START", "YES", "UNSTOP":
		return KeywordStart
	case "HELP", "INFO":
		return KeywordHelp
	}
	return ""
}
