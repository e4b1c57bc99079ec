package adminui

import (
	"context"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/smsgw/smsgw/spool"
)

func openSpool(t *testing.T) *spool.Store {
	t.Helper()
	st, err := spool.Open(filepath.Join(t.TempDir(), "spool.db"), spool.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// TestSessionsSurviveARestart: with Options.Sessions, a login outlives
// the UI that made it (a gateway restart); logout and expiry end it for
// good, and the spool never holds the cookie's token.
func TestSessionsSurviveARestart(t *testing.T) {
	st := openSpool(t)
	e := newEnvWith(t, Options{Sessions: st})
	ana, vic := e.browser(), e.browser()
	ana.login("ana", "operator-pw")
	vic.login("vic", "viewer-pw")

	e.restart()
	r := ana.get("/admin/")
	if r.status != http.StatusOK {
		t.Fatalf("after a restart: %d (%s), want the dashboard", r.status, r.loc)
	}
	// The CSRF token is the session's: a form works after the restart.
	r = ana.post("/admin/send", url.Values{"csrf": {csrf(t, r.body)}, "tenant": {"psap-north"}, "to": {"+15555550100"}, "text": {"after restart"}, "priority": {"normal"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("a form after the restart: %d\n%s", r.status, r.body)
	}

	kvs, err := st.KVList(sessionNS, "", "", 0)
	if err != nil || len(kvs) != 2 {
		t.Fatalf("saved sessions: %d, %v; want 2", len(kvs), err)
	}
	u, _ := url.Parse(e.srv.URL + "/admin/")
	for _, c := range ana.c.Jar.Cookies(u) {
		for _, kv := range kvs {
			if c.Name == sessionCookie && (strings.Contains(kv.Key, c.Value) || strings.Contains(string(kv.Value), c.Value)) {
				t.Fatal("the spool holds the session cookie's token")
			}
		}
	}

	// Logout deletes the saved session: it does not come back.
	d := ana.get("/admin/")
	if r := ana.post("/admin/logout", url.Values{"csrf": {csrf(t, d.body)}}); r.status != http.StatusSeeOther {
		t.Fatalf("logout: %d", r.status)
	}
	e.restart()
	if r := ana.get("/admin/"); r.status != http.StatusSeeOther || !strings.Contains(r.loc, "/login") {
		t.Fatalf("after logout and a restart: %d %s, want the login page", r.status, r.loc)
	}
	if r := vic.get("/admin/"); r.status != http.StatusOK {
		t.Fatalf("the other session after logout: %d", r.status)
	}

	// Expired while the gateway was down: not loaded, and deleted.
	e.clk.add(2 * time.Hour)
	e.restart()
	if kvs, _ := st.KVList(sessionNS, "", "", 0); len(kvs) != 0 {
		t.Errorf("%d expired sessions still saved", len(kvs))
	}
	if r := vic.get("/admin/"); r.status != http.StatusSeeOther {
		t.Fatalf("an expired session after a restart: %d", r.status)
	}
}

// TestSessionsWithoutAStore: the default keeps sessions in memory; a
// restart ends them.
func TestSessionsWithoutAStore(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	b.login("vic", "viewer-pw")
	e.restart()
	if r := b.get("/admin/"); r.status != http.StatusSeeOther {
		t.Fatalf("after a restart without a store: %d, want the login redirect", r.status)
	}
}

// failingStore refuses every write, like a spool on a full disk.
type failingStore struct{ *spool.Store }

func (failingStore) KVPut(context.Context, string, string, []byte) error {
	return spool.ErrSpoolFull
}

// TestSessionSaveFailureStillLogsIn: a spool that cannot save the
// session (a full disk) does not keep anyone out; the session lives in
// memory until the next restart.
func TestSessionSaveFailureStillLogsIn(t *testing.T) {
	e := newEnvWith(t, Options{Sessions: failingStore{openSpool(t)}})
	b := e.browser()
	b.login("root", "admin-pw") // fails the test unless the dashboard follows
	e.restart()
	if r := b.get("/admin/"); r.status != http.StatusSeeOther {
		t.Fatalf("an unsaved session after a restart: %d", r.status)
	}
}
