package twilio

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/url"
	"sort"
	"strings"
)

// Signature is what Twilio sends as X-Twilio-Signature for a request to
// fullURL with the form params: base64 of HMAC-SHA1, keyed with the auth
// token, of the URL followed by every parameter's name and value, sorted
// by name and then by value, identical pairs once.
func Signature(authToken, fullURL string, params url.Values) string {
	var b strings.Builder
	b.WriteString(fullURL)
	names := make([]string, 0, len(params))
	for name := range params {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		values := append([]string(nil), params[name]...)
		sort.Strings(values)
		for i, v := range values {
			if i > 0 && v == values[i-1] {
				continue
			}
			b.WriteString(name)
			b.WriteString(v)
		}
	}
	mac := hmac.New(sha1.New, []byte(authToken))
	mac.Write([]byte(b.String()))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// ValidSignature reports, in constant time, whether signature is
// Twilio's for a request to fullURL with the form params. Like Twilio's
// own libraries, it accepts the signature of the URL with its scheme's
// default port written out (":443", ":80") or with an explicit port left
// out, since proxies in front of a server differ in what they pass on.
func ValidSignature(authToken, fullURL string, params url.Values, signature string) bool {
	if authToken == "" || signature == "" {
		return false
	}
	ok := false
	for _, u := range urlVariants(fullURL) {
		if hmac.Equal([]byte(Signature(authToken, u, params)), []byte(signature)) {
			ok = true
		}
	}
	return ok
}

// ValidBodySignature reports, in constant time, whether signature is
// Twilio's for a request to fullURL with a JSON body: Twilio puts the
// body's SHA-256 in the URL's bodySHA256 parameter and signs the URL
// alone, so the hash must match the body and the signature the URL.
func ValidBodySignature(authToken, fullURL string, body []byte, signature string) bool {
	u, err := url.Parse(fullURL)
	if err != nil {
		return false
	}
	sum := sha256.Sum256(body)
	want := hex.EncodeToString(sum[:])
	got := strings.ToLower(u.Query().Get("bodySHA256"))
	hashOK := hmac.Equal([]byte(got), []byte(want))
	return ValidSignature(authToken, fullURL, nil, signature) && hashOK
}

// urlVariants is the URL as given, without its port, and with its
// scheme's default port.
func urlVariants(raw string) []string {
	out := []string{raw}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return out
	}
	host := u.Hostname()
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	bare := *u
	bare.Host = host
	out = append(out, bare.String())
	port := map[string]string{"https": "443", "http": "80"}[u.Scheme]
	if port != "" && u.Port() == "" {
		withPort := *u
		withPort.Host = host + ":" + port
		out = append(out, withPort.String())
	}
	return out
}
