package adminui

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"sync"
	"time"
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
	mu sync.Mutex
	m  map[[32]byte]*session
}

func newSessions() *sessions { return &sessions{m: map[[32]byte]*session{}} }

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
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.m) >= maxSessions {
		s.pruneLocked(now)
	}
	s.m[sha256.Sum256([]byte(tok))] = ss
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
	defer s.mu.Unlock()
	ss := s.m[k]
	if ss == nil {
		return nil
	}
	if !now.Before(ss.expires) {
		delete(s.m, k)
		return nil
	}
	c := *ss
	return &c
}

// drop ends the session of token.
func (s *sessions) drop(tok string) {
	s.mu.Lock()
	delete(s.m, sha256.Sum256([]byte(tok)))
	s.mu.Unlock()
}

// pruneLocked drops expired sessions, and if none had expired the one
// closest to expiry.
func (s *sessions) pruneLocked(now time.Time) {
	var soonest [32]byte
	var at time.Time
	for k, ss := range s.m {
		if !now.Before(ss.expires) {
			delete(s.m, k)
			continue
		}
		if at.IsZero() || ss.expires.Before(at) {
			soonest, at = k, ss.expires
		}
	}
	if len(s.m) >= maxSessions {
		delete(s.m, soonest)
	}
}

// validCSRF compares the form's token with want in constant time.
func validCSRF(r *http.Request, want string) bool {
	got := r.PostFormValue("csrf")
	return want != "" && got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// cookie is a UI cookie: HttpOnly, SameSite=Strict, limited to the UI's
// path, and Secure when the request came over TLS.
func (u *UI) cookie(r *http.Request, name, value string, expires time.Time) *http.Cookie {
	c := &http.Cookie{Name: name, Value: value, Path: u.o.Prefix + "/", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil}
	if value == "" {
		c.MaxAge = -1
	} else if !expires.IsZero() {
		c.Expires = expires
	}
	return c
}
