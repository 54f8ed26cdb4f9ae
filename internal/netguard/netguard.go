// Package netguard keeps the server's outgoing calls to URLs that admins,
// tenants or browsers configure (webhooks, channel base URLs, Web Push
// endpoints) from reaching the server's own network: loopback, private,
// link-local (cloud metadata), shared (CGNAT), multicast and reserved
// addresses are refused unless the operator allows private targets.
//
// It checks twice: [CheckURL] when a URL is saved, so a bad one is refused
// with a clear error, and the [Client]'s dialer on every connection, after
// DNS resolution, so a name that resolves (or later rebinds) to a private
// address and a redirect to one are refused too.
package netguard

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// ErrBlocked is wrapped by the errors of a refused URL or connection.
var ErrBlocked = errors.New("not a public address")

// MaxRedirects is how many redirects a [Client] follows.
const MaxRedirects = 3

// blocked are the ranges no configured URL may reach: RFC 6890's special
// purpose addresses beyond the Go predicates checked in [Public].
var blocked = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),   // shared address space (CGNAT), some clouds' metadata
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("192.0.2.0/24"),    // documentation
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("198.51.100.0/24"), // documentation
	netip.MustParsePrefix("203.0.113.0/24"),  // documentation
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, and the broadcast address
	netip.MustParsePrefix("100::/64"),        // discard
	netip.MustParsePrefix("2001::/23"),       // IETF protocol assignments (Teredo, ORCHID…)
	netip.MustParsePrefix("2001:db8::/32"),   // documentation
}

// IPv6 ranges that carry an IPv4 address.
var (
	nat64      = netip.MustParsePrefix("64:ff9b::/96")
	localNAT64 = netip.MustParsePrefix("64:ff9b:1::/48")
	sixToFour  = netip.MustParsePrefix("2002::/16")
)

// Public reports whether ip is an address a configured URL may reach.
// IPv4 addresses written as IPv6 (::ffff:a.b.c.d, NAT64 64:ff9b::/96, 6to4
// 2002::/16) are judged by the IPv4 address they carry.
func Public(ip netip.Addr) bool {
	ip = ip.Unmap()
	if ip.Is6() {
		b := ip.As16()
		switch {
		case nat64.Contains(ip):
			return Public(netip.AddrFrom4([4]byte(b[12:16])))
		case localNAT64.Contains(ip):
			return false
		case sixToFour.Contains(ip):
			return Public(netip.AddrFrom4([4]byte(b[2:6])))
		}
	}
	if !ip.IsValid() || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() {
		return false
	}
	for _, p := range blocked {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}

// internalNames are host names that mean the server itself or its cloud's
// metadata service whatever DNS says.
var internalNames = []string{"localhost", "metadata", "metadata.google.internal", "instance-data"}

// CheckURL checks a URL before it is saved: an http or https URL with a
// host, and, unless allowPrivate, not an address or name of the server's
// own network. Names are not resolved here (DNS may change): the
// [Client]'s dialer checks the addresses they resolve to.
func CheckURL(raw string, allowPrivate bool) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" || u.Opaque != "" {
		return errors.New("must be an http or https URL")
	}
	if u.User != nil {
		return errors.New("must not contain a user name or password")
	}
	if allowPrivate {
		return nil
	}
	return checkHost(u.Hostname())
}

// CheckHost checks a host name or address an admin gives for a
// connection other than HTTP (an IMAP or SMTP server) before it is saved,
// as [CheckURL] checks a URL's host. Connections to it go through [Dialer].
func CheckHost(host string, allowPrivate bool) error {
	if host == "" || strings.ContainsAny(host, "/@?# \t") {
		return errors.New("must be a host name or address, such as mail.example.com")
	}
	if allowPrivate {
		return nil
	}
	return checkHost(host)
}

// Dialer returns a dialer for configured hosts: a 10-second timeout and,
// unless allowPrivate, a refusal of any connection to a non-public address
// after DNS resolution, as a [Client]'s.
func Dialer(allowPrivate bool) *net.Dialer {
	d := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	if !allowPrivate {
		d.Control = guard{}.control
	}
	return d
}

func checkHost(host string) error {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if ip, err := netip.ParseAddr(host); err == nil {
		if !Public(ip) {
			return fmt.Errorf("%s is %w", host, ErrBlocked)
		}
		return nil
	}
	if legacyIPv4(host) {
		// 2130706433, 0x7f.1 and 127.1 all reach 127.0.0.1.
		return fmt.Errorf("%s is a numeric host in a legacy form, %w", host, ErrBlocked)
	}
	for _, name := range internalNames {
		if host == name || strings.HasSuffix(host, "."+name) {
			return fmt.Errorf("%s is %w", host, ErrBlocked)
		}
	}
	if strings.HasSuffix(host, ".internal") || strings.HasSuffix(host, ".local") {
		return fmt.Errorf("%s is a local name, %w", host, ErrBlocked)
	}
	return nil
}

// legacyIPv4 reports whether host is made only of digits, dots and hex
// prefixes: the forms inet_aton accepts and netip refuses.
func legacyIPv4(host string) bool {
	for _, part := range strings.Split(host, ".") {
		p := strings.TrimPrefix(strings.TrimPrefix(part, "0x"), "0X")
		if p == "" {
			return false
		}
		for _, r := range p {
			if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
				return false
			}
		}
		if p == part && strings.Trim(part, "0123456789") != "" {
			return false // hex digits without 0x: a name such as "cafe"
		}
	}
	return true
}

// Client returns an HTTP client for configured URLs: bounded timeouts, at
// most [MaxRedirects] redirects, each checked like a saved URL, and unless
// allowPrivate a dialer that refuses any connection to a non-public address
// after DNS resolution. It uses no proxy, since the proxy's address is what
// its dialer would check.
func Client(allowPrivate bool) *http.Client {
	return newClient(guard{allowPrivate: allowPrivate})
}

// guard is a client's policy; the hooks let tests stand in for DNS and
// for a public server.
type guard struct {
	allowPrivate bool
	// resolve, when set, maps a host name to the address to dial.
	resolve func(host string) string
	// public, when valid, is an address the dialer treats as public.
	public netip.AddrPort
}

func newClient(g guard) *http.Client {
	dialer := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	if !g.allowPrivate {
		dialer.Control = g.control
	}
	dial := dialer.DialContext
	if g.resolve != nil {
		dial = func(ctx context.Context, network, addr string) (net.Conn, error) {
			host, port, err := net.SplitHostPort(addr)
			if err != nil {
				return nil, err
			}
			return dialer.DialContext(ctx, network, net.JoinHostPort(g.resolve(host), port))
		}
	}
	return &http.Client{
		Timeout: 30 * time.Second,
		Transport: &http.Transport{
			DialContext:           dial,
			TLSHandshakeTimeout:   10 * time.Second,
			ResponseHeaderTimeout: 20 * time.Second,
			ExpectContinueTimeout: time.Second,
			IdleConnTimeout:       90 * time.Second,
			MaxIdleConnsPerHost:   4,
			ForceAttemptHTTP2:     true,
		},
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) > MaxRedirects {
				return fmt.Errorf("netguard: more than %d redirects", MaxRedirects)
			}
			if err := CheckURL(req.URL.String(), g.allowPrivate); err != nil {
				return fmt.Errorf("netguard: redirect to %s refused: %w", req.URL.Redacted(), err)
			}
			return nil
		},
	}
}

// control runs after DNS resolution, before each connection: address is
// the IP and port about to be dialed.
func (g guard) control(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("netguard: %s: %w", address, err)
	}
	if g.public.IsValid() && ap == g.public {
		return nil
	}
	if !Public(ap.Addr()) {
		return fmt.Errorf("netguard: refusing to connect to %s: %w", ap.Addr(), ErrBlocked)
	}
	return nil
}
