package adminui

import (
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/smsgw/smsgw/configs"
	"github.com/smsgw/smsgw/internal/clientip"
	"github.com/smsgw/smsgw/spool/policy"
)

// Options configures the UI. The zero value of every field means its
// default.
type Options struct {
	// Prefix is where the UI is mounted, without the trailing slash.
	// Default "/admin".
	Prefix string
	// Admin returns the current users and session lifetime; it is asked
	// at every login and request, so a reloaded configuration applies at
	// once (a removed user's sessions end, a changed role applies).
	// Default: no users (nobody can log in).
	Admin func() configs.Admin
	// Logger; default slog.Default().
	Logger *slog.Logger
	// Now is the clock (tests); default time.Now.
	Now func() time.Time
	// Version is shown in the page footer.
	Version string
	// Sessions, when set, keeps logins across restarts: each session is
	// saved under the SHA-256 of its token (never the token) with its
	// user, CSRF token and expiry, and deleted at logout or expiry.
	// Default: sessions live in memory and end when the process does.
	Sessions SessionStore
	// ReadTimeout bounds the time to read a request's body: a client
	// that trickles a form would otherwise hold its connection for ever
	// (the context's end does not interrupt a read). Default 30s.
	ReadTimeout time.Duration
	// Proxies are the reverse proxies whose X-Forwarded-For names the
	// client (login throttling, the audit trail) and whose
	// X-Forwarded-Proto: https makes cookies Secure. Nil: the peer.
	Proxies *clientip.Trusted
}

// UI is the admin web UI: an http.Handler for everything under Prefix.
type UI struct {
	o        Options
	b        Backend
	log      *slog.Logger
	mux      *http.ServeMux
	sessions *sessions
	throttle *policy.Guard
	checking checking            // logins whose password is being checked
	audits   *policy.AuditBudget // failed logins audited
	pages    *pages
}

// New builds the UI over b.
func New(b Backend, o Options) *UI {
	o.Prefix = strings.TrimRight(o.Prefix, "/")
	if o.Prefix == "" {
		o.Prefix = "/admin"
	}
	if o.Admin == nil {
		o.Admin = func() configs.Admin { return configs.Admin{} }
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.ReadTimeout <= 0 {
		o.ReadTimeout = defaultReadTimeout
	}
	u := &UI{o: o, b: b, log: o.Logger.With("comp", "adminui"), sessions: newSessions(),
		throttle: policy.NewGuard(time.Second, 5*time.Minute), pages: mustPages(),
		audits: policy.NewAuditBudget(policy.AuditEvery, policy.AuditBurst)}
	u.sessions.log = u.log
	if o.Sessions != nil {
		u.sessions.store = o.Sessions
		if err := u.sessions.load(o.Now()); err != nil {
			u.log.Warn("saved admin sessions not read: everyone logs in again", "err", err)
		}
	}
	u.routes()
	return u
}

// ServeHTTP serves the UI's pages, forms and assets.
func (u *UI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// Real time, not o.Now: the deadline is the connection's. A writer
	// that cannot take one (a test recorder) has no connection to hold.
	_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(u.o.ReadTimeout))
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cache-Control", "no-store")
	u.mux.ServeHTTP(w, r)
}

// routes builds the mux: one handler per page or action, each with the
// least role it needs.
func (u *UI) routes() {
	p := u.o.Prefix
	m := http.NewServeMux()
	m.Handle("GET "+p+"/static/", http.StripPrefix(p+"/static/", staticHandler()))
	m.HandleFunc("GET "+p+"/login", u.loginForm)
	m.HandleFunc("POST "+p+"/login", u.login)
	m.HandleFunc("POST "+p+"/logout", u.with(RoleViewer, u.logout))
	m.HandleFunc("GET "+p+"/{$}", u.with(RoleViewer, u.dashboard))
	m.HandleFunc("GET "+p+"/messages", u.with(RoleViewer, u.messages))
	m.HandleFunc("GET "+p+"/messages/{id}", u.with(RoleViewer, u.messageDetail))
	m.HandleFunc("POST "+p+"/messages/{id}/retry", u.with(RoleOperator, u.retry))
	m.HandleFunc("POST "+p+"/messages/{id}/cancel", u.with(RoleOperator, u.cancel))
	m.HandleFunc("GET "+p+"/inbound", u.with(RoleViewer, u.inbound))
	m.HandleFunc("GET "+p+"/optouts", u.with(RoleViewer, u.optouts))
	m.HandleFunc("POST "+p+"/optouts", u.with(RoleAdmin, u.optoutAdd))
	m.HandleFunc("POST "+p+"/optouts/remove", u.with(RoleAdmin, u.optoutRemove))
	m.HandleFunc("GET "+p+"/audit", u.with(RoleViewer, u.auditLog))
	m.HandleFunc("GET "+p+"/send", u.with(RoleOperator, u.sendForm))
	m.HandleFunc("POST "+p+"/send", u.with(RoleOperator, u.send))
	m.HandleFunc(p+"/", u.with(RoleViewer, u.notFound))
	u.mux = m
}

// notFound is the page for any other path under the prefix.
func (u *UI) notFound(w http.ResponseWriter, r *http.Request, s *session) {
	u.errorPage(w, r, s, http.StatusNotFound, "Page not found", "There is no page at this address.")
}
