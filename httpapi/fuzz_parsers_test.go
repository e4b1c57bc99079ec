package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/smsgw/smsgw/spool"
)

// kannelTexts are the refusals kannelParams and kannelMessage may answer.
var kannelTexts = map[string]bool{
	kannelMissingTo: true, kannelEmptyTo: true, kannelDenied: true, kannelUDH: true, kannelDLRURL: true,
	kannelDLRMask: true, kannelCoding: true, kannelValidity: true, kannelPriority: true, kannelCharset: true,
	kannelContentType: true, "Request body too large, rejected": true, kannelMissingToHdr: true, kannelMClass: true,
	kannelMWI: true, kannelAccount: true, kannelDeferred: true, kannelEmptyText: true,
}

// FuzzKannelSendsms reads /cgi-bin/sendsms requests as Kannel clients
// send them (GET query, POST form, POST text with X-Kannel-* headers) into
// the message every recipient gets. Properties: no panic; a refusal is
// one of Kannel's answers, 4xx with its words, and stays so through
// kannelRefusal; an accepted request has recipients (non-empty, only
// Kannel's number characters, each once, each one of the "to" words), a
// body that is valid UTF-8 or binary (not both), a UDH whose length octet
// is right, a report asked for exactly when dlr-mask > 0, a validity in
// the future, a known priority, and a callback that is the dlr-url given
// (http or https, no space, CR or LF) with the partial mask asked for;
// plain UTF-8 text with no coding, charset or UDH is kept as sent.
func FuzzKannelSendsms(f *testing.F) {
	vars := func(kv ...string) string { return kannelVars(kv...).Encode() }
	get := func(q string) { f.Add(false, q, "", "", []byte(nil)) }
	for _, q := range []string{
		vars("to", "+13195550123 +13195550124", "from", "PSAPNORTH", "dlr-mask", "3",
			"dlr-url", "http://app.example/dlr?id=%I&type=%d", "validity", "30", "priority", "3"),
		vars("text", "caf\xe9", "charset", "ISO-8859-1"),
		vars("text", "\x04\x16\x00!", "coding", "2", "charset", "UTF-16BE"),
		vars("text", "\x04\x16\x00!", "coding", "2"),
		vars("text", "Жив", "coding", "2"),
		vars("text", "\x01\x02\xff", "coding", "1", "udh", "\x05\x00\x03\x2a\x02\x01"),
		vars("udh", "\x05\x00\x03\x2a\x02\x01"),
		vars("to", "<unset>"), vars("to", " "), vars("to", "abc"), vars("to", "+9991"),
		vars("udh", "\x05\x00"), vars("dlr-url", "ftp://x"), vars("dlr-mask", "64"), vars("coding", "3"),
		vars("validity", "-5"), vars("priority", "4"), vars("charset", "KOI8-R"), vars("text", "\xff\xfe\xfd"),
		vars("dlrurl", "HTTPS://app.example/d?s=%d&a=%A&p=%p&P=%P&q=%q&Q=%Q&t=%t&T=%T&i=%i&I=%I&F=%F&n=%n&c=%c&k=%k&%%",
			"dlrmask", "31"),
		vars("dlr-url", "http://app.example/d?x=%d", "dlr-mask", "1"),
		vars("dlr-url", "http://app.example/d x", "dlr-mask", "1"),
		vars("dlr-url", "http://", "dlr-mask", "1"),
		vars("dlr-mask", "-1"), vars("dlr-mask", " 7abc"), vars("dlr-mask", "-"), vars("validity", "99999999999"),
		vars("mclass", "0"), vars("flash", "1"), vars("priority", "1"), vars("coding", "0", "charset", "utf-16"),
		vars("text", "x", "charset", "UCS-2", "coding", "2"), vars("text", "x\x00", "charset", "latin1"),
		vars("account", "cad-7", "to", "+13195550123+13195550123 +13195550123"),
		"to=%2B13195550123&text=a&text=b", "to=1&to=2", "text=hi", "", "to=+1&udh=", "to=1;text=x",
	} {
		get(q)
	}
	f.Add(true, "", "text/plain; charset=UTF-8", "To=%2B13195550123&Username=cad-1", []byte("Help by POST"))
	f.Add(true, "", "application/x-www-form-urlencoded", "", []byte(vars()))
	f.Add(true, "", "text/xml", "", []byte("<x/>"))
	f.Add(true, "to=%2B13195550123", "application/octet-stream", "UDH=%05%00%03%01%02%01", []byte("\x00\x01"))
	f.Add(true, "", "text/plain; charset=UTF-16BE", "To=%2B13195550123&Coding=2", []byte("\x04\x16\x00!"))
	f.Add(true, "", "text/plain", "To=%2B13195550123&DLR-Url=http%3A%2F%2Fa%2F%25d&DLR-Mask=2", []byte("x"))
	f.Add(true, "to=1", "application/x-www-form-urlencoded", "", []byte("%zz"))
	f.Add(true, "to=1", "multipart/form-data; boundary=x", "", []byte("--x--"))

	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	a := New(Options{Keys: testKeys, Now: func() time.Time { return now }, Logger: discardLogger()}, nil)
	c := &caller{key: testKeys[0], ip: "192.0.2.1"}
	f.Fuzz(func(t *testing.T, post bool, query, contentType, headers string, body []byte) {
		r := &http.Request{Method: http.MethodGet, URL: &url.URL{Path: "/cgi-bin/sendsms", RawQuery: query},
			Header: http.Header{}, Body: http.NoBody}
		if post {
			r.Method = http.MethodPost
			r.Header.Set("Content-Type", contentType)
			r.Body = http.MaxBytesReader(nil, io.NopCloser(bytes.NewReader(body)), 1024)
			// headers is "Name=value&…": X-Kannel-Name: value.
			hv, _ := url.ParseQuery(headers)
			for k, vs := range hv {
				for _, v := range vs {
					r.Header.Add("X-Kannel-"+k, v)
				}
			}
		}
		p, err := kannelParams(r)
		if err != nil {
			refused(t, err, http.StatusBadRequest, http.StatusRequestEntityTooLarge)
			return
		}
		m, rcpts, err := a.kannelMessage(p, c)
		if err != nil {
			refused(t, err, http.StatusBadRequest)
			return
		}
		if m == nil || len(rcpts) == 0 {
			t.Fatalf("accepted without a message or recipients: %+v %q", m, rcpts)
		}
		words := strings.Fields(p.get("to"))
		seen := map[string]bool{}
		for _, n := range rcpts {
			if n == "" || strings.Trim(n, kannelNumberChars) != "" || seen[n] || !contains(words, n) {
				t.Fatalf("recipient %q of %q (%q)", n, p.get("to"), rcpts)
			}
			seen[n] = true
		}
		if m.Tenant != c.key.Tenant || m.Source != "http:"+c.key.ID || m.SourceAddr != c.ip || m.To != "" {
			t.Fatalf("submitter %q %q %q, to %q", m.Tenant, m.Source, m.SourceAddr, m.To)
		}
		if m.Binary != nil && m.Body != "" {
			t.Fatalf("both a binary body %x and a text %q", m.Binary, m.Body)
		}
		if !utf8.ValidString(m.Body) {
			t.Fatalf("text %q is not UTF-8", m.Body)
		}
		if len(m.UDH) > 0 && int(m.UDH[0])+1 != len(m.UDH) {
			t.Fatalf("UDH %x", m.UDH)
		}
		mask, _ := kannelInt(p, "dlr-mask", "dlrmask")
		if m.ReportReq != (mask > 0) {
			t.Fatalf("dlr-mask %d, report asked for: %v", mask, m.ReportReq)
		}
		if !m.ValidUntil.IsZero() && !m.ValidUntil.After(now) {
			t.Fatalf("validity %q gives %v, not after now %v", p.get("validity"), m.ValidUntil, now)
		}
		if !m.SendAt.IsZero() && (!m.SendAt.After(now) || !m.ValidUntil.IsZero() && !m.SendAt.Before(m.ValidUntil)) {
			t.Fatalf("deferred %q gives %v (now %v, valid until %v)", p.get("deferred"), m.SendAt, now, m.ValidUntil)
		}
		if m.Binary == nil && m.Body == "" {
			t.Fatal("accepted with an empty text")
		}
		if m.Priority != spool.PriorityNormal && m.Priority != spool.PriorityHigh && m.Priority != spool.PriorityEmergency {
			t.Fatalf("priority %v", m.Priority)
		}
		dlr, _, _ := strings.Cut(p.get("dlr-url", "dlrurl"), "#") // a fragment is never sent: dropped
		if m.Callback != "" {
			lower := strings.ToLower(m.Callback)
			if !strings.HasPrefix(lower, "http://") && !strings.HasPrefix(lower, "https://") ||
				strings.ContainsAny(m.Callback, " \r\n") {
				t.Fatalf("callback %q", m.Callback)
			}
			tmpl, got := splitMask(m.Callback)
			want := -1
			if mask > 0 && mask&kannelMaskFinalAll != kannelMaskFinalAll {
				want = mask
			}
			if tmpl != dlr || got != want {
				t.Fatalf("callback %q reads back as %q mask %d; given %q mask %d", m.Callback, tmpl, got, dlr, mask)
			}
		} else if dlr != "" {
			t.Fatalf("dlr-url %q lost", dlr)
		}
		raw := p.get("text")
		if p.body != nil {
			raw = string(p.body)
		}
		if !p.has("coding") && !p.has("charset") && p.get("udh") == "" && utf8.ValidString(raw) &&
			(m.Body != raw || m.Binary != nil) {
			t.Fatalf("text %q kept as %q (binary %x)", raw, m.Body, m.Binary)
		}
	})
}

// refused checks a refusal is one of Kannel's answers with a status of
// statuses, also as kannelRefusal gives it.
func refused(t *testing.T, err error, statuses ...int) {
	t.Helper()
	var ka *kannelAnswer
	if !errors.As(err, &ka) || ka.text == "" || !kannelTexts[ka.text] || !contains(statuses, ka.status) {
		t.Fatalf("refusal %#v", err)
	}
	if kr := kannelRefusal(err); kr.text != ka.text || kr.status != ka.status {
		t.Fatalf("refusal %+v becomes %+v", ka, kr)
	}
}

func contains[T comparable](list []T, v T) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// FuzzExpandDLRURL expands dlr-url templates (as accepted by sendsms:
// http or https, no space, CR or LF) for any message and report.
// Properties, from what ExpandDLRURL promises: no panic; every value is
// URL-encoded, so the output has no byte the template did not have but
// those of query escapes (no raw space, CR or LF in particular, and no
// '/', '?', '#' or '@' that could move the host); a template without '%'
// is unchanged; "%%" is one '%'; a scheme and host without '%' come out
// the same, so the request goes to the host the template names.
func FuzzExpandDLRURL(f *testing.F) {
	seed := func(tmpl string) {
		f.Add(tmpl, "01JDCP5ZQ5K9V8F2M3N4P5Q6R7", "+13195550123", "PSAPNORTH", "", "carrier-a", "6699", "http:cad-1", "", false, uint8(spool.StateDelivered), int64(1795341600))
	}
	for _, s := range []string{
		"http://app.example/dlr?id=%I&type=%d",
		"http://app.example/d?s=%d&a=%A&p=%p&P=%P&q=%q&Q=%Q&t=%t&T=%T&i=%i&I=%I&F=%F&n=%n&c=%c&k=%k&a=%a",
		"http://app.example/d?pct=%%&x=%%d&unknown=%z&end=%",
		"https://user:pw@app.example:8443/p/%p/%d?#frag",
		"http://%p.example/%P", "http://app.example%d/", "http://[::1]:80/%A", "HTTP://App.Example/%T",
		"http://app.example/dlr?smsc=%i&msg=%a#smsgw-dlr-mask=3", "http://a/%", "http://a/%%%", "x?s=%P&n=%Q",
		"http://app.example/%e%E%o%O%r%R%s%S%u%U%v%V%w%W%x%X%y%Y%z%Z%0%1%C%D%B%b",
	} {
		seed(s)
	}
	f.Add("http://a/?p=%p&P=%P&q=%q&Q=%Q", "x", "0044 7400 123456", "00 1 555", "bad thing\r\nX: y", "c d", "id/with?#@", "http:k&v", "ucs2", false, uint8(spool.StateFailed), int64(-1))
	f.Add("http://a/?a=%A&c=%c&k=%k", "", "+1", "+2", "", "", "", "", "8bit", true, uint8(0), int64(253402300800))
	f.Add("http://a/?a=%a", "id with space", "", "", "r%20\x00\xff", "", "", "", "", false, uint8(200), int64(0))
	f.Fuzz(func(t *testing.T, tmpl, id, to, from, reason, connector, providerID, source, encoding string,
		binary bool, state uint8, unix int64) {
		if strings.ContainsAny(tmpl, " \r\n") { // sendsms refuses these templates
			return
		}
		m := &spool.Message{ID: id, To: to, From: from, Reason: reason, Connector: connector, Source: source, Encoding: encoding}
		if providerID != "" {
			m.Parts = []spool.Part{{Seq: 1, ProviderID: providerID}}
		}
		if binary {
			m.Binary = []byte{}
		}
		out := ExpandDLRURL(tmpl, m, spool.State(state), time.Unix(unix, 0))
		for i := 0; i < len(out); i++ {
			if b := out[i]; !strings.ContainsRune(queryEscapeBytes, rune(b)) && strings.IndexByte(tmpl, b) < 0 {
				t.Fatalf("%q expanded to %q: byte %q is neither the template's nor a query escape's", tmpl, out, b)
			}
		}
		if !strings.Contains(tmpl, "%") && out != tmpl {
			t.Fatalf("%q without codes expanded to %q", tmpl, out)
		}
		if strings.Trim(tmpl, "%") == "" && len(tmpl)%2 == 0 && out != tmpl[:len(tmpl)/2] {
			t.Fatalf("%q expanded to %q", tmpl, out)
		}
		// The scheme and authority (up to the first '/', '?' or '#')
		// come out as written when they hold no escape code.
		lower := strings.ToLower(tmpl)
		var rest string
		switch {
		case strings.HasPrefix(lower, "http://"):
			rest = tmpl[len("http://"):]
		case strings.HasPrefix(lower, "https://"):
			rest = tmpl[len("https://"):]
		default:
			return
		}
		end := strings.IndexAny(rest, "/?#")
		if end < 0 {
			end = len(rest)
		}
		prefix := tmpl[:len(tmpl)-len(rest)+end]
		if strings.Contains(prefix, "%") {
			return
		}
		if !strings.HasPrefix(out, prefix) || len(out) > len(prefix) && !strings.ContainsRune("/?#", rune(out[len(prefix)])) {
			t.Fatalf("%q expanded to %q: the scheme and host %q changed", tmpl, out, prefix)
		}
		if want, err := url.Parse(prefix); err == nil {
			if got, err := url.Parse(out); err == nil && (got.Host != want.Host || got.Scheme != want.Scheme || got.User.String() != want.User.String()) {
				t.Fatalf("%q expanded to %q: %s://%s, not %s://%s", tmpl, out, got.Scheme, got.Host, want.Scheme, want.Host)
			}
		}
	})
}

// queryEscapeBytes are the bytes url.QueryEscape writes.
const queryEscapeBytes = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~+%"

// FuzzSubmitJSON reads POST /api/v1/messages bodies. Properties: no
// panic; a refusal is an API error with a message; an accepted body
// decodes as encoding/json decodes it, its text and fields are valid
// UTF-8, and none holds U+FFFD unless the body wrote one (a byte that
// is not UTF-8 or half a surrogate pair must be refused, not replaced).
func FuzzSubmitJSON(f *testing.F) {
	for _, s := range []string{
		`{"to":"+13195550123","text":"Help is on the way","priority":"emergency"}`,
		`{"to":"+13195550123","text":"\ud83d\ude00 \\ud800 \u00e9 \ufffd"}`,
		`{"to":"+13195550123","text":"a\ud800b"}`, `{"to":"+13195550123","text":"\udc00"}`,
		`{"to":"+13195550123","text":"\ud800\ud800"}`, `{"to":"+13195550123","text":"\ud800\`,
		"{\"to\":\"+1\",\"text\":\"caf\xe9\"}", `{"To":"+1","text":"x"}`, `{"to":"+1","to":"+2"}`,
		`{"to":"+1","binary":"AQID","udh":"!!"}`, `{"to":"+1","report":false,"flash":true}`, `[]`, ``, `{`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var req SubmitRequest
		err := decodeJSON(bytes.NewReader(body), &req)
		if err != nil {
			var ae *Error
			if !errors.As(err, &ae) || ae.Message == "" || ae.Status < 400 {
				t.Fatalf("refusal %v is not an API error", err)
			}
			return
		}
		var want SubmitRequest
		if jerr := json.Unmarshal(body, &want); jerr != nil || !reflect.DeepEqual(req, want) {
			t.Fatalf("decoded %+v, encoding/json %+v (%v)", req, want, jerr)
		}
		wroteFFFD := bytes.Contains(body, []byte("\uFFFD")) || bytes.Contains(bytes.ToLower(body), []byte(`\ufffd`))
		for _, s := range []string{req.To, req.Text, req.From, req.Priority, req.Validity, req.SendAt, req.ClientRef} {
			if !utf8.ValidString(s) || strings.ContainsRune(s, utf8.RuneError) && !wroteFFFD {
				t.Fatalf("accepted %q from %q", s, body)
			}
		}
	})
}
