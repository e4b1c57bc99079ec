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
// 8 s.)
//
// The lanes: an emergency message takes the next token and goes at once
// (the turns booked after it move back by one). A high-priority message
// that must wait takes the earliest turn a normal message booked, and
// that message gets the turn just reserved, at the end of the queue:
// the rate is kept, only the one displaced message waits longer, and a
// high message never waits behind a backlog of normal ones.
type pacer struct {
	lim   *rate.Limiter
	mu    sync.Mutex
	turns map[string]turn // message id → its turn
	// normal holds the normal messages' turns in the order booked, which
	// is the order of their times (reservations only move later). An
	// entry is stale once turns no longer holds it; stale entries are
	// dropped from the front as turns are taken.
	normal []booked
}

type turn struct {
	at     time.Time
	normal bool
}

type booked struct {
	id string
	at time.Time
}

const (
	// maxTurns bounds the turns remembered; past it, stale ones are
	// dropped, and a message whose turn could not be kept books again.
	maxTurns = 100000
	// turnSlack is how early a message may come back and still take its
	// turn (the spool keeps due times to the millisecond).
	turnSlack = 5 * time.Millisecond
	// staleTurn is how long past its turn a message that never came back
	// (cancelled, expired, sent elsewhere) is remembered.
	staleTurn = time.Minute
)

func newPacer(tps float64) *pacer {
	return &pacer{lim: rate.NewLimiter(rate.Limit(tps), max(1, int(tps/10))), turns: map[string]turn{}}
}

// admit says how long m must wait for its turn at now; 0: send it now.
func (p *pacer) admit(m *spool.Message, now time.Time) time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	if t, ok := p.turns[m.ID]; ok {
		if d := t.at.Sub(now); d > turnSlack {
			return d // back early: same turn
		}
		delete(p.turns, m.ID)
		p.trim(now)
		return 0
	}
	d := p.lim.ReserveN(now, 1).DelayFrom(now)
	if d <= 0 || m.Priority >= spool.PriorityEmergency {
		return 0
	}
	at := now.Add(d)
	if m.Priority > spool.PriorityNormal {
		if i := p.earliestNormal(now); i >= 0 {
			// Swap: m takes the normal message's turn, which takes the
			// one just reserved.
			b := p.normal[i]
			p.normal[i].at = at
			p.turns[b.id] = turn{at: at, normal: true}
			p.normal = append(p.normal, p.normal[i])
			p.normal[i] = booked{} // stale now: the copy at the end holds it
			at = b.at
			d = at.Sub(now)
		}
	}
	p.book(m, at, now)
	return d
}

// earliestNormal is the index in p.normal of the earliest normal turn
// not yet due (one that is due may be on its way back), or -1.
func (p *pacer) earliestNormal(now time.Time) int {
	for i, b := range p.normal {
		if t, ok := p.turns[b.id]; !ok || !t.normal || !t.at.Equal(b.at) {
			continue
		}
		if b.at.Sub(now) > turnSlack {
			return i
		}
	}
	return -1
}

// book remembers m's turn at at, if there is room.
func (p *pacer) book(m *spool.Message, at, now time.Time) {
	if len(p.turns) >= maxTurns {
		for id, t := range p.turns {
			if now.Sub(t.at) > staleTurn {
				delete(p.turns, id)
			}
		}
	}
	if len(p.turns) >= maxTurns {
		return
	}
	normal := m.Priority == spool.PriorityNormal
	p.turns[m.ID] = turn{at: at, normal: normal}
	if normal {
		p.normal = append(p.normal, booked{m.ID, at})
	}
}

// trim drops the stale entries at the front of p.normal, and the ones
// never taken once they are long past.
func (p *pacer) trim(now time.Time) {
	i := 0
	for ; i < len(p.normal); i++ {
		b := p.normal[i]
		t, ok := p.turns[b.id]
		if ok && t.normal && t.at.Equal(b.at) && now.Sub(b.at) <= staleTurn {
			break
		}
		if ok && t.at.Equal(b.at) {
			delete(p.turns, b.id) // never came back
		}
	}
	p.normal = p.normal[i:] // append copies the rest when it grows
}
