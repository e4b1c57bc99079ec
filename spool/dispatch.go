package spool

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"
)

// Sender sends one leased message and says what happened. The router in
// spool/route implements it over the connectors.
type Sender interface {
	Send(ctx context.Context, m *Message) Result
}

// Dispatcher takes due messages from the store, most urgent first, and
// hands them to a Sender with bounded concurrency, then records each
// result. Some slots are kept for emergency messages, so that a full
// set of slow normal sends never makes an emergency wait.
type Dispatcher struct {
	Store  *Store
	Sender Sender
	// Workers is the number of sends in flight at once. Default 16.
	Workers int
	// Limit, when set, is asked before each lease and replaces Workers:
	// the sends in flight follow what the connectors can take now (a
	// reload that enables one). Answers below 1 mean Workers.
	Limit func() int
	// EmergencyWorkers are extra slots only emergency messages use.
	// Default 4.
	EmergencyWorkers int
	// Idle is the longest the loop sleeps without looking at the queue
	// (a safety net for clock jumps). Default 1s.
	Idle time.Duration
	// Logger, default slog.Default().
	Logger *slog.Logger
	// Recorded, when set, is called after each result is recorded (or
	// failed to record: err), for metrics and tests.
	Recorded func(m *Message, r Result, err error)
}

// Run dispatches until ctx ends, then waits for the sends in flight to
// report (their results are recorded with a background context, so a
// shutdown does not lose what a connector already did).
func (d *Dispatcher) Run(ctx context.Context) error {
	workers, emergency := or0(d.Workers, 16), or0(d.EmergencyWorkers, 4)
	idle, log := loopDefaults(d.Idle, d.Logger, "dispatch")
	var wg sync.WaitGroup
	done := make(chan Priority, workers+emergency)
	// At the end, wait for the sends in flight; take their results
	// meanwhile (with Limit, more may be in flight than done holds).
	defer func() {
		go func() { wg.Wait(); close(done) }()
		for range done {
		}
	}()
	normal, urgent := 0, 0 // in flight
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		if d.Limit != nil {
			if n := d.Limit(); n > 0 {
				workers = n
			}
		}
		for {
			min, free := PriorityNormal, workers-normal
			if free <= 0 {
				min, free = PriorityEmergency, emergency-urgent
			}
			if free <= 0 {
				break
			}
			msgs, err := d.Store.Lease(ctx, free, min)
			if err != nil {
				if ctx.Err() != nil {
					return nil
				}
				log.Error("lease failed", "err", err)
				break
			}
			if len(msgs) == 0 {
				break
			}
			for _, m := range msgs {
				lane := PriorityNormal
				if normal < workers {
					normal++
				} else {
					lane = PriorityEmergency
					urgent++
				}
				wg.Add(1)
				go func() {
					defer wg.Done()
					d.send(ctx, log, m, func() { done <- lane })
				}()
			}
		}
		// Sleep until the next message this dispatcher can take falls
		// due, a slot frees, or new work arrives.
		timer.Reset(d.nextWait(idle, workers-normal > 0, emergency-urgent > 0))
		select {
		case <-ctx.Done():
			return nil
		case lane := <-done:
			// Take every result that is in, so that the next lease is one
			// transaction for many messages, not one per message.
			for more := true; more; {
				if lane == PriorityEmergency {
					urgent--
				} else {
					normal--
				}
				select {
				case lane = <-done:
				default:
					more = false
				}
			}
		case <-d.Store.Wake():
		case <-timer.C:
		}
		timer.Stop()
	}
}

func (d *Dispatcher) nextWait(idle time.Duration, anySlot, urgentSlot bool) time.Duration {
	if !anySlot && !urgentSlot {
		return idle
	}
	floor := PriorityNormal
	if !anySlot {
		floor = PriorityEmergency
	}
	next, err := d.Store.NextDue(floor)
	if err != nil || next.IsZero() {
		return idle
	}
	return max(time.Millisecond, min(idle, next.Sub(d.Store.now())))
}

// send sends m and records the result. sent is called as soon as the
// connector has answered, before the result is recorded: the slot is a
// send at a connector, and the next message need not wait for this one's
// commit (measured: about a tenth more messages a second end to end).
func (d *Dispatcher) send(ctx context.Context, log *slog.Logger, m *Message, sent func()) {
	r := d.Sender.Send(ctx, m)
	sent()
	// Record with a context of its own: the message may have gone out.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	err := d.Store.Complete(rctx, m.ID, m.Attempts, r)
	if err != nil && !errors.Is(err, ErrStaleLease) {
		log.Error("recording a result failed; the lease will expire and the message be retried",
			"msg_id", m.ID, "err", err)
	}
	if d.Recorded != nil {
		d.Recorded(m, r, err)
	}
}

// loopDefaults fills a dispatch loop's idle time and logger.
func loopDefaults(idle time.Duration, log *slog.Logger, comp string) (time.Duration, *slog.Logger) {
	if idle <= 0 {
		idle = time.Second
	}
	if log == nil {
		log = slog.Default()
	}
	return idle, log.With("comp", comp)
}

func or0(v, def int) int {
	if v <= 0 {
		return def
	}
	return v
}
