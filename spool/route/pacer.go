package route

import (
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/smsgw/smsgw/spool"
)

// pacer spaces a rule's sends at its TPS. A message past the rate is
// given a turn (a reservation of the limiter) and deferred to it; when it
// comes back it takes that turn instead of booking another, so the turns
// keep pace with the sends. (Booking again at each return, as before,
// wasted every earlier turn: 40 messages queued behind 10 TPS sent one in
// 8 s.) An emergency message takes the next token and goes at once; the
// booked turns move back by one.
type pacer struct {
	lim   *rate.Limiter
	mu    sync.Mutex
	turns map[string]time.Time // message id → its turn
}

const (
	// maxTurns bounds the turns remembered; past it, stale ones are
	// dropped, and a message whose turn could not be kept books again.
	maxTurns = 100000
	// turnSlack is how early a message may come back and still take its
	// turn (the spool keeps due times to the millisecond).
	turnSlack = 5 * time.Millisecond
)

func newPacer(tps float64) *pacer {
	return &pacer{lim: rate.NewLimiter(rate.Limit(tps), max(1, int(tps/10))), turns: map[string]time.Time{}}
}

// admit says how long m must wait for its turn at now; 0: send it now.
func (p *pacer) admit(m *spool.Message, now time.Time) time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	if at, ok := p.turns[m.ID]; ok {
		if d := at.Sub(now); d > turnSlack {
			return d // back early: same turn
		}
		delete(p.turns, m.ID)
		return 0
	}
	d := p.lim.ReserveN(now, 1).DelayFrom(now)
	if d <= 0 || m.Priority >= spool.PriorityEmergency {
		return 0
	}
	if len(p.turns) >= maxTurns {
		for id, at := range p.turns {
			if now.Sub(at) > time.Minute { // never came back: cancelled, expired
				delete(p.turns, id)
			}
		}
	}
	if len(p.turns) < maxTurns {
		p.turns[m.ID] = now.Add(d)
	}
	return d
}
