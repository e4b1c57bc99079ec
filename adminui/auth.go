package adminui

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/smsgw/smsgw/configs"
	"github.com/smsgw/smsgw/spool"
)

// defaultSessionTTL applies when the configuration gives none.
const defaultSessionTTL = 12 * time.Hour

// bcryptSlots bounds the password checks running at once, so that a
// burst of logins cannot take every core.
var bcryptSlots = make(chan struct{}, max(1, runtime.GOMAXPROCS(0)/2))

// dummySecret is checked when the user does not exist, so that a wrong
// user name takes as long as a wrong password.
var dummySecret = configs.Secret{Source: configs.SourceHash,
	Hash: "$2a$10$6REa35tsBCJrxnkTnEQKAOQIvtg3hSJ8UuLpvig50XGWox6zjgay."}

// handlerFunc is a page or action behind a login.
type handlerFunc func(w http.ResponseWriter, r *http.Request, s *session)

// with checks the session, the user's current role and, for POST, the
// CSRF token, then calls h.
func (u *UI) with(need Role, h handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var tok string
		if c, err := r.Cookie(sessionCookie); err == nil {
			tok = c.Value
		}
		s := u.sessions.get(tok, u.o.Now())
		if s != nil {
			s.role = 0
			if usr, ok := u.user(s.user); ok {
				s.role = ParseRole(usr.Role)
			}
			if s.role == 0 { // removed from the configuration
				u.sessions.drop(tok)
				s = nil
			}
		}
		if s == nil {
			if r.Method == http.MethodPost && r.URL.Path == u.o.Prefix+"/send" && sameOrigin(r) &&
				u.readForm(w, r, nil, maxFormBytes) {
				// The message typed while the session ran out is kept on
				// the login page, and comes back in the form after it.
				u.renderLogin(w, r, http.StatusUnauthorized, "", u.o.Prefix+"/send",
					"Your session has ended: log in again. The message you wrote is kept.", draftOf(r))
				return
			}
			if r.Method == http.MethodPost {
				u.errorPage(w, r, nil, http.StatusForbidden, "Not logged in", "Your session has ended: log in again.")
				return
			}
			next := url.Values{"next": {r.URL.RequestURI()}}
			http.Redirect(w, r, u.o.Prefix+"/login?"+next.Encode(), http.StatusSeeOther)
			return
		}
		if r.Method == http.MethodPost {
			if !u.readForm(w, r, s, maxFormBytes) {
				return
			}
			if !sameOrigin(r) || !validCSRF(r, s.csrf) {
				u.log.Warn("admin form refused: bad CSRF token or origin", "user", s.user, "path", r.URL.Path, "addr", u.o.Proxies.Addr(r))
				u.errorPage(w, r, s, http.StatusForbidden, "Form refused",
					"The form was not sent from this page (its security token is missing or old). Go back, reload the page and try again.")
				return
			}
		}
		if s.role < need {
			u.errorPage(w, r, s, http.StatusForbidden, "Not allowed",
				fmt.Sprintf("Your role (%s) cannot do this; it needs %s.", s.role, need))
			return
		}
		h(w, r, s)
	}
}

// sameOrigin is false when the browser says the request came from
// another origin (Origin header); requests without it are judged by the
// CSRF token alone.
func sameOrigin(r *http.Request) bool {
	o := r.Header.Get("Origin")
	if o == "" {
		return true
	}
	ou, err := url.Parse(o)
	return err == nil && ou.Host == r.Host
}

// user finds a configured user.
func (u *UI) user(name string) (configs.User, bool) {
	for _, usr := range u.o.Admin().Users {
		if usr.Name == name {
			return usr, true
		}
	}
	return configs.User{}, false
}

// verify checks name's password; unknown users cost the same.
func (u *UI) verify(ctx context.Context, name, password string) (configs.User, bool) {
	usr, found := u.user(name)
	secret := usr.Password
	if !found {
		secret = dummySecret
	}
	select {
	case bcryptSlots <- struct{}{}:
	case <-ctx.Done():
		return usr, false
	}
	ok := secret.Verify(password)
	<-bcryptSlots
	return usr, ok && found && password != "" && ParseRole(usr.Role) != 0
}

type loginView struct {
	User, Next string
	NoUsers    bool
	Draft      *sendView // a message typed when the session ended
}

// loginForm serves GET /login, with a fresh login CSRF cookie.
func (u *UI) loginForm(w http.ResponseWriter, r *http.Request) {
	u.renderLogin(w, r, http.StatusOK, r.URL.Query().Get("user"), r.URL.Query().Get("next"), "", nil)
}

func (u *UI) renderLogin(w http.ResponseWriter, r *http.Request, status int, user, next, msg string, draft *sendView) {
	tok := randomToken()
	http.SetCookie(w, u.cookie(r, loginCookie, tok, time.Time{}))
	v := u.view(r, nil, "Log in", "login")
	v.CSRF, v.Error = tok, msg
	v.Data = loginView{User: user, Next: u.safeNext(next), NoUsers: len(u.o.Admin().Users) == 0, Draft: draft}
	u.render(w, status, "login", v)
}

// draftOf is the Send form's fields in r (the send form's own names, or
// the login form's draft_ ones), or nil when it has none.
func draftOf(r *http.Request) *sendView {
	get := func(k string) string { return cmp.Or(r.PostFormValue(k), r.PostFormValue("draft_"+k)) }
	d := &sendView{Tenant: get("tenant"), To: get("to"), From: get("from"), Text: get("text"), Priority: get("priority")}
	if d.To == "" && d.Text == "" {
		return nil
	}
	return d
}

// safeNext keeps a redirect target inside the UI.
func (u *UI) safeNext(next string) string {
	if !strings.HasPrefix(next, u.o.Prefix+"/") || strings.HasPrefix(next, "//") || strings.Contains(next, "\\") ||
		strings.HasPrefix(next, u.o.Prefix+"/login") {
		return u.o.Prefix + "/"
	}
	return next
}

// login serves POST /login: CSRF, throttle, password, then a session.
func (u *UI) login(w http.ResponseWriter, r *http.Request) {
	if !u.readForm(w, r, nil, maxLoginBytes) {
		return
	}
	c, err := r.Cookie(loginCookie)
	if err != nil || !sameOrigin(r) || !validCSRF(r, c.Value) {
		u.errorPage(w, r, nil, http.StatusForbidden, "Form refused",
			"The login form was not sent from this page (its security token is missing or old). Reload the page and try again.")
		return
	}
	name := strings.TrimSpace(r.PostFormValue("user"))
	if len(name) > 64 {
		name = name[:64]
	}
	password, next := r.PostFormValue("password"), r.PostFormValue("next")
	if name == "" || password == "" {
		// Not an attempt at anyone's password: nothing to count.
		u.renderLogin(w, r, http.StatusUnprocessableEntity, name, next, "Enter your user name and your password.", draftOf(r))
		return
	}
	ip := u.o.Proxies.Addr(r)
	keys := []string{"user:" + name, "ip:" + ip}
	if !u.checking.begin(keys...) {
		u.log.Warn("admin login refused: another attempt is being checked", "user", name, "addr", ip)
		u.renderLogin(w, r, http.StatusTooManyRequests, name, next,
			"Another login for this user name or from this address is being checked: wait a moment and try again.", draftOf(r))
		return
	}
	defer u.checking.end(keys...) // after the failure is recorded
	now := u.o.Now()
	if wait := u.throttle.Wait(now, keys...); wait > 0 {
		u.log.Warn("admin login throttled", "user", name, "addr", ip, "wait", wait)
		secs := int((wait + time.Second - 1) / time.Second)
		u.renderLogin(w, r, http.StatusTooManyRequests, name, next,
			fmt.Sprintf("Too many failed attempts: wait %s before trying again.", plural(secs, "second")), draftOf(r))
		return
	}
	usr, ok := u.verify(r.Context(), name, password)
	if !ok {
		u.throttle.Failure(now, keys...)
		// A name that is no user's is often a password typed one field
		// early: it is neither logged nor shown on the audit page, which
		// every viewer reads.
		who, detail := name, "wrong user name or password"
		if _, known := u.user(name); !known {
			who, detail = "(unknown user)", fmt.Sprintf("a user name that is no user's (%d characters), or a wrong password", len([]rune(name)))
		}
		u.log.Warn("admin login failed", "user", who, "addr", ip)
		if ok, note := u.audits.Take(now); ok {
			u.record(r, spool.AuditEntry{Action: "login_failed", Actor: "ui:" + who, Addr: ip, Detail: detail + note})
		}
		u.renderLogin(w, r, http.StatusUnauthorized, name, next, "Wrong user name or password.", draftOf(r))
		return
	}
	u.throttle.Success(keys...)
	ttl := u.o.Admin().SessionTTL
	if ttl <= 0 {
		ttl = defaultSessionTTL
	}
	expires := now.Add(ttl)
	if old, err := r.Cookie(sessionCookie); err == nil {
		u.sessions.drop(old.Value) // the browser's previous login ends here
	}
	tok, _ := u.sessions.create(usr.Name, now, expires)
	http.SetCookie(w, u.cookie(r, sessionCookie, tok, expires))
	http.SetCookie(w, u.cookie(r, loginCookie, "", time.Time{}))
	u.log.Info("admin login", "user", usr.Name, "role", ParseRole(usr.Role), "addr", ip)
	u.record(r, spool.AuditEntry{Action: "login", Actor: "ui:" + usr.Name, Addr: ip, Detail: "role " + ParseRole(usr.Role).String()})
	if d := draftOf(r); d != nil && ParseRole(usr.Role) >= RoleOperator {
		// Back to the Send form with the message as it was typed: it is
		// sent only when the user sends it again.
		if s := u.sessions.get(tok, now); s != nil {
			s.role = ParseRole(usr.Role)
			d.FieldErr, d.Note = map[string]string{}, "You are logged in again. Check the message, then send it."
			u.renderSend(w, r, s, http.StatusOK, *d, "")
			return
		}
	}
	http.Redirect(w, r, u.safeNext(next), http.StatusSeeOther)
}

// logout serves POST /logout.
func (u *UI) logout(w http.ResponseWriter, r *http.Request, s *session) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		u.sessions.drop(c.Value)
	}
	http.SetCookie(w, u.cookie(r, sessionCookie, "", time.Time{}))
	u.record(r, spool.AuditEntry{Action: "logout", Actor: "ui:" + s.user, Addr: u.o.Proxies.Addr(r)})
	http.Redirect(w, r, u.o.Prefix+"/login", http.StatusSeeOther)
}

// checking holds the throttle keys (user name, address) of the logins
// whose password is being checked. A second attempt on one of them is
// refused until the first is done: otherwise a burst of parallel attempts
// would all pass the throttle before the first failure is recorded.
type checking struct {
	mu   sync.Mutex
	keys map[string]bool
}

// begin claims keys; it is false, and claims nothing, if one is taken.
func (c *checking) begin(keys ...string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, k := range keys {
		if c.keys[k] {
			return false
		}
	}
	if c.keys == nil {
		c.keys = map[string]bool{}
	}
	for _, k := range keys {
		c.keys[k] = true
	}
	return true
}

// end releases keys.
func (c *checking) end(keys ...string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, k := range keys {
		delete(c.keys, k)
	}
}

// record appends e to the audit trail, logging a failure to do so.
func (u *UI) record(r *http.Request, e spool.AuditEntry) {
	if err := u.b.Audit(r.Context(), e); err != nil {
		u.log.Error("audit failed", "action", e.Action, "err", err)
	}
}

// actor is the audit and timeline name of the session's user.
func (s *session) actor() string { return "ui:" + s.user }

// plural writes "1 second", "8 seconds".
func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}
