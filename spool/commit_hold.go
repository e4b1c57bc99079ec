package spool

import "time"

// allBackground says whether every op of batch is background work (see
// writer: only such a batch may be held).
func allBackground(batch []*op) bool {
	for _, o := range batch {
		if !o.bg {
			return false
		}
	}
	return true
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
