package spool

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/oklog/ulid/v2"
	bolt "go.etcd.io/bbolt"
)

// Delivering the outbox: leasing due items, urgent first, and recording
// what became of each.

// LeaseOutbox takes up to max due outbox items, urgent ones first, then
// oldest due first, and holds them for the lease time. A message's
// reports go in order: one that must follow another (After) waits until
// that one is acknowledged or abandoned.
func (s *Store) LeaseOutbox(ctx context.Context, max int) ([]*OutboxItem, error) {
	var out []*OutboxItem
	held := false
	defer func() { s.heldBack.Store(held) }()
	err := s.background(ctx, func(w *wtx) error {
		out, held = out[:0], false
		for _, b := range [][]byte{bOutQU, bOutQ} {
			due := w.dueItems(b, max-len(out))
			for _, k := range due {
				var id ulid.ULID
				copy(id[:], k[8:])
				it, err := w.getItem(id)
				if errors.Is(err, ErrNotFound) || err == nil && string(timeKey(it.NextAt, id)) != string(k) {
					// An urgent key an older version left behind when it
					// delivered or moved the item (it kept only outq).
					if err := w.bucket(b).Delete(k); err != nil {
						return err
					}
					continue
				}
				if err != nil {
					return err
				}
				if wait, err := w.behindElder(id, k, it); err != nil {
					return err
				} else if wait {
					held = held || !it.NextAt.After(w.now)
					continue
				}
				it.Attempts++
				it.NextAt = w.now.Add(w.s.opts.Lease)
				if err := w.moveItem(id, k, it); err != nil {
					return err
				}
				w.s.markLeased(id, true)
				out = append(out, it)
			}
		}
		return nil
	})
	return out, err
}

// behindElder says whether item id (due key k) must wait for the item it
// follows. While that one is out for delivery or due, this one stays due
// and waits for its acknowledgement; while it waits for a retry, this one
// moves to the same due time, just behind it.
func (w *wtx) behindElder(id ulid.ULID, k []byte, it *OutboxItem) (bool, error) {
	if it.After == "" {
		return false, nil
	}
	eid, err := parseID(it.After)
	if err != nil {
		return false, nil
	}
	elder, err := w.getItem(eid)
	if errors.Is(err, ErrNotFound) {
		return false, nil // delivered or abandoned
	}
	if err != nil {
		return false, err
	}
	if w.s.leased(eid) || !elder.NextAt.After(it.NextAt) {
		return true, nil
	}
	it.NextAt = elder.NextAt
	return true, w.moveItem(id, k, it)
}

// dueItems copies up to n due keys of an outbox queue bucket.
func (w *wtx) dueItems(b []byte, n int) [][]byte {
	var due [][]byte
	c := w.bucket(b).Cursor()
	for k, _ := c.First(); k != nil && len(due) < n; k, _ = c.Next() {
		if fromMS(beUint64(k)).After(w.now) {
			break
		}
		due = append(due, append([]byte(nil), k...))
	}
	return due
}

// queueItem files an item's due key: in outq, and an urgent one in outqu
// too (outq holds every item, as versions before outqu expect).
func (w *wtx) queueItem(id ulid.ULID, it *OutboxItem) error {
	k := timeKey(it.NextAt, id)
	if err := w.bucket(bOutQ).Put(k, nil); err != nil {
		return err
	}
	if it.Urgent {
		return w.bucket(bOutQU).Put(k, nil)
	}
	return nil
}

// unqueueItem removes an item's due key oldKey from both queues.
func (w *wtx) unqueueItem(oldKey []byte) error {
	if err := w.bucket(bOutQ).Delete(oldKey); err != nil {
		return err
	}
	return w.bucket(bOutQU).Delete(oldKey)
}

func (w *wtx) getItem(id ulid.ULID) (*OutboxItem, error) {
	v := w.bucket(bOutbox).Get(id[:])
	if v == nil {
		return nil, fmt.Errorf("%w: outbox item %s", ErrNotFound, id)
	}
	if it, ok := w.s.itemCache.get(id, v); ok {
		return it, nil
	}
	return decodeItem(v)
}

// saveItem writes an item's record (not its queue key).
func (w *wtx) saveItem(id ulid.ULID, it *OutboxItem) error {
	return putRecord(w, bOutbox, w.s.itemCache, encodeItem, id, it)
}

// moveItem rewrites an item and its queue key.
func (w *wtx) moveItem(id ulid.ULID, oldKey []byte, it *OutboxItem) error {
	if err := w.saveItem(id, it); err != nil {
		return err
	}
	if err := w.unqueueItem(oldKey); err != nil {
		return err
	}
	return w.queueItem(id, it)
}

// AckOutbox records the outcome of delivering an outbox item upstream:
// nil removes it (and notes it on the message); a retryable error retries
// it with backoff for up to 72 hours; a permanent error or the end of
// that time drops it with an audit entry. attempt is the item's Attempts
// as leased.
func (s *Store) AckOutbox(ctx context.Context, itemID string, attempt int, deliveryErr error) error {
	uid, err := parseID(itemID)
	if err != nil {
		return fmt.Errorf("%w: outbox item %s", ErrNotFound, itemID)
	}
	return s.background(ctx, func(w *wtx) error {
		it, err := w.getItem(uid)
		if err != nil {
			return checked{err}
		}
		if it.Attempts != attempt {
			return checked{ErrStaleLease}
		}
		w.s.markLeased(uid, false)
		key := timeKey(it.NextAt, uid)
		if deliveryErr != nil && !IsPermanent(deliveryErr) {
			next := w.now.Add(w.s.opts.Retry.backoff(it.Attempts, w.s.opts.Jitter()))
			// A jump of the system clock ahead since the item was
			// created is not time it waited (as for messages'
			// validity, adjustForSteps).
			if next.Before(it.Created.Add(outboxTTL + w.s.clock.stepsSince(it.Created))) {
				it.NextAt, it.LastError = next, deliveryErr.Error()
				return w.moveItem(uid, key, it)
			}
		}
		if err := w.bucket(bOutbox).Delete(uid[:]); err != nil {
			return err
		}
		w.s.itemCache.drop(uid)
		if err := w.doneItem(uid, it); err != nil {
			return err
		}
		if err := w.unqueueItem(key); err != nil {
			return err
		}
		w.outbox--
		detail := fmt.Sprintf("%s handed to %s", it.what(), it.Target)
		if deliveryErr != nil {
			detail = fmt.Sprintf("%s abandoned for %s after %d attempt(s): %v", it.what(), it.Target, it.Attempts, deliveryErr)
			if err := w.audit(AuditEntry{Action: "report_abandoned", Actor: "spool", Tenant: it.Tenant, MsgID: it.MessageID, Detail: detail}); err != nil {
				return err
			}
		}
		return w.noteMessage(it.MessageID, "spool", detail)
	})
}

// noteMessage adds a timeline note to a message, if it still exists.
func (w *wtx) noteMessage(id, actor, detail string) error {
	uid, err := parseID(id)
	if err != nil {
		return nil
	}
	m, before, err := w.load(uid)
	if err != nil {
		return nil // purged meanwhile
	}
	m.note(w.now, actor, detail)
	return w.save(uid, before, m)
}

// OutboxDueNow makes every item that waits for a retry and that match
// says (it must depend on the item only) due now, and returns how many.
// The gateway calls it when an application is back (an SMPP account
// binds to receive, a webhook answers again): its receipts and the
// callers' texts queued while it was away go at once, not at their next
// retry, which the backoff may have put minutes away. Items leased by
// this process (being delivered) are left alone.
func (s *Store) OutboxDueNow(ctx context.Context, match func(*OutboxItem) bool) (int, error) {
	// Find them in a read transaction: decoding a large outbox must not
	// hold the writer, which emergency submits wait for.
	var found []ulid.ULID
	now := s.now()
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bOutQ).Cursor()
		for k, _ := c.Seek(timeKey(now.Add(time.Millisecond), ulid.ULID{})); k != nil; k, _ = c.Next() {
			var id ulid.ULID
			copy(id[:], k[8:])
			if s.leased(id) {
				continue
			}
			if v := tx.Bucket(bOutbox).Get(id[:]); v != nil {
				if it, err := decodeItem(v); err == nil && match(it) {
					found = append(found, id)
				}
			}
		}
		return nil
	})
	if err != nil || len(found) == 0 {
		return 0, err
	}
	n := 0
	err = s.background(ctx, func(w *wtx) error {
		n = 0
		for _, id := range found {
			it, err := w.getItem(id)
			if err != nil || !match(it) || !it.NextAt.After(w.now) || w.s.leased(id) {
				continue // gone, or taken meanwhile
			}
			key := timeKey(it.NextAt, id)
			it.NextAt = w.now
			if err := w.moveItem(id, key, it); err != nil {
				return err
			}
			n++
		}
		if n > 0 {
			w.owake = true
		}
		return nil
	})
	return n, err
}

// markLeased notes that this process leased (or acknowledged) item id.
func (s *Store) markLeased(id ulid.ULID, leased bool) {
	s.leasedMu.Lock()
	defer s.leasedMu.Unlock()
	if !leased {
		delete(s.leasedItems, id)
		return
	}
	if s.leasedItems == nil {
		s.leasedItems = map[ulid.ULID]struct{}{}
	}
	s.leasedItems[id] = struct{}{}
}

// leased says whether this process leased item id and has not
// acknowledged it.
func (s *Store) leased(id ulid.ULID) bool {
	s.leasedMu.Lock()
	defer s.leasedMu.Unlock()
	_, ok := s.leasedItems[id]
	return ok
}

// OutboxWake returns a channel that receives when outbox items may have
// become due.
func (s *Store) OutboxWake() <-chan struct{} { return s.owake }
