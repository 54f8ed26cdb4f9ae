package twilio_test

import (
	"net/url"
	"testing"

	"github.com/sahayhq/sahay/internal/channel/twilio"
)

// The published vectors of Twilio's own libraries (auth token 12345).
func TestSignatureVectors(t *testing.T) {
	const token = "12345"
	const base = "mycompany.com/myapp.php?foo=1&bar=2"
	call := url.Values{"CallSid": {"CA1234567890ABCDE"}, "Caller": {"+14158675309"}, "Digits": {"1234"},
		"From": {"+14158675309"}, "To": {"+18005551212"}}
	reason := url.Values{}
	for k, v := range call {
		reason[k] = v
	}
	reason.Set("ReasonConferenceEnded", "test")
	reason.Set("Reason", "Participant")
	form := url.Values{"property": {"value"}, "boolean": {"true"}}
	multi := url.Values{"Sid": {"CA123"}, "SidAccount": {"AC123"}, "Digits": {"5678", "1234", "1234"}}
	const hash = "0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620"
	sms, err := url.ParseQuery("ToCountry=US&ToState=CA&SmsMessageSid=SM60566ee207e123ee2765abcc55c9b9c9&NumMedia=0&ToCity=SAN+BRUNO&FromZip=94030&SmsSid=SM60566ee207e123ee2765abcc55c9b9c9&FromState=CA&SmsStatus=received&FromCity=SAN+BRUNO&Body=hi+there%2C+2%2B3%3D4&FromCountry=US&To=%2B16505551366&ToZip=94030&NumSegments=1&ReferralNumMedia=0&MessageSid=SM60566ee207e123ee2765abcc55c9b9c9&AccountSid=ACae0e356ccba96d16d8d4f6f9518684a3&From=%2B16505558893&ApiVersion=2010-04-01")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		url    string
		params url.Values
		sig    string
		valid  bool
	}{
		{"call", "https://" + base, call, "RSOYDt4T1cUTdK1PDd93/VVr8B8=", true},
		{"https with :443 signed without", "https://mycompany.com:443/myapp.php?foo=1&bar=2", call, "RSOYDt4T1cUTdK1PDd93/VVr8B8=", true},
		{"https signed with :443", "https://" + base, call, "kvajT1Ptam85bY51eRf/AJRuM3w=", true},
		{"http signed with :80", "http://" + base, call, "0ZXoZLH/DfblKGATFgpif+LLRf4=", true},
		{"explicit port", "http://mycompany.com:1234/myapp.php?foo=1&bar=2", call, "Zmvh+3yNM1Phv2jhDCwEM3q5ebU=", true},
		{"reason https", "https://" + base, reason, "vOEb5UThFn24KEfnOFLQY2AE5FY=", true},
		{"reason http", "http://" + base, reason, "n2xBNyzSW7rfYStDtOFiFMv7qNo=", true},
		{"mis-sorted params fail", "https://" + base, reason, "95+Bu0JVPi0r/SsESZCVf0dWAjw=", false},
		{"form body", "https://" + base, form, "NBdBDr/T/lgjI+tlgpXjKZQZs/k=", true},
		{"JSON body hash in URL", "https://" + base + "&bodySHA256=" + hash, nil, "a9nBmqA0ju/hNViExpshrM61xv4=", true},
		{"JSON body hash only", "https://mycompany.com/myapp.php?bodySHA256=" + hash, nil, "y77kIzt2vzLz71DgmJGsen2scGs=", true},
		{"repeated values", "https://" + base, multi, "IK+Dwps556ElfBT0I3Rgjkr1wJU=", true},
		{"captured SMS", "https://example.com/twilio/sms", sms, "rA9mvu27ODWKAMZd3TjgqHaFx50=", true},
		{"wrong token's", "https://" + base, call, "RSOYDt4T1cUTdK1PDd93/VVr8B8", false},
		{"missing", "https://" + base, call, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := twilio.ValidSignature(token, tt.url, tt.params, tt.sig); got != tt.valid {
				t.Errorf("ValidSignature = %v, want %v (computed %s)", got, tt.valid, twilio.Signature(token, tt.url, tt.params))
			}
		})
	}
	if got := twilio.Signature(token, "https://"+base, call); got != "RSOYDt4T1cUTdK1PDd93/VVr8B8=" {
		t.Errorf("Signature = %s", got)
	}
	if twilio.ValidSignature("54321", "https://"+base, call, "RSOYDt4T1cUTdK1PDd93/VVr8B8=") {
		t.Error("another token's signature was accepted")
	}
}

// A JSON body is signed by its hash in the URL: the published vector
// passes, and a body changed after signing does not.
func TestBodySignature(t *testing.T) {
	const token = "12345"
	body := []byte(`{"property": "value", "boolean": true}`)
	const hash = "0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620"
	signed := "https://mycompany.com/myapp.php?foo=1&bar=2&bodySHA256=" + hash
	if !twilio.ValidBodySignature(token, signed, body, "a9nBmqA0ju/hNViExpshrM61xv4=") {
		t.Error("the published JSON body vector failed")
	}
	if !twilio.ValidBodySignature(token, "https://mycompany.com/myapp.php?bodySHA256="+hash, body, "y77kIzt2vzLz71DgmJGsen2scGs=") {
		t.Error("the published hash-only vector failed")
	}
	if twilio.ValidBodySignature(token, signed, []byte(`{"property": "other", "boolean": true}`), "a9nBmqA0ju/hNViExpshrM61xv4=") {
		t.Error("a changed body passed")
	}
	if twilio.ValidBodySignature(token, "https://mycompany.com/myapp.php?foo=1&bar=2", body, "a9nBmqA0ju/hNViExpshrM61xv4=") {
		t.Error("a URL without the body's hash passed")
	}
}
