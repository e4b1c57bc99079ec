package policy

import "strings"

// callback checks a per-message report URL against the tenant's
// callback_hosts. The URL is a template: its escape codes (%d, %p…) are
// not URL escapes, so the host is cut out by hand, and a code in the
// host (which would let a message's values choose it) is refused when
// the hosts are restricted.
func (r *rules) callback(u string) error {
	if u == "" || len(r.CallbackHosts) == 0 {
		return nil
	}
	host := CallbackHost(u)
	if strings.Contains(host, "%") {
		return refuse(CodeCallbackNotAllowed, "dlr-url", "the report URL's host may not hold escape codes (%%…) when tenant %s's callback hosts are restricted", r.ID)
	}
	if !r.CallbackHosts.Allows(host) {
		return refuse(CodeCallbackNotAllowed, "dlr-url", "the report URL's host %s is not one of tenant %s's callback hosts", quote(host), r.ID)
	}
	return nil
}

// CallbackHost is the host of an http or https report URL
// ("http://user@[::1]:8080/x" gives "::1"), without port, brackets or
// user; "" for anything else (which no host list allows).
func CallbackHost(u string) string {
	scheme, rest, ok := strings.Cut(u, "://")
	if !ok || !strings.EqualFold(scheme, "http") && !strings.EqualFold(scheme, "https") {
		return ""
	}
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		rest = rest[:i]
	}
	if i := strings.LastIndex(rest, "@"); i >= 0 {
		rest = rest[i+1:]
	}
	if strings.HasPrefix(rest, "[") {
		if i := strings.Index(rest, "]"); i >= 0 {
			return rest[1:i]
		}
	}
	if i := strings.LastIndex(rest, ":"); i >= 0 {
		rest = rest[:i]
	}
	return rest
}
