package smscsim

import (
	"fmt"
	"time"
	"unicode/utf16"

	"github.com/fiorix/go-smpp/smpp/pdu/pdutlv"
)

// Outcome is the final state a delivery receipt reports.
type Outcome int

// The outcomes. The zero value is Delivered.
const (
	Delivered   Outcome = iota // stat:DELIVRD, message_state 2
	Undelivered                // stat:UNDELIV, message_state 5, err:001
	Expired                    // stat:EXPIRED, message_state 3
	Rejected                   // stat:REJECTD, message_state 8, err:002
)

var outcomes = [...]struct {
	stat  string
	state uint8 // message_state (SMPP 3.4, 5.2.28)
	dlvrd string
	err   string
}{
	Delivered:   {"DELIVRD", 2, "001", "000"},
	Undelivered: {"UNDELIV", 5, "000", "001"},
	Expired:     {"EXPIRED", 3, "000", "000"},
	Rejected:    {"REJECTD", 8, "000", "002"},
}

func (o Outcome) String() string { return outcomes[o].stat }

// MessageState is the SMPP message_state the outcome is reported with.
func (o Outcome) MessageState() uint8 { return outcomes[o].state }

// outcomeLocked picks the outcome of m's receipt. s.mu must be held.
func (s *Server) outcomeLocked(m Submit) Outcome {
	if s.opts.Outcome != nil {
		return s.opts.Outcome(m)
	}
	r := s.opts.Ratios
	weights := [...]float64{Delivered: r.Delivered, Undelivered: r.Undelivered, Expired: r.Expired, Rejected: r.Rejected}
	total := 0.0
	for _, w := range weights {
		total += max(w, 0)
	}
	if total <= 0 {
		return Delivered
	}
	x := s.rnd.Float64() * total
	for oc, w := range weights {
		if x < max(w, 0) {
			return Outcome(oc)
		}
		x -= max(w, 0)
	}
	return Delivered // rounding
}

// scheduleReceipt queues the receipt m asks for (registered_delivery 1:
// always, 2: on failure only) after Options.ReceiptDelay.
func (s *Server) scheduleReceipt(m Submit) {
	reg := m.RegisteredDelivery & registeredDeliveryMask
	if reg == 0 || reg == 3 {
		return
	}
	s.mu.Lock()
	oc := s.outcomeLocked(m)
	s.mu.Unlock()
	if reg == 2 && oc == Delivered {
		return
	}
	s.afterFunc(s.opts.ReceiptDelay, func() { s.enqueue(newReceipt(m, oc, time.Now())) })
}

// ReceiptText is the receipt's short_message in the de facto standard
// format (SMPP 3.4, appendix B).
func ReceiptText(id string, oc Outcome, submitted, done time.Time, text []byte) string {
	const layout = "0601021504"
	o := outcomes[oc]
	return fmt.Sprintf("id:%s sub:001 dlvrd:%s submit date:%s done date:%s stat:%s err:%s text:%s",
		id, o.dlvrd, submitted.UTC().Format(layout), done.UTC().Format(layout), o.stat, o.err, text)
}

func newReceipt(m Submit, oc Outcome, now time.Time) *outbound {
	sm := []byte(ReceiptText(m.ReceiptID, oc, m.Received, now, receiptSample(m)))
	return &outbound{d: Delivery{
		Kind:         KindReceipt,
		SystemID:     m.SystemID,
		Source:       m.Dest,
		Dest:         m.Source,
		ESMClass:     esmClassReceipt,
		ShortMessage: sm,
		TLVs: map[uint16][]byte{
			uint16(pdutlv.TagReceiptedMessageID): append([]byte(m.ReceiptID), 0),
			uint16(pdutlv.TagMessageStateOption): {oc.MessageState()},
		},
		MessageID: m.ReceiptID,
		Outcome:   oc,
		Part:      1,
		Parts:     1,
	}}
}

// receiptSample is the first 20 characters of the message, printable
// ASCII only (others become '?'), UCS-2 decoded first.
func receiptSample(m Submit) []byte {
	t := m.Text()
	var rs []rune
	if m.DataCoding == 0x08 {
		u := make([]uint16, len(t)/2)
		for i := range u {
			u[i] = uint16(t[2*i])<<8 | uint16(t[2*i+1])
		}
		rs = utf16.Decode(u)
	} else {
		for _, b := range t {
			rs = append(rs, rune(b))
		}
	}
	if len(rs) > 20 {
		rs = rs[:20]
	}
	out := make([]byte, len(rs))
	for i, r := range rs {
		if r < 0x20 || r > 0x7E {
			r = '?'
		}
		out[i] = byte(r)
	}
	return out
}
