package policy

import (
	"maps"
	"sync"
	"time"
)

// Guard slows down the guessing of secrets (API keys, Kannel and admin
// passwords): after each failed attempt a key (a client address, a user
// name) waits before its next, twice as long as after the failure
// before, from Base up to Max. A key is forgotten after a quiet quarter
// of an hour, or at its next success. The HTTP API and the admin UI each
// keep one.
type Guard struct {
	mu        sync.Mutex
	base, max time.Duration
	fails     map[string]*guessFailures
}

type guessFailures struct {
	n    int
	last time.Time
}

const (
	// GuardForget is how long a quiet key's failures are remembered.
	GuardForget = 15 * time.Minute
	guardKeys   = 100_000 // keys remembered at most
)

// NewGuard makes a Guard whose first delay is base, doubling up to max.
func NewGuard(base, max time.Duration) *Guard {
	return &Guard{base: base, max: max, fails: map[string]*guessFailures{}}
}

// delay is the wait after n failures.
func (g *Guard) delay(n int) time.Duration {
	d := g.base
	for i := 1; i < n && d < g.max; i++ {
		d *= 2
	}
	return min(d, g.max)
}

// Wait is how long the longest-waiting of keys must still wait at now
// (0: an attempt may go ahead).
func (g *Guard) Wait(now time.Time, keys ...string) time.Duration {
	g.mu.Lock()
	defer g.mu.Unlock()
	var w time.Duration
	for _, k := range keys {
		f := g.fails[k]
		if f == nil || now.Sub(f.last) > GuardForget {
			continue
		}
		w = max(w, f.last.Add(g.delay(f.n)).Sub(now))
	}
	return w
}

// Failure records a failed attempt at now for each key and returns the
// longest delay they now owe.
func (g *Guard) Failure(now time.Time, keys ...string) time.Duration {
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.fails) >= guardKeys { // forget quiet keys, or all if none is
		maps.DeleteFunc(g.fails, func(_ string, f *guessFailures) bool { return now.Sub(f.last) > GuardForget })
		if len(g.fails) >= guardKeys {
			clear(g.fails)
		}
	}
	var d time.Duration
	for _, k := range keys {
		f := g.fails[k]
		if f == nil || now.Sub(f.last) > GuardForget {
			f = &guessFailures{}
			g.fails[k] = f
		}
		f.n++
		f.last = now
		d = max(d, g.delay(f.n))
	}
	return d
}

// Success forgets keys' failures.
func (g *Guard) Success(keys ...string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, k := range keys {
		delete(g.fails, k)
	}
}
