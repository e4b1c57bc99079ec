package spool

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
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
}

// fileParts records the provider ids of an attempt on the message's
// parts and files them for receipt correlation.
func (w *wtx) fileParts(id ulid.ULID, m *Message, r Result) error {
	first := 1
	for _, p := range m.Parts {
		if p.ProviderID != "" && p.State != StateFailed {
			first = max(first, p.Seq+1)
		}
	}
	for i, pid := range r.ProviderIDs {
		seq := first + i
		part := Part{Seq: seq, ProviderID: pid, State: StateSent, UpdatedAt: w.now}
		if seq <= len(m.Parts) {
			m.Parts[seq-1] = part
		} else {
			m.Parts = append(m.Parts, part)
		}
	}
	return w.fileProviderIDs(id, m.Connector, r.ProviderIDs, first)
}

// fileProviderIDs files ids (parts first, first+1, …) under connector.
func (w *wtx) fileProviderIDs(id ulid.ULID, connector string, ids []string, first int) error {
	b := w.bucket(bExt)
	for i, pid := range ids {
		v := binary.BigEndian.AppendUint16(id[:16:16], uint16(first+i))
		v = append(v, pid...)
		for _, k := range providerKeys(pid) {
			if err := b.Put(strKey(nil, connector, k), v); err != nil {
				return err
			}
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
			key := strKey(nil, m.Connector, k)
			if v := b.Get(key); len(v) >= 18 && bytes.Equal(v[:16], id[:]) {
				if err := b.Delete(key); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// lookupProviderID finds the message and part a provider id names. When
// two messages match different readings of the id (one decimal, one
// hexadecimal), the one filed with the same spelling wins.
func (w *wtx) lookupProviderID(connector, pid string) (id ulid.ULID, seq int, ok bool) {
	b := w.bucket(bExt)
	found := 0
	for _, k := range providerKeys(pid) {
		v := b.Get(strKey(nil, connector, k))
		if len(v) < 18 {
			continue
		}
		exact := sameProviderID(string(v[18:]), pid)
		if found == 0 || exact {
			copy(id[:], v[:16])
			seq = int(binary.BigEndian.Uint16(v[16:18]))
			ok = true
		}
		found++
		if exact {
			break
		}
	}
	return id, seq, ok
}

// ApplyReport records a delivery receipt. It finds the message by
// connector and provider id (any format), sets the segment's state, and
// rolls the segments up: the message is delivered when every segment is,
// otherwise it takes the worst final state once every segment has one. A
// message already final keeps its state; the report is noted in its
// timeline. ErrNotFound means no message matches (yet): a receipt can
// overtake the send result, so the caller may retry it shortly.
func (s *Store) ApplyReport(ctx context.Context, r Report) (*Message, error) {
	var out *Message
	err := s.update(ctx, func(w *wtx) error {
		out = nil
		id, seq, ok := w.lookupProviderID(r.Connector, r.ProviderID)
		if !ok {
			return checked{fmt.Errorf("%w: no message for %s id %q", ErrNotFound, r.Connector, r.ProviderID)}
		}
		m, before, err := w.load(id)
		if err != nil {
			return checked{err}
		}
		at := r.At
		if at.IsZero() {
			at = w.now
		}
		detail := fmt.Sprintf("part %d (%s): %s", seq, r.ProviderID, r.State.Stat())
		if r.Code != "" {
			detail += " err:" + r.Code
		}
		if r.Detail != "" {
			detail += " " + r.Detail
		}
		actor := connectorActor(r.Connector)
		if m.State.Final() {
			m.note(w.now, actor, "late or duplicate report ignored: "+detail)
			out = m.Clone()
			return w.save(id, before, m)
		}
		if seq >= 1 && seq <= len(m.Parts) {
			p := &m.Parts[seq-1]
			if !p.State.Final() {
				p.State, p.Error, p.UpdatedAt = r.State, r.Code, at.UTC().Truncate(time.Millisecond)
			}
		}
		rolled := rollUp(m)
		if err := w.audit(AuditEntry{Action: "report", Actor: actor, Tenant: m.Tenant, MsgID: m.ID, Detail: detail}); err != nil {
			return err
		}
		out = m
		if rolled.Final() {
			m.Reason = detail
			return w.finish(id, before, m, rolled, actor, detail)
		}
		m.note(w.now, actor, detail)
		return w.save(id, before, m)
	})
	if err != nil {
		return nil, err
	}
	return out.Clone(), nil
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
