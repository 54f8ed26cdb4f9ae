package x

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Credentials are an app's consumer key and secret with one account's
// access token and secret: OAuth 1.0a user context, as X's v2 endpoints
// take it for direct messages and posts.
type Credentials struct {
	ConsumerKey       string
	ConsumerSecret    string
	AccessToken       string
	AccessTokenSecret string
}

// Authorization returns the Authorization header of a request signed with
// HMAC-SHA1 (RFC 5849 §3.4.2): method and rawURL (its query is signed),
// with form the parameters of an application/x-www-form-urlencoded body,
// if any (a JSON body is not signed). nonce and at are the request's
// oauth_nonce and oauth_timestamp; [Credentials.Sign] makes them.
func (c Credentials) Authorization(method, rawURL string, form url.Values, nonce string, at time.Time) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", fmt.Errorf("x: oauth: %w", err)
	}
	oauth := map[string]string{
		"oauth_consumer_key":     c.ConsumerKey,
		"oauth_nonce":            nonce,
		"oauth_signature_method": "HMAC-SHA1",
		"oauth_timestamp":        strconv.FormatInt(at.Unix(), 10),
		"oauth_token":            c.AccessToken,
		"oauth_version":          "1.0",
	}
	var pairs []string
	add := func(k, v string) { pairs = append(pairs, percentEncode(k)+"="+percentEncode(v)) }
	for k, v := range oauth {
		add(k, v)
	}
	for _, vs := range []url.Values{u.Query(), form} {
		for k, list := range vs {
			for _, v := range list {
				add(k, v)
			}
		}
	}
	// Pairs sort by encoded name, then value: "=" sorts below every
	// character an encoded name holds, so the joined pair sorts alike.
	sort.Strings(pairs)
	base := strings.ToUpper(method) + "&" + percentEncode(baseURL(u)) + "&" + percentEncode(strings.Join(pairs, "&"))
	mac := hmac.New(sha1.New, []byte(percentEncode(c.ConsumerSecret)+"&"+percentEncode(c.AccessTokenSecret)))
	mac.Write([]byte(base))
	oauth["oauth_signature"] = base64.StdEncoding.EncodeToString(mac.Sum(nil))
	keys := make([]string, 0, len(oauth))
	for k := range oauth {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString("OAuth ")
	for i, k := range keys {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s=\"%s\"", percentEncode(k), percentEncode(oauth[k]))
	}
	return b.String(), nil
}

// Sign returns the Authorization header of a request, with a fresh nonce
// and the current time.
func (c Credentials) Sign(method, rawURL string, form url.Values) (string, error) {
	n := make([]byte, 16)
	if _, err := rand.Read(n); err != nil {
		return "", fmt.Errorf("x: oauth nonce: %w", err)
	}
	return c.Authorization(method, rawURL, form, hex.EncodeToString(n), time.Now())
}

// baseURL is the base string URI of RFC 5849 §3.4.1.2: scheme and host in
// lower case, without a default port, the path, no query or fragment.
func baseURL(u *url.URL) string {
	scheme, host := strings.ToLower(u.Scheme), strings.ToLower(u.Host)
	if scheme == "http" {
		host = strings.TrimSuffix(host, ":80")
	} else if scheme == "https" {
		host = strings.TrimSuffix(host, ":443")
	}
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	return scheme + "://" + host + path
}

// percentEncode is RFC 5849 §3.6: every byte but ALPHA, DIGIT, "-", ".",
// "_" and "~" as %XX in upper case.
func percentEncode(s string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}
