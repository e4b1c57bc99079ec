package spool

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/oklog/ulid/v2"
	bolt "go.etcd.io/bbolt"
)

// Retention says what Purge removes. Zero durations remove nothing of
// that kind. Only final messages are ever redacted or removed.
type Retention struct {
	RedactAfter time.Duration // remove the body of final messages accepted this long ago
	DeleteAfter time.Duration // remove final messages accepted this long ago
	AuditAfter  time.Duration // remove audit entries this old (keep it longer than the rest)
	States      []State       // only these final states (default: all final states)
	// Tenant limits the purge of messages to one tenant's; ExceptTenants
	// leaves out those with retention of their own. The audit trail and
	// the idempotency keys are the gateway's: purge them from a run
	// without Tenant.
	Tenant        string
	ExceptTenants []string
	DryRun        bool   // count, change nothing
	Actor         string // who asked, for the audit entry
}

// PurgeResult counts what Purge did (or would do, in a dry run).
type PurgeResult struct {
	Redacted int `json:"redacted"`
	Deleted  int `json:"deleted"`
	Audit    int `json:"audit_entries"`
	IdemKeys int `json:"idempotency_keys"`
}

// purgeChunk is the most records one purge transaction changes, so that
// a large purge does not hold the writer for long.
const purgeChunk = 500

// Purge applies r: redacts, deletes, trims the audit trail and drops
// expired idempotency keys, in chunks that other writes interleave with.
// It appends a "purged" audit entry with the counts.
func (s *Store) Purge(ctx context.Context, r Retention) (PurgeResult, error) {
	var res PurgeResult
	now := s.now()
	states := r.States
	if len(states) == 0 {
		for _, st := range States() {
			if st.Final() {
				states = append(states, st)
			}
		}
	}
	for _, st := range states {
		if !st.Final() {
			return res, fmt.Errorf("%w: purge only takes final states, not %s", ErrInvalid, st)
		}
	}
	if r.DeleteAfter > 0 {
		n, err := s.purgeMessages(ctx, r, states, time.Time{}, now.Add(-r.DeleteAfter), r.DryRun, false)
		res.Deleted = n
		if err != nil {
			return res, err
		}
	}
	if r.RedactAfter > 0 {
		// What the deletion takes (or would take, in a dry run) is not
		// redacted too.
		var from time.Time
		if r.DeleteAfter > 0 {
			from = now.Add(-r.DeleteAfter)
		}
		n, err := s.purgeMessages(ctx, r, states, from, now.Add(-r.RedactAfter), r.DryRun, true)
		res.Redacted = n
		if err != nil {
			return res, err
		}
	}
	var err error
	if res.Audit, res.IdemKeys, err = s.purgeRest(ctx, now, r); err != nil {
		return res, err
	}
	if r.DryRun || res == (PurgeResult{}) {
		return res, nil
	}
	b, _ := json.Marshal(res)
	return res, s.Audit(ctx, AuditEntry{Action: "purged", Actor: or(r.Actor, "spool"), Detail: string(b)})
}

// purgeMessages removes (or, with redact, strips the body of) the final
// messages in states accepted in [since, cutoff), a chunk per
// transaction.
func (s *Store) purgeMessages(ctx context.Context, r Retention, states []State, since, cutoff time.Time, dry, redact bool) (int, error) {
	total := 0
	var first ulid.ULID
	if !since.IsZero() {
		_ = first.SetTime(ulid.Timestamp(since))
	}
	for _, st := range states {
		from := stateKey(st, first)
		for from != nil {
			var n int
			work := func(tx *bolt.Tx, w *wtx) error {
				n = 0
				ids, next := scanState(tx, st, from, cutoff)
				from = next
				for _, id := range ids {
					m, err := getMessage(tx, id)
					if err != nil {
						return err
					}
					if redact && m.Redacted || !r.covers(m.Tenant) {
						continue
					}
					n++
					switch {
					case w == nil:
					case redact:
						err = w.redact(id, m)
					default:
						err = w.remove(id, m)
					}
					if err != nil {
						return err
					}
				}
				return nil
			}
			start := from
			var err error
			if dry {
				err = s.db.View(func(tx *bolt.Tx) error { return work(tx, nil) })
			} else {
				err = s.update(ctx, func(w *wtx) error { from = start; return work(w.tx, w) })
			}
			if err != nil {
				return total, err
			}
			total += n
		}
	}
	return total, nil
}

// scanState returns up to purgeChunk ids in state st from key from,
// accepted before cutoff, and the key to go on from (nil at the end).
func scanState(tx *bolt.Tx, st State, from []byte, cutoff time.Time) (ids []ulid.ULID, next []byte) {
	c := tx.Bucket(bState).Cursor()
	for k, _ := c.Seek(from); k != nil && k[0] == byte(st); k, _ = c.Next() {
		var id ulid.ULID
		copy(id[:], k[1:])
		if !idTime(id).Before(cutoff) {
			return ids, nil
		}
		if len(ids) == purgeChunk {
			return ids, append([]byte(nil), k...)
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// covers says whether the retention applies to a tenant's messages.
func (r Retention) covers(tenant string) bool {
	if r.Tenant != "" {
		return tenant == r.Tenant
	}
	return !slices.Contains(r.ExceptTenants, tenant)
}

// redact removes a message's content and keeps everything else.
func (w *wtx) redact(id ulid.ULID, m *Message) error {
	before := snap(id, m)
	m.Body, m.Binary, m.UDH, m.Redacted = "", nil, nil, true
	// Earlier versions kept receipts' "text:" field (the message's
	// first characters) in the reason and the timeline.
	m.Reason = StripReceiptText(m.Reason)
	for i := range m.Timeline {
		m.Timeline[i].Detail = StripReceiptText(m.Timeline[i].Detail)
	}
	m.note(w.now, "spool", "body removed by retention")
	return w.save(id, before, m)
}

// purgeRest trims the audit trail and drops expired idempotency keys.
func (s *Store) purgeRest(ctx context.Context, now time.Time, r Retention) (audit, idem int, err error) {
	work := func(tx *bolt.Tx, dry bool) error {
		audit, idem = 0, 0
		if r.AuditAfter > 0 {
			// Never the head: the chain must keep its last entry.
			cutoff, head := now.Add(-r.AuditAfter), readAuditHead(tx)
			b := tx.Bucket(bAudit)
			var old [][]byte
			c := b.Cursor()
			for k, v := c.First(); k != nil && binary.BigEndian.Uint64(k) < head.seq; k, v = c.Next() {
				e, _, err := decodeAudit(binary.BigEndian.Uint64(k), v)
				if err != nil || !e.At.Before(cutoff) {
					break
				}
				old = append(old, append([]byte(nil), k...))
			}
			audit = len(old)
			for _, k := range old {
				if dry {
					break
				}
				if err := b.Delete(k); err != nil {
					return err
				}
			}
		}
		if !dry {
			// Receipts parked for a day matched nothing we sent.
			n, err := dropParked(tx.Bucket(bMeta), now.Add(-parkedTTL))
			if err != nil {
				return err
			}
			if n > 0 {
				s.log.Warn("receipts for no message this gateway sent were dropped after a day (a carrier account shared with another system, or ids the carrier reused)",
					"entries", n)
			}
		}
		c := tx.Bucket(bIdem).Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if len(v) == 32 && fromMS(binary.BigEndian.Uint64(v[24:])).Before(now) {
				idem++
				if !dry {
					if err := c.Delete(); err != nil {
						return err
					}
				}
			}
		}
		return nil
	}
	if r.DryRun {
		return audit, idem, s.db.View(func(tx *bolt.Tx) error { return work(tx, true) })
	}
	return audit, idem, s.update(ctx, func(w *wtx) error { return work(w.tx, false) })
}

// Export writes the messages matching f as JSON lines, oldest first.
func (s *Store) Export(w io.Writer, f Filter) (int, error) {
	n := 0
	enc := json.NewEncoder(w)
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bMsgs).ForEach(func(_, v []byte) error {
			m, err := decodeMessage(v)
			if err != nil {
				return err
			}
			if !f.match(m) || (!f.Since.IsZero() && m.CreatedAt().Before(f.Since)) ||
				(!f.Until.IsZero() && !m.CreatedAt().Before(f.Until)) {
				return nil
			}
			n++
			return enc.Encode(m)
		})
	})
	return n, err
}

// Compact rewrites the spool file at path without its free pages (bbolt
// files never shrink). The spool must not be open: run it with the
// gateway stopped. The new file is written beside the old, synced, and
// renamed over it, so a crash leaves one or the other.
func Compact(path string, lockTimeout time.Duration) (before, after int64, err error) {
	if lockTimeout <= 0 {
		lockTimeout = time.Second
	}
	if _, err := os.Stat(path); err != nil {
		return 0, 0, fmt.Errorf("spool: compact: no spool at %s: %w", path, err) // bbolt would make an empty one
	}
	var src *bolt.DB
	err = undamaged(path, func() (err error) {
		src, err = openCurrent(path, 0o600, &bolt.Options{Timeout: lockTimeout})
		return err
	})
	if err != nil {
		return 0, 0, openError(path, "compact", err)
	}
	defer src.Close()
	tmp := path + ".compact"
	_ = os.Remove(tmp)
	dst, err := bolt.Open(tmp, 0o600, &bolt.Options{Timeout: lockTimeout})
	if err != nil {
		return 0, 0, fmt.Errorf("spool: compact: %w", err)
	}
	// A damaged page makes bbolt panic, or fault: the damage is then
	// reported (ErrDamaged, with the salvage steps), not a crash.
	if err := undamaged(path, func() error { return bolt.Compact(dst, src, 64<<20) }); err != nil {
		dst.Close()
		os.Remove(tmp)
		if errors.Is(err, ErrDamaged) {
			return 0, 0, err
		}
		return 0, 0, fmt.Errorf("spool: compact: %w", err)
	}
	if err := dst.Sync(); err != nil {
		dst.Close()
		os.Remove(tmp)
		return 0, 0, fmt.Errorf("spool: compact: %w", err)
	}
	dst.Close()
	if fi, err := os.Stat(path); err == nil {
		before = fi.Size()
		// The new file is the old one's: a compact run as root left a
		// root-owned 0600 file the gateway's own user could not open.
		if err := sameOwnerAndMode(tmp, fi); err != nil {
			os.Remove(tmp)
			return 0, 0, fmt.Errorf("spool: compact: %w", err)
		}
	}
	if fi, err := os.Stat(tmp); err == nil {
		after = fi.Size()
	}
	if err := os.Rename(tmp, path); err != nil {
		return before, after, fmt.Errorf("spool: compact: %w", err)
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return before, after, nil
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
