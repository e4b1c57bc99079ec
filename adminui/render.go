package adminui

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strings"
	"time"

	"github.com/smsgw/smsgw/configs"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// pageNames are the templates, one per page, each with the layout.
var pageNames = []string{"login", "error", "dashboard", "messages", "message", "cancel", "inbound", "optouts", "audit", "send"}

// pages holds one parsed template set per page.
type pages struct{ t map[string]*template.Template }

// mustPages parses every page with the layout; a template that does not
// parse is a build error, caught by the tests.
func mustPages() *pages {
	p, err := parsePages()
	if err != nil {
		panic(err)
	}
	return p
}

func parsePages() (*pages, error) {
	p := &pages{t: map[string]*template.Template{}}
	base, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/partials.html")
	if err != nil {
		return nil, err
	}
	for _, name := range pageNames {
		t, err := template.Must(base.Clone()).ParseFS(templateFS, "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("adminui: template %s: %w", name, err)
		}
		p.t[name] = t
	}
	return p, nil
}

// view is what every page template gets.
type view struct {
	Title      string // the page's own title; the <title> adds the product
	Nav        string // the current section, for aria-current
	Base       string // the UI's prefix
	User       string
	Role       Role
	CanOperate bool
	CanAdmin   bool
	CSRF       string
	Notice     string // a success message
	Error      string // a failure message for the whole page
	Back       string // on an error page: where the action came from
	Version    string
	Refresh    int // seconds between reloads; 0: none
	Data       any
}

func (u *UI) view(r *http.Request, s *session, title, nav string) *view {
	v := &view{Title: title, Nav: nav, Base: u.o.Prefix, Version: u.o.Version}
	if s != nil {
		v.User, v.Role, v.CSRF = s.user, s.role, s.csrf
		v.CanOperate, v.CanAdmin = s.role >= RoleOperator, s.role >= RoleAdmin
	}
	v.Notice = notices[r.URL.Query().Get("notice")]
	return v
}

// notices are the fixed texts a redirect after an action may ask for
// (?notice=…): no text from the query string reaches the page.
var notices = map[string]string{
	"sent":      "Message accepted: it is stored in the spool and will be sent.",
	"retried":   "Retry requested.",
	"cancelled": "Message cancelled.",
	"added":     "Opt-out added.",
	"already":   "That number had already opted out: its entry keeps its first time and reason.",
	"removed":   "Opt-out removed.",
}

// render executes page into a buffer first, so that a template error
// gives a clean 500 rather than half a page.
func (u *UI) render(w http.ResponseWriter, status int, page string, v *view) {
	var buf bytes.Buffer
	if err := u.pages.t[page].ExecuteTemplate(&buf, "layout.html", v); err != nil {
		u.log.Error("admin page failed", "page", page, "err", err)
		http.Error(w, "internal error: the page could not be rendered", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// errorPage renders a page that says what went wrong.
func (u *UI) errorPage(w http.ResponseWriter, r *http.Request, s *session, status int, title, msg string) {
	v := u.view(r, s, title, "")
	v.Error = msg
	u.render(w, status, "error", v)
}

// staticHandler serves the embedded assets.
func staticHandler() http.Handler {
	sub, _ := fs.Sub(staticFS, "static")
	fsrv := http.FileServerFS(sub)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		fsrv.ServeHTTP(w, r)
	})
}

// funcs are the template helpers.
var funcs = template.FuncMap{
	"ts":         formatTime,
	"age":        formatAge,
	"ms":         func(n int64) string { return formatAge(time.Duration(n) * time.Millisecond) },
	"stateClass": stateClass,
	"stateMark":  stateMark,
	"short":      shorten,
	"yesno": func(b bool) string {
		if b {
			return "yes"
		}
		return "no"
	},
	"bytes": formatBytes,
}

// formatTime is UTC, to the second, as the rest of smsgw writes it.
func formatTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04:05Z")
}

// formatAge is a duration for people: "45 s", "3 min 20 s", "2 h 5 min".
func formatAge(d time.Duration) string {
	switch {
	case d < time.Second:
		return "0 s"
	case d < time.Minute:
		return fmt.Sprintf("%d s", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%d min %d s", int(d.Minutes()), int(d.Seconds())%60)
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h %d min", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%d days", int(d.Hours()/24))
}

func formatBytes(n int64) string { return configs.ByteSize(n).Human() }

// shorten cuts s to n runes with an ellipsis.
func shorten(n int, s string) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// stateClass is the colour class of a message or connector state; the
// state's name is always printed next to it.
func stateClass(state string) string {
	if strings.HasPrefix(strings.ToLower(state), "registered (") { // home, roaming, SMS only…
		return "ok"
	}
	switch strings.ToLower(state) {
	case "delivered", "bound", "registered", "registered (home)", "registered (roaming)", "roaming",
		"received", "ok", "yes", "verified":
		return "ok"
	case "failed", "undelivered", "rejected", "expired", "closed", "denied", "registration denied", "down", "broken",
		"no", "not registered":
		return "bad"
	case "cancelled", "disabled":
		return "off"
	}
	return "warn"
}

// stateMark is a symbol that repeats the class for readers who cannot
// tell the colours apart (hidden from screen readers: the word is read).
func stateMark(state string) string {
	switch stateClass(state) {
	case "ok":
		return "✓"
	case "bad":
		return "✗"
	case "off":
		return "–"
	}
	return "…"
}
