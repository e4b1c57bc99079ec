package spool

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// AuditEntry is one event of the audit trail: who did what to which
// message, from where, and when. It never holds a message body, only its
// content category ("text/gsm7, 2 segment(s)"). Each entry's Hash is
// SHA-256 over the previous entry's hash and this entry, so an edit, a
// deletion or a reordering breaks the chain and VerifyAudit finds it.
type AuditEntry struct {
	Seq    uint64    `json:"seq"`
	At     time.Time `json:"at"`
	Action string    `json:"action"` // accepted, sent, report, cancelled, retried, expired, failed, purged, received, config, login…
	Actor  string    `json:"actor"`  // http:<key>, smpp:<system_id>, ui:<user>, cli, connector:<name>, spool
	Addr   string    `json:"addr,omitempty"`
	Tenant string    `json:"tenant,omitempty"`
	MsgID  string    `json:"msg_id,omitempty"`
	Detail string    `json:"detail,omitempty"`
	Prev   string    `json:"prev"` // hex SHA-256 of the previous entry
	Hash   string    `json:"hash"` // hex SHA-256 of Prev and this entry without Hash
}

// auditHead is the last entry of the chain.
type auditHead struct {
	seq  uint64
	hash [32]byte
}

func readAuditHead(tx *bolt.Tx) auditHead {
	v := tx.Bucket(bMeta).Get(kAudHead)
	var h auditHead
	if len(v) == 40 {
		h.seq = binary.BigEndian.Uint64(v)
		copy(h.hash[:], v[8:])
	}
	return h
}

// An audit record is the entry's SHA-256 (32 bytes) followed by the
// entry as JSON without its Hash field. The hash covers exactly the
// stored bytes, Prev included, so verification never depends on how JSON
// is re-encoded.
func encodeAudit(e AuditEntry) (rec []byte, sum [32]byte, err error) {
	e.Hash = ""
	b, err := json.Marshal(e)
	if err != nil {
		return nil, sum, err
	}
	sum = sha256.Sum256(b)
	return append(sum[:], b...), sum, nil
}

// decodeAudit parses a record and says whether its hash matches.
func decodeAudit(rec []byte) (e AuditEntry, intact bool, err error) {
	if len(rec) < 33 {
		return e, false, fmt.Errorf("spool: short audit record")
	}
	if err := json.Unmarshal(rec[32:], &e); err != nil {
		return e, false, err
	}
	sum := sha256.Sum256(rec[32:])
	e.Hash = hex.EncodeToString(rec[:32])
	return e, bytes.Equal(sum[:], rec[:32]), nil
}

// audit appends an entry to the chain in this transaction.
func (w *wtx) audit(e AuditEntry) error {
	if !w.headOK {
		w.head, w.headOK = w.s.head, true
	}
	e.Seq = w.head.seq + 1
	if e.At.IsZero() {
		e.At = w.now
	}
	e.Prev = hex.EncodeToString(w.head.hash[:])
	rec, sum, err := encodeAudit(e)
	if err != nil {
		return err
	}
	b := w.tx.Bucket(bAudit)
	b.FillPercent = 0.9
	if err := b.Put(u64(e.Seq), rec); err != nil {
		return err
	}
	w.head = auditHead{seq: e.Seq, hash: sum}
	return w.tx.Bucket(bMeta).Put(kAudHead, append(u64(e.Seq), sum[:]...))
}

// Audit records an action that is not a message transition: a config
// reload, an admin login, a purge. Actor and Action are required.
func (s *Store) Audit(ctx context.Context, e AuditEntry) error {
	if e.Actor == "" || e.Action == "" {
		return fmt.Errorf("%w: audit entry needs actor and action", ErrInvalid)
	}
	return s.update(ctx, func(w *wtx) error { return w.audit(e) })
}

// AuditError says where the chain broke.
type AuditError struct {
	Seq    uint64 // the entry that does not verify (0: the head record)
	Reason string
}

func (e *AuditError) Error() string {
	return fmt.Sprintf("%v at entry %d: %s", ErrAuditBroken, e.Seq, e.Reason)
}

func (e *AuditError) Unwrap() error { return ErrAuditBroken }

// AuditSummary is what VerifyAudit checked.
type AuditSummary struct {
	Entries uint64 `json:"entries"`
	First   uint64 `json:"first"` // first entry kept (older ones were purged)
	Last    uint64 `json:"last"`
	Head    string `json:"head"` // hex hash of the last entry
}

// VerifyAudit walks the whole chain: sequence numbers without gaps, each
// entry's Prev equal to the previous hash, each hash recomputed, and the
// last entry equal to the recorded head. An *AuditError says where it
// broke. Entries removed by audit retention leave the chain starting at
// a later entry, whose Prev is then taken on trust.
func (s *Store) VerifyAudit() (AuditSummary, error) {
	var sum AuditSummary
	err := s.db.View(func(tx *bolt.Tx) error {
		head := readAuditHead(tx)
		var prev [32]byte
		c := tx.Bucket(bAudit).Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			seq := binary.BigEndian.Uint64(k)
			e, intact, err := decodeAudit(v)
			if err != nil {
				return &AuditError{Seq: seq, Reason: "unreadable entry"}
			}
			if !intact {
				return &AuditError{Seq: seq, Reason: "hash does not match the content (edited)"}
			}
			if e.Seq != seq {
				return &AuditError{Seq: seq, Reason: fmt.Sprintf("entry says seq %d", e.Seq)}
			}
			p, err := hex.DecodeString(e.Prev)
			if err != nil || len(p) != 32 {
				return &AuditError{Seq: seq, Reason: "malformed prev hash"}
			}
			if sum.Entries == 0 {
				sum.First = seq
			} else {
				if seq != sum.Last+1 {
					return &AuditError{Seq: seq, Reason: fmt.Sprintf("entries %d to %d missing", sum.Last+1, seq-1)}
				}
				if !bytes.Equal(p, prev[:]) {
					return &AuditError{Seq: seq, Reason: "prev hash does not match the entry before"}
				}
			}
			copy(prev[:], v[:32])
			sum.Last = seq
			sum.Entries++
		}
		if head.seq != sum.Last || (sum.Entries > 0 && head.hash != prev) {
			return &AuditError{Seq: head.seq, Reason: fmt.Sprintf("head record says entry %d, chain ends at %d (entries removed from the end)", head.seq, sum.Last)}
		}
		sum.Head = hex.EncodeToString(prev[:])
		return nil
	})
	return sum, err
}

// AuditLog returns up to limit entries with Seq < before (0: from the
// newest), newest first.
func (s *Store) AuditLog(before uint64, limit int) ([]AuditEntry, error) {
	var out []AuditEntry
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bAudit).Cursor()
		var k, v []byte
		if before == 0 {
			k, v = c.Last()
		} else {
			c.Seek(u64(before))
			k, v = c.Prev()
		}
		for ; k != nil && len(out) < limit; k, v = c.Prev() {
			e, _, err := decodeAudit(v)
			if err != nil {
				return err
			}
			out = append(out, e)
		}
		return nil
	})
	return out, err
}
