package spool

import (
	"errors"
	"fmt"
)

// Errors returned by the spool. Callers compare with errors.Is.
var (
	// ErrNotFound is returned when no message has the given id.
	ErrNotFound = errors.New("spool: message not found")

	// ErrSpoolFull is returned by Enqueue (and the inbound and outbox
	// writes) when the spool refuses new work: the queued-message limit or
	// the file-size limit is reached, or the disk is full. Nothing was
	// acknowledged; the caller should answer "try later" (SMPP
	// ESME_RMSGQFUL, HTTP 503).
	ErrSpoolFull = errors.New("spool: full")

	// ErrClosed is returned after Close.
	ErrClosed = errors.New("spool: closed")

	// ErrInUse is returned by Open when another process holds the spool
	// file (bbolt locks it): usually a running `smsgw serve`.
	ErrInUse = errors.New("spool: file is in use by another process (is smsgw serve running?)")

	// ErrReadOnly is returned by writes on a spool opened read-only.
	ErrReadOnly = errors.New("spool: opened read-only")

	// ErrFinal is returned when an operation needs a message that is not
	// yet final (cancel) or that is final (retry) and the message is in
	// the other kind of state. The error text names the state.
	ErrFinal = errors.New("spool: message is in a final state")

	// errNotYetFinal is ErrFinal for a retry of a message that is not
	// final yet (sending, sent): errors.Is(err, ErrFinal) holds, and the
	// text does not call "sent" a final state.
	errNotYetFinal error = notYetFinal{}

	// ErrNotCancellable is returned by Cancel for a message that is being
	// sent or was already handed to a carrier or modem.
	ErrNotCancellable = errors.New("spool: message can no longer be cancelled")

	// ErrIdempotencyConflict is returned by Enqueue when an idempotency key
	// is reused for a different message (another recipient or body).
	ErrIdempotencyConflict = errors.New("spool: idempotency key reused with a different message")

	// ErrStaleLease is returned when a send result arrives for an attempt
	// whose lease has expired and was taken over. The result is still
	// recorded in the timeline.
	ErrStaleLease = errors.New("spool: lease expired; result recorded but not applied")

	// ErrInvalid is returned for a message that cannot be spooled as given
	// (missing recipient, field too long). The text names the field.
	ErrInvalid = errors.New("spool: invalid message")

	// ErrAuditBroken is returned by VerifyAudit when the chain does not
	// verify; the *AuditError says where.
	ErrAuditBroken = errors.New("spool: audit chain broken")

	// ErrDamaged: the file cannot be read as a spool: a page is not what
	// it should be, or a checksum does not match (a disk or an SD card
	// that lost writes). Open and Check return it instead of crashing;
	// Salvage copies what can still be read into a new file.
	ErrDamaged = errors.New("spool: the spool file is damaged")
)

// DamagedError is ErrDamaged with the file and what was found wrong.
type DamagedError struct {
	Path   string
	Detail string
}

func (e *DamagedError) Error() string { return fmt.Sprintf("%v: %s: %s", ErrDamaged, e.Path, e.Detail) }

// Is makes errors.Is(err, ErrDamaged) true.
func (e *DamagedError) Is(target error) bool { return target == ErrDamaged }

// SendError is what a connector returns when a send fails: whether the
// spool may try again, and a short stable code for the timeline and the
// metrics. Only the spool decides to retry.
type SendError struct {
	Code      string // short stable cause, e.g. "throttled", "cms_38", "invalid_dest"
	Permanent bool   // true: never retry this message
	// Overload marks a retryable failure that says the connector works
	// but is over its rate (a carrier's throttling): no sign that it is
	// failing, so the router does not fail over for it.
	Overload bool
	// Unavailable marks a retryable failure that says the connector
	// cannot send now (a carrier that refuses everything as throttled, or
	// does not answer): the router takes it out of its routes at once.
	Unavailable bool
	Err         error
}

func (e *SendError) Error() string {
	kind := "retryable"
	if e.Permanent {
		kind = "permanent"
	}
	if e.Err == nil {
		return fmt.Sprintf("%s error %s", kind, e.Code)
	}
	return fmt.Sprintf("%s error %s: %v", kind, e.Code, e.Err)
}

func (e *SendError) Unwrap() error { return e.Err }

// Retryable wraps err as a retryable send failure with the given code.
func Retryable(code string, err error) error {
	return &SendError{Code: code, Err: err}
}

// Permanent wraps err as a permanent send failure with the given code.
func Permanent(code string, err error) error {
	return &SendError{Code: code, Permanent: true, Err: err}
}

// Overloaded wraps err as a retryable send failure of a connector that
// works but is over its rate (see SendError.Overload).
func Overloaded(code string, err error) error {
	return &SendError{Code: code, Overload: true, Err: err}
}

// Unavailable wraps err as a retryable send failure of a connector that
// cannot send now (see SendError.Unavailable).
func Unavailable(code string, err error) error {
	return &SendError{Code: code, Unavailable: true, Err: err}
}

// IsUnavailable reports whether err is an Unavailable failure.
func IsUnavailable(err error) bool {
	var se *SendError
	return errors.As(err, &se) && se.Unavailable
}

// IsOverload reports whether err is an Overloaded failure.
func IsOverload(err error) bool {
	var se *SendError
	return errors.As(err, &se) && se.Overload
}

// IsPermanent reports whether err says the send must not be retried. An
// error that is not a *SendError is treated as retryable: an unknown
// failure should not lose a message.
func IsPermanent(err error) bool {
	var se *SendError
	return errors.As(err, &se) && se.Permanent
}

// errCode is the code of a send error, or "error" for an unclassified one.
func errCode(err error) string {
	var se *SendError
	if errors.As(err, &se) && se.Code != "" {
		return se.Code
	}
	return "error"
}

type notYetFinal struct{}

func (notYetFinal) Error() string        { return "spool: message is not in a final state yet" }
func (notYetFinal) Is(target error) bool { return target == ErrFinal }
