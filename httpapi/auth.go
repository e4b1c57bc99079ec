package httpapi

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"runtime"
	"strings"
	"sync"

	"golang.org/x/crypto/bcrypt"

	"github.com/smsgw/smsgw/spool"
)

// APIKey is one application's credential. Hash is a bcrypt hash of the
// key (`smsgw hash-secret`); Key is the key itself, for tests and demos.
// The ID names the key in the audit trail, in message sources
// (http:<id>), and is the username of the Kannel endpoint.
type APIKey struct {
	ID     string
	Tenant string
	Hash   string
	Key    string
}

// keyring is one set of keys with its cache of verified keys. SetKeys
// swaps in a new keyring, which drops the cache.
type keyring struct {
	keys []APIKey
	mu   sync.Mutex
	ok   map[[32]byte]int // SHA-256 of a presented key → index in keys
	bad  map[[32]byte]bool

	decoyOnce sync.Once
	decoy     []byte // a bcrypt hash of nothing known, at the keys' cost (decoyCompare)
}

// maxBadCache bounds the cache of keys known to be wrong (it is cleared
// when full).
const maxBadCache = 4096

func newKeyring(keys []APIKey) *keyring {
	return &keyring{keys: append([]APIKey(nil), keys...), ok: map[[32]byte]int{}, bad: map[[32]byte]bool{}}
}

// bcryptSlots bounds the bcrypt checks running at once, so that a burst of
// wrong keys cannot take every core.
var bcryptSlots = make(chan struct{}, max(1, runtime.GOMAXPROCS(0)/2))

// SetKeys replaces the API keys (on SIGHUP). Keys verified before are
// verified again on their next use.
func (a *API) SetKeys(keys []APIKey) {
	a.keysMu.Lock()
	a.keys = newKeyring(keys)
	a.keysMu.Unlock()
}

func (a *API) ring() *keyring {
	a.keysMu.RLock()
	defer a.keysMu.RUnlock()
	return a.keys
}

// cached answers from the cache of verified keys: known is false when
// the key has not been checked yet.
func (k *keyring) cached(id, secret string) (key APIKey, ok, known bool) {
	sum := sha256.Sum256([]byte(secret))
	k.mu.Lock()
	defer k.mu.Unlock()
	if i, hit := k.ok[sum]; hit {
		return k.keys[i], id == "" || k.keys[i].ID == id, true
	}
	return APIKey{}, false, false
}

// addrGate lets one unverified authentication per client address run at
// a time (check).
type addrGate struct {
	mu   sync.Mutex
	held map[string]*gateSlot
}

type gateSlot struct {
	ch    chan struct{} // holds one token while the slot is taken
	users int           // goroutines holding or waiting for it
}

// acquire waits for addr's slot; false if ctx ended first.
func (g *addrGate) acquire(ctx context.Context, addr string) (release func(), ok bool) {
	g.mu.Lock()
	if g.held == nil {
		g.held = map[string]*gateSlot{}
	}
	sl := g.held[addr]
	if sl == nil {
		sl = &gateSlot{ch: make(chan struct{}, 1)}
		g.held[addr] = sl
	}
	sl.users++
	g.mu.Unlock()
	leave := func() {
		g.mu.Lock()
		if sl.users--; sl.users == 0 {
			delete(g.held, addr)
		}
		g.mu.Unlock()
	}
	select {
	case sl.ch <- struct{}{}:
		return func() { <-sl.ch; leave() }, true
	case <-ctx.Done():
		leave()
		return nil, false
	}
}

// lookup finds the key presented as secret; with id set (the Kannel
// username) only that key is tried.
func (k *keyring) lookup(ctx context.Context, id, secret string) (APIKey, bool) {
	if secret == "" {
		return APIKey{}, false
	}
	if key, ok, known := k.cached(id, secret); known {
		return key, ok
	}
	sum := sha256.Sum256([]byte(secret))
	k.mu.Lock()
	bad := k.bad[sum]
	k.mu.Unlock()
	if bad {
		return APIKey{}, false
	}
	tried := false
	for i, key := range k.keys {
		if id != "" && key.ID != id {
			continue
		}
		tried = true
		if !matches(ctx, key, secret) {
			continue
		}
		k.mu.Lock()
		k.ok[sum] = i
		k.mu.Unlock()
		return key, true
	}
	if !tried {
		k.decoyCompare(ctx, secret)
	}
	if id == "" { // a Kannel miss may be the right key under another username
		k.mu.Lock()
		if len(k.bad) >= maxBadCache {
			clear(k.bad)
		}
		k.bad[sum] = true
		k.mu.Unlock()
	}
	return APIKey{}, false
}

// decoyCompare spends on a Kannel username that is no key's id the
// bcrypt check a known one costs, so that the answer's time does not
// tell which usernames exist.
func (k *keyring) decoyCompare(ctx context.Context, secret string) {
	k.decoyOnce.Do(func() {
		for _, key := range k.keys {
			if cost, err := bcrypt.Cost([]byte(key.Hash)); err == nil {
				k.decoy, _ = bcrypt.GenerateFromPassword([]byte(rand.Text()), cost)
				return
			}
		}
	})
	if k.decoy != nil {
		matches(ctx, APIKey{Hash: string(k.decoy)}, secret)
	}
}

// matches checks secret against one key.
func matches(ctx context.Context, key APIKey, secret string) bool {
	if key.Hash != "" {
		select {
		case bcryptSlots <- struct{}{}:
		case <-ctx.Done():
			return false
		}
		defer func() { <-bcryptSlots }()
		return bcrypt.CompareHashAndPassword([]byte(key.Hash), []byte(secret)) == nil
	}
	return key.Key != "" && subtle.ConstantTimeCompare([]byte(key.Key), []byte(secret)) == 1
}

// authenticate checks the Bearer key; on failure it has answered 401.
func (a *API) authenticate(w http.ResponseWriter, r *http.Request) (*caller, bool) {
	ip := a.o.Proxies.Addr(r)
	h := r.Header.Get("Authorization")
	scheme, secret, _ := strings.Cut(h, " ")
	reason := "missing key"
	if h != "" {
		reason = "wrong key"
		if !strings.EqualFold(scheme, "Bearer") {
			reason = "not a Bearer key"
			secret = ""
		}
	}
	if key, ok := a.check(r, ip, "", strings.TrimSpace(secret), "", reason); ok {
		return &caller{key: key, ip: ip}, true
	}
	w.Header().Set("WWW-Authenticate", `Bearer realm="smsgw"`)
	writeJSON(w, http.StatusUnauthorized, errorBody{&Error{Code: "unauthorized",
		Message: "a valid API key is required (Authorization: Bearer <key>)"}})
	return nil, false
}

// check looks up the key presented as secret (with id, the Kannel
// username, only that key). A failure is counted, audited and slowed
// down (authFailed). A key not verified yet is checked one request at a
// time per client address, its failure's delay included: parallel
// guesses from one address wait for each other's delays instead of each
// taking a bcrypt check, which starved every other client's (a valid
// key's first request after a reload waited 11 s behind 200 wrong ones).
func (a *API) check(r *http.Request, ip, id, secret, user, reason string) (APIKey, bool) {
	k := a.ring()
	if key, ok, known := k.cached(id, secret); known && ok {
		a.guard.Success(ip)
		return key, true
	}
	release, ok := a.gate.acquire(r.Context(), ip)
	if !ok {
		return APIKey{}, false // the request ended while it waited
	}
	defer release()
	if key, ok := k.lookup(r.Context(), id, secret); ok {
		a.guard.Success(ip)
		return key, true
	}
	a.authFailed(r, ip, user, reason)
	return APIKey{}, false
}

// authFailed counts, logs and audits a failed authentication (within
// the audit budget), then waits the address's growing delay before the
// caller answers.
func (a *API) authFailed(r *http.Request, ip, user, reason string) {
	a.met.authFailures.Inc()
	now := a.o.Now()
	d := a.guard.Failure(now, ip)
	a.log.Warn("authentication failed", "addr", ip, "user", user, "path", r.URL.Path, "reason", reason, "delay", d)
	if ok, note := a.audits.Take(now); ok && a.o.Audit != nil {
		actor := "http:"
		if user != "" {
			actor += user
		}
		e := spool.AuditEntry{Action: "auth_failed", Actor: actor, Addr: ip,
			Detail: r.Method + " " + r.URL.Path + ": " + reason + note}
		if err := a.o.Audit(r.Context(), e); err != nil {
			a.log.Error("audit failed", "err", err)
		}
	}
	a.o.Sleep(r.Context(), d)
}
