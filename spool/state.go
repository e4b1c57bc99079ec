package spool

import (
	"fmt"
	"strings"
)

// State is where a message is in its life. The zero value is invalid.
//
// Mobile-terminated (MT) messages go accepted → queued → sending → sent →
// delivered | undelivered | failed | expired | rejected | cancelled. A
// retryable failure goes from sending back to queued with the time of the
// next attempt. Mobile-originated (MO) messages are received.
type State uint8

// The states, in the order of the table below.
const (
	StateAccepted State = iota + 1
	StateQueued
	StateSending
	StateSent
	StateDelivered
	StateUndelivered
	StateFailed
	StateExpired
	StateRejected
	StateCancelled
	StateReceived
	stateEnd
)

// stateInfo is one row of the state table.
type stateInfo struct {
	name     string
	final    bool   // never changes once reached
	smpp     uint8  // SMPP 3.4 message_state, section 5.2.28
	stat     string // the stat: word of a delivery receipt (SMPP 3.4 appendix B)
	liveness bool   // counts toward the queued-message limit
}

// states is the one table that maps our states to SMPP message_state and
// the receipt stat: words. SMPP message_state values: 1 ENROUTE,
// 2 DELIVERED, 3 EXPIRED, 4 DELETED, 5 UNDELIVERABLE, 6 ACCEPTED,
// 7 UNKNOWN, 8 REJECTED.
var states = [stateEnd]stateInfo{
	StateAccepted:    {name: "accepted", smpp: 6, stat: "ACCEPTD", liveness: true},
	StateQueued:      {name: "queued", smpp: 1, stat: "ENROUTE", liveness: true},
	StateSending:     {name: "sending", smpp: 1, stat: "ENROUTE", liveness: true},
	StateSent:        {name: "sent", smpp: 1, stat: "ENROUTE"},
	StateDelivered:   {name: "delivered", final: true, smpp: 2, stat: "DELIVRD"},
	StateUndelivered: {name: "undelivered", final: true, smpp: 5, stat: "UNDELIV"},
	StateFailed:      {name: "failed", final: true, smpp: 5, stat: "UNDELIV"},
	StateExpired:     {name: "expired", final: true, smpp: 3, stat: "EXPIRED"},
	StateRejected:    {name: "rejected", final: true, smpp: 8, stat: "REJECTD"},
	StateCancelled:   {name: "cancelled", final: true, smpp: 4, stat: "DELETED"},
	StateReceived:    {name: "received", final: true, smpp: 2, stat: "DELIVRD"},
}

// States lists every state in table order.
func States() []State {
	out := make([]State, 0, stateEnd-1)
	for s := StateAccepted; s < stateEnd; s++ {
		out = append(out, s)
	}
	return out
}

func (s State) valid() bool { return s > 0 && s < stateEnd }

// String returns the state's name ("queued"), or "state(N)".
func (s State) String() string {
	if !s.valid() {
		return fmt.Sprintf("state(%d)", uint8(s))
	}
	return states[s].name
}

// Final reports whether the state never changes again.
func (s State) Final() bool { return s.valid() && states[s].final }

// Pending reports whether the message still waits to be sent (it counts
// toward the queued-message limit).
func (s State) Pending() bool { return s.valid() && states[s].liveness }

// SMPPState is the SMPP 3.4 message_state for query_sm and receipts
// (7 UNKNOWN for an invalid state).
func (s State) SMPPState() uint8 {
	if !s.valid() {
		return 7
	}
	return states[s].smpp
}

// Stat is the stat: word of a delivery receipt ("DELIVRD"), UNKNOWN for
// an invalid state.
func (s State) Stat() string {
	if !s.valid() {
		return "UNKNOWN"
	}
	return states[s].stat
}

// MarshalText encodes the state as its name.
func (s State) MarshalText() ([]byte, error) {
	if !s.valid() {
		return nil, fmt.Errorf("spool: invalid state %d", uint8(s))
	}
	return []byte(states[s].name), nil
}

// UnmarshalText parses a state name.
func (s *State) UnmarshalText(b []byte) error {
	v, err := ParseState(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// ParseState parses a state name ("delivered").
func ParseState(name string) (State, error) {
	for st := StateAccepted; st < stateEnd; st++ {
		if states[st].name == name {
			return st, nil
		}
	}
	return 0, fmt.Errorf("spool: unknown state %q", name)
}

// StateFromStat maps a receipt's stat: word to a state, as carriers write
// them (case-insensitive; ACCEPTD and ENROUTE leave the message sent).
// ok is false for a word that is not in SMPP 3.4 appendix B.
//
// UNKNOWN is the carrier's last word on a message it has lost track of
// (SMPP 3.4 5.2.28: "in invalid state"; no report follows it). It counts
// as undelivered, as Kannel counts it: the message is not known to have
// arrived, and "sent" for ever would let a caller believe it had. The
// report keeps the carrier's own word (Report.Stat).
func StateFromStat(word string) (st State, ok bool) {
	switch strings.ToUpper(strings.TrimSpace(word)) {
	case "DELIVRD", "DELIVERED":
		return StateDelivered, true
	case "UNDELIV", "UNDELIVERABLE", "UNKNOWN":
		return StateUndelivered, true
	case "EXPIRED":
		return StateExpired, true
	case "REJECTD", "REJECTED":
		return StateRejected, true
	case "DELETED":
		return StateCancelled, true
	case "ACCEPTD", "ACCEPTED", "ENROUTE":
		return StateSent, true
	}
	return StateSent, false
}
