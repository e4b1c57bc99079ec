package adminui

import (
	"maps"
	"sync"
	"time"
)

// throttle slows down password guessing: after each failed login a key
// (a user name, a client address) must wait before its next attempt,
// twice as long as after the failure before, up to max. A key is
// forgotten after a quiet quarter of an hour, or at its next success.
type throttle struct {
	mu        sync.Mutex
	base, max time.Duration
	fails     map[string]*failures
}

type failures struct {
	n    int
	last time.Time
}

const (
	throttleForget = 15 * time.Minute
	throttleMax    = 100_000 // keys remembered at most
)

func newThrottle(base, max time.Duration) *throttle {
	return &throttle{base: base, max: max, fails: map[string]*failures{}}
}

// delay is the wait after n failures.
func (t *throttle) delay(n int) time.Duration {
	d := t.base
	for i := 1; i < n && d < t.max; i++ {
		d *= 2
	}
	return min(d, t.max)
}

// wait is how long the longest-waiting of keys must still wait (0: an
// attempt may go ahead).
func (t *throttle) wait(now time.Time, keys ...string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	var w time.Duration
	for _, k := range keys {
		f := t.fails[k]
		if f == nil || now.Sub(f.last) > throttleForget {
			continue
		}
		w = max(w, f.last.Add(t.delay(f.n)).Sub(now))
	}
	return w
}

// failure records a failed attempt for each key.
func (t *throttle) failure(now time.Time, keys ...string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.fails) >= throttleMax { // forget quiet keys, or all if none is
		maps.DeleteFunc(t.fails, func(_ string, f *failures) bool { return now.Sub(f.last) > throttleForget })
		if len(t.fails) >= throttleMax {
			clear(t.fails)
		}
	}
	for _, k := range keys {
		f := t.fails[k]
		if f == nil || now.Sub(f.last) > throttleForget {
			f = &failures{}
			t.fails[k] = f
		}
		f.n++
		f.last = now
	}
}

// success forgets keys' failures.
func (t *throttle) success(keys ...string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, k := range keys {
		delete(t.fails, k)
	}
}
