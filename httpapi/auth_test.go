package httpapi

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"golang.org/x/crypto/bcrypt"

	"github.com/smsgw/smsgw/internal/clientip"
	"github.com/smsgw/smsgw/spool/policy"
)

func TestAuthFailures(t *testing.T) {
	e := newEnv(t)
	for i, h := range []string{"", "Bearer wrong", "Basic " + keyNorth, "Bearer wrong", "Bearer wrong"} {
		req, _ := http.NewRequest("GET", e.srv.URL+"/api/v1/messages", nil)
		if h != "" {
			req.Header.Set("Authorization", h)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 401 || resp.Header.Get("WWW-Authenticate") == "" {
			t.Errorf("attempt %d: %d %q", i, resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
		}
	}
	e.mu.Lock()
	sleeps, audits := append([]time.Duration(nil), e.sleeps...), len(e.audits)
	e.mu.Unlock()
	want := []time.Duration{250 * time.Millisecond, 500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second}
	if len(sleeps) != len(want) {
		t.Fatalf("delays %v", sleeps)
	}
	for i := range want {
		if sleeps[i] != want[i] {
			t.Errorf("delays %v, want %v", sleeps, want)
			break
		}
	}
	if audits != 5 {
		t.Errorf("%d audit entries, want 5", audits)
	}
	if a := e.audits[1]; a.Action != "auth_failed" || a.Addr != "127.0.0.1" || a.Actor != "http:" {
		t.Errorf("audit %+v", a)
	}
	if _, err := e.b.s.VerifyAudit(); err != nil {
		t.Error(err)
	}
	// The delay is bounded, and a success from the address resets it.
	for range 5 {
		e.do("GET", "/api/v1/messages", "wrong", "")
	}
	if last := e.lastSleep(); last != 8*time.Second {
		t.Errorf("delay not bounded at 8s: %v", last)
	}
	e.do("GET", "/api/v1/messages", keyNorth, "")
	e.do("GET", "/api/v1/messages", "wrong", "")
	if last := e.lastSleep(); last != 250*time.Millisecond {
		t.Errorf("delay after a success: %v", last)
	}
	// A quiet quarter of an hour forgets the failures.
	e.do("GET", "/api/v1/messages", "wrong", "")
	e.clk.Add(16 * time.Minute)
	e.do("GET", "/api/v1/messages", "wrong", "")
	if last := e.lastSleep(); last != 250*time.Millisecond {
		t.Errorf("delay after a quiet period: %v", last)
	}
}

func TestBcryptKeysCachedAndReplaced(t *testing.T) {
	e := newEnv(t)
	e.hashedKey("h", "hashed-key")
	if code, _, _ := e.do("GET", "/api/v1/messages", "hashed-key", ""); code != 200 {
		t.Fatalf("bcrypt key refused: %d", code)
	}
	if n := len(e.api.ring().ok); n != 1 {
		t.Errorf("%d cached keys, want 1", n)
	}
	if code, _, _ := e.do("GET", "/api/v1/messages", keyNorth, ""); code != 401 {
		t.Errorf("a key removed by SetKeys still works: %d", code)
	}
	e.api.SetKeys(testKeys)
	if code, _, _ := e.do("GET", "/api/v1/messages", "hashed-key", ""); code != 401 {
		t.Errorf("a cached key survived SetKeys: %d", code)
	}
	// SetKeys under load.
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 20 {
				if i%2 == 0 {
					e.api.SetKeys(testKeys)
				} else if code, _, _ := e.do("GET", "/api/v1/status", keySouth, ""); code != 200 {
					t.Errorf("status %d", code)
				}
			}
		}()
	}
	wg.Wait()
}

// TestAuthFloodFromOneAddressWaits: parallel wrong keys from one
// address are checked one at a time, each failure's delay included, so
// that a flood does not take every bcrypt check (a valid key's first
// request after a reload waited 11 s behind 200 wrong ones); a key
// already verified does not wait for them.
func TestAuthFloodFromOneAddressWaits(t *testing.T) {
	var mu sync.Mutex
	in, most := 0, 0
	release := make(chan struct{})
	e := newEnv(t, func(o *Options) {
		o.Sleep = func(ctx context.Context, d time.Duration) {
			mu.Lock()
			in++
			most = max(most, in)
			mu.Unlock()
			select { // held until the test lets the failures go
			case <-release:
			case <-ctx.Done():
			}
			mu.Lock()
			in--
			mu.Unlock()
		}
	})
	if code, _, _ := e.do("GET", "/api/v1/messages", keyNorth, ""); code != 200 { // verified, cached
		t.Fatalf("valid key: %d", code)
	}
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() { e.do("GET", "/api/v1/messages", "wrong", "") })
	}
	// Wait until all ten have arrived: in their delay, or waiting for the
	// address's turn.
	for deadline := time.Now().Add(10 * time.Second); ; {
		mu.Lock()
		n := in
		mu.Unlock()
		e.api.gate.mu.Lock()
		waiting := 0
		if sl := e.api.gate.held["127.0.0.1"]; sl != nil {
			waiting = sl.users
		}
		e.api.gate.mu.Unlock()
		if n == 10 || waiting == 10 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d in their delay, %d at the address's gate", n, waiting)
		}
		time.Sleep(time.Millisecond) // polling: the arrivals are inside the server
	}
	if code, _, _ := e.do("GET", "/api/v1/messages", keyNorth, ""); code != 200 {
		t.Errorf("a verified key during the flood: %d", code)
	}
	close(release)
	wg.Wait()
	if most != 1 {
		t.Fatalf("%d failures from one address in their delay at once, want 1", most)
	}
}

// TestKannelUnknownUserCostsABcrypt: with hashed keys, a username that
// is no key's id is checked against a decoy hash, so that the answer's
// time does not tell which usernames exist.
func TestKannelUnknownUserCostsABcrypt(t *testing.T) {
	e := newEnv(t)
	e.hashedKey("cad-1", "hashed-key")
	if code, _, _ := e.sendsms(kannelVars("username", "nobody", "password", "guess")); code != 403 {
		t.Fatalf("unknown user: %d", code)
	}
	if d := e.api.ring().decoy; d == nil {
		t.Fatal("no bcrypt check for an unknown username")
	} else if c, _ := bcrypt.Cost(d); c != bcrypt.MinCost {
		t.Fatalf("decoy cost %d, want the keys' %d", c, bcrypt.MinCost)
	}
}

// hashedKey makes psap-north's one key id, bcrypt-hashed (at the
// lowest cost), with the secret key.
func (e *env) hashedKey(id, key string) {
	e.t.Helper()
	hash, err := bcrypt.GenerateFromPassword([]byte(key), bcrypt.MinCost)
	if err != nil {
		e.t.Fatal(err)
	}
	e.api.SetKeys([]APIKey{{ID: id, Tenant: "psap-north", Hash: string(hash)}})
}

// lastSleep is the last auth delay applied.
func (e *env) lastSleep() time.Duration {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.sleeps[len(e.sleeps)-1]
}

// TestAuthFailureAuditsAreBounded: a flood of failed authentications
// writes at most the audit budget to the spool (each entry is a durable
// write that would compete with submits, and could fill the spool); the
// next entry after the budget refills says how many were not audited.
// Every failure is still counted.
func TestAuthFailureAuditsAreBounded(t *testing.T) {
	e := newEnv(t)
	for range policy.AuditBurst + 30 {
		e.do("GET", "/api/v1/messages", "wrong", "")
	}
	e.mu.Lock()
	n := len(e.audits)
	e.mu.Unlock()
	if n != policy.AuditBurst {
		t.Fatalf("%d audit entries for %d failures, want the budget's %d", n, policy.AuditBurst+30, policy.AuditBurst)
	}
	e.clk.Add(policy.AuditEvery)
	e.do("GET", "/api/v1/messages", "wrong", "")
	e.mu.Lock()
	last := e.audits[len(e.audits)-1]
	e.mu.Unlock()
	if !strings.Contains(last.Detail, "30 more failed since 2026-11-22T10:00:00Z") {
		t.Errorf("the entry after the budget: %q", last.Detail)
	}
	if got := testutil.ToFloat64(e.api.met.authFailures); got != policy.AuditBurst+31 {
		t.Errorf("smsgw_http_auth_failures_total %v, want every failure", got)
	}
}

// TestBehindTrustedProxy: behind a proxy named in trusted_proxies, a
// message's source address and a failed authentication's audit entry
// name the client of X-Forwarded-For; the header of an untrusted peer is
// not believed.
func TestBehindTrustedProxy(t *testing.T) {
	proxies, err := clientip.Parse([]string{"127.0.0.1", "::1"})
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, func(o *Options) { o.Proxies = proxies })
	code, m := e.submit(keyNorth, `{"to":"+13195550123","text":"via the proxy"}`, "X-Forwarded-For", "192.0.2.1, 203.0.113.9")
	if code != 202 || m.SourceAddr != "203.0.113.9" {
		t.Fatalf("submit: %d, source_addr %q", code, m.SourceAddr)
	}
	if code, _, _ := e.do("GET", "/api/v1/messages", "wrong-key", "", "X-Forwarded-For", "203.0.113.10"); code != 401 {
		t.Fatalf("wrong key: %d", code)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if a := e.audits[len(e.audits)-1]; a.Action != "auth_failed" || a.Addr != "203.0.113.10" {
		t.Errorf("audit %+v", a)
	}

	direct := newEnv(t) // no proxy trusted: the header is the client's own word
	if _, m := direct.submit(keyNorth, `{"to":"+13195550123","text":"x"}`, "X-Forwarded-For", "203.0.113.9"); m.SourceAddr != "127.0.0.1" {
		t.Errorf("untrusted X-Forwarded-For believed: %q", m.SourceAddr)
	}
}
