package x

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

// The example of X's "creating a signature" guide (the same values are
// in many OAuth libraries' tests): its base string and HMAC-SHA1
// signature are published.
func TestAuthorizationPublishedVector(t *testing.T) {
	c := Credentials{
		ConsumerKey:       "xvz1evFS4wEEPTGEFPHBog",
		ConsumerSecret:    "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw",
		AccessToken:       "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb",
		AccessTokenSecret: "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE",
	}
	form := url.Values{"status": {"Hello Ladies + Gentlemen, a signed OAuth request!"}}
	h, err := c.Authorization("POST", "https://api.twitter.com/1/statuses/update.json?include_entities=true", form,
		"kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg", time.Unix(1318622958, 0))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`oauth_signature="tnnArxj06cWHq44gCs1OSKk%2FjLY%3D"`, `oauth_consumer_key="xvz1evFS4wEEPTGEFPHBog"`,
		`oauth_token="370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb"`, `oauth_signature_method="HMAC-SHA1"`, `oauth_timestamp="1318622958"`} {
		if !strings.Contains(h, want) {
			t.Errorf("header %s: missing %s", h, want)
		}
	}
	if !strings.HasPrefix(h, "OAuth ") {
		t.Errorf("header %s does not start with OAuth", h)
	}
}

func TestPercentEncode(t *testing.T) {
	for in, want := range map[string]string{
		"Ladies + Gentlemen": "Ladies%20%2B%20Gentlemen",
		"An encoded string!": "An%20encoded%20string%21",
		"Dogs, Cats & Mice":  "Dogs%2C%20Cats%20%26%20Mice",
		"☃":                  "%E2%98%83",
		"a-b.c_d~e":          "a-b.c_d~e",
	} {
		if got := percentEncode(in); got != want {
			t.Errorf("percentEncode(%q) = %q, want %q", in, got, want)
		}
	}
}
