package adminui

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/smsgw/smsgw/configs"
	"github.com/smsgw/smsgw/spool"
)

func TestTemplatesParse(t *testing.T) {
	if _, err := parsePages(); err != nil {
		t.Fatal(err)
	}
}

func TestLoginRequired(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	for _, p := range []string{"/admin/", "/admin/messages", "/admin/audit", "/admin/send"} {
		r := b.get(p)
		if r.status != http.StatusSeeOther || !strings.HasPrefix(r.loc, "/admin/login?next=") {
			t.Errorf("GET %s: %d %q", p, r.status, r.loc)
		}
	}
	// A send without a session sends nothing: the login page, keeping
	// the draft (TestDraftKeptAcrossExpiredSession).
	if r := b.post("/admin/send", url.Values{"to": {"+13195550123"}}); r.status != http.StatusUnauthorized || !strings.Contains(r.body, `action="/admin/login"`) {
		t.Errorf("POST without session: %d", r.status)
	}
	if r := b.post("/admin/messages/x/cancel", url.Values{}); r.status != http.StatusForbidden {
		t.Errorf("POST cancel without session: %d", r.status)
	}
	if page, _ := e.b.List(spool.Filter{}, "", 10); len(page.Messages) != 0 {
		t.Errorf("sent without a session: %+v", page.Messages)
	}
}

func TestLoginAuditedAndCookieFlags(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	if r := b.tryLogin("ana", "wrong"); r.status != http.StatusUnauthorized || !strings.Contains(r.body, "Wrong user name or password") {
		t.Fatalf("wrong password: %d", r.status)
	}
	e.clk.add(time.Minute) // past the throttle's first delay
	r := b.tryLogin("ana", "operator-pw")
	if r.status != http.StatusSeeOther || r.loc != "/admin/" {
		t.Fatalf("login: %d %q", r.status, r.loc)
	}
	var sc *http.Cookie
	for _, c := range (&http.Response{Header: r.h}).Cookies() {
		if c.Name == sessionCookie {
			sc = c
		}
	}
	if sc == nil || !sc.HttpOnly || sc.SameSite != http.SameSiteStrictMode || sc.Path != "/admin/" || sc.Secure {
		t.Errorf("session cookie %+v", sc)
	}
	if !sc.Expires.Equal(e.clk.now().Add(time.Hour).Truncate(time.Second)) {
		t.Errorf("cookie expires %v", sc.Expires)
	}
	want := []string{"login_failed ui:ana", "login ui:ana"}
	if got := e.b.actions(); !slices.Equal(got, want) {
		t.Errorf("audit %v, want %v", got, want)
	}
	// Over TLS the cookie is Secure.
	page := httptest.NewRecorder()
	e.ui.ServeHTTP(page, httptest.NewRequest("GET", "/admin/login", nil))
	tok := csrf(t, page.Body.String())
	req := httptest.NewRequest("POST", "/admin/login", strings.NewReader(url.Values{"csrf": {tok}, "user": {"vic"}, "password": {"viewer-pw"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.TLS = &tls.ConnectionState{}
	for _, c := range page.Result().Cookies() {
		req.AddCookie(c)
	}
	w := httptest.NewRecorder()
	e.ui.ServeHTTP(w, req)
	secure := false
	for _, c := range w.Result().Cookies() {
		if c.Name == sessionCookie {
			secure = c.Secure
		}
	}
	if w.Code != http.StatusSeeOther || !secure {
		t.Errorf("TLS login: %d, secure %v", w.Code, secure)
	}
}

func TestLogoutAndExpiry(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	tok := b.login("vic", "viewer-pw")
	if r := b.post("/admin/logout", url.Values{"csrf": {tok}}); r.status != http.StatusSeeOther {
		t.Fatalf("logout: %d", r.status)
	}
	if r := b.get("/admin/"); r.status != http.StatusSeeOther {
		t.Errorf("after logout: %d", r.status)
	}
	b.login("vic", "viewer-pw")
	e.clk.add(time.Hour)
	if r := b.get("/admin/"); r.status != http.StatusSeeOther {
		t.Errorf("after the TTL: %d", r.status)
	}
	if !slices.Contains(e.b.actions(), "logout ui:vic") {
		t.Errorf("logout not audited: %v", e.b.actions())
	}
}

func TestRemovedUserLosesSession(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	b.login("ana", "operator-pw")
	a := e.getAdmin()
	a.Users = []configs.User{{Name: "ana", Role: "viewer", Password: plain("operator-pw")}}
	e.setAdmin(a)
	if r := b.get("/admin/send"); r.status != http.StatusForbidden {
		t.Errorf("demoted to viewer, /send: %d", r.status)
	}
	e.setAdmin(configs.Admin{})
	if r := b.get("/admin/"); r.status != http.StatusSeeOther {
		t.Errorf("removed user: %d", r.status)
	}
	if r := e.browser().get("/admin/login"); !strings.Contains(r.body, "No admin users are configured") {
		t.Error("the login page does not say that no user is configured")
	}
}

func TestCSRFRefused(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	tok := b.login("root", "admin-pw")
	m := e.b.add(&spool.Message{Tenant: "psap-north", To: "+13195550123", Body: "hi"})
	for name, form := range map[string]url.Values{
		"missing": {},
		"wrong":   {"csrf": {tok + "x"}},
		"empty":   {"csrf": {""}},
	} {
		for _, p := range []string{"/admin/send", "/admin/messages/" + m.ID + "/cancel", "/admin/optouts", "/admin/logout"} {
			if r := b.post(p, form); r.status != http.StatusForbidden {
				t.Errorf("%s token, POST %s: %d", name, p, r.status)
			}
		}
	}
	// Right token, but from another site.
	req, _ := http.NewRequest("POST", e.srv.URL+"/admin/messages/"+m.ID+"/cancel", strings.NewReader("csrf="+url.QueryEscape(tok)))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	if r := b.do(req); r.status != http.StatusForbidden {
		t.Errorf("cross-origin POST: %d", r.status)
	}
	if got, _ := e.b.Get(m.ID); got.State != spool.StateQueued {
		t.Errorf("message %s after refused forms", got.State)
	}
	// A login form without its token.
	if r := e.browser().post("/admin/login", url.Values{"user": {"root"}, "password": {"admin-pw"}}); r.status != http.StatusForbidden {
		t.Errorf("login without token: %d", r.status)
	}
	// Another session's token does not do.
	other := e.browser()
	if r := other.post("/admin/logout", url.Values{"csrf": {tok}}); r.status != http.StatusForbidden {
		t.Errorf("other session's token: %d", r.status)
	}
}

func TestRoles(t *testing.T) {
	e := newEnv(t)
	failed := e.b.add(&spool.Message{Tenant: "psap-north", To: "+13195550123", Body: "x", State: spool.StateFailed, Reason: "REJECTD"})
	cases := []struct {
		user, pw     string
		send, optout bool
	}{
		{"vic", "viewer-pw", false, false},
		{"ana", "operator-pw", true, false},
		{"root", "admin-pw", true, true},
	}
	for _, c := range cases {
		t.Run(c.user, func(t *testing.T) {
			b := e.browser()
			tok := b.login(c.user, c.pw)
			code := func(ok bool) int {
				if ok {
					return http.StatusSeeOther
				}
				return http.StatusForbidden
			}
			if r := b.get("/admin/send"); (r.status == http.StatusOK) != c.send {
				t.Errorf("GET /send: %d", r.status)
			}
			if r := b.post("/admin/send", url.Values{"csrf": {tok}, "tenant": {"psap-north"}, "to": {"+13195550123"},
				"text": {"hello"}, "priority": {"normal"}}); r.status != code(c.send) {
				t.Errorf("POST /send: %d", r.status)
			}
			if r := b.post("/admin/messages/"+failed.ID+"/retry", url.Values{"csrf": {tok}}); r.status != code(c.send) {
				t.Errorf("POST retry: %d", r.status)
			}
			if r := b.post("/admin/optouts", url.Values{"csrf": {tok}, "tenant": {"psap-north"}, "recipient": {"+13195550177"}}); r.status != code(c.optout) {
				t.Errorf("POST /optouts: %d", r.status)
			}
			dash := b.get("/admin/")
			if strings.Contains(dash.body, `href="/admin/send"`) != c.send {
				t.Errorf("Send link shown: %v", !c.send)
			}
		})
	}
}

func TestLoginThrottled(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	for i := range 3 {
		if r := b.tryLogin("ana", "guess"); r.status != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d", i+1, r.status)
		}
		if i < 2 {
			e.clk.add(time.Second << i) // just the delay: the next attempt is allowed
		}
	}
	// Three failures: 4 s to wait from the last, even with the right password.
	r := b.tryLogin("ana", "operator-pw")
	if r.status != http.StatusTooManyRequests || !strings.Contains(r.body, "Too many failed attempts") {
		t.Fatalf("throttled login: %d", r.status)
	}
	// Per user: another address does not help (the test server is one address, so
	// check the key directly), and per address: another user does not help.
	if w := e.ui.throttle.Wait(e.clk.now(), "user:ana"); w <= 0 {
		t.Error("user key not throttled")
	}
	if r := b.tryLogin("root", "admin-pw"); r.status != http.StatusTooManyRequests {
		t.Errorf("another user from the same address: %d", r.status)
	}
	e.clk.add(5 * time.Second)
	if r := b.tryLogin("ana", "operator-pw"); r.status != http.StatusSeeOther {
		t.Errorf("after the wait: %d", r.status)
	}
	if e.ui.throttle.Wait(e.clk.now(), "user:ana", "ip:127.0.0.1") != 0 {
		t.Error("success did not reset the throttle")
	}
	n := 0
	for _, a := range e.b.actions() {
		if a == "login_failed ui:ana" {
			n++
		}
	}
	if n != 3 {
		t.Errorf("%d failures audited, want 3: %v", n, e.b.actions())
	}
}

func TestPagesRender(t *testing.T) {
	e := newEnv(t)
	m := e.b.add(&spool.Message{Tenant: "psap-north", From: "+13195550100", To: "+13195550123", Body: "Callback: we are on our way",
		State: spool.StateDelivered, Connector: "carrier-a", Segments: 1, Encoding: "gsm7",
		Parts: []spool.Part{{Seq: 1, ProviderID: "abc123", State: spool.StateDelivered}}})
	e.b.add(&spool.Message{Tenant: "psap-north", To: "+13195550124", Body: "failed one", State: spool.StateUndelivered, Reason: "carrier: UNDELIV err:001"})
	e.b.add(&spool.Message{Tenant: "psap-north", Direction: spool.MO, From: "+13195550123", To: "+13195550100", Body: "thanks", State: spool.StateReceived})
	e.b.Suppress(t.Context(), "psap-north", "+13195550177", "", "ui:root", "asked by phone")
	b := e.browser()
	b.login("root", "admin-pw")
	pages := map[string][]string{
		"/admin/":                           {"<title>Dashboard — smsgw admin</title>", "carrier-a", "bound", "-85 dBm", "ACME", "searching", "no network", "1 min 35 s", "<svg", "Messages per minute", "carrier: UNDELIV err:001", "In the last hour:"},
		"/admin/?refresh=on":                {`http-equiv="refresh" content="30"`, "Stop auto-refresh"},
		"/admin/messages":                   {"<title>Messages — smsgw admin</title>", m.ID, "Callback: we are on our way", `<label for="q-to">`},
		"/admin/messages?state=delivered":   {m.ID},
		"/admin/messages?to=%2B19999999999": {"No message matches."},
		// The number as people write it finds the message stored in E.164.
		"/admin/messages?to=%28319%29+555-0123": {m.ID},
		"/admin/messages?to=13195550123":        {m.ID},
		"/admin/messages/" + m.ID:               {"Timeline", "abc123", "delivered", "carrier-a"},
		"/admin/inbound":                        {"thanks", "Inbound messages"},
		"/admin/optouts":                        {"13195550177", "asked by phone", "Add an opt-out"},
		"/admin/audit":                          {"verified", "login", "ui:root"},
		"/admin/send":                           {"emergency", `<label for="s-to">`, "<legend>Priority</legend>"},
	}
	for p, wants := range pages {
		r := b.get(p)
		if r.status != http.StatusOK {
			t.Errorf("GET %s: %d", p, r.status)
			continue
		}
		for _, w := range append(wants, `<html lang="en">`, `href="#main">Skip to main content`, `<main id="main"`) {
			if !strings.Contains(r.body, w) {
				t.Errorf("GET %s: no %q", p, w)
			}
		}
		if r.h.Get("Content-Security-Policy") == "" || r.h.Get("X-Frame-Options") != "DENY" {
			t.Errorf("GET %s: security headers %v", p, r.h)
		}
	}
	if r := b.get("/admin/messages?since=yesterday"); r.status != http.StatusBadRequest || !strings.Contains(r.body, `aria-invalid="true"`) {
		t.Errorf("bad since: %d", r.status)
	}
	if r := b.get("/admin/messages/01HNOTTHERE"); r.status != http.StatusNotFound {
		t.Errorf("unknown message: %d", r.status)
	}
	if r := b.get("/admin/nothing"); r.status != http.StatusNotFound {
		t.Errorf("unknown page: %d", r.status)
	}
	if r := b.get("/admin/static/admin.css"); r.status != http.StatusOK || !strings.Contains(r.body, ":focus-visible") {
		t.Errorf("css: %d", r.status)
	}
	e.b.broken = true
	if r := b.get("/admin/audit"); !strings.Contains(r.body, "broken") || !strings.Contains(r.body, "at entry 3") {
		t.Error("a broken chain is not shown")
	}
}

func TestPaging(t *testing.T) {
	e := newEnv(t)
	for range pageSize + 5 {
		e.b.add(&spool.Message{Tenant: "council", To: "+13195550123", Body: "bulk"})
	}
	b := e.browser()
	b.login("vic", "viewer-pw")
	r := b.get("/admin/messages?tenant=council")
	i := strings.Index(r.body, `rel="next"`)
	if i < 0 {
		t.Fatal("no next page link")
	}
	start := strings.LastIndex(r.body[:i], `href="`) + len(`href="`)
	next := strings.ReplaceAll(r.body[start:strings.Index(r.body[start:], `"`)+start], "&amp;", "&")
	r2 := b.get(next)
	if n := strings.Count(r2.body, "<td class=\"text\">bulk"); n != 5 {
		t.Errorf("second page has %d rows, want 5 (%s)", n, next)
	}
}

func TestHostileTextEscaped(t *testing.T) {
	e := newEnv(t)
	evil := `<script>alert(1)</script><img src=x onerror=alert(2)>"'`
	m := e.b.add(&spool.Message{Tenant: "psap-north", To: "+13195550123", From: evil, Body: evil, State: spool.StateFailed,
		Reason: evil, Connector: evil})
	e.b.add(&spool.Message{Tenant: "psap-north", Direction: spool.MO, From: "+13195550123", To: "+1", Body: evil, State: spool.StateReceived})
	e.b.Audit(t.Context(), spool.AuditEntry{Action: evil, Actor: evil, Detail: evil})
	e.b.Suppress(t.Context(), "psap-north", "+13195550177", evil, evil, evil)
	e.b.conns[1].Detail, e.b.conns[1].Operator = evil, evil
	b := e.browser()
	b.login("root", "admin-pw")
	for _, p := range []string{"/admin/", "/admin/messages", "/admin/messages/" + m.ID, "/admin/inbound", "/admin/audit", "/admin/optouts"} {
		r := b.get(p)
		if strings.Contains(r.body, "<script>") || strings.Contains(r.body, "<img") {
			t.Errorf("GET %s: hostile markup not escaped", p)
		}
		if !strings.Contains(r.body, "&lt;script&gt;") {
			t.Errorf("GET %s: the hostile text is not shown escaped", p)
		}
	}
	// A hostile login name is escaped on the login page and the next
	// parameter cannot send the browser elsewhere.
	r := e.browser().get("/admin/login?user=" + url.QueryEscape(evil) + "&next=" + url.QueryEscape("//evil.example/"))
	if strings.Contains(r.body, "<script>") || strings.Contains(r.body, "evil.example") {
		t.Error("login page reflects hostile input")
	}
}

func TestSendRetryCancel(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	tok := b.login("ana", "operator-pw")
	r := b.post("/admin/send", url.Values{"csrf": {tok}, "tenant": {"psap-north"}, "to": {"+13195550123"},
		"text": {"Help is on the way"}, "priority": {"emergency"}})
	if r.status != http.StatusSeeOther || !strings.Contains(r.loc, "notice=sent") {
		t.Fatalf("send: %d %q", r.status, r.loc)
	}
	page, _ := e.b.List(spool.Filter{}, "", 1)
	sent := page.Messages[0]
	if sent.Source != "ui:ana" || sent.Priority != spool.PriorityEmergency || sent.Body != "Help is on the way" {
		t.Errorf("sent %+v", sent)
	}
	d := b.get(r.loc)
	if !strings.Contains(d.body, "Message accepted") || !strings.Contains(d.body, "Cancel this message") {
		t.Errorf("detail after send:\n%s", d.body)
	}
	// Cancel asks first: it cannot be undone.
	r = b.post("/admin/messages/"+sent.ID+"/cancel", url.Values{"csrf": {tok}})
	if r.status != http.StatusOK || !strings.Contains(r.body, "Yes, cancel it") || !strings.Contains(r.body, "Help is on the way") {
		t.Fatalf("cancel without confirm: %d\n%s", r.status, r.body)
	}
	if got, _ := e.b.Get(sent.ID); got.State.Final() {
		t.Fatalf("cancelled before it was confirmed: %s", got.State)
	}
	if r := b.post("/admin/messages/"+sent.ID+"/cancel", url.Values{"csrf": {tok}, "confirm": {"yes"}}); r.status != http.StatusSeeOther {
		t.Errorf("cancel: %d", r.status)
	}
	if got, _ := e.b.Get(sent.ID); got.State != spool.StateCancelled || got.Reason != "cancelled by ui:ana" {
		t.Errorf("after cancel: %s %q", got.State, got.Reason)
	}
	if r := b.post("/admin/messages/"+sent.ID+"/cancel", url.Values{"csrf": {tok}, "confirm": {"yes"}}); r.status != http.StatusConflict ||
		!strings.Contains(r.body, "Back to the message") || strings.Contains(r.body, "spool:") {
		t.Errorf("cancel twice: %d\n%s", r.status, r.body)
	}
	r = b.post("/admin/messages/"+sent.ID+"/retry", url.Values{"csrf": {tok}})
	if r.status != http.StatusSeeOther || !strings.Contains(r.loc, "notice=retried") {
		t.Fatalf("retry: %d %q", r.status, r.loc)
	}
	if d := b.get(r.loc); !strings.Contains(d.body, "Retry of") || !strings.Contains(d.body, sent.ID) {
		t.Error("the retry does not name the first message")
	}
	// Refusals keep the form and say which field.
	r = b.post("/admin/send", url.Values{"csrf": {tok}, "tenant": {"psap-north"}, "to": {"bad"}, "text": {"x"}, "priority": {"normal"}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `id="s-to-error"`) || !strings.Contains(r.body, "not a phone number") {
		t.Errorf("refused send: %d\n%s", r.status, r.body)
	}
	r = b.post("/admin/send", url.Values{"csrf": {tok}, "tenant": {"psap-north"}, "to": {""}, "text": {""}, "priority": {"urgent"}})
	for _, id := range []string{"s-to-error", "s-text-error", "s-prio-error"} {
		if !strings.Contains(r.body, `id="`+id+`"`) {
			t.Errorf("empty send: no %s", id)
		}
	}
}

// TestScheduledIsNotRetried: a message scheduled for later and never
// tried offers no "Retry now", and a retry posted anyway is refused: it
// would go out hours early.
func TestScheduledIsNotRetried(t *testing.T) {
	e := newEnv(t)
	m := e.b.add(&spool.Message{Tenant: "psap-north", To: "+13195550123", Body: "at six", State: spool.StateQueued,
		SendAt: time.Now().Add(3 * time.Hour)})
	b := e.browser()
	tok := b.login("ana", "operator-pw")
	if d := b.get("/admin/messages/" + m.ID); strings.Contains(d.body, "Retry now") || !strings.Contains(d.body, "Cancel this message") {
		t.Errorf("scheduled message's page offers:\n%s", d.body)
	}
	r := b.post("/admin/messages/"+m.ID+"/retry", url.Values{"csrf": {tok}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "scheduled for") {
		t.Fatalf("retry of a scheduled message: %d\n%s", r.status, r.body)
	}
	if got, _ := e.b.Get(m.ID); got.State != spool.StateQueued || len(got.Timeline) != 1 {
		t.Fatalf("after the refused retry: %+v", got)
	}
}

func TestOptOutAddRemove(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	tok := b.login("root", "admin-pw")
	r := b.post("/admin/optouts", url.Values{"csrf": {tok}, "tenant": {"council"}, "recipient": {"+13195550177"}, "reason": {"by letter"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("add: %d", r.status)
	}
	if l := e.b.Suppressed("council"); len(l) != 1 || l[0].By != "ui:root" {
		t.Errorf("after add %+v", l)
	}
	if p := b.get(r.loc); !strings.Contains(p.body, "13195550177") || !strings.Contains(p.body, "Opt-out added") {
		t.Error("list does not show the new opt-out")
	}
	// Again: it was there already, and says so.
	r = b.post("/admin/optouts", url.Values{"csrf": {tok}, "tenant": {"council"}, "recipient": {"+13195550177"}, "reason": {"again"}})
	if p := b.get(r.loc); !strings.Contains(p.body, "had already opted out") {
		t.Errorf("second add says:\n%s", p.body)
	}
	if p := b.get("/admin/optouts?tenant=bogus"); p.status != http.StatusNotFound || !strings.Contains(p.body, "There is no tenant") {
		t.Errorf("unknown tenant: %d", p.status)
	}
	if r := b.post("/admin/optouts", url.Values{"csrf": {tok}, "tenant": {"council"}, "recipient": {"12"}}); r.status != http.StatusUnprocessableEntity ||
		!strings.Contains(r.body, `id="add-error"`) {
		t.Errorf("bad add: %d", r.status)
	}
	r = b.post("/admin/optouts/remove", url.Values{"csrf": {tok}, "tenant": {"council"}, "recipient": {"+13195550177"}})
	if r.status != http.StatusSeeOther || len(e.b.Suppressed("council")) != 0 {
		t.Errorf("remove: %d", r.status)
	}
}

// The dashboard says when the system clock is behind the spool's time,
// and says nothing when they agree.
func TestDashboardClockBehind(t *testing.T) {
	e, b := viewerEnv(t)
	if r := b.get("/admin/"); r.status != http.StatusOK || strings.Contains(r.body, `id="clock-behind"`) {
		t.Fatalf("clocks agree: %d, warning shown: %v", r.status, strings.Contains(r.body, "clock-behind"))
	}
	e.b.behind = 3*time.Hour + 5*time.Minute
	r := b.get("/admin/")
	if !strings.Contains(r.body, `id="clock-behind"`) || !strings.Contains(r.body, "3 h 5 min behind") {
		t.Fatalf("no warning for a clock 3h5m behind:\n%s", r.body)
	}
}

// TestDashboardSaysWhetherItCanSend: the dashboard opens with the verdict
// /readyz gives. With every connector down or disabled it said nothing of
// it (and "No message failed in the last hour" in green), while messages
// waited.
func TestDashboardSaysWhetherItCanSend(t *testing.T) {
	e, b := viewerEnv(t)
	if r := b.get("/admin/"); !strings.Contains(r.body, "Can send") || strings.Contains(r.body, "Cannot send") {
		t.Fatalf("ready gateway:\n%s", r.body)
	}
	e.b.unready = errors.New("no route is usable: no enabled connector of carrier-a, modem-1 is ready (bound or registered)")
	r := b.get("/admin/")
	if !strings.Contains(r.body, `id="readiness" role="alert"`) || !strings.Contains(r.body, "Cannot send now") ||
		!strings.Contains(r.body, "no enabled connector of carrier-a, modem-1") {
		t.Fatalf("no verdict for a gateway that cannot send:\n%s", r.body)
	}
	if !strings.Contains(r.body, "1 min 35 s") || !strings.Contains(r.body, "Longest waiting to go") {
		t.Errorf("the queue does not say how long the oldest has waited:\n%s", r.body)
	}
	e.b.unready = fmt.Errorf("the spool takes emergency messages only: %w: 3 messages queued (limit 3)", spool.ErrSpoolFull)
	r = b.get("/admin/")
	if !strings.Contains(r.body, "Queue full") || strings.Contains(r.body, "Cannot send") ||
		!strings.Contains(r.body, "3 messages queued (limit 3)") {
		t.Fatalf("no verdict for a full queue:\n%s", r.body)
	}
}

// TestDraftKeptAcrossExpiredSession: a message typed while the session
// ran out is not lost: the login page keeps it, and after the login it
// is back in the Send form, not sent until the user sends it.
func TestDraftKeptAcrossExpiredSession(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	tok := b.login("ana", "operator-pw")
	e.clk.add(2 * time.Hour) // past the env's one-hour session
	text := `Shelter in place: "chemical leak" near 5th & Main <now>`
	r := b.post("/admin/send", url.Values{"csrf": {tok}, "tenant": {"psap-north"}, "to": {"+13195550123"},
		"text": {text}, "priority": {"emergency"}})
	if r.status != http.StatusUnauthorized || !strings.Contains(r.body, "is kept") ||
		!strings.Contains(r.body, `name="draft_text" value="Shelter in place: &#34;chemical leak&#34; near 5th &amp; Main &lt;now&gt;"`) {
		t.Fatalf("expired session's send: %d\n%s", r.status, r.body)
	}
	r = b.post("/admin/login", url.Values{"csrf": {csrf(t, r.body)}, "user": {"ana"}, "password": {"operator-pw"},
		"next": {"/admin/send"}, "draft_tenant": {"psap-north"}, "draft_to": {"+13195550123"}, "draft_text": {text},
		"draft_priority": {"emergency"}})
	if r.status != http.StatusOK || !strings.Contains(r.body, "You are logged in again") ||
		!strings.Contains(r.body, "&#34;chemical leak&#34;") || !strings.Contains(r.body, `value="emergency" checked`) {
		t.Fatalf("after the login: %d\n%s", r.status, r.body)
	}
	if page, _ := e.b.List(spool.Filter{}, "", 10); len(page.Messages) != 0 {
		t.Fatalf("sent before the user sent it: %+v", page.Messages)
	}
	// Another site cannot plant a draft: its form gets no login page
	// with its text.
	evil := e.browser()
	evil.hdr = http.Header{"Origin": {"https://evil.example"}}
	if r := evil.post("/admin/send", url.Values{"to": {"+13195550199"}, "text": {"planted"}}); r.status != http.StatusForbidden ||
		strings.Contains(r.body, "planted") {
		t.Errorf("cross-site send without a session: %d\n%s", r.status, r.body)
	}
	// The form works: sending it sends it.
	r = b.post("/admin/send", url.Values{"csrf": {csrf(t, r.body)}, "tenant": {"psap-north"}, "to": {"+13195550123"},
		"text": {text}, "priority": {"emergency"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("send after the new login: %d\n%s", r.status, r.body)
	}
}

// TestAuditPaging: a page back in the audit trail leads to newer entries
// and to the newest; past the first entry it says so (it said "The audit
// trail is empty").
func TestAuditPaging(t *testing.T) {
	_, b := viewerEnv(t)
	if r := b.get("/admin/audit?before=1"); !strings.Contains(r.body, "No entries before that one") || strings.Contains(r.body, "is empty") {
		t.Errorf("before=1:\n%s", r.body)
	}
	if r := b.get("/admin/audit?before=2"); !strings.Contains(r.body, "Newest entries") {
		t.Errorf("a page back has no way to the newest:\n%s", r.body)
	}
}
