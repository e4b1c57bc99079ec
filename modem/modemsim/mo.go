package modemsim

import (
	"fmt"
	"time"

	"github.com/smsgw/smsgw/pdu"
)

// DefaultFrom is the originator of an MO that names none.
const DefaultFrom = "+15555550123"

// MO is a mobile-originated message for the modem to receive, built
// with the project's pdu codec: one SMS-DELIVER per segment, with
// concatenation elements when the text needs several.
type MO struct {
	From    string      // originator, as pdu.ParseAddress reads it; default DefaultFrom
	Text    string      // the message
	Options pdu.Options // encoding choice; the zero value picks the fewest segments
	Class   pdu.Class   // message class; pdu.Class2 is always stored
	// Ref is the concatenation reference; 0 takes the next of a counter
	// the modem keeps.
	Ref uint16
	// Order lists the part numbers (from 1) in the order the network
	// delivers them, for example []int{2, 1}; nil is 1..n. Parts may be
	// left out (a message that never completes) or repeated.
	Order []int
	// SCTS is the service centre time stamp; default now, to the
	// second, in UTC.
	SCTS time.Time
}

// tpdus encodes the SMS-DELIVERs of mo in delivery order; m.mu is held.
func (m *Modem) tpdus(mo MO) ([]inbound, error) {
	from := mo.From
	if from == "" {
		from = DefaultFrom
	}
	oa, err := pdu.ParseAddress(from)
	if err != nil {
		return nil, fmt.Errorf("modemsim: MO from %q: %w", from, err)
	}
	ref := mo.Ref
	if ref == 0 {
		m.ref++
		ref = m.ref
	}
	subs, _, err := pdu.EncodeText(pdu.Address{}, mo.Text, pdu.SubmitOptions{Options: mo.Options, Class: mo.Class, Ref: ref})
	if err != nil {
		return nil, fmt.Errorf("modemsim: MO text: %w", err)
	}
	scts := mo.SCTS
	if scts.IsZero() {
		scts = time.Now().UTC().Truncate(time.Second)
	}
	order := mo.Order
	if order == nil {
		for i := range subs {
			order = append(order, i+1)
		}
	}
	out := make([]inbound, 0, len(order))
	for _, n := range order {
		if n < 1 || n > len(subs) {
			return nil, fmt.Errorf("modemsim: MO part %d of %d", n, len(subs))
		}
		d := pdu.Deliver{Originator: oa, SCTS: scts, UserData: subs[n-1].UserData}
		b, err := d.MarshalBinary()
		if err != nil {
			return nil, fmt.Errorf("modemsim: MO: %w", err)
		}
		out = append(out, inbound{tpdu: b, class: mo.Class})
	}
	return out, nil
}

// DeliverMO has the network deliver mo to the modem and returns how
// many parts it sent. They are handed to the gateway as AT+CNMI says
// (stored with +CMTI, or +CMT), or held by the network until the modem
// is registered, has room, or got the AT+CNMA it waits for.
func (m *Modem) DeliverMO(mo MO) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return 0, ErrClosed
	}
	in, err := m.tpdus(mo)
	if err != nil {
		return 0, err
	}
	m.enqueue(in...)
	return len(in), nil
}

// DeliverTPDU has the network deliver one SMS-DELIVER TPDU (without
// SMSC part), as DeliverMO does, for tests that build their own.
func (m *Modem) DeliverTPDU(tpdu []byte) error {
	msg, err := pdu.DecodeTPDU(tpdu)
	if err != nil {
		return fmt.Errorf("modemsim: deliver: %w", err)
	}
	d, ok := msg.(*pdu.Deliver)
	if !ok {
		return fmt.Errorf("modemsim: deliver: %s, not an SMS-DELIVER", msg.Type())
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return ErrClosed
	}
	m.enqueue(inbound{tpdu: append([]byte(nil), tpdu...), class: d.DCS.Class()})
	return nil
}

// DeliverRawTPDU has the network deliver octets that need not decode (a
// damaged or unsupported TPDU), stored as a class 1 message, for tests of
// what the connector does with what it cannot read.
func (m *Modem) DeliverRawTPDU(tpdu []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return ErrClosed
	}
	m.enqueue(inbound{tpdu: append([]byte(nil), tpdu...), class: 1})
	return nil
}

// Report has the network send a status report for s with status st
// (after any automatic one, or in place of it with a negative
// ReportDelay): routed as AT+CNMI's <ds> says. s need only carry MR and
// Message.Destination.
func (m *Modem) Report(s Submit, st pdu.Status) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return ErrClosed
	}
	in, err := statusReport(s, st)
	if err != nil {
		return err
	}
	m.enqueue(in)
	return nil
}

// statusReport builds the SMS-STATUS-REPORT for a submit.
func statusReport(s Submit, st pdu.Status) (inbound, error) {
	var to pdu.Address
	if s.Message != nil {
		to = s.Message.Destination
	}
	sent := s.Time
	if sent.IsZero() {
		sent = time.Now()
	}
	r := pdu.StatusReport{
		MR: s.MR, Recipient: to, Status: st,
		SCTS:      sent.UTC().Truncate(time.Second),
		Discharge: time.Now().UTC().Truncate(time.Second),
	}
	b, err := r.MarshalBinary()
	if err != nil {
		return inbound{}, fmt.Errorf("modemsim: status report: %w", err)
	}
	return inbound{tpdu: b, report: true}, nil
}

// preload stores mo on the SIM, unread, before power-on.
func (m *Modem) preload(mo MO) error {
	in, err := m.tpdus(mo)
	if err != nil {
		return err
	}
	for _, p := range in {
		if _, ok := m.put("SM", &slot{stat: StatUnread, frame: m.frame(p.tpdu), tpdu: len(p.tpdu)}); !ok {
			return fmt.Errorf("modemsim: preload: more than %d messages", m.o.Capacity)
		}
	}
	return nil
}
