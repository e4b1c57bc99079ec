package smpp

import (
	"context"
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// pacer paces submit_sm to one carrier. It starts at the configured TPS
// (or unlimited) and backs off when the carrier answers ESME_RTHROTTLED
// or ESME_RMSGQFUL: every sender pauses briefly, and the rate drops to
// just under what the carrier accepted in the last second. Each second
// without a throttle it climbs back by 5%, up to the configured TPS, but
// by only 1% within 5% of the rate the carrier last refused (its ceiling,
// forgotten after a minute), so that it stays near the carrier's limit
// longer between refusals.
// This keeps a throttling carrier near its limit instead of bouncing
// every message back to the spool (what makes Kannel fall to a few
// messages per second against a throttling SMSC).
type pacer struct {
	now func() time.Time
	max rate.Limit // configured; rate.Inf for none
	lim *rate.Limiter

	mu         sync.Mutex
	pauseUntil time.Time
	pause      time.Duration // the last pause, doubled while throttles continue
	lastCut    time.Time
	lastRaise  time.Time
	ceiling    rate.Limit // what the carrier took when it last refused; 0: none known
	secStart   time.Time  // accepted counts per whole second
	secCount   int
	prevCount  int
}

// Pauses after a throttle answer: the first, the longest.
const (
	throttlePause    = 50 * time.Millisecond
	queueFullPause   = 500 * time.Millisecond
	maxThrottlePause = 5 * time.Second
	// minRateSample is the fewest accepted submits in a second that say
	// what rate the carrier takes; with fewer, a throttle only pauses.
	minRateSample = 10
	// ceilingMemory is how long the rate of the last refusal slows the
	// climb near it.
	ceilingMemory = time.Minute
)

func newPacer(tps float64, now func() time.Time) *pacer {
	p := &pacer{now: now, max: rate.Inf}
	if tps > 0 {
		p.max = rate.Limit(tps)
	}
	p.lim = rate.NewLimiter(p.max, burst(p.max))
	return p
}

func burst(l rate.Limit) int {
	if l == rate.Inf {
		return 1
	}
	return max(1, int(l/10)) // a tenth of a second's worth
}

// wait blocks until a submit may go: past any pause, then within the
// rate. An urgent submit (an emergency message) waits out a pause (the
// carrier asked for it) but not its turn in the rate: it takes the next
// turn and goes at once, ahead of the submits already waiting, which the
// turn it took delays.
func (p *pacer) wait(ctx context.Context, urgent bool) error {
	for {
		p.mu.Lock()
		d := p.pauseUntil.Sub(p.now())
		p.mu.Unlock()
		if d <= 0 {
			break
		}
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
	if urgent {
		p.lim.Reserve()
		return nil
	}
	return p.lim.Wait(ctx)
}

// accepted records a submit the carrier took.
func (p *pacer) accepted() {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	p.tick(now)
	p.secCount++
	p.pause = 0
	if cur := p.lim.Limit(); cur < p.max && now.Sub(p.lastCut) >= time.Second && now.Sub(p.lastRaise) >= time.Second {
		if now.Sub(p.lastCut) >= ceilingMemory {
			p.ceiling = 0
		}
		step := cur*0.05 + 1
		if c := p.ceiling; c > 0 && cur >= c*0.95 && cur < c*1.05 {
			step = max(cur*0.01, 0.5) // close to where the carrier refused: creep
		}
		p.set(min(p.max, cur+step))
		p.lastRaise = now
	}
}

// throttled records a throttle answer (queueFull for ESME_RMSGQFUL) and
// returns how long the sender should wait before trying the part again.
func (p *pacer) throttled(queueFull bool) time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	p.tick(now)
	first := throttlePause
	if queueFull {
		first = queueFullPause
	}
	if !now.Before(p.pauseUntil) {
		// A window's worth of refusals to submits already in flight is one
		// refusal: the pause grows only when refusals go on past it.
		p.pause = min(max(first, 2*p.pause), maxThrottlePause)
		p.pauseUntil = now.Add(p.pause)
	}
	if now.Sub(p.lastCut) >= time.Second/2 { // one cut per burst of refusals
		seen := max(p.prevCount, p.secCount)
		cur := p.lim.Limit()
		switch {
		case seen >= minRateSample && (cur == rate.Inf || rate.Limit(seen) < cur):
			p.set(rate.Limit(float64(seen) * 0.95)) // just under what the carrier took
		case cur != rate.Inf:
			p.set(max(1, cur*0.9))
		}
		if seen >= minRateSample {
			p.ceiling = rate.Limit(seen)
		}
		p.lastCut = now
	}
	return p.pauseUntil.Sub(now)
}

// tick rolls the per-second accepted count.
func (p *pacer) tick(now time.Time) {
	switch el := now.Sub(p.secStart); {
	case el >= 2*time.Second:
		p.prevCount, p.secCount, p.secStart = 0, 0, now
	case el >= time.Second:
		p.prevCount, p.secCount, p.secStart = p.secCount, 0, p.secStart.Add(time.Second)
	}
}

func (p *pacer) set(l rate.Limit) {
	p.lim.SetLimit(l)
	p.lim.SetBurst(burst(l))
}

// limit is the rate allowed now, 0 for unlimited.
func (p *pacer) limit() float64 {
	l := p.lim.Limit()
	if l == rate.Inf || math.IsInf(float64(l), 1) {
		return 0
	}
	return float64(l)
}
