package httpx

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
)

func TestClientAddr(t *testing.T) {
	for _, c := range []struct {
		name    string
		proxies int
		xff     []string
		want    string
	}{
		{"no proxy ignores the header a client can write", 0, []string{"203.0.113.9"}, "192.0.2.1"},
		{"one proxy: its entry", 1, []string{"10.9.9.9, 203.0.113.9"}, "203.0.113.9"},
		{"one proxy: a forged entry left of it is ignored", 1, []string{"198.51.100.7", "203.0.113.9"}, "203.0.113.9"},
		{"two proxies: the outer one's entry", 2, []string{"198.51.100.7, 203.0.113.9, 10.0.0.2"}, "203.0.113.9"},
		{"fewer hops than proxies: the first", 3, []string{"203.0.113.9, 10.0.0.2"}, "203.0.113.9"},
		{"no header: the peer", 1, nil, "192.0.2.1"},
		{"garbage: the peer", 1, []string{"not-an-ip"}, "192.0.2.1"},
		{"IPv6", 1, []string{"2001:db8::1"}, "2001:db8::1"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = "192.0.2.1:4711"
			for _, v := range c.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			if got := ClientAddr(r, c.proxies); got != c.want {
				t.Fatalf("ClientAddr = %s, want %s", got, c.want)
			}
		})
	}
}

func TestRetryAfter(t *testing.T) {
	for _, c := range []struct {
		after time.Duration
		want  string
	}{{0, "1"}, {300 * time.Millisecond, "1"}, {time.Second, "1"}, {1500 * time.Millisecond, "2"}, {time.Minute, "60"}} {
		w := httptest.NewRecorder()
		WriteError(w, httptest.NewRequest("POST", "/", nil), nil, sahay.RateLimited(c.after, "slow down"))
		if w.Code != 429 || w.Header().Get("Retry-After") != c.want || !strings.Contains(w.Body.String(), `"code":"rate_limited"`) {
			t.Errorf("after %s: %d, Retry-After %q, body %s", c.after, w.Code, w.Header().Get("Retry-After"), w.Body)
		}
	}
}
