package smpp

import (
	"errors"
	"fmt"
)

// Errors of a Session and of the Server; compare with errors.Is. A
// response with a non-zero command_status comes back from Session.Request
// as its pdu.Status, which is an error; the Status constants name the
// values smsgw uses.
var (
	// ErrClosed is returned by Session.Request, Session.Drain and the
	// writes of a session that has ended (Close, unbind from either side,
	// an I/O error, or its context ending), and by Session.Err after
	// Close or an unbind.
	ErrClosed = errors.New("smpp: session closed")

	// ErrResponseTimeout is returned by Session.Request when no response
	// came within SessionOptions.ResponseTimeout. The request may have
	// been carried out. Carrier.Send reports it as a retryable
	// spool.SendError with code "timeout" (a new error that names a
	// possible duplicate, not this one) after recycling the session.
	ErrResponseTimeout = errors.New("smpp: no response in time")

	// ErrConnLost is returned by Session.Request when the request was sent
	// and the session ended before its response: its outcome is unknown.
	// It wraps ErrClosed. Carrier.Send reports it as a retryable
	// spool.SendError with code "conn_lost".
	ErrConnLost = fmt.Errorf("%w before the response came", ErrClosed)

	// ErrUnexpectedResponse is returned by Session.Request when the
	// answer is a generic_nack, or another command's response, with
	// command_status 0: the request was not carried out. (With a non-zero
	// command_status, Request returns that pdu.Status.)
	ErrUnexpectedResponse = errors.New("smpp: unexpected response")

	// ErrNotBound is wrapped in the retryable spool.SendError (code
	// "not_bound") that Server.Deliver returns when the target account
	// has no receiver or transceiver bind now: the outbox keeps the item
	// and tries again.
	ErrNotBound = errors.New("smpp: no receiver or transceiver bound")
)
