package pdu

import (
	"math/rand/v2"
	"sync"
)

// SubmitOptions describe the SMS-SUBMITs of one message.
type SubmitOptions struct {
	Options
	Class               Class    // message class; Class0 is a "flash" message
	StatusReportRequest bool     // TP-SRR: ask for a status report per part
	RejectDuplicates    bool     // TP-RD
	ReplyPath           bool     // TP-RP
	Validity            Validity // TP-VP
	PID                 byte     // TP-PID
	// MR is the TP-MR of the first part; each next part takes the next
	// value. Most modems assign their own on AT+CMGS and report it.
	MR byte
	// Ref is the concatenation reference shared by the parts (see
	// RefCounter); only its low 8 bits are used unless Ref16 is set.
	Ref uint16
}

// EncodeText plans text and builds one SMS-SUBMIT per part.
func EncodeText(to Address, text string, o SubmitOptions) ([]Submit, Plan, error) {
	p, units, err := planEncode(text, o.Options)
	if err != nil {
		return nil, p, err
	}
	parts, err := p.cut(units, o.Ref, o.Class)
	if err != nil {
		return nil, p, err
	}
	return submits(to, parts, o), p, nil
}

// EncodeBinary builds one SMS-SUBMIT per part of 8-bit data sent after the
// caller's header udh.
func EncodeBinary(to Address, data []byte, udh UDH, o SubmitOptions) ([]Submit, Plan, error) {
	p, err := PlanBinary(data, udh, o.Ref16)
	if err != nil {
		return nil, p, err
	}
	parts, err := SplitBinary(data, udh, o.Ref, o.Ref16, o.Class)
	if err != nil {
		return nil, p, err
	}
	return submits(to, parts, o), p, nil
}

func submits(to Address, parts []UserData, o SubmitOptions) []Submit {
	out := make([]Submit, len(parts))
	for i, ud := range parts {
		out[i] = Submit{
			RejectDuplicates:    o.RejectDuplicates,
			StatusReportRequest: o.StatusReportRequest,
			ReplyPath:           o.ReplyPath,
			MR:                  o.MR + byte(i),
			Destination:         to,
			PID:                 o.PID,
			Validity:            o.Validity,
			UserData:            ud,
		}
	}
	return out
}

// RefCounter hands out concatenation references per destination: each
// destination sees its references rotate through all 65536 (or, masked,
// 256) values before one repeats. A new destination starts at a random
// value so that a restart without restored state is unlikely to reuse a
// reference still being reassembled. It is safe for concurrent use. At
// most Limit destinations are remembered (default 65536); past that the
// oldest half is forgotten.
type RefCounter struct {
	Limit int

	mu    sync.Mutex
	next  map[string]uint16
	order []string
}

// Next returns the reference for the next message to dest.
func (c *RefCounter) Next(dest string) uint16 {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.next == nil {
		c.next = make(map[string]uint16)
	}
	ref, ok := c.next[dest]
	if !ok {
		ref = uint16(rand.Uint32())
		c.remember(dest)
	}
	c.next[dest] = ref + 1
	return ref
}

func (c *RefCounter) remember(dest string) {
	limit := c.Limit
	if limit <= 0 {
		limit = 1 << 16
	}
	if len(c.order) >= limit {
		drop := len(c.order) / 2
		for _, d := range c.order[:drop] {
			delete(c.next, d)
		}
		c.order = append(c.order[:0], c.order[drop:]...)
	}
	c.order = append(c.order, dest)
}

// Export returns the next reference of every remembered destination, for
// the spool to persist.
func (c *RefCounter) Export() map[string]uint16 {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]uint16, len(c.next))
	for k, v := range c.next {
		out[k] = v
	}
	return out
}

// Restore replaces the state with one from Export.
func (c *RefCounter) Restore(state map[string]uint16) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.next = make(map[string]uint16, len(state))
	c.order = c.order[:0]
	for k, v := range state {
		c.next[k] = v
		c.order = append(c.order, k)
	}
}
