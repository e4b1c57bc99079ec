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
// SHA-256 over the previous entry's hash, its sequence number and its
// content, so an edit, a deletion or a reordering breaks the chain and
// VerifyAudit finds it.
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
	Hash   string    `json:"hash"` // hex SHA-256 of Prev, Seq and the content
}

// auditBody is the stored content of an entry.
type auditBody struct {
	At     time.Time `json:"at"`
	Action string    `json:"action"`
	Actor  string    `json:"actor"`
	Addr   string    `json:"addr,omitempty"`
	Tenant string    `json:"tenant,omitempty"`
	MsgID  string    `json:"msg_id,omitempty"`
	Detail string    `json:"detail,omitempty"`
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

// An audit record is hash (32) ‖ prev (32) ‖ content as JSON, filed
// under its sequence number. hash = SHA-256(prev ‖ seq ‖ content): it
// covers exactly the stored bytes, so verification never depends on how
// JSON is re-encoded, and the content can be encoded by the caller,
// outside the commit loop.
func auditContent(e AuditEntry) ([]byte, error) {
	a := auditBody{At: e.At, Action: e.Action, Actor: e.Actor, Addr: e.Addr,
		Tenant: e.Tenant, MsgID: e.MsgID, Detail: e.Detail}
	if b, ok := appendAudit(make([]byte, 0, 160+len(a.Detail)), &a); ok {
		return b, nil
	}
	return json.Marshal(a)
}

func chainHash(prev [32]byte, seq uint64, content []byte) [32]byte {
	h := sha256.New()
	h.Write(prev[:])
	h.Write(u64(seq))
	h.Write(content)
	var sum [32]byte
	h.Sum(sum[:0])
	return sum
}

// decodeAudit parses the record filed under seq and says whether its
// hash matches its own prev and content.
func decodeAudit(seq uint64, rec []byte) (e AuditEntry, intact bool, err error) {
	if len(rec) < 65 {
		return e, false, fmt.Errorf("spool: short audit record")
	}
	var b auditBody
	if err := json.Unmarshal(rec[64:], &b); err != nil {
		return e, false, err
	}
	var prev [32]byte
	copy(prev[:], rec[32:64])
	sum := chainHash(prev, seq, rec[64:])
	e = AuditEntry{Seq: seq, At: b.At, Action: b.Action, Actor: b.Actor, Addr: b.Addr, Tenant: b.Tenant,
		MsgID: b.MsgID, Detail: b.Detail, Prev: hex.EncodeToString(prev[:]), Hash: hex.EncodeToString(rec[:32])}
	return e, bytes.Equal(sum[:], rec[:32]), nil
}

// audit appends an entry to the chain in this transaction.
func (w *wtx) audit(e AuditEntry) error {
	if e.At.IsZero() {
		e.At = w.now
	}
	content, err := auditContent(e)
	if err != nil {
		return err
	}
	return w.auditContent(content)
}

// auditContent appends an entry already encoded by auditContent. The
// head is written to meta once per commit (see commit).
func (w *wtx) auditContent(content []byte) error {
	if !w.headOK {
		w.head, w.headOK = w.s.head, true
	}
	seq := w.head.seq + 1
	sum := chainHash(w.head.hash, seq, content)
	rec := make([]byte, 0, 64+len(content))
	rec = append(append(append(rec, sum[:]...), w.head.hash[:]...), content...)
	if err := w.bucket(bAudit).Put(u64(seq), rec); err != nil {
		return err
	}
	w.head = auditHead{seq: seq, hash: sum}
	return nil
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
	// Checked is how many entries this verification recomputed: all of
	// them for a whole walk, those added since for VerifyAuditRecent.
	Checked uint64 `json:"checked"`
	// WholeAt is when the whole chain was last walked and found intact.
	WholeAt time.Time `json:"whole_at"`
}

// auditCheckpoint is the end of the chain as last verified intact by
// this process, for VerifyAuditRecent.
type auditCheckpoint struct {
	last    uint64
	hash    [32]byte
	wholeAt time.Time
}

// VerifyAudit walks the whole chain: sequence numbers without gaps, each
// entry's Prev equal to the previous hash, each hash recomputed, and the
// last entry equal to the recorded head. An *AuditError says where it
// broke. Entries removed by audit retention leave the chain starting at
// a later entry, whose Prev is then taken on trust.
func (s *Store) VerifyAudit() (AuditSummary, error) {
	return s.verifyAudit(nil)
}

// VerifyAuditRecent verifies only the entries added since this process
// last verified the chain, from that entry on (whose hash must be
// unchanged), and walks the whole chain again when the last whole walk
// is older than whole, or there was none. A page that shows the chain's
// state on every load uses it: a whole walk reads every entry (seconds
// for millions), and edits to the file behind a running gateway's back
// are still found within whole. The command line's audit verify always
// walks the whole chain.
func (s *Store) VerifyAuditRecent(whole time.Duration) (AuditSummary, error) {
	s.auditMu.Lock()
	cp := s.auditCP
	s.auditMu.Unlock()
	if cp == nil || s.now().Sub(cp.wholeAt) >= whole {
		cp = nil
	}
	return s.verifyAudit(cp)
}

// verifyAudit walks the chain from cp (nil: from its first entry) and,
// when it is intact, keeps its end as the next checkpoint.
func (s *Store) verifyAudit(cp *auditCheckpoint) (AuditSummary, error) {
	var sum AuditSummary
	var prev [32]byte // the hash of the last entry walked
	wholeAt := s.now()
	err := s.db.View(func(tx *bolt.Tx) error {
		head := readAuditHead(tx)
		c := tx.Bucket(bAudit).Cursor()
		k, v := c.First()
		if k != nil {
			sum.First = binary.BigEndian.Uint64(k)
		}
		if cp != nil {
			// Resume after the checkpoint, if its entry is still there
			// as verified; anything else gets the whole walk.
			ck, cv := c.Seek(u64(cp.last))
			if ck != nil && binary.BigEndian.Uint64(ck) == cp.last && len(cv) >= 32 && bytes.Equal(cv[:32], cp.hash[:]) {
				prev, sum.Last, sum.Entries, wholeAt = cp.hash, cp.last, cp.last-sum.First+1, cp.wholeAt
				k, v = c.Next()
			} else {
				k, v = c.First()
			}
		}
		for ; k != nil; k, v = c.Next() {
			seq := binary.BigEndian.Uint64(k)
			_, intact, err := decodeAudit(seq, v)
			if err != nil {
				return &AuditError{Seq: seq, Reason: "unreadable entry"}
			}
			if !intact {
				return &AuditError{Seq: seq, Reason: "hash does not match the content (edited or moved)"}
			}
			if sum.Entries > 0 {
				if seq != sum.Last+1 {
					return &AuditError{Seq: seq, Reason: fmt.Sprintf("entries %d to %d missing", sum.Last+1, seq-1)}
				}
				if !bytes.Equal(v[32:64], prev[:]) {
					return &AuditError{Seq: seq, Reason: "prev hash does not match the entry before"}
				}
			}
			copy(prev[:], v[:32])
			sum.Last = seq
			sum.Entries++
			sum.Checked++
		}
		if head.seq != sum.Last || (sum.Entries > 0 && head.hash != prev) {
			return &AuditError{Seq: head.seq, Reason: fmt.Sprintf("head record says entry %d, chain ends at %d (entries removed from the end)", head.seq, sum.Last)}
		}
		sum.Head = hex.EncodeToString(prev[:])
		return nil
	})
	s.auditMu.Lock()
	defer s.auditMu.Unlock()
	if err != nil {
		s.auditCP = nil
		return sum, err
	}
	sum.WholeAt = wholeAt
	s.auditCP = &auditCheckpoint{last: sum.Last, hash: prev, wholeAt: wholeAt}
	return sum, nil
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
			e, _, err := decodeAudit(binary.BigEndian.Uint64(k), v)
			if err != nil {
				return err
			}
			out = append(out, e)
		}
		return nil
	})
	return out, err
}
