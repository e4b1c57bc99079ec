package modem

import "errors"

// Errors a modem session ends with, most often wrapped with detail. Run
// does not return them: it logs them, shows their text in
// Health.LastError, and reopens the port with backoff.
var (
	// ErrPINRefused is the error when the SIM refused the configured PIN
	// (or the AT+CPIN command that sent it failed), and on every later
	// session of the same Modem while the SIM still asks for its PIN. The
	// connector never sends the PIN again (a third wrong PIN locks the SIM
	// into PUK); fix the PIN and restart the gateway.
	ErrPINRefused = errors.New("modem: the SIM refused the PIN; it will not be tried again")

	// ErrSIMLocked is the error when the SIM wants a PUK, wants a PIN and
	// none is configured, wants a PIN with one attempt left (the PIN is
	// then not sent), reports a state other than READY or SIM PIN, or
	// does not become ready after about ten AT+CPIN? polls.
	ErrSIMLocked = errors.New("modem: the SIM is locked")

	// ErrPortBlocked is the error when a write to the port did not
	// return within CommandTimeout: the modem stopped reading its port
	// (a firmware hang, hardware flow control held). The port is closed,
	// and no session opens again until that write has returned, which
	// it does when the modem drains the port or leaves the bus.
	ErrPortBlocked = errors.New("modem: the port is blocked: the modem does not read what is written to it")
)
