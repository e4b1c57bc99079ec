package route

import (
	"sync"
	"time"

	"github.com/smsgw/smsgw/spool"
)

// breaker takes a connector that keeps failing out of its routes for a
// while, so that the route's other connectors take its traffic. A
// connector's own health (bound, registered) misses the worst case: a
// carrier whose SMPP front end stays bound and answers enquire_link while
// every submit fails (its backend is down, ESME_RSYSERR), or a modem that
// is registered but cannot send. Without this, every message would be
// retried on it, with growing backoff, until its attempts ran out, while
// the modem beside it sat idle.
//
// FailAfter retryable failures in a row trip it for FailCooldown, where
// failures less than a second after the last one counted are one (a bind
// lost with a window of submits in flight fails them all at once: one
// event, which the connector's own health covers); while
// tripped the connector is not usable (as if not ready). Then one send
// may try it: a success closes the breaker, a failure trips it again for
// twice as long (at most FailCooldownMax). Permanent failures (about one
// message: a bad number) and overload (a carrier throttling, while it
// still takes some) do not count. An unavailable connector (a carrier
// that has refused everything as throttled for a while, or left a
// submit unanswered) trips it at once: a 911 message must not wait for
// four more failures while the route's modem sits idle.
type breaker struct {
	now func() time.Time

	mu      sync.Mutex
	fails   int       // retryable failures in a row
	counted time.Time // when the last one counted
	trips   int       // trips since the last success
	until   time.Time // tripped until
	lastErr string
}

// Breaker settings (Options).
const (
	burstGap               = time.Second
	defaultFailAfter       = 5
	defaultFailCooldown    = 30 * time.Second
	defaultFailCooldownMax = 5 * time.Minute
)

// open says whether the breaker keeps the connector out now.
func (b *breaker) open() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.now().Before(b.until)
}

// record takes a send's outcome. It returns how long the connector is
// now out, when this outcome tripped the breaker (else 0).
func (b *breaker) record(err error, o *Options) time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case err == nil:
		b.fails, b.trips, b.counted = 0, 0, time.Time{}
		return 0
	case spool.IsPermanent(err) || spool.IsOverload(err):
		return 0
	}
	now := b.now()
	b.lastErr = err.Error()
	if now.Before(b.until) {
		return 0 // a send from before the trip: it is out already
	}
	if !spool.IsUnavailable(err) { // the connector says it cannot send: out at once
		if b.trips == 0 && !b.counted.IsZero() && now.Sub(b.counted) < burstGap {
			return 0 // the same burst
		}
		b.fails, b.counted = b.fails+1, now
		if b.fails < o.FailAfter && b.trips == 0 {
			return 0
		}
	}
	d := o.FailCooldown << min(b.trips, 16)
	d = min(d, o.FailCooldownMax)
	b.fails, b.until = 0, now.Add(d)
	b.trips++
	return d
}

// state is the breaker's part of Health.
func (b *breaker) state() (until time.Time, lastErr string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.now().Before(b.until) {
		return time.Time{}, ""
	}
	return b.until, b.lastErr
}
