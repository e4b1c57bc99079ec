package adminui

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/smsgw/smsgw/internal/clientip"
	"github.com/smsgw/smsgw/spool"
)

// A burst of parallel logins cannot slip past the throttle while the first
// password is being checked: one attempt per user name and address at a time.
func TestLoginThrottleHoldsUnderParallelAttempts(t *testing.T) {
	e := newEnv(t)
	// Hold every bcrypt slot: the first attempt stops inside its check.
	for range cap(bcryptSlots) {
		bcryptSlots <- struct{}{}
	}
	released := false
	release := func() {
		if !released {
			released = true
			for range cap(bcryptSlots) {
				<-bcryptSlots
			}
		}
	}
	t.Cleanup(release)
	attempt := func(user, pw string) chan int {
		b := e.browser()
		tok := csrf(t, b.get("/admin/login").body)
		done := make(chan int, 1)
		go func() {
			req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/admin/login",
				strings.NewReader(url.Values{"csrf": {tok}, "user": {user}, "password": {pw}}.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			r, err := b.c.Do(req)
			if err != nil {
				done <- 0
				return
			}
			r.Body.Close()
			done <- r.StatusCode
		}()
		return done
	}
	first := attempt("ana", "guess-1")
	for deadline := time.Now().Add(5 * time.Second); ; {
		e.ui.checking.mu.Lock()
		n := len(e.ui.checking.keys)
		e.ui.checking.mu.Unlock()
		if n > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the first attempt never reached its password check")
		}
		time.Sleep(5 * time.Millisecond)
	}
	for _, c := range []struct{ user, pw string }{{"ana", "operator-pw"}, {"root", "admin-pw"}} {
		second := attempt(c.user, c.pw)
		select {
		case code := <-second:
			if code != http.StatusTooManyRequests {
				t.Errorf("%s while another attempt is checked: %d, want 429", c.user, code)
			}
		case <-time.After(2 * time.Second):
			release() // without the guard it waits for a slot, then is checked
			if code := <-second; code != http.StatusTooManyRequests {
				t.Errorf("%s while another attempt is checked: %d, want 429", c.user, code)
			}
		}
	}
	release()
	if code := <-first; code != http.StatusUnauthorized {
		t.Errorf("first attempt: %d", code)
	}
	if got := e.b.actions(); len(got) != 1 || got[0] != "login_failed ui:ana" {
		t.Errorf("audit %v, want one login_failed", got)
	}
	// The first failure is now recorded: the right password waits too.
	if r := e.browser().tryLogin("ana", "operator-pw"); r.status != http.StatusTooManyRequests {
		t.Errorf("after the failure: %d", r.status)
	}
}

// Logging in again from a browser ends its previous session on the server,
// not only in the browser.
func TestLoginEndsPreviousSession(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	b.login("vic", "viewer-pw")
	u, _ := url.Parse(e.srv.URL + "/admin/")
	var old string
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == sessionCookie {
			old = c.Value
		}
	}
	if old == "" {
		t.Fatal("no session cookie")
	}
	b.login("ana", "operator-pw")
	req, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/admin/", nil)
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: old})
	r, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != http.StatusSeeOther {
		t.Errorf("the first session's cookie after a second login: %d, want a redirect to the login", r.StatusCode)
	}
}

// A form larger than any real one is refused before it is read whole.
func TestFormBodyLimited(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	tok := b.login("ana", "operator-pw")
	r := b.post("/admin/send", url.Values{"csrf": {tok}, "tenant": {"psap-north"}, "to": {"+13195550123"},
		"text": {strings.Repeat("a", maxFormBytes)}, "priority": {"normal"}})
	if r.status != http.StatusRequestEntityTooLarge || !strings.Contains(r.body, "Form too large") {
		t.Errorf("oversized send form: %d", r.status)
	}
	if p, _ := e.b.List(spool.Filter{}, "", 10); len(p.Messages) != 0 {
		t.Errorf("an oversized form was sent: %d messages", len(p.Messages))
	}
	// The login form has its own, smaller, limit.
	page := e.browser()
	ltok := csrf(t, page.get("/admin/login").body)
	if r := page.post("/admin/login", url.Values{"csrf": {ltok}, "user": {"ana"}, "password": {strings.Repeat("p", maxLoginBytes)}}); r.status != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized login form: %d", r.status)
	}
}

// A client that trickles its form (here: never sends the rest) is cut off
// after the read timeout instead of holding the connection.
func TestSlowFormTimesOut(t *testing.T) {
	e := newEnvWith(t, Options{ReadTimeout: 200 * time.Millisecond})
	tok := csrf(t, e.browser().get("/admin/login").body)
	conn, err := net.Dial("tcp", e.srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /admin/login HTTP/1.1\r\nHost: %s\r\nCookie: %s=%s\r\n"+
		"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\ncsrf=",
		e.srv.Listener.Addr(), loginCookie, tok)
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	r, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer to a trickled form: %v", err)
	}
	r.Body.Close()
	if r.StatusCode != http.StatusRequestTimeout {
		t.Errorf("trickled form: %d, want 408", r.StatusCode)
	}
}

// TestUnknownUserNameNotShown: a failed login whose user name is no
// user's (often a password typed one field early) is audited without
// that name, which every viewer could read. Empty fields are no attempt:
// not counted, not throttled.
func TestUnknownUserNameNotShown(t *testing.T) {
	e := newEnv(t)
	for range 6 {
		if r := e.browser().tryLogin("vic", ""); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Enter your user name and your password") {
			t.Fatalf("empty password: %d", r.status)
		}
	}
	if r := e.browser().tryLogin("vic", "viewer-pw"); r.status != http.StatusSeeOther {
		t.Fatalf("after empty submits, the right password: %d", r.status)
	}
	if r := e.browser().tryLogin("S3cretTyped!", "x"); r.status != http.StatusUnauthorized {
		t.Fatalf("unknown user: %d", r.status)
	}
	got := e.b.actions()
	if len(got) != 2 || got[1] != "login_failed ui:(unknown user)" || strings.Contains(fmt.Sprint(e.b.audit), "S3cretTyped") {
		t.Fatalf("audit %v", got)
	}
}

// TestBehindTrustedProxy: behind a TLS proxy named in trusted_proxies,
// each technician is their X-Forwarded-For address: one's failed login
// does not make another wait, the audit trail names the technician's
// address, and the proxy's X-Forwarded-Proto: https makes the cookies
// Secure. Without it, everyone is the proxy.
func TestBehindTrustedProxy(t *testing.T) {
	proxies, err := clientip.Parse([]string{"127.0.0.1", "::1"})
	if err != nil {
		t.Fatal(err)
	}
	for _, trusted := range []bool{true, false} {
		o := Options{}
		if trusted {
			o.Proxies = proxies
		}
		e := newEnvWith(t, o)
		one, other := e.browser(), e.browser()
		one.hdr = http.Header{"X-Forwarded-For": {"203.0.113.9"}, "X-Forwarded-Proto": {"https"}}
		other.hdr = http.Header{"X-Forwarded-For": {"203.0.113.10"}, "X-Forwarded-Proto": {"https"}}
		if r := one.tryLogin("root", "wrong"); r.status != http.StatusUnauthorized {
			t.Fatalf("trusted %v: wrong password: %d", trusted, r.status)
		}
		r := other.tryLogin("ana", "operator-pw")
		if trusted && (r.status != http.StatusSeeOther || !strings.Contains(r.h.Get("Set-Cookie"), "Secure")) {
			t.Errorf("another technician behind the proxy: %d, cookie %q", r.status, r.h.Get("Set-Cookie"))
		}
		if !trusted && r.status != http.StatusTooManyRequests {
			t.Errorf("without trusted_proxies everyone is the proxy: %d, want 429", r.status)
		}
		want := "127.0.0.1"
		if trusted {
			want = "203.0.113.9"
		}
		if a := e.b.audit[0]; a.Action != "login_failed" || a.Addr != want {
			t.Errorf("trusted %v: audit %+v, want the address %s", trusted, a, want)
		}
	}
}
