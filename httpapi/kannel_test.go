package httpapi

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/smsgw/smsgw/spool"
)

// sendsms makes a GET /cgi-bin/sendsms with the given variables.
func (e *env) sendsms(vars url.Values) (int, http.Header, string) {
	e.t.Helper()
	code, hdr, b := e.do("GET", "/cgi-bin/sendsms?"+vars.Encode(), "", "")
	return code, hdr, string(b)
}

func kannelVars(kv ...string) url.Values {
	v := url.Values{"username": {"cad-1"}, "password": {keyNorth}, "to": {"+13195550123"}, "text": {"Help is on the way"}}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "<unset>" {
			v.Del(kv[i])
		} else {
			v.Set(kv[i], kv[i+1])
		}
	}
	return v
}

func TestKannelHappyPath(t *testing.T) {
	e := newEnv(t)
	code, hdr, body := e.sendsms(kannelVars("to", "+13195550123 +13195550124", "from", "PSAPNORTH",
		"dlr-mask", "3", "dlr-url", "http://app.example/dlr?id=%I&type=%d", "validity", "30", "priority", "3"))
	if code != 202 || body != "0: Accepted for delivery" {
		t.Fatalf("%d %q", code, body)
	}
	ids := hdr.Values("X-Smsgw-Id")
	if len(ids) != 2 {
		t.Fatalf("ids %v", ids)
	}
	m, err := e.b.s.Get(ids[0])
	if err != nil {
		t.Fatal(err)
	}
	if m.To != "+13195550123" || m.From != "PSAPNORTH" || !m.ReportReq || m.Priority != spool.PriorityEmergency ||
		m.Callback != "http://app.example/dlr?id=%I&type=%d#smsgw-dlr-mask=3" || m.Source != "http:cad-1" ||
		!m.ValidUntil.Equal(e.clk.Now().Add(30*time.Minute)) || m.Tenant != "psap-north" {
		t.Errorf("stored %+v", m)
	}
	if m2, _ := e.b.s.Get(ids[1]); m2 == nil || m2.To != "+13195550124" {
		t.Errorf("second recipient %+v", m2)
	}
}

func TestKannelCodings(t *testing.T) {
	e := newEnv(t)
	get := func(kv ...string) *spool.Message {
		t.Helper()
		code, hdr, body := e.sendsms(kannelVars(kv...))
		if code != 202 {
			t.Fatalf("%v: %d %s", kv, code, body)
		}
		m, err := e.b.s.Get(hdr.Get("X-Smsgw-Id"))
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	if m := get("text", "caf\xe9", "charset", "ISO-8859-1"); m.Body != "café" {
		t.Errorf("latin-1: %q", m.Body)
	}
	// Legacy charsets, as Kannel's iconv takes them.
	for _, c := range []struct{ charset, raw, want string }{
		{"windows-1252", "\x80 5", "€ 5"},
		{"KOI8-R", "\xf0\xd2\xc9\xd7\xc5\xd4", "Привет"},
		{"windows-1251", "\xcf\xf0\xe8", "При"},
		{"GB2312", "\xc4\xe3\xba\xc3", "你好"},
		{"ISO-8859-7", "\xc3\xe5\xe9\xdc", "Γειά"},
	} {
		if m := get("text", c.raw, "charset", c.charset); m.Body != c.want {
			t.Errorf("%s: %q, want %q", c.charset, m.Body, c.want)
		}
	}
	if m := get("text", "\x04\x16\x00!", "coding", "2", "charset", "UTF-16BE"); m.Body != "Ж!" || m.Encoding != "ucs2" {
		t.Errorf("utf-16be: %q %s", m.Body, m.Encoding)
	}
	if m := get("text", "\x04\x16\x00!", "coding", "2"); m.Body != "Ж!" {
		t.Errorf("raw ucs-2 without charset: %q", m.Body)
	}
	// coding=2 without a charset is UCS-2 octets, as in Kannel, even
	// when they happen to be valid UTF-8 (a Cyrillic word with no space).
	if m := get("text", "\x04\x1f\x04\x40\x04\x38", "coding", "2"); m.Body != "При" || m.Encoding != "ucs2" {
		t.Errorf("raw ucs-2 that is valid utf-8: %q", m.Body)
	}
	if m := get("text", "\x4f\x60\x59\x7d", "coding", "2"); m.Body != "你好" {
		t.Errorf("raw ucs-2 CJK: %q", m.Body)
	}
	// An odd length cannot be UCS-2: UTF-8.
	if m := get("text", "Жи!", "coding", "2"); m.Body != "Жи!" || m.Encoding != "ucs2" {
		t.Errorf("utf-8 with coding 2: %q", m.Body)
	}
	// Binary without a UDH.
	if m := get("text", "\x01\x02\x03\xff", "coding", "1"); string(m.Binary) != "\x01\x02\x03\xff" || m.UDH != nil {
		t.Errorf("binary without udh: %q %q", m.Binary, m.UDH)
	}
	// deferred: minutes from now, as validity.
	if m := get("deferred", "10", "validity", "60"); !m.SendAt.Equal(e.clk.Now().Add(10*time.Minute)) ||
		!m.ValidUntil.Equal(e.clk.Now().Add(time.Hour)) {
		t.Errorf("deferred 10, validity 60: send at %v, valid until %v", m.SendAt, m.ValidUntil)
	}
	if m := get("text", "\x01\x02", "coding", "1", "udh", "\x05\x00\x03\x01\x02\x01"); string(m.Binary) != "\x01\x02" ||
		string(m.UDH) != "\x05\x00\x03\x01\x02\x01" {
		t.Errorf("binary: %q %q", m.Binary, m.UDH)
	}
	if m := get("priority", "1", "flash", "1"); m.Priority != spool.PriorityHigh || !m.Class0 {
		t.Errorf("priority 1 / flash: %v %v", m.Priority, m.Class0)
	}
	if m := get("dlr-mask", "31", "dlr-url", "https://x.example/%d"); m.Callback != "https://x.example/%d" {
		t.Errorf("full mask: %q", m.Callback)
	}
}

func TestKannelPost(t *testing.T) {
	e := newEnv(t)
	req, _ := http.NewRequest("POST", e.srv.URL+"/cgi-bin/sendsms", strings.NewReader("Help by POST"))
	req.Header.Set("Content-Type", "text/plain; charset=UTF-8")
	req.Header.Set("X-Kannel-Username", "cad-1")
	req.Header.Set("X-Kannel-Password", keyNorth)
	req.Header.Set("X-Kannel-To", "+13195550123")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	m, err := e.b.s.Get(resp.Header.Get("X-Smsgw-Id"))
	if resp.StatusCode != 202 || err != nil || m.Body != "Help by POST" {
		t.Fatalf("post: %d %v %+v", resp.StatusCode, err, m)
	}
	form := kannelVars().Encode()
	resp, err = http.Post(e.srv.URL+"/cgi-bin/sendsms", "application/x-www-form-urlencoded", strings.NewReader(form))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 202 {
		t.Errorf("form post: %d", resp.StatusCode)
	}
	resp, err = http.Post(e.srv.URL+"/cgi-bin/sendsms", "text/xml", strings.NewReader("<x/>"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 {
		t.Errorf("xml post: %d", resp.StatusCode)
	}
	// Kannel's headers: the UDH in hex (or URL-encoded), deferred,
	// account, mclass; a missing To in Kannel's words for this form.
	post := func(ct, body string, hdr map[string]string) (int, string, *spool.Message) {
		t.Helper()
		req, _ := http.NewRequest("POST", e.srv.URL+"/cgi-bin/sendsms", strings.NewReader(body))
		req.Header.Set("Content-Type", ct)
		req.Header.Set("X-Kannel-Username", "cad-1")
		req.Header.Set("X-Kannel-Password", keyNorth)
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		m, _ := e.b.s.Get(resp.Header.Get("X-Smsgw-Id"))
		return resp.StatusCode, string(b), m
	}
	for _, udh := range []string{"0605040B8423F0", "%06%05%04%0B%84%23%F0"} {
		code, body, m := post("application/octet-stream", "\x01\x02", map[string]string{"X-Kannel-To": "+13195550123", "X-Kannel-UDH": udh})
		if code != 202 || m == nil || string(m.UDH) != "\x06\x05\x04\x0b\x84\x23\xf0" || string(m.Binary) != "\x01\x02" {
			t.Errorf("X-Kannel-UDH %s: %d %q %+v", udh, code, body, m)
		}
	}
	code, body, m := post("text/plain", "later", map[string]string{"X-Kannel-To": "+13195550123", "X-Kannel-Deferred": "5",
		"X-Kannel-Account": "inc-9", "X-Kannel-MClass": "0"})
	if code != 202 || m == nil || !m.SendAt.Equal(e.clk.Now().Add(5*time.Minute)) || m.ClientRef != "inc-9" || !m.Class0 {
		t.Errorf("X-Kannel-Deferred, Account, MClass: %d %q %+v", code, body, m)
	}
	if code, body, _ := post("text/plain", "nobody", nil); code != 400 || body != kannelMissingToHdr {
		t.Errorf("POST without X-Kannel-To: %d %q", code, body)
	}
}

func TestKannelRefusals(t *testing.T) {
	e := newEnv(t)
	cases := []struct {
		name string
		kv   []string
		code int
		text string
	}{
		{"wrong password", []string{"password", "nope"}, 403, kannelAuthFailed},
		{"unknown user", []string{"username", "cad-9"}, 403, kannelAuthFailed},
		{"other key's password", []string{"password", keySouth}, 403, kannelAuthFailed},
		{"no to", []string{"to", "<unset>"}, 400, kannelMissingTo},
		{"empty to", []string{"to", " "}, 400, kannelEmptyTo},
		{"garbage to", []string{"to", "abc"}, 400, kannelDenied},
		{"policy denied", []string{"to", "+9991"}, 400, kannelDenied},
		{"suppressed", []string{"to", "+13195550666"}, 400, kannelDenied},
		{"sender", []string{"from", "EVIL"}, 403, kannelNotRoutable},
		{"quota", []string{"to", "+13195550777"}, 503, kannelTempFailure},
		{"udh", []string{"udh", "\x05\x00"}, 400, kannelUDH},
		{"dlr-url", []string{"dlr-url", "ftp://x"}, 400, kannelDLRURL},
		{"dlr-mask", []string{"dlr-mask", "64"}, 400, kannelDLRMask},
		{"coding", []string{"coding", "3"}, 400, kannelCoding},
		{"validity", []string{"validity", "-5"}, 400, kannelValidity},
		{"priority", []string{"priority", "4"}, 400, kannelPriority},
		{"charset", []string{"charset", "X-UNKNOWN-8"}, 400, kannelCharset},
		{"not in its charset", []string{"charset", "Shift_JIS", "text", "\x82"}, 400, kannelCharset},
		{"bad utf-8", []string{"text", "\xff\xfe\xfd"}, 400, kannelCharset},
		{"no username", []string{"username", "<unset>"}, 403, kannelAuthFailed},
		{"empty username", []string{"username", ""}, 403, kannelAuthFailed},
		{"no sender", []string{"to", "+13195550888"}, 400, kannelNoSender},
		{"empty text", []string{"text", ""}, 400, kannelEmptyText},
		{"no text", []string{"text", "<unset>"}, 400, kannelEmptyText},
		{"mclass", []string{"mclass", "4"}, 400, kannelMClass},
		{"mwi", []string{"mwi", "9"}, 400, kannelMWI},
		{"account", []string{"account", strings.Repeat("a", 65)}, 400, kannelAccount},
		{"deferred", []string{"deferred", "-5"}, 400, kannelDeferred},
		{"deferred past the validity", []string{"deferred", "60", "validity", "30"}, 400, kannelValidity},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, _, body := e.sendsms(kannelVars(c.kv...))
			if code != c.code || body != c.text {
				t.Errorf("got %d %q, want %d %q", code, body, c.code, c.text)
			}
		})
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.audits) != 5 || e.audits[1].Actor != "http:cad-9" {
		t.Errorf("kannel auth failures audited: %+v", e.audits)
	}
	// Partly denied: accepted, naming the denied receivers as Kannel does.
	e.mu.Unlock()
	code, hdr, body := e.sendsms(kannelVars("to", "+13195550123 +9991"))
	e.mu.Lock()
	if code != 202 || body != kannelAccepted+" Denied receivers are: +9991" || len(hdr.Values("X-Smsgw-Id")) != 1 {
		t.Errorf("partly denied: %d %q", code, body)
	}
	// Partly refused for now (the quota): "Sending failed", naming them,
	// as Kannel answers a multi-cast it could not queue whole; never
	// "denied", which tells a client not to try again.
	e.mu.Unlock()
	code, hdr, body = e.sendsms(kannelVars("to", "+13195550123 +13195550777 +9991"))
	e.mu.Lock()
	if code != 500 || body != kannelSendFailed+" Failed receivers are: +13195550777" || len(hdr.Values("X-Smsgw-Id")) != 1 {
		t.Errorf("partly failed: %d %q %v", code, body, hdr)
	}
}

// %p and %q in a dlr-url are the number as the client wrote it (Kannel
// passes numbers through; its clients match reports on them), bound at
// submission; %% and the other codes stay for the report.
func TestKannelDLRURLKeepsTheNumberAsWritten(t *testing.T) {
	e := newEnv(t)
	code, hdr, body := e.sendsms(kannelVars("to", "13195550123 0013195550124", "dlr-mask", "3",
		"dlr-url", "http://app.example/dlr?p=%p&q=%q&d=%d&pct=100%%p"))
	ids := hdr.Values("X-Smsgw-Id")
	if code != 202 || len(ids) != 2 {
		t.Fatalf("%d %q %v", code, body, ids)
	}
	for i, want := range []string{
		"http://app.example/dlr?p=13195550123&q=13195550123&d=%d&pct=100%%p#smsgw-dlr-mask=3",
		"http://app.example/dlr?p=0013195550124&q=%2B13195550124&d=%d&pct=100%%p#smsgw-dlr-mask=3",
	} {
		m, err := e.b.s.Get(ids[i])
		if err != nil || m.Callback != want {
			t.Errorf("callback %q, %v; want %q", m.Callback, err, want)
		}
	}
}

func TestBindDLRCode(t *testing.T) {
	for _, c := range []struct{ tmpl, want string }{
		{"x?p=%p", "x?p=%2B1+2"},
		{"x?p=%%p&q=%p%", "x?p=%%p&q=%2B1+2%"},
		{"%p%p%d%", "%2B1+2%2B1+2%d%"},
		{"%", "%"},
	} {
		if got := bindDLRCode(c.tmpl, 'p', "+1 2"); got != c.want {
			t.Errorf("bindDLRCode(%q) = %q, want %q", c.tmpl, got, c.want)
		}
	}
}
