package httpx

import (
	"net"
	"net/http"
	"strings"
)

// ClientAddr returns the IP address of the client that made r. With no
// trusted proxies it is the connection's peer. Behind trustedProxies
// reverse proxies, each of which appends the address it saw to
// X-Forwarded-For, it is the address the outermost of them saw: the
// trustedProxies-th entry from the right. Entries left of it were written
// by the client and are never believed.
func ClientAddr(r *http.Request, trustedProxies int) string {
	peer, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		peer = r.RemoteAddr
	}
	if trustedProxies <= 0 {
		return peer
	}
	var hops []string
	for _, h := range r.Header.Values("X-Forwarded-For") {
		for _, a := range strings.Split(h, ",") {
			hops = append(hops, strings.TrimSpace(a))
		}
	}
	if len(hops) == 0 {
		return peer
	}
	i := max(len(hops)-trustedProxies, 0)
	if ip := net.ParseIP(hops[i]); ip != nil {
		return ip.String()
	}
	return peer
}
