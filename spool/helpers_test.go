package spool

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeClock is a clock tests move by hand: a wall clock (Now) and, for
// tests of the spool's clock, a monotonic one (Mono) that Step leaves
// alone.
type fakeClock struct {
	mu   sync.Mutex
	t    time.Time
	mono time.Duration
}

func newClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Mono() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.mono
}

// Add lets time pass.
func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t, c.mono = c.t.Add(d), c.mono+d
	c.mu.Unlock()
}

// Step sets the wall clock without time passing (NTP, a battery-less
// board's boot).
func (c *fakeClock) Step(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// openTest opens a spool in a temporary directory with a fake clock and
// no retry jitter (the middle of the jitter range).
func openTest(t testing.TB, opts Options) (*Store, *fakeClock) {
	t.Helper()
	clk := newClock()
	if opts.Now == nil {
		opts.Now = clk.Now
	}
	if opts.Jitter == nil {
		opts.Jitter = func() float64 { return 0.5 }
	}
	path := filepath.Join(t.TempDir(), "spool.db")
	s, err := Open(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, clk
}

// reopen closes s and opens its file again with the same options.
func reopen(t testing.TB, s *Store) *Store {
	t.Helper()
	opts := s.opts
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2, err := Open(s.Path(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s2.Close() })
	return s2
}

func msg(to string) *Message {
	return &Message{Tenant: "psap-north", From: "+13195550100", To: to, Body: "Help is on the way.",
		Source: "http:cad-1", SourceAddr: "127.0.0.1"}
}

func mustEnqueue(t testing.TB, s *Store, m *Message) *Message {
	t.Helper()
	stored, _, err := s.Enqueue(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
	return stored
}

func mustLease(t testing.TB, s *Store, n int) []*Message {
	t.Helper()
	got, err := s.Lease(context.Background(), n, PriorityNormal)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func mustGet(t testing.TB, s *Store, id string) *Message {
	t.Helper()
	m, err := s.Get(id)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func lastEvent(m *Message) Event { return m.Timeline[len(m.Timeline)-1] }

func containsStr(s, sub string) bool { return strings.Contains(s, sub) }
