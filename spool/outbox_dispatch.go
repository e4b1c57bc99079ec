package spool

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Deliverer hands an outbox item (a report or an inbound message) to
// the upstream application it is owed to. The gateway implements it over
// its SMPP server sessions and webhooks. An error says retryable or
// permanent, as for connectors.
type Deliverer interface {
	Deliver(ctx context.Context, it *OutboxItem, m *Message) error
}

// OutboxDispatcher delivers outbox items with bounded concurrency and
// records each outcome; failed deliveries are retried by the spool.
type OutboxDispatcher struct {
	Store     *Store
	Deliverer Deliverer
	Workers   int           // default 32
	Idle      time.Duration // default 1s
	Logger    *slog.Logger
}

// Run delivers until ctx ends, then waits for deliveries in flight.
func (d *OutboxDispatcher) Run(ctx context.Context) error {
	workers := or0(d.Workers, 32)
	idle, log := loopDefaults(d.Idle, d.Logger, "outbox")
	var wg sync.WaitGroup
	defer wg.Wait()
	done := make(chan struct{}, workers)
	busy := 0
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		if free := workers - busy; free > 0 {
			items, err := d.Store.LeaseOutbox(ctx, free)
			if err != nil && ctx.Err() == nil {
				log.Error("outbox lease failed", "err", err)
			}
			for _, it := range items {
				busy++
				wg.Add(1)
				go func() {
					defer wg.Done()
					d.deliver(ctx, log, it)
					done <- struct{}{}
				}()
			}
		}
		wait := idle
		if next, err := d.Store.NextOutboxDue(); err == nil && !next.IsZero() && busy < workers {
			wait = max(time.Millisecond, min(idle, next.Sub(d.Store.now())))
			if d.Store.heldBack.Load() && !next.After(d.Store.now()) {
				// Due items wait for an elder item of their message
				// (LeaseOutbox), whose acknowledgement (done) wakes the
				// loop: do not spin on them.
				wait = idle
			}
		}
		timer.Reset(wait)
		select {
		case <-ctx.Done():
			return nil
		case <-done:
			busy--
			for drained := false; !drained; { // lease for every freed worker at once
				select {
				case <-done:
					busy--
				default:
					drained = true
				}
			}
		case <-d.Store.owake:
		case <-timer.C:
		}
		timer.Stop()
	}
}

func (d *OutboxDispatcher) deliver(ctx context.Context, log *slog.Logger, it *OutboxItem) {
	m, err := d.Store.Get(it.MessageID)
	if err == nil {
		err = d.Deliverer.Deliver(ctx, it, m)
	} else {
		err = Permanent("message_gone", err)
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if aerr := d.Store.AckOutbox(rctx, it.ID, it.Attempts, err); aerr != nil {
		log.Error("recording an outbox result failed; it will be retried", "item", it.ID, "err", aerr)
	}
}
