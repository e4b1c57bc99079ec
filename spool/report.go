package spool

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/oklog/ulid/v2"
)

// Report is a delivery receipt from a connector, for one segment.
type Report struct {
	Connector  string    // the connector that sent the message
	ProviderID string    // the id the carrier or modem gave the segment, in any format
	State      State     // delivered, undelivered, expired, rejected, cancelled, or sent (intermediate)
	Code       string    // the carrier's error code, if any
	At         time.Time // when the carrier says it happened (zero: now)
	Detail     string    // e.g. the receipt text
	// Stat is the carrier's word for the state when it is not the
	// state's own (UNKNOWN, read as undelivered); the timeline says both.
	Stat string `json:",omitempty"`
	// ExactID: the carrier spells ids in receipts as it gave them (or
	// the connector respelled them so), so the id matches only a part
	// filed with the same spelling, never another base's reading of it.
	ExactID bool
}

// fileParts records the provider ids of an attempt on the message's
// parts and files them for receipt correlation.
func (w *wtx) fileParts(id ulid.ULID, m *Message, r Result) error {
	first := m.SentParts() + 1
	for i, pid := range r.ProviderIDs {
		seq := first + i
		part := Part{Seq: seq, ProviderID: pid, State: StateSent, UpdatedAt: w.now}
		if seq <= len(m.Parts) {
			m.Parts[seq-1] = part
		} else {
			m.Parts = append(m.Parts, part)
		}
	}
	return w.fileProviderIDs(id, m.Connector, r.ProviderIDs, first, m.attemptStart(m.Attempts))
}

// MaxProviderID is the longest message id a carrier or modem may give a
// part. SMPP 3.4 allows 64 octets (5.2.23: 65 with its NUL); twice that
// tolerates a carrier that overruns it. An id that is longer, or holds
// anything but printable ASCII, is kept as no id: the part went out and
// no receipt can find it. A carrier's 40 KB id failed the send's record
// (bbolt's key limit), and the message stayed "sending" until its lease
// ran out and it was sent again.
const MaxProviderID = 128

// cleanProviderID is id without the blanks around it (a carrier that
// pads its message_id with CR LF: ids match without them), or "" when
// it is not an id a part can be filed under.
func cleanProviderID(id string) string {
	id = strings.TrimSpace(id)
	if len(id) > MaxProviderID {
		return ""
	}
	for i := 0; i < len(id); i++ {
		if id[i] < 0x20 || id[i] > 0x7e {
			return ""
		}
	}
	return id
}

// fileProviderIDs files ids (parts first, first+1, …) under connector,
// sent by an attempt that started at since.
func (w *wtx) fileProviderIDs(id ulid.ULID, connector string, ids []string, first int, since time.Time) error {
	b := w.bucket(bExt)
	for i, pid := range ids {
		v := binary.BigEndian.AppendUint16(id[:16:16], uint16(first+i))
		v = append(v, pid...)
		for _, k := range providerKeys(pid) {
			if err := b.Put(extKey(connector, k, pid), v); err != nil {
				return err
			}
		}
		if err := w.claimParked(connector, pid, since); err != nil {
			return err
		}
	}
	return nil
}

// unfileProviderIDs removes a message's correlation entries (those that
// still point at it).
func (w *wtx) unfileProviderIDs(id ulid.ULID, m *Message) error {
	b := w.bucket(bExt)
	for _, p := range m.Parts {
		for _, k := range providerKeys(p.ProviderID) {
			key := extKey(m.Connector, k, p.ProviderID)
			if v := b.Get(key); len(v) >= 18 && bytes.Equal(v[:16], id[:]) {
				if err := b.Delete(key); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// extKey is the ext index key of a provider id filed under one of its
// keys (providerKeys): every spelling filed under a number has its own.
func extKey(connector, k, pid string) []byte {
	return strKey(nil, connector, k, strings.ToLower(pid))
}

// lookupProviderID finds the message and part a provider id names. When
// messages match different readings of the id (one decimal, one
// hexadecimal), the one filed with the same spelling wins.
func (w *wtx) lookupProviderID(connector, pid string, exactOnly bool) (id ulid.ULID, seq int, ok bool) {
	c := w.bucket(bExt).Cursor()
	for _, k := range providerKeys(pid) {
		prefix := strKey(nil, connector, k)
		for key, v := c.Seek(prefix); key != nil && bytes.HasPrefix(key, prefix); key, v = c.Next() {
			if len(v) < 18 {
				continue
			}
			filed := string(v[18:])
			exact := sameProviderID(filed, pid)
			if !exact && (exactOnly || !plainlyHex(filed) && !plainlyHex(pid)) {
				// Two all-digit ids are both decimal: "16" is not the hex
				// reading of another message's "10".
				continue
			}
			if !ok || exact {
				copy(id[:], v[:16])
				seq = int(binary.BigEndian.Uint16(v[16:18]))
				ok = true
			}
			if exact {
				return id, seq, ok
			}
		}
	}
	return id, seq, ok
}

// ApplyReport records a delivery receipt. It finds the message by
// connector and provider id (any format), sets the segment's state, and
// rolls the segments up: the message is delivered when every segment is,
// otherwise it takes the worst final state once every segment has one. A
// message already final keeps its state; the report is noted in its
// timeline.
//
// A receipt can overtake the send result (a carrier that answers
// submit_sm_resp and the receipt back to back, before the dispatcher has
// recorded the ids): a report that matches no message is parked, durably,
// and applied when a result files its id; ApplyReport then returns
// ErrReportParked. Parked reports nobody claims are dropped by Purge
// after a day.
func (s *Store) ApplyReport(ctx context.Context, r Report) (*Message, error) {
	given := r.ProviderID
	if r.ProviderID = cleanProviderID(given); r.ProviderID == "" {
		return nil, fmt.Errorf("%w: %s id of %d octets is not one a message has", ErrNotFound, r.Connector, len(given))
	}
	var out *Message
	parked := false
	r.Detail = StripReceiptText(r.Detail) // from any connector
	err := s.background(ctx, func(w *wtx) error {
		var err error
		out, err = w.applyReport(r)
		if parked = errors.Is(err, ErrNotFound); parked {
			return w.park(r)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if parked {
		return nil, fmt.Errorf("%w: %s id %q", ErrReportParked, r.Connector, r.ProviderID)
	}
	return out.Clone(), nil
}

// ErrReportParked: ApplyReport found no message for the report and
// parked it (durably) until a send result files its id. It wraps
// ErrNotFound; the connector may acknowledge the receipt.
var ErrReportParked = fmt.Errorf("%w (yet): report parked", ErrNotFound)

// applyReport applies r to its message; ErrNotFound (checked) when no
// message has its id.
func (w *wtx) applyReport(r Report) (*Message, error) {
	id, seq, ok := w.lookupProviderID(r.Connector, r.ProviderID, r.ExactID)
	if !ok {
		return nil, checked{fmt.Errorf("%w: no message for %s id %q", ErrNotFound, r.Connector, r.ProviderID)}
	}
	m, before, err := w.load(id)
	if err != nil {
		return nil, checked{err}
	}
	at := r.At
	if at.IsZero() {
		at = w.now
	}
	word := r.State.Stat()
	if r.Stat != "" && r.Stat != word {
		word = fmt.Sprintf("%s (counted as %s)", r.Stat, r.State)
	}
	detail := fmt.Sprintf("part %d (%s): %s", seq, r.ProviderID, word)
	if r.Code != "" {
		detail += " err:" + r.Code
	}
	if r.Detail != "" {
		detail += " " + r.Detail
	}
	actor := connectorActor(r.Connector)
	if m.State.Final() && seq >= 1 && seq <= len(m.Parts) && m.Parts[seq-1].State.Final() {
		// The id names a part that has its outcome: a duplicate, or a
		// carrier that reuses ids (its counter restarted) reporting on a
		// newer message whose send result is not recorded yet. Park it
		// as well: a newer message filing the id claims it; a plain
		// duplicate is dropped with the parked reports a day on.
		if err := w.park(r); err != nil {
			return nil, err
		}
	}
	if m.State.Final() && seq >= 1 && seq <= len(m.Parts) && !m.Parts[seq-1].State.Final() && r.State.Final() {
		// A part that went out before the message failed (a long
		// message the carrier refused part-way): the recipient may
		// have this part, and the message's parts say so.
		p := &m.Parts[seq-1]
		p.State, p.Error, p.UpdatedAt = r.State, r.Code, at.UTC().Truncate(time.Millisecond)
		detail += " (the message had ended " + m.State.String() + ")"
		if err := w.audit(AuditEntry{Action: "report", Actor: actor, Tenant: m.Tenant, MsgID: m.ID, Detail: detail}); err != nil {
			return nil, err
		}
		m.note(w.now, actor, detail)
		return m, w.save(id, before, m)
	}
	if m.State.Final() {
		m.note(w.now, actor, "late or duplicate report ignored: "+detail)
		return m, w.save(id, before, m)
	}
	if seq >= 1 && seq <= len(m.Parts) {
		p := &m.Parts[seq-1]
		if !p.State.Final() {
			p.State, p.Error, p.UpdatedAt = r.State, r.Code, at.UTC().Truncate(time.Millisecond)
		}
	}
	rolled := rollUp(m)
	if err := w.audit(AuditEntry{Action: "report", Actor: actor, Tenant: m.Tenant, MsgID: m.ID, Detail: detail}); err != nil {
		return nil, err
	}
	if rolled.Final() {
		m.Reason = detail
		return m, w.finish(id, before, m, rolled, actor, detail)
	}
	m.note(w.now, actor, detail)
	return m, w.save(id, before, m)
}

// rollUp is the message state its segments' states make: delivered when
// all are; once all are final, the worst of them; else still sent.
func rollUp(m *Message) State {
	if len(m.Parts) < max(m.Segments, 1) {
		return StateSent
	}
	worst := StateDelivered
	for _, p := range m.Parts {
		if !p.State.Final() {
			return StateSent
		}
		if severity(p.State) > severity(worst) {
			worst = p.State
		}
	}
	return worst
}

// severity orders final states for the roll-up: a message is as bad as
// its worst segment.
func severity(s State) int {
	switch s {
	case StateDelivered:
		return 0
	case StateExpired:
		return 1
	case StateCancelled:
		return 2
	case StateUndelivered:
		return 3
	case StateFailed:
		return 4
	case StateRejected:
		return 5
	}
	return 0
}
