package smscsim

import (
	"context"
	"fmt"

	"github.com/fiorix/go-smpp/smpp/pdu"
	"github.com/fiorix/go-smpp/smpp/pdu/pdufield"
	"github.com/fiorix/go-smpp/smpp/pdu/pdutlv"
)

// DeliveryKind says what a deliver_sm carries.
type DeliveryKind int

// The kinds of deliver_sm.
const (
	KindReceipt DeliveryKind = iota + 1 // a delivery receipt
	KindMO                              // a mobile-originated message (or one part of it)
)

// Delivery is one deliver_sm the simulator queued for a system_id, and
// what became of it.
type Delivery struct {
	Kind         DeliveryKind
	SystemID     string
	Source       Address
	Dest         Address
	ESMClass     uint8
	DataCoding   uint8
	ShortMessage []byte
	TLVs         map[uint16][]byte
	MessageID    string  // receipts: the receipted id
	Outcome      Outcome // receipts
	Part, Parts  int     // 1-based part number and count; 1, 1 for a single message
	Sent         int     // how many times it was written
	Acked        bool    // a deliver_sm_resp with status 0 arrived
	Status       pdu.Status
}

// outbound is a queued deliver_sm, guarded by Server.mu. It is pending
// while sess is nil and not Acked; held ones (answered with an error)
// wait for the next bind.
type outbound struct {
	d    Delivery
	sess *session
	held bool
}

// enqueue queues obs and sends it if a receiver of its system_id is bound.
func (s *Server) enqueue(obs ...*outbound) {
	if len(obs) == 0 {
		return
	}
	s.mu.Lock()
	s.out = append(s.out, obs...)
	s.notifyLocked()
	s.mu.Unlock()
	s.send(obs[0].d.SystemID, false)
}

// flush sends, after a bind of sysID, whatever waits for it.
func (s *Server) flush(sysID string) { s.send(sysID, true) }

// send writes the pending deliver_sm of sysID to one of its receiving
// sessions, in queue order. With rebind, held ones are retried too.
func (s *Server) send(sysID string, rebind bool) {
	s.mu.Lock()
	var ss *session
	for c := range s.sessions {
		if !s.closed && c.systemID == sysID && c.state.canReceive() {
			ss = c
			break
		}
	}
	if ss == nil {
		s.mu.Unlock()
		return
	}
	var ps []pdu.Body
	for s.unacked < len(s.out) && s.out[s.unacked].d.Acked {
		s.unacked++
	}
	// What is acknowledged stays acknowledged, so the scan starts at the
	// oldest deliver_sm that is not: with a window, a few hundred at
	// most, instead of every one queued since the start.
	for _, o := range s.out[s.unacked:] {
		if w := s.opts.Window; w > 0 && len(ss.inflight) >= w {
			break
		}
		if o.d.SystemID != sysID || o.d.Acked || o.sess != nil || (o.held && !rebind) {
			continue
		}
		o.held = false
		o.sess = ss
		o.d.Sent++
		seq := ss.nextSeqLocked()
		ss.inflight[seq] = o
		ps = append(ps, o.pdu(seq))
	}
	s.notifyLocked()
	s.mu.Unlock()
	for _, p := range ps {
		if ss.write(p) != nil {
			return // the session closes and re-queues the rest
		}
	}
}

func (o *outbound) pdu(seq uint32) pdu.Body {
	p := newDeliverSM(seq)
	f := p.Fields()
	f.Set(pdufield.SourceAddrTON, o.d.Source.TON)
	f.Set(pdufield.SourceAddrNPI, o.d.Source.NPI)
	f.Set(pdufield.SourceAddr, o.d.Source.Addr)
	f.Set(pdufield.DestAddrTON, o.d.Dest.TON)
	f.Set(pdufield.DestAddrNPI, o.d.Dest.NPI)
	f.Set(pdufield.DestinationAddr, o.d.Dest.Addr)
	f.Set(pdufield.ESMClass, o.d.ESMClass)
	f.Set(pdufield.ShortMessage, o.d.ShortMessage)
	f.Set(pdufield.DataCoding, o.d.DataCoding) // after ShortMessage (S11)
	for tag, v := range o.d.TLVs {
		p.TLVFields().Set(pdutlv.Tag(tag), v)
	}
	return p
}

// acked records a deliver_sm_resp: status 0 acknowledges, anything else
// holds the deliver_sm for the next bind, or for Options.Redeliver. With a Window, the freed slot
// takes the next waiting deliver_sm.
func (s *Server) acked(ss *session, seq uint32, st pdu.Status) {
	s.mu.Lock()
	o := ss.inflight[seq]
	if o == nil {
		s.mu.Unlock()
		return
	}
	sysID := o.d.SystemID
	delete(ss.inflight, seq)
	o.sess = nil
	o.d.Status = st
	if st == StatusOK {
		o.d.Acked = true
		s.acks++
	} else {
		o.held = true
	}
	s.notifyLocked()
	s.mu.Unlock()
	if d := s.opts.Redeliver; st != StatusOK && d > 0 {
		s.afterFunc(d, func() {
			s.mu.Lock()
			o.held = false
			s.mu.Unlock()
			s.send(sysID, false)
		})
	}
	if s.opts.Window > 0 { // a slot is free: send what waits for it
		s.send(sysID, false)
	}
}

// Deliveries returns every deliver_sm queued so far (receipts and MO),
// in queue order, with what became of each.
func (s *Server) Deliveries() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.deliveriesLocked()
}

func (s *Server) deliveriesLocked() []Delivery {
	ds := make([]Delivery, len(s.out))
	for i, o := range s.out {
		ds[i] = o.d
	}
	return ds
}

// WaitAcked waits until at least n deliver_sm are acknowledged and
// returns all deliveries.
func (s *Server) WaitAcked(ctx context.Context, n int) ([]Delivery, error) {
	err := s.wait(ctx, func() bool { return s.acks >= n })
	if err != nil {
		err = fmt.Errorf("smscsim: wait for %d acknowledged deliveries: %w", n, err)
	}
	return s.Deliveries(), err
}

// WaitDeliveries waits until at least n deliver_sm are queued (sent or
// not) and returns all deliveries.
func (s *Server) WaitDeliveries(ctx context.Context, n int) ([]Delivery, error) {
	err := s.wait(ctx, func() bool { return len(s.out) >= n })
	if err != nil {
		err = fmt.Errorf("smscsim: wait for %d deliveries: %w", n, err)
	}
	return s.Deliveries(), err
}
