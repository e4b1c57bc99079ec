package spool

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"runtime/debug"

	"github.com/oklog/ulid/v2"
	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// SalvageReport says what Salvage copied and what it could not read.
type SalvageReport struct {
	Messages     int // messages copied, with their timelines
	Outbox       int // receipts and inbound messages still owed to applications
	State        int // opt-outs, sessions, unfinished long inbound messages
	Unreadable   int // records whose bytes did not decode
	SkippedRuns  int // runs of keys behind a damaged page, not read at all
	ProviderKeys int // carrier ids filed for receipts still to come
	FoundByScan  int // of the messages and items, those found by reading the pages directly
	// TreeLoops: the page tree loops (damaged), so only the leaves were
	// read directly: messages and outbox items, not the rest.
	TreeLoops bool
	// Lost are the ids of the messages the damaged file's state index
	// still names whose records could not be read: each is a message to
	// account for by other means (the old audit trail, the carrier).
	Lost []string
}

// Salvage copies what can still be read of the spool file at damaged
// (one that Open or Check says is ErrDamaged) into a new spool at
// target, which must not exist. It reads each bucket key by key; where a
// damaged page stops the walk, it seeks past it and goes on. Messages
// are copied with their timelines and the indexes rebuilt around them;
// what is owed to applications, the carrier ids filed for receipts, the
// idempotency keys, the key-value records (opt-outs, admin sessions) and
// the connectors' saved state go as they were. The audit trail is not
// copied: it starts again with a "salvaged" entry saying from where and
// how much, and the damaged file (keep it) holds the old one. Messages
// that were sending become due again when target is next opened, as
// after a crash.
func Salvage(ctx context.Context, damaged, target string, opts Options) (SalvageReport, error) {
	var rep SalvageReport
	// Reads through a damaged offset can fault; tryStep recovers them.
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	if _, err := os.Stat(target); !errors.Is(err, os.ErrNotExist) {
		return rep, fmt.Errorf("spool: salvage: %s exists; name a new file", target)
	}
	var src *bolt.DB
	// With the freelist if it can be read (the direct read of the leaves
	// then skips free pages), else without.
	var err error
	for _, preload := range []bool{true, false} {
		err = undamaged(damaged, func() (err error) {
			src, err = bolt.Open(damaged, 0o400, &bolt.Options{ReadOnly: true, PreLoadFreelist: preload,
				Timeout: opts.withDefaults().LockTimeout})
			return err
		})
		if err == nil {
			break
		}
	}
	switch {
	case errors.Is(err, berrors.ErrTimeout): // locked: not damage
		return rep, fmt.Errorf("%w: %s", ErrInUse, damaged)
	case err != nil:
		return rep, fmt.Errorf("spool: salvage: %s cannot be opened at all (both meta pages damaged?): %w", damaged, err)
	}
	defer src.Close()
	dst, err := Open(target, opts)
	if err != nil {
		return rep, err
	}
	defer dst.Close()
	sv := &salvager{ctx: ctx, src: damaged, dst: dst}
	err = src.View(func(tx *bolt.Tx) error {
		_, loops, err := treeProblems(damaged, 10000)
		if err != nil {
			return fmt.Errorf("spool: salvage: reading the pages of %s: %w", damaged, err)
		}
		if loops {
			// A walk of the tree could go round for ever: read the leaves
			// directly, which finds the messages and what is owed, not
			// the rest.
			rep.TreeLoops = true
			sv.scanHidden(tx, map[ulid.ULID]bool{}, map[ulid.ULID]bool{}, &rep)
			sv.flush()
			return sv.err
		}
		sv.read(tx, &rep)
		sv.flush()
		return sv.err
	})
	if err != nil {
		return rep, err
	}
	detail := fmt.Sprintf("salvaged from %s: %d messages, %d owed to applications, %d state records; %d records unreadable, %d damaged runs skipped, %d messages lost (named in the damaged file's index)",
		damaged, rep.Messages, rep.Outbox, rep.State, rep.Unreadable, rep.SkippedRuns, len(rep.Lost))
	if err := dst.Audit(ctx, AuditEntry{Action: "salvaged", Actor: "cli", Detail: detail}); err != nil {
		return rep, err
	}
	return rep, nil
}

// salvager writes what Salvage reads into the new spool, a few thousand
// records a transaction (one transaction for a whole spool would hold
// every page of it in memory).
type salvager struct {
	ctx     context.Context
	src     string // the damaged file
	dst     *Store
	pending []func(*wtx) error
	err     error // the first write error: it ends the copy
}

const salvageBatch = 2000

func (sv *salvager) add(f func(*wtx) error) {
	sv.pending = append(sv.pending, f)
	if len(sv.pending) >= salvageBatch {
		sv.flush()
	}
}

func (sv *salvager) flush() {
	ops := sv.pending
	sv.pending = nil
	if sv.err != nil || len(ops) == 0 {
		return
	}
	sv.err = sv.dst.update(sv.ctx, func(w *wtx) error {
		for _, f := range ops {
			if err := f(w); err != nil {
				return err
			}
		}
		return nil
	})
}

// read queues the copy of everything tx can read.
func (sv *salvager) read(tx *bolt.Tx, rep *SalvageReport) {
	ids := map[ulid.ULID]bool{} // the messages copied
	copyRaw := func(name []byte, keep func(k, v []byte) bool) {
		rep.SkippedRuns += readable(tx, name, func(k, v []byte) {
			if keep(k, v) {
				k, v := bytes.Clone(k), bytes.Clone(v)
				sv.add(func(w *wtx) error { return w.bucket(name).Put(k, v) })
			}
		})
	}
	msgSkips := readable(tx, bMsgs, func(_, v []byte) {
		id, m, rec, ok := salvageMessage(v)
		if !ok {
			rep.Unreadable++
			return
		}
		ids[id] = true
		rep.Messages++
		sv.add(func(w *wtx) error { return w.insert(id, m, rec) })
	})
	rep.SkippedRuns += msgSkips
	items := map[ulid.ULID]bool{} // the outbox items copied
	outSkips := readable(tx, bOutbox, func(_, v []byte) {
		id, it, rec, ok := salvageItem(v)
		if !ok {
			rep.Unreadable++
			return
		}
		items[id] = true
		rep.Outbox++
		sv.add(func(w *wtx) error { return w.restoreItem(id, it, rec) })
	})
	rep.SkippedRuns += outSkips
	if msgSkips+outSkips > 0 {
		sv.scanHidden(tx, ids, items, rep)
	}
	// The state index names every message: those not copied are lost,
	// and are said by id (the count of damaged runs said nothing of how
	// many). Its own damage is not counted: it is rebuilt.
	lost := map[ulid.ULID]bool{}
	readable(tx, bState, func(k, _ []byte) {
		var id ulid.ULID
		if len(k) == 1+len(id) && copy(id[:], k[1:]) == len(id) && !ids[id] && !lost[id] {
			lost[id] = true
			rep.Lost = append(rep.Lost, id.String())
		}
	})
	named := func(v []byte) bool { // a value that begins with a copied message's id
		var id ulid.ULID
		return len(v) >= 16 && copy(id[:], v) == 16 && ids[id]
	}
	copyRaw(bExt, func(_, v []byte) bool {
		ok := named(v)
		if ok {
			rep.ProviderKeys++
		}
		return ok
	})
	copyRaw(bIdem, func(_, v []byte) bool { return named(v) })
	copyRaw(bKV, func(_, _ []byte) bool { rep.State++; return true })
	copyRaw(bMeta, func(k, _ []byte) bool {
		ok := bytes.HasPrefix(k, []byte(kStatePrefix))
		if ok {
			rep.State++
		}
		// The spool's clock: its time and jumps hold for the messages
		// copied (restore ignores it if it does not decode).
		return ok || bytes.Equal(k, kClock)
	})
}

// salvageMessage decodes a message record and encodes it again under the
// id it names, in its canonical form (the key may be what was damaged):
// false if it does not decode, names no valid id, or has a damaged field
// that decodes but cannot be written.
func salvageMessage(v []byte) (ulid.ULID, *Message, []byte, bool) {
	m, err := decodeMessage(v)
	var id ulid.ULID
	if err == nil {
		id, err = parseID(m.ID)
	}
	var rec []byte
	if err == nil {
		m.ID = id.String()
		rec, err = encodeMessage(m)
	}
	return id, m, rec, err == nil
}

// salvageItem is salvageMessage for an outbox item.
func salvageItem(v []byte) (ulid.ULID, *OutboxItem, []byte, bool) {
	it, err := decodeItem(v)
	var id ulid.ULID
	if err == nil {
		id, err = parseID(it.ID)
	}
	var rec []byte
	if err == nil {
		it.ID = id.String()
		rec, err = encodeItem(it)
	}
	return id, it, rec, err == nil
}

// scanHidden adds the messages and outbox items that a damaged branch
// page hid from the walk, found by reading the leaf pages directly
// (scanLeaves): of several versions of one, the one with the longest
// timeline (a message) or the most attempts (an item).
func (sv *salvager) scanHidden(tx *bolt.Tx, ids, items map[ulid.ULID]bool, rep *SalvageReport) {
	type foundMsg struct {
		m   *Message
		rec []byte
	}
	type foundItem struct {
		it  *OutboxItem
		rec []byte
	}
	msgs := map[ulid.ULID]foundMsg{}
	its := map[ulid.ULID]foundItem{}
	err := scanLeaves(tx, sv.src, func(k, v []byte) {
		// A record of either kind, filed under its own id.
		if id, m, rec, ok := salvageMessage(v); ok && bytes.Equal(k, id[:]) && m.Tenant != "" && len(m.Timeline) > 0 {
			if old, seen := msgs[id]; !ids[id] && (!seen || len(m.Timeline) > len(old.m.Timeline)) {
				msgs[id] = foundMsg{m, rec}
			}
			return
		}
		if id, it, rec, ok := salvageItem(v); ok && bytes.Equal(k, id[:]) && it.MessageID != "" && it.Target != "" {
			if old, seen := its[id]; !items[id] && (!seen || it.Attempts > old.it.Attempts) {
				its[id] = foundItem{it, rec}
			}
		}
	})
	if err != nil && sv.err == nil {
		sv.err = fmt.Errorf("spool: salvage: reading the pages of %s: %w", sv.src, err)
		return
	}
	for id, f := range msgs {
		ids[id] = true
		rep.Messages++
		rep.FoundByScan++
		sv.add(func(w *wtx) error { return w.insert(id, f.m, f.rec) })
	}
	for id, f := range its {
		rep.Outbox++
		rep.FoundByScan++
		sv.add(func(w *wtx) error { return w.restoreItem(id, f.it, f.rec) })
	}
}

// restoreItem writes an outbox item as it was (rec, its encoding), under
// its id and due time.
func (w *wtx) restoreItem(id ulid.ULID, it *OutboxItem, rec []byte) error {
	if err := w.bucket(bOutbox).Put(id[:], rec); err != nil {
		return err
	}
	if err := w.queueItem(id, it); err != nil {
		return err
	}
	w.outbox++
	w.owake = true
	if mid, err := parseID(it.MessageID); err == nil && it.Kind == OutboxReport && it.State == StateSent {
		// The message's next report follows this one (oweReport).
		if v := w.bucket(bOutSent).Get(mid[:]); bytes.Compare(v, id[:]) < 0 {
			return w.bucket(bOutSent).Put(mid[:], id[:])
		}
	}
	return nil
}
