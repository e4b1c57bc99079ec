package policy

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/smsgw/smsgw/spool"
)

// clock is a clock tests move by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// env is a spool in a temporary directory, a clock and a Policy on both.
type env struct {
	t     testing.TB
	path  string
	clk   *clock
	store *spool.Store
	p     *Policy
	ts    []Tenant
}

func newEnv(t testing.TB, ts ...Tenant) *env {
	t.Helper()
	if len(ts) == 0 {
		ts = []Tenant{psapNorth()}
	}
	e := &env{t: t, path: filepath.Join(t.TempDir(), "spool.db"), ts: ts,
		clk: &clock{t: time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)}}
	e.open()
	return e
}

// open opens the spool and a Policy on it.
func (e *env) open() {
	e.t.Helper()
	s, err := spool.Open(e.path, spool.Options{Now: e.clk.Now})
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { s.Close() })
	p, err := New(s, e.ts, Options{Now: e.clk.Now})
	if err != nil {
		e.t.Fatal(err)
	}
	e.store, e.p = s, p
}

// reopen closes the spool and opens it, and a new Policy, again.
func (e *env) reopen() {
	e.t.Helper()
	if err := e.store.Close(); err != nil {
		e.t.Fatal(err)
	}
	e.open()
}

// psapNorth is the tenant of DESIGN.md's example configuration.
func psapNorth() Tenant {
	return Tenant{
		ID:            "psap-north",
		DefaultRegion: "US",
		Senders:       []string{"+13195550100", "+13195550101", "PSAPNORTH", "76543"},
		DefaultSender: "+13195550100",
		OptOut: OptOut{
			Keywords: map[string]Keywords{"es": {
				Stop: []string{"BAJA"}, Start: []string{"ALTA"}, Help: []string{"AYUDA"},
				HelpText: "PSAP Norte: mensajes de emergencia. BAJA para darse de baja.",
			}},
			HelpText:  "PSAP North: emergency callbacks. Reply STOP to opt out.",
			StopText:  "You will get no more messages from this number. Reply START to resume.",
			StartText: "Messages resumed.",
		},
	}
}

// check runs Check with the tenant and source filled in.
func (e *env) check(s Submission) (Decision, error) {
	if s.Tenant == "" {
		s.Tenant = "psap-north"
	}
	if s.Source == "" {
		s.Source = "http:cad-1"
	}
	return e.p.Check(context.Background(), s)
}

// wantCode asserts that err is a *Error with code and field.
func wantCode(t testing.TB, err error, code, field string) *Error {
	t.Helper()
	var pe *Error
	if !errors.As(err, &pe) {
		t.Fatalf("err = %v (%T), want *policy.Error %s", err, err, code)
	}
	if pe.ErrorCode() != code || pe.ErrorField() != field {
		t.Fatalf("err = %s/%s %q, want %s/%s", pe.ErrorCode(), pe.ErrorField(), pe.Error(), code, field)
	}
	return pe
}

// enqueue stores an MT message for tenant as an ingress would.
func (e *env) enqueue(tenant string, n int) {
	e.t.Helper()
	for range n {
		_, _, err := e.store.Enqueue(context.Background(), &spool.Message{Tenant: tenant, To: "+13195550123",
			From: "+13195550100", Body: "x", Source: "http:cad-1"})
		if err != nil {
			e.t.Fatal(err)
		}
	}
}
