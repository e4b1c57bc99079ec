package policy

import (
	"errors"
	"hash/fnv"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"testing"
	"unicode"

	"github.com/nyaruka/phonenumbers"

	"github.com/smsgw/smsgw/configs"
	"github.com/smsgw/smsgw/pdu"
)

// e164 is what a normalised recipient looks like.
var e164 = regexp.MustCompile(`^\+[1-9][0-9]{1,14}$`)

// fuzzRegions are the default regions a tenant can have: none, or one
// phonenumbers knows (tenant.go refuses others).
var fuzzRegions = func() []string {
	out := []string{""}
	for r := range phonenumbers.GetSupportedRegions() {
		out = append(out, r)
	}
	sort.Strings(out[1:])
	return out
}()

// fuzzRegion is s when it is a region a tenant can have, else one picked
// by s's hash, so that every fuzzed string tries some region and a
// corpus entry names its region.
func fuzzRegion(s string) string {
	if s == "" || phonenumbers.GetSupportedRegions()[s] {
		return s
	}
	h := fnv.New32a()
	h.Write([]byte(s))
	return fuzzRegions[int(h.Sum32()%uint32(len(fuzzRegions)))]
}

// FuzzNormaliseRecipient normalises "to" values as submitters write them.
// Properties: no panic; a refusal is invalid_recipient on "to" with a
// reason; a success is E.164, with a country when valid (an unknown
// range may have none), and valid when strict; the result normalises to
// itself, in its own region and in none (idempotence, and E.164 needs
// no region); and the cache answers what parseNumber does.
func FuzzNormaliseRecipient(f *testing.F) {
	for _, c := range []struct{ to, region string }{
		{"(201) 555-0123", "US"}, {"201.555.0123", "US"}, {"1 201 555 0123", "US"}, {"+1-201-555-0123", "US"},
		{"011 44 7400 123456", "US"}, {"07400 123456", "GB"}, {"+44 (0)7400 123456", "GB"},
		{"00 49 1512 3456789", "GB"}, {"01512 3456789", "DE"}, {"0151-2345-6789", "DE"},
		{"+49 (151) 23456789", "DE"}, {"06 12 34 56 78", "FR"}, {"+33 6 12 34 56 78", "FR"},
		{"081234 56789", "IN"}, {"+91 81234-56789", "IN"}, {"8123456789", "IN"},
		{"", "US"}, {"   ", "US"}, {"CALLME", "US"}, {"1-800-FLOWERS", "US"}, {"+1 201 555 0123#", "US"},
		{"12", "US"}, {"+1 201", "US"}, {"+1 201 555 0123 4567", "US"}, {"+49 1512 3456789 1234 5678", "US"},
		{"+999 123 4567", "US"}, {"555-0123", "US"}, {"+1 201 555 0123 ext. 5", "US"},
		{"+1 201 555 0123;ext=5", "US"}, {"+", "US"}, {"2015550123", ""}, {"+44 7700 900123", "US"},
		{"+800 1234 5678", ""}, {"+882 1234 5678", ""}, {"+39 06 1234 5678", "IT"}, {"06 1234 5678", "IT"},
		{"+1\u00a0201\u00a0555\u00a00123", "US"}, {"+1 (201) 555/0123", "US"}, {"++12015550123", "US"},
		{"00+12015550123", "US"}, {"112", "US"}, {"911", "US"}, {"+7 912 345 67 89", "RU"},
	} {
		f.Add(c.to, c.region, false)
		f.Add(c.to, c.region, true)
	}
	f.Fuzz(func(t *testing.T, raw, ri string, strict bool) {
		region := fuzzRegion(ri)
		n, rerr := normaliseRecipient(raw, region, strict)
		if direct, why := parseNumber(raw, region, strict); direct != n || (why == "") != (rerr == nil) {
			t.Fatalf("%q in %q: cached %+v %v, parseNumber %+v %q", raw, region, n, rerr, direct, why)
		}
		if rerr != nil {
			if rerr.Code != CodeInvalidRecipient || rerr.Field != "to" || rerr.Msg == "" {
				t.Fatalf("%q in %q refused with %+v", raw, region, rerr)
			}
			if n != (number{}) {
				t.Fatalf("%q in %q refused, yet %+v", raw, region, n)
			}
			return
		}
		if !e164.MatchString(n.e164) {
			t.Fatalf("%q in %q normalised to %q: not E.164", raw, region, n.e164)
		}
		if n.valid && n.country == "" { // an unknown range may have none
			t.Fatalf("%q in %q normalised to the valid %q without a country", raw, region, n.e164)
		}
		if strict && !n.valid {
			t.Fatalf("%q in %q accepted by strict as an invalid number", raw, region)
		}
		for _, r := range []string{region, ""} {
			again, err := normaliseRecipient(n.e164, r, strict)
			if err != nil || again != n {
				t.Fatalf("%q in %q is %+v; normalised again in %q: %+v %v", raw, region, n, r, again, err)
			}
		}
	})
}

// FuzzNormaliseSender classifies sender ids as submitters write them.
// Properties: no panic; a refusal is invalid_sender on "from"; a success
// is of one kind and in that kind's canonical form (E.164; 3 to 8 ASCII
// digits; the trimmed input with a letter, at most 11 characters and 11
// GSM septets); and a second pass, in the same region or in none,
// gives the same id of the same kind.
func FuzzNormaliseSender(f *testing.F) {
	for _, s := range []string{
		"+1 (319) 555-0100", "(319) 555-0100", "+44 7400 123456", "112", "76543", "765-43", "12345678",
		"PSAPNORTH", "PSAP North1", "BANK24", "Ünità", "", "12", "PSAPNORTH123", "911 ЦЕНТР", "Ĉentro",
		"☎HELP", "Ünïtèd", "AB{}[]€", "+1 201", "12#4", "+12015550100x", "+1 201 555 0123 4567", "AB{}",
		"3195550100", " 112 ", "1 1 2", "123456789", "+800 1234 5678", "00441234567890", "+", "+112",
		"\u00a0PSAP\u00a0", "A\nB", "12.34", "(112)", "ǅ", "ⅫⅫ", "٣١٢", "１１２", "0", "Ø1",
	} {
		f.Add(s, "US")
		f.Add(s, "")
	}
	f.Add("0151 2345 6789", "DE")
	f.Add("07400 123456", "GB")
	f.Fuzz(func(t *testing.T, raw, ri string) {
		region := fuzzRegion(ri)
		out, kind, err := NormaliseSender(raw, region)
		if err != nil {
			var pe *Error
			if !errors.As(err, &pe) || pe.Code != CodeInvalidSender || pe.Field != "from" || pe.Msg == "" {
				t.Fatalf("%q in %q refused with %#v", raw, region, err)
			}
			if out != "" || kind != "" {
				t.Fatalf("%q in %q refused, yet %q %s", raw, region, out, kind)
			}
			return
		}
		switch kind {
		case SenderE164:
			if !e164.MatchString(out) {
				t.Fatalf("%q in %q: e164 %q", raw, region, out)
			}
		case SenderShortCode:
			if len(out) < minShortCode || len(out) > maxShortCode || strings.Trim(out, "0123456789") != "" {
				t.Fatalf("%q in %q: short code %q", raw, region, out)
			}
		case SenderAlphanumeric:
			septets, ok := pdu.GSM7Septets(out)
			if out != strings.TrimSpace(raw) || !strings.ContainsFunc(out, unicode.IsLetter) ||
				len([]rune(out)) > maxAlpha || !ok || septets > maxAlpha {
				t.Fatalf("%q in %q: alphanumeric %q (%d septets, %v)", raw, region, out, septets, ok)
			}
		default:
			t.Fatalf("%q in %q: kind %q", raw, region, kind)
		}
		for _, r := range []string{region, ""} {
			again, k, err := NormaliseSender(out, r)
			if err != nil || again != out || k != kind {
				t.Fatalf("%q in %q is %q %s; again in %q: %q %s %v", raw, region, out, kind, r, again, k, err)
			}
		}
	})
}

// FuzzCallbackHost checks the report URL's host against a tenant's
// callback_hosts as submitters write it. Properties: no panic; the host
// cut out has no path, query, fragment or user in it; and a URL the check
// lets through names, as net/http will read it, a listed host (the
// webhook deliverer checks the expanded URL again, but the two readings
// must not differ).
func FuzzCallbackHost(f *testing.F) {
	for _, s := range []string{
		"http://cad.example/dlr?s=%d", "https://u:p@cad.example:8443/x", "http://[fd00::1]:80/x",
		"http://10.1.2.3?x=1", "http://%P/x", "http://a@b@cad.example/", "http://evil.example#@cad.example/",
		"http://evil.example\\@cad.example/", "http://cad.example.evil.example/", "HTTP://CAD.EXAMPLE/",
		"http://cad.example:80:90/", "http://[::ffff:10.0.0.1]/", "http://10.0.0.1%2f@evil/", "http://cad.example?@evil/",
	} {
		f.Add(s)
	}
	r := &rules{Tenant: Tenant{ID: "t", CallbackHosts: configs.HostList{"cad.example", "10.0.0.0/8"}}}
	f.Fuzz(func(t *testing.T, u string) {
		host := CallbackHost(u)
		if strings.ContainsAny(host, "/?#@") {
			t.Fatalf("%q: host %q", u, host)
		}
		if r.callback(u) != nil {
			return
		}
		parsed, err := url.Parse(u)
		if err != nil || (parsed.Scheme != "http" && parsed.Scheme != "https") {
			return // the Kannel endpoint refuses it, or it cannot be fetched
		}
		if h := parsed.Hostname(); !r.CallbackHosts.Allows(h) {
			t.Fatalf("%q passed the check as %q, but net/url reads host %q", u, host, h)
		}
	})
}
