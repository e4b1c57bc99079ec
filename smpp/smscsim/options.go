package smscsim

import (
	"io"
	"time"
)

// Default credentials of the account used when Options.Accounts is empty.
const (
	DefaultSystemID = "test"
	DefaultPassword = "secret"
)

// Account is a system_id/password pair the simulator accepts in a bind.
type Account struct {
	SystemID string
	Password string
}

// IDFormat says how a message id is printed.
type IDFormat int

// The message id formats. IDDefault means decimal for Options.IDFormat
// and "the same as IDFormat" for Options.ReceiptIDFormat.
const (
	IDDefault  IDFormat = iota
	IDDecimal           // 42
	IDHexLower          // 2a
	IDHexUpper          // 2A
)

// Ratios weighs the outcomes of delivery receipts when Options.Outcome is
// nil. All zero means every message is delivered.
type Ratios struct {
	Delivered   float64
	Undelivered float64
	Expired     float64
	Rejected    float64
}

// Options configures a Server. The zero value of every field means its
// default.
type Options struct {
	// Addr is the listen address; default 127.0.0.1 at a free port. Give
	// a stopped simulator's Addr to bring "the carrier" back where the
	// connector looks for it.
	Addr string

	// Accounts are the credentials accepted in binds. Default: one
	// account DefaultSystemID/DefaultPassword.
	Accounts []Account

	// IDFormat prints the message_id of submit_sm_resp. Default decimal.
	IDFormat IDFormat
	// ReceiptIDFormat prints the same id in delivery receipts (the text's
	// id: and receipted_message_id). Default: as IDFormat. Real carriers
	// answer hex and report decimal; set IDHexLower and IDDecimal to act so.
	ReceiptIDFormat IDFormat
	// RandomIDs makes ids random 64-bit numbers (unique within the
	// server) instead of a counter starting at 1.
	RandomIDs bool
	// Seed seeds the random ids and the outcome ratios. Default 1, so
	// runs are repeatable.
	Seed uint64

	// ReceiptDelay is the time between submit_sm_resp and the receipt.
	// Default 0: at once.
	ReceiptDelay time.Duration
	// Outcome chooses the outcome of each submit's receipt. It takes
	// precedence over Ratios; it is called with the server's lock held
	// and must not call the Server.
	Outcome func(Submit) Outcome
	// Ratios weighs the outcomes when Outcome is nil.
	Ratios Ratios
	// Window bounds the deliver_sm (receipts and MO) outstanding on one
	// session, as a real SMSC's window does. Default 0: no bound, every
	// queued deliver_sm is written at once.
	Window int
	// Redeliver is how long a deliver_sm answered with an error waits
	// before it is sent again, as a real SMSC retries. Default 0: only
	// after the next bind.
	Redeliver time.Duration

	// WriteTimeout bounds every write to a connection; a client that
	// does not read for that long is disconnected. Default 2 s.
	WriteTimeout time.Duration
	// UnbindTimeout is how long a server-initiated unbind waits for
	// unbind_resp before closing the connection. Default 1 s.
	UnbindTimeout time.Duration
	// MaxPDU is the largest command_length accepted; a larger one (or one
	// under 16) closes the session. Default and maximum 4096, the codec's
	// limit.
	MaxPDU int

	// Trace, when set, receives one line per PDU in and out.
	Trace io.Writer
}

func (o Options) withDefaults() Options {
	if len(o.Accounts) == 0 {
		o.Accounts = []Account{{SystemID: DefaultSystemID, Password: DefaultPassword}}
	}
	if o.IDFormat == IDDefault {
		o.IDFormat = IDDecimal
	}
	if o.ReceiptIDFormat == IDDefault {
		o.ReceiptIDFormat = o.IDFormat
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	if o.WriteTimeout <= 0 {
		o.WriteTimeout = 2 * time.Second
	}
	if o.UnbindTimeout <= 0 {
		o.UnbindTimeout = time.Second
	}
	if o.MaxPDU <= 0 || o.MaxPDU > maxPDU {
		o.MaxPDU = maxPDU
	}
	return o
}
