package configs

import (
	"net"
	"net/netip"
	"strings"
)

// HostList is an allow-list of hosts: names ("cad.example"), the names
// under a domain ("*.psap.example", not the domain itself), IP
// addresses ("10.1.2.3", "::1") and ranges ("10.0.0.0/8"). Names match
// without regard to case; an IP address matches only IP entries, as
// written in the URL (no name is resolved).
type HostList []string

// Allows says whether host (a URL's host, without port or brackets) is
// in the list. An empty list allows any host.
func (l HostList) Allows(host string) bool {
	if len(l) == 0 {
		return true
	}
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	ip, ipErr := netip.ParseAddr(host)
	for _, e := range l {
		e = strings.TrimSuffix(strings.ToLower(e), ".")
		switch {
		case ipErr == nil && strings.Contains(e, "/"):
			if p, err := netip.ParsePrefix(e); err == nil && p.Contains(ip.Unmap()) {
				return true
			}
		case ipErr == nil:
			if a, err := netip.ParseAddr(e); err == nil && a.Unmap() == ip.Unmap() {
				return true
			}
		case strings.HasPrefix(e, "*."):
			if strings.HasSuffix(host, e[1:]) && len(host) > len(e)-1 {
				return true
			}
		case e == host:
			return true
		}
	}
	return false
}

// hostEntryProblem says what is wrong with an allow-list entry, or "".
func hostEntryProblem(e string) string {
	const notHost = "want a host name without scheme, port or path (cad.example), *.domain, an IP address or a range"
	switch {
	case e == "":
		return "empty: want a host name, *.domain, an IP address or a range (10.0.0.0/8)"
	case strings.Contains(e, "://") || strings.ContainsAny(e, "@?#% "):
		return notHost
	case strings.Contains(e, "/"):
		if _, err := netip.ParsePrefix(e); err != nil {
			if _, err := netip.ParseAddr(e[:strings.Index(e, "/")]); err != nil {
				return notHost
			}
			return "not an IP range (10.0.0.0/8, fd00::/8)"
		}
	case net.ParseIP(e) != nil:
	case strings.Contains(e, ":"):
		return notHost
	default:
		name := strings.TrimPrefix(e, "*.")
		for _, label := range strings.Split(strings.TrimSuffix(name, "."), ".") {
			if label == "" || strings.Trim(label, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") != "" {
				return "not a host name (letters, digits and '-' between dots; *.domain for the names under a domain)"
			}
		}
	}
	return ""
}
