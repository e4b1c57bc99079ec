package spool

import (
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/oklog/ulid/v2"
)

// Lease takes up to max due messages, most urgent lane first (emergency,
// high, normal), then by due time, then by arrival, and marks them
// sending until now+Lease. Each returned message's Attempts is the
// attempt number the result must quote. A message whose validity has
// passed is expired instead of leased; one whose lease ran out (a hung
// or crashed sender) is counted as an attempt and taken again, or failed
// when it has no attempts left. Only lanes of priority min and above are
// served (a dispatcher whose normal slots are full still takes
// emergencies).
func (s *Store) Lease(ctx context.Context, max int, min Priority) ([]*Message, error) {
	var out []*Message
	err := s.background(ctx, func(w *wtx) error {
		out = out[:0]
		for lane := byte(0); lane <= min.lane() && len(out) < max; lane++ {
			if err := w.leaseLane(lane, max, &out); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (w *wtx) leaseLane(lane byte, max int, out *[]*Message) error {
	// Every key handled leaves the due range (leased until later,
	// expired, failed), so each round scans from the start of the lane.
	for len(*out) < max {
		due := w.dueKeys(lane, max-len(*out))
		if len(due) == 0 {
			return nil
		}
		for _, k := range due {
			if err := w.leaseOne(k, out); err != nil {
				return err
			}
		}
	}
	return nil
}

// dueKeys copies up to n queue keys of lane that are due. The records
// change after the scan: a cursor must not see its bucket change.
func (w *wtx) dueKeys(lane byte, n int) [][]byte {
	now := ms(w.now)
	c := w.bucket(bQueue).Cursor()
	var due [][]byte
	for k, _ := c.Seek([]byte{lane}); k != nil && k[0] == lane && len(due) < n; k, _ = c.Next() {
		if binary.BigEndian.Uint64(k[1:9]) > now {
			break
		}
		due = append(due, append([]byte(nil), k...))
	}
	return due
}

func (w *wtx) leaseOne(k []byte, out *[]*Message) error {
	var id ulid.ULID
	copy(id[:], k[9:])
	m, before, err := w.load(id)
	if err != nil {
		return err
	}
	if m.NextAt.After(w.now) {
		// Not due after all: load moved its lease for a clock step.
		return w.save(id, before, m)
	}
	if m.State == StateSending {
		done, err := w.leaseExpired(id, before, m)
		if err != nil || done {
			return err
		}
	}
	if !w.now.Before(m.ValidUntil) {
		return w.finish(id, before, m, StateExpired, "spool", "validity ended before it could be sent")
	}
	m.Attempts++
	m.NextAt = w.now.Add(w.s.opts.Lease)
	m.Reason = ""
	m.record(w.now, StateSending, "spool", fmt.Sprintf("attempt %d", m.Attempts))
	if err := w.save(id, before, m); err != nil {
		return err
	}
	*out = append(*out, m.Clone())
	return nil
}

// leaseExpired handles a message whose lease ran out (a hung or
// crashed sender): the attempt counts, as it may have gone out. With no
// attempts left the message fails and done is true.
func (w *wtx) leaseExpired(id ulid.ULID, before snapshot, m *Message) (done bool, err error) {
	detail := fmt.Sprintf("attempt %d: no result before the lease ended", m.Attempts)
	if m.Connector != "" {
		detail += " (" + m.Connector + ")"
	}
	if m.Attempts >= w.maxAttempts(m) {
		m.Reason = "attempt limit reached; the last attempt's outcome is unknown"
		return true, w.finish(id, before, m, StateFailed, "spool", detail)
	}
	m.note(w.now, "spool", detail+"; possible duplicate")
	return false, nil
}

func (w *wtx) maxAttempts(m *Message) int {
	if m.MaxAttempts > 0 {
		return min(m.MaxAttempts, w.s.opts.Retry.MaxAttempts)
	}
	return w.s.opts.Retry.MaxAttempts
}

// recoverLeases runs at open: every message that was sending when the
// process stopped is due again now. The attempt counts (it may have gone
// out), and the timeline says so.
func (w *wtx) recoverLeases() (int, error) {
	c := w.bucket(bState).Cursor()
	var ids []ulid.ULID
	for k, _ := c.Seek([]byte{byte(StateSending)}); k != nil && k[0] == byte(StateSending); k, _ = c.Next() {
		var id ulid.ULID
		copy(id[:], k[1:])
		ids = append(ids, id)
	}
	for _, id := range ids {
		m, before, err := w.load(id)
		if err != nil {
			return 0, err
		}
		m.NextAt = w.now
		m.record(w.now, StateQueued, "spool",
			fmt.Sprintf("recovered at start: attempt %d was in flight; possible duplicate", m.Attempts))
		if err := w.save(id, before, m); err != nil {
			return 0, err
		}
	}
	return len(ids), nil
}

// Result is what a dispatcher reports for one attempt.
type Result struct {
	Connector   string
	Route       string
	ProviderIDs []string // one per segment that went out, in order
	Err         error    // nil: sent; a *SendError says retryable or permanent
	// Defer, when not zero and Err is nil and nothing was sent, puts the
	// message back without counting an attempt (no usable connector,
	// connector busy): it is due again at Defer, or expires at its
	// validity.
	Defer  time.Time
	Reason string // why it was deferred
}

// Complete records the outcome of attempt on message id: sent (state
// sent, provider ids filed for receipts), deferred, or failed (retried
// with backoff while attempts and validity last, else failed or expired;
// a permanent error fails it at once). A result for an attempt that is
// no longer current is noted in the timeline (and its provider ids filed,
// since the message did go out) and ErrStaleLease returned.
func (s *Store) Complete(ctx context.Context, id string, attempt int, r Result) error {
	uid, err := parseID(id)
	if err != nil {
		return fmt.Errorf("%w: %s", ErrNotFound, id)
	}
	if slices.ContainsFunc(r.ProviderIDs, func(pid string) bool { return cleanProviderID(pid) != pid }) {
		r.ProviderIDs = slices.Clone(r.ProviderIDs)
		for i, pid := range r.ProviderIDs {
			if r.ProviderIDs[i] = cleanProviderID(pid); r.ProviderIDs[i] == "" && pid != "" {
				// Filed as no id: the part went out, no receipt can find it.
				s.log.Warn("connector gave a message id that cannot be kept; no receipt can be matched to the part",
					"msg_id", id, "connector", r.Connector, "attempt_part", i+1, "octets", len(pid))
			}
		}
	}
	return s.background(ctx, func(w *wtx) error {
		if err := w.complete(uid, attempt, r); err != nil {
			return err
		}
		return w.applyParked() // receipts that overtook this result
	})
}

func (w *wtx) complete(uid ulid.ULID, attempt int, r Result) error {
	{
		m, before, err := w.load(uid)
		if err != nil {
			return checked{err}
		}
		if m.State != StateSending || m.Attempts != attempt {
			return w.staleResult(uid, before, m, attempt, r)
		}
		if r.Route != "" {
			m.Route = r.Route
		}
		if r.Connector != "" {
			m.Connector = r.Connector
		}
		sentParts := len(r.ProviderIDs) > 0
		if sentParts {
			if err := w.fileParts(uid, m, r); err != nil {
				return err
			}
		}
		switch {
		case r.Err == nil && !r.Defer.IsZero() && !sentParts:
			m.Attempts--
			m.NextAt = minTime(r.Defer.UTC().Truncate(time.Millisecond), m.ValidUntil)
			m.deferred(w.now, r.Reason)
			return w.save(uid, before, m)
		case r.Err == nil:
			m.NextAt = time.Time{}
			detail := fmt.Sprintf("sent via %s, %d part(s): %s", m.Connector, len(r.ProviderIDs), strings.Join(r.ProviderIDs, ","))
			if slices.Contains(r.ProviderIDs, "") {
				// Said where the client looks: it stays "sent" for good.
				detail += "; the connector gave no usable message id for a part, so no delivery report can be matched to it: the message stays sent"
			}
			m.record(w.now, StateSent, connectorActor(m.Connector), detail)
			if err := w.save(uid, before, m); err != nil {
				return err
			}
			if err := w.audit(AuditEntry{Action: "sent", Actor: connectorActor(m.Connector), Tenant: m.Tenant,
				MsgID: m.ID, Detail: fmt.Sprintf("attempt %d, %d part(s)", attempt, len(r.ProviderIDs))}); err != nil {
				return err
			}
			if m.ReportAccepted {
				return w.oweReport(m) // "accepted by the SMSC"
			}
			return nil
		default:
			return w.failAttempt(uid, before, m, r)
		}
	}
}

// failAttempt decides what a failed attempt means: retry later, or a
// final state.
func (w *wtx) failAttempt(id ulid.ULID, before snapshot, m *Message, r Result) error {
	actor := connectorActor(m.Connector)
	// A long message refused part-way: its first parts went out and may
	// reach the handset, which a final state alone would hide.
	partly := ""
	if n := m.SentParts(); n > 0 {
		partly = fmt.Sprintf("; part(s) 1-%d of %d had gone out and may reach the recipient", n, m.Segments)
	}
	m.Reason = errCode(r.Err) + ": " + r.Err.Error() + partly
	if IsPermanent(r.Err) {
		return w.finish(id, before, m, StateFailed, actor, fmt.Sprintf("attempt %d: %v%s", m.Attempts, r.Err, partly))
	}
	if m.Attempts >= w.maxAttempts(m) {
		return w.finish(id, before, m, StateFailed, actor,
			fmt.Sprintf("attempt %d: %v; attempt limit %d reached%s", m.Attempts, r.Err, w.maxAttempts(m), partly))
	}
	next := w.now.Add(w.s.opts.Retry.backoff(m.Attempts, w.s.opts.Jitter())).Truncate(time.Millisecond)
	if !next.Before(m.ValidUntil) {
		return w.finish(id, before, m, StateExpired, actor,
			fmt.Sprintf("attempt %d: %v; validity ends before the next attempt%s", m.Attempts, r.Err, partly))
	}
	m.NextAt = next
	m.record(w.now, StateQueued, actor, fmt.Sprintf("attempt %d: %v; retry at %s",
		m.Attempts, r.Err, next.Format(time.RFC3339Nano)))
	return w.save(id, before, m)
}

// finish moves a message to a final state, audits it and owes the
// submitter a report when one was asked for.
func (w *wtx) finish(id ulid.ULID, before snapshot, m *Message, st State, actor, detail string) error {
	m.NextAt = time.Time{}
	if m.Reason == "" || st == StateExpired {
		m.Reason = detail
	}
	m.record(w.now, st, actor, detail)
	if err := w.save(id, before, m); err != nil {
		return err
	}
	if err := w.audit(AuditEntry{Action: st.String(), Actor: actor, Tenant: m.Tenant, MsgID: m.ID, Detail: detail}); err != nil {
		return err
	}
	return w.oweReport(m)
}

// staleResult records a result that came after its lease was taken over.
func (w *wtx) staleResult(id ulid.ULID, before snapshot, m *Message, attempt int, r Result) error {
	detail := fmt.Sprintf("late result of attempt %d ignored", attempt)
	if r.Err != nil {
		detail += ": " + r.Err.Error()
	} else if len(r.ProviderIDs) > 0 {
		detail += ": it was sent (" + strings.Join(r.ProviderIDs, ",") + "); possible duplicate"
		if err := w.fileProviderIDs(id, r.Connector, r.ProviderIDs, 1, m.attemptStart(attempt)); err != nil {
			return err
		}
	}
	m.note(w.now, connectorActor(r.Connector), detail)
	if err := w.save(id, before, m); err != nil {
		return err
	}
	return checked{ErrStaleLease}
}

func connectorActor(name string) string {
	if name == "" {
		return "spool"
	}
	return "connector:" + name
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}
