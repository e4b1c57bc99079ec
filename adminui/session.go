package adminui

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/smsgw/smsgw/spool"
)

// Cookie names.
const (
	sessionCookie = "smsgw_session"
	loginCookie   = "smsgw_login" // the login form's CSRF token, before any session
)

// maxSessions bounds the sessions kept; the oldest expired ones go
// first, then the soonest to expire.
const maxSessions = 10000

// session is one logged-in browser. The cookie holds a random token;
// the store is keyed by its SHA-256, so a leaked store does not give
// usable cookies.
type session struct {
	user    string
	csrf    string
	expires time.Time
	role    Role // the user's role at this request (from the configuration)
}

type sessions struct {
	mu    sync.Mutex
	m     map[[32]byte]*session
	store SessionStore // nil: memory only
	log   *slog.Logger
}

// SessionStore keeps sessions across restarts: spool.Store's KV records.
type SessionStore interface {
	KVPut(ctx context.Context, ns, key string, value []byte) error
	KVList(ns, prefix, after string, limit int) ([]spool.KV, error)
}

// sessionNS is the KV namespace of saved sessions: hex SHA-256 of the
// token → savedSession.
const sessionNS = "adminui-session"

// sessionPage is how many saved sessions load reads at a time.
const sessionPage = 1000

// savedSession is a session as saved; the token itself never is.
type savedSession struct {
	User    string    `json:"user"`
	CSRF    string    `json:"csrf"`
	Expires time.Time `json:"expires"`
}

func newSessions() *sessions { return &sessions{m: map[[32]byte]*session{}, log: slog.Default()} }

// load reads the saved sessions, dropping those expired by now.
func (s *sessions) load(now time.Time) error {
	var stale []string
	after := ""
	for {
		kvs, err := s.store.KVList(sessionNS, "", after, sessionPage)
		if err != nil {
			return err
		}
		s.mu.Lock()
		for _, kv := range kvs {
			var k [32]byte
			var saved savedSession
			if n, err := hex.Decode(k[:], []byte(kv.Key)); err != nil || n != len(k) ||
				json.Unmarshal(kv.Value, &saved) != nil || !now.Before(saved.Expires) || saved.User == "" {
				stale = append(stale, kv.Key)
				continue
			}
			s.m[k] = &session{user: saved.User, csrf: saved.CSRF, expires: saved.Expires}
		}
		s.mu.Unlock()
		if len(kvs) < sessionPage {
			break
		}
		after = kvs[len(kvs)-1].Key
	}
	s.forget(stale...)
	return nil
}

// save writes a new session; a failure is logged, and the session lives
// on in memory until the next restart.
func (s *sessions) save(k [32]byte, ss *session) {
	if s.store == nil {
		return
	}
	b, _ := json.Marshal(savedSession{User: ss.user, CSRF: ss.csrf, Expires: ss.expires})
	if err := s.store.KVPut(context.Background(), sessionNS, hex.EncodeToString(k[:]), b); err != nil {
		s.log.Warn("admin session not saved: it ends at the next restart", "user", ss.user, "err", err)
	}
}

// forget deletes saved sessions by key (hex); failures are logged (an
// expired session is dropped again at the next load).
func (s *sessions) forget(keys ...string) {
	if s.store == nil {
		return
	}
	for _, key := range keys {
		if err := s.store.KVPut(context.Background(), sessionNS, key, nil); err != nil {
			s.log.Warn("saved admin session not deleted", "err", err)
			return
		}
	}
}

// randomToken is 32 random bytes, base64url.
func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// create starts a session for user until expires and returns its token.
func (s *sessions) create(user string, now, expires time.Time) (string, *session) {
	tok := randomToken()
	ss := &session{user: user, csrf: randomToken(), expires: expires}
	k := sha256.Sum256([]byte(tok))
	s.mu.Lock()
	var pruned []string
	if len(s.m) >= maxSessions {
		pruned = s.pruneLocked(now)
	}
	s.m[k] = ss
	s.mu.Unlock()
	s.forget(pruned...)
	s.save(k, ss)
	return tok, ss
}

// get returns the live session of token, or nil; an expired one is
// dropped.
func (s *sessions) get(tok string, now time.Time) *session {
	if tok == "" {
		return nil
	}
	k := sha256.Sum256([]byte(tok))
	s.mu.Lock()
	ss := s.m[k]
	if ss == nil {
		s.mu.Unlock()
		return nil
	}
	if !now.Before(ss.expires) {
		delete(s.m, k)
		s.mu.Unlock()
		s.forget(hex.EncodeToString(k[:]))
		return nil
	}
	c := *ss
	s.mu.Unlock()
	return &c
}

// drop ends the session of token.
func (s *sessions) drop(tok string) {
	k := sha256.Sum256([]byte(tok))
	s.mu.Lock()
	_, ok := s.m[k]
	delete(s.m, k)
	s.mu.Unlock()
	if ok {
		s.forget(hex.EncodeToString(k[:]))
	}
}

// pruneLocked drops expired sessions, and if none had expired the one
// closest to expiry. It returns their keys, for forget.
func (s *sessions) pruneLocked(now time.Time) []string {
	var soonest [32]byte
	var at time.Time
	var gone []string
	for k, ss := range s.m {
		if !now.Before(ss.expires) {
			delete(s.m, k)
			gone = append(gone, hex.EncodeToString(k[:]))
			continue
		}
		if at.IsZero() || ss.expires.Before(at) {
			soonest, at = k, ss.expires
		}
	}
	if len(s.m) >= maxSessions {
		delete(s.m, soonest)
		gone = append(gone, hex.EncodeToString(soonest[:]))
	}
	return gone
}

// validCSRF compares the form's token with want in constant time.
func validCSRF(r *http.Request, want string) bool {
	got := r.PostFormValue("csrf")
	return want != "" && got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// cookie is a UI cookie: HttpOnly, SameSite=Strict, limited to the UI's
// path, and Secure when the request came over TLS (to a trusted proxy
// that says so, too).
func (u *UI) cookie(r *http.Request, name, value string, expires time.Time) *http.Cookie {
	c := &http.Cookie{Name: name, Value: value, Path: u.o.Prefix + "/", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: u.o.Proxies.Secure(r)}
	if value == "" {
		c.MaxAge = -1
	} else if !expires.IsZero() {
		c.Expires = expires
	}
	return c
}
