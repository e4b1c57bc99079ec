package spool

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/oklog/ulid/v2"
)

// ClockReset is what ResetClock did.
type ClockReset struct {
	Delta    time.Duration // how far the spool's time was ahead of the system clock
	Messages int           // queued messages whose times moved back
	Items    int           // outbox items whose times moved back
}

// clockResetChunk is how many records one transaction of ResetClock
// moves: a queue of a million does not have to fit in one transaction.
var clockResetChunk = 1000

var kClockReset = []byte("clock_reset")

// resetProgress is ResetClock's place, kept in meta until it is done, so
// that one cut short (a crash, a power cut) is finished by the next call
// with the same difference, and nothing moves twice.
type resetProgress struct {
	Delta     time.Duration `json:"delta"`
	AfterMsg  ulid.ULID     `json:"after_msg"`
	MsgsDone  bool          `json:"msgs_done,omitempty"`
	AfterItem ulid.ULID     `json:"after_item"`
	Messages  int           `json:"messages"`
	Items     int           `json:"items"`
}

// ResetClock makes the spool follow the system clock again when it is
// behind the spool's time because the clock had been set wrong ahead and
// was then put right (see clock): the queued messages' validity and next
// attempt, and the outbox's next attempts, move back by the difference;
// a message still waiting for its schedule (send_at, a client's absolute
// time) keeps it and its validity. With the clocks in
// agreement it does nothing. It is meant for the CLI with the gateway
// stopped: a write from elsewhere meanwhile would be in the wrong time.
func (s *Store) ResetClock(ctx context.Context) (ClockReset, error) {
	var p resetProgress
	err := s.update(ctx, func(w *wtx) error {
		if v := w.bucket(bMeta).Get(kClockReset); v != nil {
			return json.Unmarshal(v, &p)
		}
		p = resetProgress{Delta: s.Clock().Behind}
		if p.Delta <= 0 {
			return nil
		}
		return w.putProgress(&p)
	})
	if err != nil || p.Delta <= 0 {
		return ClockReset{}, err
	}
	for !p.MsgsDone {
		if err := s.update(ctx, func(w *wtx) error { return w.resetMessages(&p) }); err != nil {
			return ClockReset{}, err
		}
	}
	for done := false; !done; {
		err := s.update(ctx, func(w *wtx) (err error) {
			done, err = w.resetItems(&p)
			return err
		})
		if err != nil {
			return ClockReset{}, err
		}
	}
	err = s.update(ctx, func(w *wtx) error {
		if err := w.bucket(bMeta).Delete(kClockReset); err != nil {
			return err
		}
		if err := w.audit(AuditEntry{Action: "clock_reset", Actor: "cli",
			Detail: fmt.Sprintf("the spool's time was %s ahead of the system clock; %d queued message(s) and %d outbox item(s) moved back",
				p.Delta.Round(time.Second), p.Messages, p.Items)}); err != nil {
			return err
		}
		s.clock.follow() // this commit records it
		return nil
	})
	if err != nil {
		return ClockReset{}, err
	}
	return ClockReset{Delta: p.Delta, Messages: p.Messages, Items: p.Items}, nil
}

func (w *wtx) putProgress(p *resetProgress) error {
	v, err := json.Marshal(p)
	if err != nil {
		return err
	}
	return w.bucket(bMeta).Put(kClockReset, v)
}

// resetMessages moves the next chunk of queued messages back.
func (w *wtx) resetMessages(p *resetProgress) error {
	var ids []ulid.ULID
	c := w.bucket(bState).Cursor()
	k, _ := c.Seek(stateKey(StateQueued, p.AfterMsg))
	if k != nil && string(k[1:]) == string(p.AfterMsg[:]) {
		k, _ = c.Next()
	}
	for ; k != nil && k[0] == byte(StateQueued) && len(ids) < clockResetChunk; k, _ = c.Next() {
		var id ulid.ULID
		copy(id[:], k[1:])
		ids = append(ids, id)
	}
	at := w.now.Add(-p.Delta)
	for _, id := range ids {
		m, before, err := w.load(id)
		if err != nil {
			return err
		}
		if !m.SendAt.IsZero() && m.NextAt.Equal(m.SendAt) {
			// Still waiting for its schedule, a time the client gave:
			// it keeps that, and the validity that goes with it.
			p.AfterMsg = id
			continue
		}
		m.ValidUntil, m.NextAt = m.ValidUntil.Add(-p.Delta), m.NextAt.Add(-p.Delta)
		m.note(at, "cli", fmt.Sprintf("the spool's clock was put back to the system clock's, %s earlier: validity and next attempt moved back by the same",
			p.Delta.Round(time.Second)))
		if err := w.save(id, before, m); err != nil {
			return err
		}
		p.AfterMsg = id
		p.Messages++
	}
	p.MsgsDone = len(ids) < clockResetChunk
	return w.putProgress(p)
}

// resetItems moves the next chunk of outbox items back; done when none
// are left.
func (w *wtx) resetItems(p *resetProgress) (done bool, err error) {
	var ids []ulid.ULID
	c := w.bucket(bOutbox).Cursor()
	k, _ := c.Seek(p.AfterItem[:])
	if k != nil && string(k) == string(p.AfterItem[:]) {
		k, _ = c.Next()
	}
	for ; k != nil && len(ids) < clockResetChunk; k, _ = c.Next() {
		var id ulid.ULID
		copy(id[:], k)
		ids = append(ids, id)
	}
	for _, id := range ids {
		it, err := w.getItem(id)
		if err != nil {
			return false, err
		}
		old := timeKey(it.NextAt, id)
		it.NextAt, it.Created = it.NextAt.Add(-p.Delta), it.Created.Add(-p.Delta)
		if err := w.moveItem(id, old, it); err != nil {
			return false, err
		}
		p.AfterItem = id
		p.Items++
	}
	return len(ids) < clockResetChunk, w.putProgress(p)
}
