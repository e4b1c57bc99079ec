package adminui

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/smsgw/smsgw/configs"
)

// clock is a settable time for sessions and the throttle.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// env is a UI over a fake backend behind an httptest server.
type env struct {
	t     *testing.T
	b     *fakeBackend
	ui    *UI
	srv   *httptest.Server
	clk   *clock
	mu    sync.Mutex
	admin configs.Admin
	opts  Options
	cur   atomic.Pointer[UI] // what srv serves; restart replaces it
}

func plain(s string) configs.Secret { return configs.Secret{Value: s, Source: configs.SourceInline} }

func newEnv(t *testing.T) *env { return newEnvWith(t, Options{}) }

// newEnvWith is newEnv with options (the users, clock and version are the
// env's own).
func newEnvWith(t *testing.T, o Options) *env {
	t.Helper()
	// The clock starts now: the cookie jar drops cookies by the real clock.
	e := &env{t: t, b: newFake(), clk: &clock{t: time.Now().Truncate(time.Second)}}
	e.admin = configs.Admin{SessionTTL: time.Hour, Users: []configs.User{
		{Name: "vic", Role: "viewer", Password: plain("viewer-pw")},
		{Name: "ana", Role: "operator", Password: plain("operator-pw")},
		{Name: "root", Role: "admin", Password: plain("admin-pw")},
	}}
	o.Admin, o.Now, o.Version = e.getAdmin, e.clk.now, "test"
	e.opts = o
	e.restart()
	e.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.cur.Load().ServeHTTP(w, r)
	}))
	t.Cleanup(e.srv.Close)
	return e
}

// restart replaces the UI with a new one, as a restarted gateway builds
// it, behind the same address.
func (e *env) restart() {
	e.ui = New(e.b, e.opts)
	e.cur.Store(e.ui)
}

func (e *env) getAdmin() configs.Admin { e.mu.Lock(); defer e.mu.Unlock(); return e.admin }

func (e *env) setAdmin(a configs.Admin) { e.mu.Lock(); e.admin = a; e.mu.Unlock() }

// browser is one cookie jar; it does not follow redirects.
type browser struct {
	e   *env
	c   *http.Client
	hdr http.Header // added to every request (a proxy's X-Forwarded-For)
}

func (e *env) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{e: e, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

type resp struct {
	status int
	body   string
	loc    string
	h      http.Header
}

func (b *browser) do(req *http.Request) resp {
	b.e.t.Helper()
	for k, v := range b.hdr {
		req.Header[k] = v
	}
	r, err := b.c.Do(req)
	if err != nil {
		b.e.t.Fatal(err)
	}
	defer r.Body.Close()
	body, _ := io.ReadAll(r.Body)
	return resp{status: r.StatusCode, body: string(body), loc: r.Header.Get("Location"), h: r.Header}
}

func (b *browser) get(path string) resp {
	req, _ := http.NewRequest(http.MethodGet, b.e.srv.URL+path, nil)
	return b.do(req)
}

func (b *browser) post(path string, form url.Values) resp {
	req, _ := http.NewRequest(http.MethodPost, b.e.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf is the page's CSRF token.
func csrf(t *testing.T, body string) string {
	t.Helper()
	m := csrfRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no csrf token in\n%s", body)
	}
	return m[1]
}

// login logs in and returns the dashboard's CSRF token.
func (b *browser) login(user, pw string) string {
	t := b.e.t
	t.Helper()
	r := b.tryLogin(user, pw)
	if r.status != http.StatusSeeOther {
		t.Fatalf("login %s: %d\n%s", user, r.status, r.body)
	}
	d := b.get("/admin/")
	if d.status != http.StatusOK {
		t.Fatalf("dashboard after login: %d", d.status)
	}
	return csrf(t, d.body)
}

func (b *browser) tryLogin(user, pw string) resp {
	t := b.e.t
	t.Helper()
	page := b.get("/admin/login")
	return b.post("/admin/login", url.Values{"csrf": {csrf(t, page.body)}, "user": {user}, "password": {pw}})
}

// viewerEnv is a new env and a browser logged in as its viewer.
func viewerEnv(t *testing.T) (*env, *browser) {
	t.Helper()
	e := newEnv(t)
	b := e.browser()
	b.login("vic", "viewer-pw")
	return e, b
}
