// Package clientip says who sent an HTTP request: the peer, or, when the
// peer is a reverse proxy the configuration trusts (listen.trusted_proxies),
// the client the proxy names in X-Forwarded-For. Login throttling, the
// audit trail and a message's source address use it: behind a TLS proxy
// every request otherwise comes from the proxy, and one technician's
// mistyped password would make all of them wait.
package clientip

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// Trusted is a set of proxy addresses. The zero value (and nil) trusts
// none: every request's client is its peer.
type Trusted struct{ prefixes []netip.Prefix }

// Parse reads addresses ("10.0.0.5", "::1") and networks ("10.0.0.0/8").
func Parse(list []string) (*Trusted, error) {
	t := &Trusted{}
	for _, s := range list {
		s = strings.TrimSpace(s)
		if p, err := netip.ParsePrefix(s); err == nil {
			t.prefixes = append(t.prefixes, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			return nil, fmt.Errorf("%q is neither an IP address nor a network (10.0.0.0/8)", s)
		}
		t.prefixes = append(t.prefixes, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return t, nil
}

func (t *Trusted) trusts(a netip.Addr) bool {
	if t == nil {
		return false
	}
	a = a.Unmap()
	for _, p := range t.prefixes {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// Addr is the client of r: its peer's address, "unix:<path>" for a unix
// socket, or, when the peer is trusted, the right-most address of
// X-Forwarded-For that is not itself a trusted proxy (each proxy appends
// the address it got the request from; what is to the left of the first
// untrusted one could have been written by the client). A header that
// does not parse gives the peer.
func (t *Trusted) Addr(r *http.Request) string {
	if a, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok && a.Network() == "unix" {
		return "unix:" + a.String()
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil || !t.trusts(peer) {
		return host
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		h := strings.TrimSpace(hops[i])
		if h == "" {
			continue
		}
		a, err := netip.ParseAddr(h)
		if err != nil {
			return host
		}
		if !t.trusts(a) {
			return a.Unmap().String()
		}
	}
	return host
}

// Secure says whether the client reached us over TLS: directly, or
// through a trusted proxy that says so (X-Forwarded-Proto: https).
func (t *Trusted) Secure(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	peer, err := netip.ParseAddr(host)
	return err == nil && t.trusts(peer) && strings.EqualFold(strings.TrimSpace(r.Header.Get("X-Forwarded-Proto")), "https")
}
