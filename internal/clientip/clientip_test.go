package clientip

import (
	"crypto/tls"
	"net"
	"net/http/httptest"
	"net/netip"
	"testing"
)

func TestAddr(t *testing.T) {
	trusted, err := Parse([]string{"127.0.0.1", "10.0.0.0/8", "::1"})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, peer string
		xff        []string
		t          *Trusted
		want       string
	}{
		{"no proxy trusted", "198.51.100.7:5000", []string{"203.0.113.9"}, nil, "198.51.100.7"},
		{"untrusted peer: its header is ignored", "198.51.100.7:5000", []string{"203.0.113.9"}, trusted, "198.51.100.7"},
		{"trusted proxy", "127.0.0.1:5000", []string{"203.0.113.9"}, trusted, "203.0.113.9"},
		{"a client's own entry on the left is not believed", "127.0.0.1:5000", []string{"192.0.2.1, 203.0.113.9"}, trusted, "203.0.113.9"},
		{"two trusted proxies", "127.0.0.1:5000", []string{"203.0.113.9, 10.1.2.3"}, trusted, "203.0.113.9"},
		{"several header lines", "127.0.0.1:5000", []string{"192.0.2.1", "203.0.113.9"}, trusted, "203.0.113.9"},
		{"trusted proxy, no header", "127.0.0.1:5000", nil, trusted, "127.0.0.1"},
		{"garbage", "127.0.0.1:5000", []string{"203.0.113.9, not-an-ip"}, trusted, "127.0.0.1"},
		{"IPv6 proxy", "[::1]:5000", []string{"2001:db8::7"}, trusted, "2001:db8::7"},
		{"IPv4 in IPv6", "[::ffff:127.0.0.1]:5000", []string{"203.0.113.9"}, trusted, "203.0.113.9"},
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = c.peer
		for _, v := range c.xff {
			r.Header.Add("X-Forwarded-For", v)
		}
		if got := c.t.Addr(r); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
	if _, err := Parse([]string{"10.0.0.0/33"}); err == nil {
		t.Error("a bad network was taken")
	}
	if _, err := Parse([]string{"proxy.example"}); err == nil {
		t.Error("a host name was taken")
	}
}

func TestSecure(t *testing.T) {
	trusted, _ := Parse([]string{"127.0.0.1"})
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "127.0.0.1:5000"
	if trusted.Secure(r) {
		t.Error("plain HTTP from the proxy, no header: secure")
	}
	r.Header.Set("X-Forwarded-Proto", "https")
	if !trusted.Secure(r) {
		t.Error("the trusted proxy says https: not secure")
	}
	r.RemoteAddr = "198.51.100.7:5000"
	if trusted.Secure(r) {
		t.Error("an untrusted peer's header believed")
	}
	r.TLS = &tls.ConnectionState{}
	if !trusted.Secure(r) {
		t.Error("TLS: not secure")
	}
}

// FuzzAddr: whatever a trusted proxy forwards, the client is the peer or
// an IP address that is not itself a trusted proxy; an untrusted peer's
// header is never read.
func FuzzAddr(f *testing.F) {
	f.Add("127.0.0.1:5000", "203.0.113.9")
	f.Add("127.0.0.1:5000", "192.0.2.1, 10.0.0.1,203.0.113.9 ,")
	f.Add("[::1]:1", "2001:db8::1%eth0")
	f.Add("198.51.100.7:80", "10.0.0.1")
	trusted, _ := Parse([]string{"127.0.0.1", "10.0.0.0/8", "::1"})
	f.Fuzz(func(t *testing.T, peer, xff string) {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = peer
		r.Header.Set("X-Forwarded-For", xff)
		got := trusted.Addr(r)
		host, _, err := net.SplitHostPort(peer)
		if err != nil {
			host = peer
		}
		if got == host {
			return
		}
		a, err := netip.ParseAddr(got)
		if err != nil || trusted.trusts(a) {
			t.Fatalf("peer %q, X-Forwarded-For %q: client %q", peer, xff, got)
		}
		if p, err := netip.ParseAddr(host); err != nil || !trusted.trusts(p) {
			t.Fatalf("an untrusted peer %q's header was read: %q", peer, got)
		}
	})
}
