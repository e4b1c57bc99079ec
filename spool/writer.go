package spool

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"syscall"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// op is one write waiting for the commit loop.
type op struct {
	fn    func(*wtx) error
	class opClass // whether the writer may hold the op's commit (see writer)
	err   error
	state atomic.Int32 // opPending → opTaken by the writer, or → opAbandoned by the caller
	done  chan struct{}
}

const (
	opPending int32 = iota
	opTaken
	opAbandoned
)

// checked marks an op error that leaves the transaction sound (the op
// wrote nothing, or only what it meant to, such as a timeline note): the
// batch commits and the caller gets the error.
type checked struct{ error }

func (c checked) Unwrap() error { return c.error }

// wtx is a write transaction shared by the ops of one commit, with the
// in-memory changes that take effect only if it commits.
type wtx struct {
	tx     *bolt.Tx
	s      *Store
	now    time.Time
	counts [stateEnd]int64
	lanes  [3]int64
	outbox int64
	head   auditHead
	headOK bool // head was loaded for this tx
	wake   bool
	owake  bool
	bkts   map[string]*bolt.Bucket

	clockSaved *clockState // the clock's state this tx records, if any

	rcptAdd, rcptDel []rcptEntry // recipient index changes, applied after the commit
	parked           []Report    // parked receipts claimed by ids filed in this tx
}

// fillPercent is how full bbolt packs the pages of buckets whose keys
// mostly grow at the end (ULIDs, sequence numbers, due times): split
// pages stay nearly full instead of half empty.
var fillPercent = map[string]float64{
	string(bMsgs): 0.9, string(bAudit): 0.9, string(bState): 0.9, string(bTenant): 0.9,
	string(bQueue): 0.9, string(bOutbox): 0.9, string(bOutQ): 0.9, string(bOutQU): 0.9,
}

// bucket returns a bucket of this transaction, with its fill percent.
func (w *wtx) bucket(name []byte) *bolt.Bucket {
	if b, ok := w.bkts[string(name)]; ok {
		return b
	}
	b := w.tx.Bucket(name)
	if f, ok := fillPercent[string(name)]; ok {
		b.FillPercent = f
	}
	if w.bkts == nil {
		w.bkts = make(map[string]*bolt.Bucket, len(buckets))
	}
	w.bkts[string(name)] = b
	return b
}

// update runs fn in the commit loop and returns when its commit is on
// disk (or failed). fn may run more than once (when another op in its
// batch fails it is run again in a new transaction), so it must depend
// only on the transaction and must not publish anything itself. If ctx
// ends before the loop took the op, nothing is written and ctx.Err() is
// returned; once taken, update waits for the commit.
func (s *Store) update(ctx context.Context, fn func(*wtx) error) error {
	return s.run(ctx, &op{fn: fn, done: make(chan struct{})})
}

// background is update for work whose caller no client is waiting on
// (the dispatchers' leases and results, receipts, the outbox): its
// commit may be held for CommitDelay to share it with others.
func (s *Store) background(ctx context.Context, fn func(*wtx) error) error {
	return s.run(ctx, &op{fn: fn, class: opBackground, done: make(chan struct{})})
}

// intake is update for an ordinary message's intake: its commit may be
// held while other submits are arriving (see writer).
func (s *Store) intake(ctx context.Context, fn func(*wtx) error) error {
	return s.run(ctx, &op{fn: fn, class: opIntake, done: make(chan struct{})})
}

func (s *Store) run(ctx context.Context, o *op) error {
	if s.opts.ReadOnly {
		return ErrReadOnly
	}
	if o.class == opIntake {
		s.submits.Add(1)
	}
	select {
	case s.ops <- o:
	case <-s.stop:
		return ErrClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	if s.onQueued != nil {
		s.onQueued(o)
	}
	select {
	case <-o.done:
		return o.err
	case <-ctx.Done():
		if o.state.CompareAndSwap(opPending, opAbandoned) {
			return ctx.Err()
		}
	case <-s.stopped:
		// Closed after the op was queued: the writer may have drained
		// before it arrived.
		if o.state.CompareAndSwap(opPending, opAbandoned) {
			return ErrClosed
		}
	}
	<-o.done
	return o.err
}

// writer is the group commit loop: it takes every op waiting (up to
// MaxBatch), runs them in one transaction and one fsync, then wakes
// their callers. While one commit syncs, the next batch queues up, so
// under heavy load the batch size follows the load with no timer.
//
// At moderate load that alone gives commits of one or two ops, and a
// commit costs about the same CPU whatever it carries (two fdatasyncs,
// the meta and freelist pages): at 200 messages/s, six commits a
// message. So a small batch may be held open for up to CommitDelay (or
// until holdBatch ops) for others to share it (see holdable):
//   - background ops (see background) when ops from other callers are
//     arriving faster than one per CommitDelay, counting the ops queued
//     while the previous commit ran: a lone caller, waiting for its own
//     commit, adds none, and is never held. The hold also ends after
//     twice the expected gap between ops passes with none;
//   - an ordinary message's intake (see intake) when other submitters'
//     submits are arriving faster than one per CommitDelay, counting
//     those queued while a submit committed. Such a hold also ends after
//     twice the expected gap between submits passes with none: a client
//     with a window of 10 has sent its ten. An SMPP client with a window
//     of 1 is never held, and at 1,000 HTTP submits/s a commit is shared
//     by several messages instead of one (with a 2 ms hold a fifth less
//     CPU per message for 2 ms more latency; docs/BENCHMARKS.md).
//
// An emergency message's intake, an admin action or an inbound message
// is never held, and ends a hold when it arrives; so does an ordinary
// submit while submits are not arriving fast enough to wait for.
func (s *Store) writer() {
	defer close(s.stopped)
	batch := make([]*op, 0, s.opts.MaxBatch)
	hold := time.NewTimer(time.Hour)
	hold.Stop()
	quiet := time.NewTimer(time.Hour)
	quiet.Stop()
	for {
		batch = batch[:0]
		select {
		case o := <-s.ops:
			batch = append(batch, o)
		default:
			idle := time.Now()
			select {
			case o := <-s.ops:
				batch = append(batch, o)
			case <-s.stop:
				s.drain()
				return
			}
			idleFor := time.Since(idle) // nothing arrived meanwhile
			s.rate.observe(0, idleFor)
			s.intakeRate.observe(0, idleFor)
		}
	fill:
		for len(batch) < cap(batch) {
			select {
			case o := <-s.ops:
				batch = append(batch, o)
			default:
				break fill
			}
		}
		holdMax := min(holdBatch, cap(batch))
		d := s.opts.CommitDelay
		if h, ok := s.holdable(batch, d); ok {
			if s.onHold != nil {
				s.onHold(batch)
			}
			hold.Reset(d)
			quietC := (<-chan time.Time)(nil)
			if h.quiet > 0 {
				quiet.Reset(h.quiet)
				quietC = quiet.C
			}
		more:
			for len(batch) < holdMax {
				select {
				case o := <-s.ops:
					batch = append(batch, o)
					if h.ends(o) {
						break more
					}
					if quietC != nil {
						quiet.Reset(h.quiet)
					}
				case <-hold.C:
					break more
				case <-quietC:
					break more
				case <-s.stop: // commit what is held, then drain
					break more
				}
			}
			hold.Stop()
			quiet.Stop()
		}
		start, before := time.Now(), s.submits.Load()
		queued := s.commit(batch)
		took := time.Since(start)
		s.rate.observe(queued.ops, took)
		if hasIntake(batch) {
			s.intakeRate.observe(int(queued.submits-before), took)
		}
	}
}

// drain fails the ops still queued at Close.
func (s *Store) drain() {
	for {
		select {
		case o := <-s.ops:
			o.err = ErrClosed
			close(o.done)
		default:
			return
		}
	}
}

// commit runs a batch. An op that fails after writing makes the whole
// transaction roll back; the others run again without it. It returns
// how many ops were queued meanwhile, counted before the batch's callers
// are woken (so that none of theirs is among them).
func (s *Store) commit(batch []*op) (queued queueMark) {
	live := batch[:0]
	for _, o := range batch {
		if o.state.CompareAndSwap(opPending, opTaken) {
			live = append(live, o)
		}
	}
	queued = s.mark()
	for len(live) > 0 {
		w, err := s.begin()
		if err != nil {
			return finishQueued(s, live, err)
		}
		failed := -1
		for i, o := range live {
			o.err = o.fn(w)
			if o.err == nil {
				continue
			}
			var c checked
			if errors.As(o.err, &c) {
				o.err = c.error
				continue
			}
			failed = i
			break
		}
		if failed >= 0 {
			_ = w.tx.Rollback()
			close(live[failed].done)
			live = append(live[:failed], live[failed+1:]...)
			continue
		}
		err = w.commitHead()
		if err == nil {
			err = w.saveClock()
		}
		if err != nil {
			_ = w.tx.Rollback()
			return finishQueued(s, live, commitError(err))
		}
		if err := w.tx.Commit(); err != nil {
			return finishQueued(s, live, commitError(err))
		}
		s.commits.Add(1)
		s.apply(w)
		queued = s.mark()
		for _, o := range live {
			close(o.done)
		}
		return queued
	}
	return queued
}

// commitHead records the audit chain's head, once per transaction.
func (w *wtx) commitHead() error {
	if !w.headOK || w.head == w.s.head {
		return nil
	}
	return w.tx.Bucket(bMeta).Put(kAudHead, append(u64(w.head.seq), w.head.hash[:]...))
}

func (s *Store) begin() (*wtx, error) {
	tx, err := s.db.Begin(true)
	if err != nil {
		return nil, commitError(err)
	}
	return &wtx{tx: tx, s: s, now: s.now()}, nil
}

func finishQueued(s *Store, ops []*op, err error) queueMark {
	queued := s.mark()
	finish(ops, err)
	return queued
}

func finish(ops []*op, err error) {
	for _, o := range ops {
		o.err = err
		close(o.done)
	}
}

// commitError maps storage failures: out of space is ErrSpoolFull (the
// caller should slow down and try later); anything else is wrapped.
func commitError(err error) error {
	if errors.Is(err, berrors.ErrMaxSizeReached) || errors.Is(err, syscall.ENOSPC) ||
		errors.Is(err, syscall.EDQUOT) || errors.Is(err, syscall.EFBIG) {
		return fmt.Errorf("%w: %w", ErrSpoolFull, err)
	}
	if errors.Is(err, berrors.ErrDatabaseNotOpen) {
		return ErrClosed
	}
	return fmt.Errorf("spool: commit: %w", err)
}

// apply publishes a committed transaction's in-memory changes.
func (s *Store) apply(w *wtx) {
	if w.clockSaved != nil {
		s.clock.persisted(*w.clockSaved)
	}
	s.mu.Lock()
	for i, d := range w.counts {
		s.counts[i] += d
	}
	for i, d := range w.lanes {
		s.lanes[i] += d
	}
	s.outbox += w.outbox
	if w.headOK {
		s.head = w.head
	}
	s.mu.Unlock()
	s.rcpt.apply(w.rcptAdd, w.rcptDel)
	if w.wake {
		signal(s.wake)
	}
	if w.owake {
		signal(s.owake)
	}
}
