package spool

import (
	"context"
	"fmt"
)

// Cancel cancels a message that has not been handed to a connector yet
// (accepted or queued, including scheduled ones). A message being sent or
// already sent returns ErrNotCancellable; a final one ErrFinal. actor is
// who asked (http:<key>, ui:<user>, cli).
func (s *Store) Cancel(ctx context.Context, id, actor string) (*Message, error) {
	uid, err := parseID(id)
	if err != nil {
		return nil, fmt.Errorf("%w: %q is not a message id", ErrNotFound, id)
	}
	var out *Message
	err = s.update(ctx, func(w *wtx) error {
		m, before, err := w.load(uid)
		if err != nil {
			return checked{err}
		}
		switch {
		case m.State.Final():
			return checked{fmt.Errorf("%w: %s is %s", ErrFinal, id, m.State)}
		case m.State != StateQueued && m.State != StateAccepted:
			return checked{fmt.Errorf("%w: %s is %s", ErrNotCancellable, id, m.State)}
		}
		m.Reason = "cancelled by " + actor
		if err := w.finish(uid, before, m, StateCancelled, actor, m.Reason); err != nil {
			return err
		}
		out = m
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out.Clone(), nil
}

// Resendable says whether Retry sends m again, as a new message: an
// outbound message, with its body, that did not arrive (failed,
// expired, undelivered, rejected).
func (m *Message) Resendable() bool {
	switch m.State {
	case StateFailed, StateExpired, StateUndelivered, StateRejected:
		return m.Direction == MT && !m.Redacted
	}
	return false
}

// Retry asks for a message to be tried again now. A queued message
// waiting for its next attempt becomes due at once. A final message that
// did not arrive (failed, expired, undelivered, rejected) keeps its state
// (final states never change): a new message with the same content is
// enqueued, and both timelines name each other; asking again returns that
// same message (within the idempotency time, a day by default). A
// scheduled message becomes due now too (`smsgw spool retry` sends it
// now; the admin UI does not offer it). It returns the message that will
// be sent.
func (s *Store) Retry(ctx context.Context, id, actor string) (*Message, error) {
	uid, err := parseID(id)
	if err != nil {
		return nil, fmt.Errorf("%w: %q is not a message id", ErrNotFound, id)
	}
	orig, err := s.Get(id)
	if err != nil {
		return nil, err
	}
	switch orig.State {
	case StateQueued:
		var out *Message
		err := s.update(ctx, func(w *wtx) error {
			m, before, err := w.load(uid)
			if err != nil {
				return checked{err}
			}
			if m.State != StateQueued {
				return checked{fmt.Errorf("%w: %s is now %s", ErrNotCancellable, id, m.State)}
			}
			m.NextAt = w.now
			m.note(w.now, actor, "retry now requested")
			out = m
			if err := w.save(uid, before, m); err != nil {
				return err
			}
			return w.audit(AuditEntry{Action: "retried", Actor: actor, Tenant: m.Tenant, MsgID: m.ID, Detail: "due now"})
		})
		if err != nil {
			return nil, err
		}
		return out.Clone(), nil
	case StateFailed, StateExpired, StateUndelivered, StateRejected:
		if !orig.Resendable() {
			return nil, fmt.Errorf("%w: %s cannot be sent again (inbound or body redacted)", ErrInvalid, id)
		}
	default:
		kind := ErrFinal
		if !orig.State.Final() {
			kind = errNotYetFinal // sending, or sent and waiting for its report
		}
		return nil, fmt.Errorf("%w: %s is %s; only a queued message (sent now) or a failed, expired, undelivered or rejected one (sent again as a new message) can be retried", kind, id, orig.State)
	}
	again := orig.Clone()
	// One new message per original, however many times it is asked for
	// (a double click, two technicians): the retry's idempotency key is
	// the original's id, and asking again returns the same new message.
	again.Source, again.Idempotency, again.SendAt = actor, "retry:"+orig.ID, timeZero
	again.ValidUntil = s.now().Add(s.opts.DefaultValidity)
	again.Route, again.Connector, again.Reason = "", "", ""
	again.RetryOf, again.ID = orig.ID, ""
	stored, replayed, err := s.Enqueue(ctx, again)
	if err != nil || replayed {
		return stored, err
	}
	err = s.update(ctx, func(w *wtx) error {
		if err := w.noteMessage(orig.ID, actor, "retried as "+stored.ID); err != nil {
			return err
		}
		return w.audit(AuditEntry{Action: "retried", Actor: actor, Tenant: orig.Tenant, MsgID: orig.ID, Detail: "as " + stored.ID})
	})
	return stored, err
}
