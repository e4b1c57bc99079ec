package spool

import "time"

// opClass says whether the writer may hold an op's commit for others to
// share it (see writer).
type opClass uint8

const (
	// opNow is never held, and ends a hold when it arrives: an
	// emergency message's intake, an admin action, an inbound message.
	opNow opClass = iota
	// opIntake is an ordinary message's intake: held only while other
	// callers' submits are arriving fast enough to share its commit.
	opIntake
	// opBackground is work no client waits on: the dispatchers' leases
	// and results, receipts, the outbox.
	opBackground
)

// queueMark is what had arrived for the writer when a commit ended:
// the ops queued, and the count of ordinary submits ever run.
type queueMark struct {
	ops     int
	submits int64
}

func (s *Store) mark() queueMark { return queueMark{len(s.ops), s.submits.Load()} }

// A hold is the writer's wait for more ops to share a small batch's
// commit.
type hold struct {
	// submits is how many ordinary submits the hold waits for, counting
	// those in the batch; 0 when a submit ends it.
	submits int
	n       int // the submits in the batch so far
	quiet   time.Duration
}

// holdable says whether batch may be held for up to d, and how. Submits
// may wait when other callers' submits arrive at more than one per d (a
// lone caller, waiting for its own commit, adds none, so an SMPP client
// with a window of 1 is never slowed); then the hold also ends when
// twice the expected gap between submits passes with none (h.quiet), so
// a client with a window of 10 is held only until its other submits are
// in. A hold of background work alone ends likewise after twice the gap
// expected between ops. While submits may wait, one arriving during a
// hold of background work joins it rather than ending it.
func (s *Store) holdable(batch []*op, d time.Duration) (h hold, ok bool) {
	if d <= 0 || len(batch) >= holdBelow {
		return h, false
	}
	if e := s.intakeRate.expect(d); e >= 1 {
		h.submits = holdBatch
		h.quiet = time.Duration(2 * float64(d) / e)
	}
	for _, o := range batch {
		switch {
		case o.class == opNow, o.class == opIntake && h.submits == 0:
			return h, false
		case o.class == opIntake:
			h.n++
		}
	}
	if h.n > 0 {
		return h, h.n < h.submits
	}
	// Background work alone: the hold ends, too, when twice the gap
	// expected between ops passes with none. The outbox's and the
	// dispatchers' workers each wait for their commit; once all are in
	// the hold, nothing more comes (with a 5 ms hold and no such end, an
	// SMPP client with a window of 100 got its receipts a third slower).
	e := s.rate.expect(d)
	if e >= 1 {
		h.quiet = time.Duration(2 * float64(d) / e)
	}
	return h, e >= 1
}

// hasIntake says whether batch has an ordinary submit: only the submits
// that arrive while a submit's commit runs show that submitters could
// share commits (one waiting for its own adds none, but may well send
// the next while background work commits).
func hasIntake(batch []*op) bool {
	for _, o := range batch {
		if o.class == opIntake {
			return true
		}
	}
	return false
}

// ends says whether o, arriving while a batch is held, ends the hold.
func (h *hold) ends(o *op) bool {
	switch o.class {
	case opNow:
		return true
	case opIntake:
		h.n++
		return h.n >= h.submits
	}
	return false
}

// A batch is held only when it is smaller than holdBelow: a bigger one
// shows that commits are already shared, and holding it would only slow
// the dispatchers and the outbox, whose workers each wait for their
// commit (with 64 of them draining a burst, holding every batch up to 64
// ops cut the receipts returned per second by a fifth). A hold ends when
// holdBatch ops are in: from one op a commit to sixteen saves most of
// what there is to save.
const (
	holdBelow = 4
	holdBatch = 16
)

// arrivalRate estimates how fast ops arrive from callers other than
// those of the running commit: the ops queued while a commit ran over
// its duration, smoothed over the last few commits.
type arrivalRate struct{ ops, dur float64 }

func (r *arrivalRate) observe(queued int, d time.Duration) {
	const keep = 0.8
	r.ops = keep*r.ops + (1-keep)*float64(queued)
	r.dur = keep*r.dur + (1-keep)*d.Seconds()
}

// expect is how many ops are expected to arrive within d.
func (r *arrivalRate) expect(d time.Duration) float64 {
	if r.dur <= 0 {
		return 0
	}
	return r.ops / r.dur * d.Seconds()
}
