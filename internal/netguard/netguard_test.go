package netguard

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
)

func TestPublic(t *testing.T) {
	for _, s := range []string{
		"127.0.0.1", "127.8.9.10", "::1", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "fc00::1", "fd00:ec2::254",
		"169.254.169.254", "fe80::1", "0.0.0.0", "0.1.2.3", "::", "224.0.0.1", "239.255.255.250", "ff02::1", "ff05::2",
		"100.64.0.1", "100.100.100.200", "100.127.255.255", "255.255.255.255", "240.0.0.1", "198.18.0.1", "192.0.0.170",
		"::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254", "64:ff9b::7f00:1", "64:ff9b::a9fe:a9fe",
		"2002:7f00:1::", "2002:a00:1::1", "2001:db8::1", "2001::1", "64:ff9b:1::1",
	} {
		if Public(netip.MustParseAddr(s)) {
			t.Errorf("Public(%s) = true", s)
		}
	}
	for _, s := range []string{
		"1.1.1.1", "8.8.8.8", "93.184.216.34", "100.63.255.255", "100.128.0.1", "172.32.0.1", "2606:4700:4700::1111",
		"::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::1",
	} {
		if !Public(netip.MustParseAddr(s)) {
			t.Errorf("Public(%s) = false", s)
		}
	}
}

func TestCheckURL(t *testing.T) {
	for _, raw := range []string{
		"http://127.0.0.1:8080/hook", "http://localhost/hook", "https://LOCALHOST./x", "http://api.localhost/",
		"http://[::1]/", "http://[::ffff:127.0.0.1]/", "http://[::ffff:7f00:1]/", "http://0.0.0.0/", "http://0/",
		"http://2130706433/", "http://0x7f.1/", "http://127.1/", "http://017700000001/", "http://169.254.169.254/latest/meta-data/",
		"http://metadata.google.internal/computeMetadata/v1/", "http://metadata/", "http://printer.local/", "http://db.corp.internal/",
		"http://10.0.0.5/", "http://100.100.100.200/", "http://[fe80::1%25eth0]/", "http://224.0.0.1/",
	} {
		if err := CheckURL(raw, false); !errors.Is(err, ErrBlocked) {
			t.Errorf("CheckURL(%s) = %v, want %v", raw, err, ErrBlocked)
		}
		if err := CheckURL(raw, true); err != nil {
			t.Errorf("CheckURL(%s) with private URLs allowed = %v", raw, err)
		}
	}
	for _, raw := range []string{"ftp://example.com/", "file:///etc/passwd", "gopher://x/", "http://", "/relative", "mailto:a@b.c", "http:example.com"} {
		if err := CheckURL(raw, true); err == nil || errors.Is(err, ErrBlocked) {
			t.Errorf("CheckURL(%s) = %v, want not an http URL", raw, err)
		}
	}
	if err := CheckURL("https://user:pw@example.com/", false); err == nil {
		t.Error("a URL with credentials is accepted")
	}
	for _, raw := range []string{"https://hooks.example.com/sahay", "http://1.1.1.1:8080/x", "https://cafe.be/", "https://1e100.net/",
		"https://[2606:4700:4700::1111]/", "https://example.com./"} {
		if err := CheckURL(raw, false); err != nil {
			t.Errorf("CheckURL(%s) = %v", raw, err)
		}
	}
}

func addrPort(t *testing.T, srv *httptest.Server) netip.AddrPort {
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	return netip.MustParseAddrPort(u.Host)
}

// TestClientRefusesPrivateAddressesWhenDialing checks the guard where it
// cannot be talked around: on the address actually dialed.
func TestClientRefusesPrivateAddressesWhenDialing(t *testing.T) {
	var hits atomic.Int32
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer target.Close()
	port := addrPort(t, target).Port()

	// A loopback address, and a name that resolves to one.
	for _, u := range []string{target.URL, strings.Replace(target.URL, "127.0.0.1", "localhost", 1)} {
		_, err := Client(false).Get(u)
		if !errors.Is(err, ErrBlocked) {
			t.Errorf("GET %s: %v, want %v", u, err, ErrBlocked)
		}
	}

	// A name that resolves to a public address when the URL is saved and
	// to loopback when the request is made (DNS rebinding).
	rebind := guard{resolve: func(host string) string {
		if host == "hooks.example.com" {
			return "127.0.0.1"
		}
		return host
	}}
	rebound := "http://hooks.example.com:" + strconv.Itoa(int(port)) + "/"
	if err := CheckURL(rebound, false); err != nil {
		t.Fatalf("CheckURL(%s) = %v", rebound, err)
	}
	if _, err := newClient(rebind).Get(rebound); !errors.Is(err, ErrBlocked) {
		t.Errorf("GET %s rebound to loopback: %v, want %v", rebound, err, ErrBlocked)
	}

	// A public server that redirects to loopback, by address and by a name
	// that resolves to it.
	for _, to := range []string{target.URL + "/steal", rebound + "steal"} {
		public := httptest.NewServer(http.RedirectHandler(to, http.StatusFound))
		g := rebind
		g.public = addrPort(t, public)
		resp, err := newClient(g).Get(public.URL)
		if err == nil {
			resp.Body.Close()
		}
		if !errors.Is(err, ErrBlocked) {
			t.Errorf("redirect to %s: %v, want %v", to, err, ErrBlocked)
		}
		// Without the guard the same request reaches the target: the
		// check above tests the guard, not a broken redirect.
		g.allowPrivate = true
		resp, err = newClient(g).Get(public.URL)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Errorf("redirect to %s with private URLs allowed: %v", to, err)
		} else {
			resp.Body.Close()
		}
		public.Close()
	}
	if n := hits.Load(); n != 2 {
		t.Errorf("the loopback server was reached %d times, want only the 2 allowed redirects", n)
	}

	// With the allowance every form reaches it.
	for _, u := range []string{target.URL, strings.Replace(target.URL, "127.0.0.1", "localhost", 1)} {
		resp, err := Client(true).Get(u)
		if err != nil {
			t.Errorf("GET %s with private URLs allowed: %v", u, err)
			continue
		}
		resp.Body.Close()
	}
}

func TestClientLimitsRedirects(t *testing.T) {
	var n atomic.Int32
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		http.Redirect(w, r, srv.URL+"/again", http.StatusFound)
	}))
	defer srv.Close()
	_, err := Client(true).Get(srv.URL)
	if err == nil || !strings.Contains(err.Error(), "redirects") {
		t.Fatalf("endless redirects: %v", err)
	}
	if got := n.Load(); got != MaxRedirects+1 {
		t.Errorf("followed %d requests, want %d", got, MaxRedirects+1)
	}
}
