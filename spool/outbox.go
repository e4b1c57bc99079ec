package spool

import (
	"context"
	"fmt"
	"time"

	"github.com/oklog/ulid/v2"
)

// OutboxKind says what an outbox item carries upstream.
type OutboxKind string

// The outbox kinds.
const (
	OutboxReport  OutboxKind = "report"  // a delivery report for an MT message
	OutboxInbound OutboxKind = "inbound" // an MO message
)

// OutboxItem is a report or an inbound message owed to an upstream
// application (a deliver_sm to an SMPP client, a webhook). It stays in
// the spool, with retries, until the application has it.
type OutboxItem struct {
	ID        string     `json:"id"`
	Kind      OutboxKind `json:"kind"`
	MessageID string     `json:"msg_id"`
	Tenant    string     `json:"tenant"`
	Target    string     `json:"target"` // whom: the message's source (smpp:<system_id>, http:<key>) or a webhook
	State     State      `json:"state"`  // for reports: the message state reported
	Attempts  int        `json:"attempts"`
	NextAt    time.Time  `json:"next_at"`
	LastError string     `json:"last_error,omitempty"`
	Created   time.Time  `json:"created"`
	// Urgent items (a caller's inbound text, the report of an emergency
	// message) are delivered before the others that are due: a backlog
	// of ordinary receipts for an application that was away must not
	// hold back a text to a PSAP.
	Urgent bool `json:"urgent,omitempty"`
	// After is the item this one must follow upstream: a message's report
	// of "sent" (Kannel's dlr-mask 8), still in the outbox when the next
	// report was owed. The final report never overtakes it, even while it
	// waits for a retry.
	After string `json:"after,omitempty"`
}

// what names the item in timeline notes: "report (delivered)", "inbound
// message".
func (it *OutboxItem) what() string {
	if it.Kind == OutboxInbound {
		return "inbound message"
	}
	return fmt.Sprintf("%s (%s)", it.Kind, it.State)
}

// outboxTTL is how long an undeliverable report or MO is retried.
const outboxTTL = 72 * time.Hour

func decodeItem(b []byte) (*OutboxItem, error) {
	it := new(OutboxItem)
	return it, decodeRecord(b, it)
}

func cloneItem(it *OutboxItem) *OutboxItem {
	c := *it
	return &c
}

// oweReport queues a delivery report for a message that reached a final
// state (or was sent, with ReportAccepted), when the submitter asked for
// one (for a failure only, when it asked for that).
func (w *wtx) oweReport(m *Message) error {
	if !m.ReportReq || m.Source == "" || m.ReportFailOnly && m.State == StateDelivered {
		return nil
	}
	it := &OutboxItem{Kind: OutboxReport, MessageID: m.ID, Tenant: m.Tenant,
		Target: m.Source, State: m.State, Urgent: m.Priority == PriorityEmergency}
	if !m.ReportAccepted {
		return w.putItem(it)
	}
	// A message with a report of "sent": its reports go upstream in the
	// order they were owed (LeaseOutbox), each after the one of "sent"
	// still in the outbox.
	mid, err := parseID(m.ID)
	if err != nil {
		return err
	}
	if v := w.bucket(bOutSent).Get(mid[:]); len(v) == len(ulid.ULID{}) && w.bucket(bOutbox).Get(v) != nil {
		it.After = ulid.ULID(v).String()
	}
	if err := w.putItem(it); err != nil {
		return err
	}
	if it.State != StateSent {
		return nil
	}
	id, _ := parseID(it.ID)
	return w.bucket(bOutSent).Put(mid[:], id[:])
}

// doneItem forgets a delivered or abandoned report of "sent" as its
// message's elder report.
func (w *wtx) doneItem(id ulid.ULID, it *OutboxItem) error {
	if it.Kind != OutboxReport || it.State != StateSent {
		return nil
	}
	mid, err := parseID(it.MessageID)
	if err != nil {
		return nil
	}
	if v := w.bucket(bOutSent).Get(mid[:]); string(v) == string(id[:]) {
		return w.bucket(bOutSent).Delete(mid[:])
	}
	return nil
}

// putItem stores a new outbox item, due now.
func (w *wtx) putItem(it *OutboxItem) error {
	id := w.s.ids.next(w.now)
	it.ID, it.Created, it.NextAt = id.String(), w.now, w.now
	if err := w.saveItem(id, it); err != nil {
		return err
	}
	if err := w.queueItem(id, it); err != nil {
		return err
	}
	w.outbox++
	w.owake = true
	return nil
}

// Receive stores an inbound (MO) message and queues it for each of
// targets (the upstream applications that should get it; none, or "",
// for none). It returns when all is on disk; only then may the connector
// let go of it (delete it from the SIM, answer deliver_sm_resp).
//
// A text or sender past the spool's limits is stored cut to them, the
// reason saying what was cut (fitInbound), not refused: refused, it would
// stay on the modem or at the SMSC, be refused again at every reading,
// and a modem whose startup sweep fails never becomes ready to send.
func (s *Store) Receive(ctx context.Context, m *Message, targets ...string) (*Message, error) {
	m = m.Clone()
	fitInbound(m)
	if err := validate(m, false); err != nil {
		return nil, err
	}
	now := s.now()
	id := s.ids.next(now)
	m.ID, m.Direction, m.NextAt = id.String(), MO, time.Time{}
	m.Timeline = nil
	if !m.ReceivedAt.IsZero() {
		// The connector read the system clock; the spool's time, which
		// the id and the timeline carry, may be ahead of it (a box that
		// booted with its clock behind). Never after it was stored.
		m.ReceivedAt = minTime(m.ReceivedAt.Add(s.Clock().Behind), now).UTC().Truncate(time.Millisecond)
	}
	m.record(now, StateReceived, connectorActor(m.Connector), "")
	rec, err := encodeMessage(m)
	if err != nil {
		return nil, err
	}
	err = s.update(ctx, func(w *wtx) error {
		// An inbound message is never refused for the queue limit (a
		// caller's text to a PSAP matters more than the backlog), only
		// for space, and it may use part of the reserve, as an emergency
		// message may.
		if err := w.roomOnDisk(true); err != nil {
			return checked{err}
		}
		if err := w.insert(id, m, rec); err != nil {
			return err
		}
		if err := w.audit(AuditEntry{Action: "received", Actor: connectorActor(m.Connector), Tenant: m.Tenant,
			MsgID: m.ID, Detail: m.contentCategory()}); err != nil {
			return err
		}
		for _, target := range targets {
			if target == "" {
				continue
			}
			if err := w.putItem(&OutboxItem{Kind: OutboxInbound, MessageID: m.ID, Tenant: m.Tenant, Target: target,
				State: StateReceived, Urgent: true}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}
