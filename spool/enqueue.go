package spool

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	bolt "go.etcd.io/bbolt"
)

// Field limits, checked before anything is stored.
const (
	maxAddr    = 32
	maxTenant  = 64
	maxRef     = 128
	maxIdemKey = 128
	maxBody    = 64 << 10
)

// Enqueue stores a new mobile-terminated message and returns when it is
// on disk: the moment the caller may acknowledge it. It fills in the id,
// the state (queued, or due at SendAt), the validity (DefaultValidity
// when zero) and the first timeline entries, and appends "accepted" to
// the audit trail.
//
// With m.Idempotency set, a second Enqueue with the same tenant and key
// within IdempotencyTTL stores nothing and returns the first message with
// replayed true; the same key with a different recipient or body returns
// ErrIdempotencyConflict. Past MaxQueued or the file-size limit it
// returns ErrSpoolFull, having stored nothing.
func (s *Store) Enqueue(ctx context.Context, m *Message) (stored *Message, replayed bool, err error) {
	if err := validate(m, true); err != nil {
		return nil, false, err
	}
	now := s.now()
	id := s.ids.next(now)
	if m.ID != "" {
		reserved, err := parseID(m.ID)
		if err != nil {
			return nil, false, fmt.Errorf("%w: id: %q is not one NewID gave", ErrInvalid, m.ID)
		}
		id = reserved
	}
	m = m.Clone()
	m.ID = id.String()
	m.Direction = MT
	m.Timeline = nil
	m.Parts = nil
	m.Attempts = 0
	if m.ValidUntil.IsZero() {
		// The default validity counts from when sending may start: a
		// message scheduled next week is not expired by then.
		m.ValidUntil = later(now, m.SendAt).Add(s.opts.DefaultValidity)
	}
	m.ValidUntil = m.ValidUntil.UTC().Truncate(time.Millisecond)
	m.SendAt = m.SendAt.UTC().Truncate(time.Millisecond)
	if !m.SendAt.IsZero() && !m.SendAt.Before(m.ValidUntil) {
		return nil, false, fmt.Errorf("%w: send_at: %s is not before the end of the validity (%s)", ErrInvalid,
			m.SendAt.Format(time.RFC3339), m.ValidUntil.Format(time.RFC3339))
	}
	m.record(now, StateAccepted, m.Source, "")
	m.NextAt = now
	detail := ""
	if m.SendAt.After(now) {
		m.NextAt = m.SendAt
		detail = "scheduled for " + m.SendAt.Format(time.RFC3339)
	}
	m.record(now, StateQueued, "spool", detail)
	rec, err := encodeMessage(m)
	if err != nil {
		return nil, false, err
	}
	fp := fingerprint(m)
	// The audit content is encoded here, in the caller's goroutine; the
	// commit loop only chains it.
	audit, err := auditContent(AuditEntry{At: now, Action: "accepted", Actor: m.Source, Addr: m.SourceAddr,
		Tenant: m.Tenant, MsgID: m.ID, Detail: m.Priority.String() + ", " + m.contentCategory()})
	if err != nil {
		return nil, false, err
	}

	var existing *Message
	write := s.intake
	if m.Priority == PriorityEmergency {
		write = s.update // never held (see writer)
	}
	err = write(ctx, func(w *wtx) error {
		existing = nil
		if m.Idempotency != "" {
			prev, err := w.idempotent(m, fp)
			if err != nil || prev != nil {
				existing = prev
				return checked{err}
			}
		}
		if err := w.roomFor(1, m.Priority); err != nil {
			return checked{err}
		}
		if w.bucket(bMsgs).Get(id[:]) != nil {
			return checked{fmt.Errorf("%w: id: %s is already a message", ErrInvalid, id)}
		}
		if m.Idempotency != "" {
			v := binary.BigEndian.AppendUint64(append(id[:16:16], fp[:]...), ms(w.now.Add(s.opts.IdempotencyTTL)))
			if err := w.bucket(bIdem).Put(strKey(nil, m.Tenant, m.Idempotency), v); err != nil {
				return err
			}
		}
		if err := w.insert(id, m, rec); err != nil {
			return err
		}
		return w.auditContent(audit)
	})
	if err != nil {
		return nil, false, err
	}
	if existing != nil {
		return existing, true, nil
	}
	return m, false, nil
}

// NewID reserves a message id for an Enqueue to come (Message.ID): the
// SMPP server answers each part of a long message with the id of the
// message the parts will make, before the last part arrives.
func (s *Store) NewID() string { return s.ids.next(s.now()).String() }

// roomFor refuses n more pending messages of priority p past the
// queued-message limit or the file-size limit. Emergency messages are
// never refused for the queue limit, and may use a quarter of the file's
// reserve (roomOnDisk): a backlog of ordinary messages must not keep a
// 911 centre's callback out.
func (w *wtx) roomFor(n int64, p Priority) error {
	pending := w.counts[StateAccepted] + w.counts[StateQueued] + w.counts[StateSending] +
		w.s.counts[StateAccepted] + w.s.counts[StateQueued] + w.s.counts[StateSending]
	if p != PriorityEmergency && pending+n > int64(w.s.opts.MaxQueued) {
		return fmt.Errorf("%w: %d messages queued (limit %d)", ErrSpoolFull, pending, w.s.opts.MaxQueued)
	}
	return w.roomOnDisk(p == PriorityEmergency)
}

// Room says whether a message of priority p would be taken now: nil,
// or ErrSpoolFull (wrapped, saying why) past MaxQueued or the file-size
// limit, as Enqueue would answer.
func (s *Store) Room(p Priority) error {
	return s.db.View(func(tx *bolt.Tx) error {
		s.mu.Lock()
		defer s.mu.Unlock()
		return (&wtx{tx: tx, s: s}).roomFor(1, p)
	})
}

// roomOnDisk refuses new records once the file reaches its limit less
// the reserve kept for messages in flight to reach their final states.
// Urgent records (emergency messages, a caller's inbound text) may use a
// quarter of the reserve; the rest stays for the messages in flight
// (each lease, result and receipt rewrites records, and bbolt reuses the
// pages it frees only after the commit).
//
// The disk can fill before the file reaches its limit, and then nothing
// in flight can be recorded either (a send whose result cannot be saved
// is sent again after its lease). So the same reserve, at most a
// sixteenth of the filesystem, is kept on the disk: the space free on
// it plus the free pages inside the file.
func (w *wtx) roomOnDisk(urgent bool) error {
	reserve := max(w.s.opts.MaxFileSize/16, 4<<20)
	cut := func(r int64) int64 {
		if urgent {
			r -= r / 4
		}
		return r
	}
	limit := w.s.opts.MaxFileSize - cut(reserve)
	if size := w.tx.Size(); size >= limit {
		return fmt.Errorf("%w: file is %d bytes (limit %d, the rest is kept for messages in flight)",
			ErrSpoolFull, size, limit)
	}
	free, total, ok := diskSpace(w.s.path)
	if !ok {
		return nil // unknown: the commit's own ENOSPC still refuses
	}
	onDisk := cut(min(reserve, total/16))
	if inFile := int64(w.s.db.Stats().FreeAlloc); free+inFile < onDisk {
		return fmt.Errorf("%w: the disk has %d bytes free, and %d are kept for messages in flight",
			ErrSpoolFull, free, onDisk)
	}
	return nil
}

// idempotent looks up m's idempotency key: the earlier message if it is
// a replay, ErrIdempotencyConflict if the key names a different message,
// nothing if the key is new or expired.
func (w *wtx) idempotent(m *Message, fp [8]byte) (*Message, error) {
	v := w.bucket(bIdem).Get(strKey(nil, m.Tenant, m.Idempotency))
	if len(v) != 32 || fromMS(binary.BigEndian.Uint64(v[24:])).Before(w.now) {
		return nil, nil
	}
	if !bytes.Equal(v[16:24], fp[:]) {
		return nil, fmt.Errorf("%w: key %q", ErrIdempotencyConflict, m.Idempotency)
	}
	var id [16]byte
	copy(id[:], v)
	prev, err := getMessage(w.tx, id)
	if err != nil {
		return nil, nil // purged: the key is free again
	}
	// Not in the fingerprint (kept as it was, so that keys stored
	// before still replay), but a different message all the same: the
	// same text as an emergency is not the normal one sent before.
	if prev.Priority != m.Priority || !prev.SendAt.Equal(m.SendAt) || prev.Class0 != m.Class0 {
		return nil, fmt.Errorf("%w: key %q was used for a %s message%s", ErrIdempotencyConflict, m.Idempotency,
			prev.Priority, scheduledFor(prev.SendAt))
	}
	return prev, nil
}

// scheduledFor says when a message was scheduled for, if it was.
func scheduledFor(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return " scheduled for " + t.UTC().Format(time.RFC3339)
}

// fingerprint identifies what a submission asked for, to tell a replay
// from a reused key.
func fingerprint(m *Message) [8]byte {
	h := sha256.New()
	for _, s := range []string{m.Tenant, m.From, m.To, m.Body, string(m.Binary), string(m.UDH)} {
		fmt.Fprintf(h, "%d:%s", len(s), s)
	}
	var fp [8]byte
	copy(fp[:], h.Sum(nil))
	return fp
}

// validate checks what the spool itself needs; the policy layer checks
// numbers, senders and tenants before. An empty body is refused for
// messages to send (needBody), not for inbound ones: an empty SMS does
// arrive.
func validate(m *Message, needBody bool) error {
	bad := func(field, why string) error { return fmt.Errorf("%w: %s: %s", ErrInvalid, field, why) }
	checks := []struct {
		field, v string
		max      int
		required bool
	}{
		{"tenant", m.Tenant, maxTenant, true},
		{"to", m.To, maxAddr, true},
		{"from", m.From, maxAddr, false},
		{"client_ref", m.ClientRef, maxRef, false},
		{"idempotency_key", m.Idempotency, maxIdemKey, false},
		{"body", m.Body, maxBody, false},
		{"source", m.Source, maxRef, false},
	}
	for _, c := range checks {
		switch {
		case c.required && c.v == "":
			return bad(c.field, "required")
		case len(c.v) > c.max:
			return bad(c.field, fmt.Sprintf("longer than %d bytes", c.max))
		case !utf8.ValidString(c.v):
			return bad(c.field, "not valid UTF-8")
		case c.field != "body" && strings.ContainsRune(c.v, 0):
			return bad(c.field, "contains NUL")
		}
	}
	if needBody && m.Body == "" && m.Binary == nil {
		return bad("body", "empty (give text or binary)")
	}
	if len(m.Binary) > maxBody {
		return bad("binary", fmt.Sprintf("longer than %d bytes", maxBody))
	}
	if _, err := m.Priority.MarshalText(); err != nil {
		return bad("priority", err.Error())
	}
	return nil
}

// fitInbound makes an inbound message's content and sender fit the
// limits validate checks, noting in its Reason what was changed: a text
// or binary content cut at maxBody (a text at a character boundary), a
// sender past maxAddr, not UTF-8 or with a NUL cut and cleaned.
func fitInbound(m *Message) {
	var notes []string
	if len(m.Body) > maxBody || !utf8.ValidString(m.Body) {
		n := len(m.Body)
		body := strings.ToValidUTF8(m.Body, "\uFFFD")
		if len(body) > maxBody {
			cut := maxBody
			for cut > 0 && !utf8.RuneStart(body[cut]) {
				cut--
			}
			body = body[:cut]
		}
		m.Body = body
		notes = append(notes, fmt.Sprintf("text of %d bytes stored as %d (the spool's limit is %d)", n, len(body), maxBody))
	}
	if len(m.Binary) > maxBody {
		notes = append(notes, fmt.Sprintf("content of %d bytes cut to %d", len(m.Binary), maxBody))
		m.Binary = m.Binary[:maxBody]
	}
	if from := m.From; len(from) > maxAddr || !utf8.ValidString(from) || strings.ContainsRune(from, 0) {
		clean := strings.ToValidUTF8(strings.ReplaceAll(from, "\x00", ""), "?")
		for len(clean) > maxAddr {
			_, size := utf8.DecodeLastRuneInString(clean)
			clean = clean[:len(clean)-size]
		}
		m.From = clean
		notes = append(notes, fmt.Sprintf("a sender of %d bytes stored as %q", len(from), clean))
	}
	if len(notes) > 0 {
		note := "stored cut: " + strings.Join(notes, "; ")
		if m.Reason != "" {
			note = m.Reason + "; " + note
		}
		m.Reason = note
	}
}

// later is the later of a and b.
func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
