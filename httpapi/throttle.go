package httpapi

import (
	"sync"
	"time"
)

// throttle slows down failed authentications per client address: each
// failure waits twice as long as the one before, up to max, and an
// address is forgotten after a quiet quarter of an hour.
type throttle struct {
	mu        sync.Mutex
	base, max time.Duration
	now       func() time.Time
	fails     map[string]*failures
}

type failures struct {
	n    int
	last time.Time
}

const (
	throttleForget  = 15 * time.Minute
	throttleMaxAddr = 100_000 // addresses remembered at most
)

func newThrottle(base, max time.Duration, now func() time.Time) *throttle {
	return &throttle{base: base, max: max, now: now, fails: map[string]*failures{}}
}

// failure records a failure from addr and returns the delay to apply.
func (t *throttle) failure(addr string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	f := t.fails[addr]
	if f == nil || now.Sub(f.last) > throttleForget {
		if len(t.fails) >= throttleMaxAddr {
			t.prune(now)
		}
		f = &failures{}
		t.fails[addr] = f
	}
	f.n++
	f.last = now
	d := t.base
	for i := 1; i < f.n && d < t.max; i++ {
		d *= 2
	}
	return min(d, t.max)
}

// success forgets addr's failures.
func (t *throttle) success(addr string) {
	t.mu.Lock()
	if _, ok := t.fails[addr]; ok {
		delete(t.fails, addr)
	}
	t.mu.Unlock()
}

// prune drops forgotten addresses, or all of them if none is old enough.
func (t *throttle) prune(now time.Time) {
	for a, f := range t.fails {
		if now.Sub(f.last) > throttleForget {
			delete(t.fails, a)
		}
	}
	if len(t.fails) >= throttleMaxAddr {
		clear(t.fails)
	}
}
