package smscsim

import (
	"context"
	"encoding/binary"
	"fmt"
	"strconv"
	"time"

	"github.com/fiorix/go-smpp/smpp/pdu"
	"github.com/fiorix/go-smpp/smpp/pdu/pdufield"
	"github.com/fiorix/go-smpp/smpp/pdu/pdutlv"
)

// Address is an SMPP address with its type of number and numbering plan.
type Address struct {
	TON  uint8
	NPI  uint8
	Addr string
}

// SAR is the segmentation TLVs of a submit_sm or deliver_sm: sar_msg_ref_num
// (0x020C), sar_total_segments (0x020E) and sar_segment_seqnum (0x020F).
type SAR struct {
	Ref   uint16
	Total uint8
	Seq   uint8
}

// Submit is one submit_sm the simulator accepted, decoded.
type Submit struct {
	SystemID           string // of the session it came on
	Seq                uint32 // its sequence number
	MessageID          string // as sent in submit_sm_resp ("" when Ignored)
	ReceiptID          string // the same id as delivery receipts carry it
	Source             Address
	Dest               Address
	ServiceType        string
	ESMClass           uint8
	ProtocolID         uint8
	Priority           uint8
	RegisteredDelivery uint8
	DataCoding         uint8
	ShortMessage       []byte            // as sent, the UDH included
	UDH                []byte            // with its length octet, when esm_class has 0x40 (from message_payload if short_message is empty)
	Payload            []byte            // the message_payload TLV (0x0424)
	SAR                *SAR              // the SAR TLVs, when all three are present
	TLVs               map[uint16][]byte // every TLV, raw
	Ignored            bool              // never answered (IgnoreSubmits)
	Received           time.Time
}

// Text is the user data without UDH: message_payload if present, else
// short_message, after the UDH of whichever carries it.
func (m Submit) Text() []byte {
	switch {
	case m.Payload != nil && len(m.ShortMessage) == 0:
		return m.Payload[len(m.UDH):]
	case m.Payload != nil:
		return m.Payload
	}
	return m.ShortMessage[len(m.UDH):]
}

func decodeSubmit(sysID string, p pdu.Body) Submit {
	f := p.Fields()
	m := Submit{
		SystemID:           sysID,
		Seq:                p.Header().Seq,
		Source:             Address{fixed(f, pdufield.SourceAddrTON), fixed(f, pdufield.SourceAddrNPI), f[pdufield.SourceAddr].String()},
		Dest:               Address{fixed(f, pdufield.DestAddrTON), fixed(f, pdufield.DestAddrNPI), f[pdufield.DestinationAddr].String()},
		ServiceType:        f[pdufield.ServiceType].String(),
		ESMClass:           fixed(f, pdufield.ESMClass),
		ProtocolID:         fixed(f, pdufield.ProtocolID),
		Priority:           fixed(f, pdufield.PriorityFlag),
		RegisteredDelivery: fixed(f, pdufield.RegisteredDelivery),
		DataCoding:         fixed(f, pdufield.DataCoding),
		ShortMessage:       append([]byte(nil), f[pdufield.ShortMessage].Bytes()...),
		TLVs:               make(map[uint16][]byte),
		Received:           time.Now(),
	}
	if sm := m.ShortMessage; m.ESMClass&esmClassUDHI != 0 && len(sm) > 0 && int(sm[0]) < len(sm) {
		m.UDH = sm[:1+int(sm[0])]
	}
	for tag, v := range p.TLVFields() {
		m.TLVs[uint16(tag)] = append([]byte(nil), v.Bytes()...)
	}
	if v, ok := m.TLVs[uint16(pdutlv.TagMessagePayload)]; ok {
		m.Payload = v
		if m.ESMClass&esmClassUDHI != 0 && len(m.ShortMessage) == 0 && len(v) > 0 && int(v[0]) < len(v) {
			m.UDH = v[:1+int(v[0])] // the UDH travels in the payload
		}
	}
	ref, ok1 := m.TLVs[uint16(pdutlv.TagSarMsgRefNum)]
	tot, ok2 := m.TLVs[uint16(pdutlv.TagSarTotalSegments)]
	seq, ok3 := m.TLVs[uint16(pdutlv.TagSarSegmentSeqnum)]
	if ok1 && ok2 && ok3 && len(ref) == 2 && len(tot) == 1 && len(seq) == 1 {
		m.SAR = &SAR{Ref: binary.BigEndian.Uint16(ref), Total: tot[0], Seq: seq[0]}
	}
	return m
}

func fixed(f pdufield.Map, n pdufield.Name) uint8 {
	if b := f[n].Bytes(); len(b) > 0 {
		return b[0]
	}
	return 0
}

// newIDLocked returns a fresh message id. s.mu must be held.
func (s *Server) newIDLocked() uint64 {
	if !s.opts.RandomIDs {
		s.nextID++
		return s.nextID
	}
	for range 64 { // a collision of random 64-bit ids is all but impossible
		n := s.rnd.Uint64()
		if _, dup := s.ids[n]; !dup && n != 0 {
			s.ids[n] = struct{}{}
			return n
		}
	}
	panic("smscsim: no unique random id in 64 tries")
}

func formatID(n uint64, f IDFormat) string {
	switch f {
	case IDHexLower:
		return strconv.FormatUint(n, 16)
	case IDHexUpper:
		return fmt.Sprintf("%X", n)
	}
	return strconv.FormatUint(n, 10)
}

// Submits returns every submit_sm accepted so far (and those ignored), in
// order of arrival.
func (s *Server) Submits() []Submit {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Submit(nil), s.submits...)
}

// WaitSubmits waits until at least n submits are recorded and returns
// them all.
func (s *Server) WaitSubmits(ctx context.Context, n int) ([]Submit, error) {
	if err := s.wait(ctx, func() bool { return len(s.submits) >= n }); err != nil {
		return s.Submits(), fmt.Errorf("smscsim: wait for %d submits: %w", n, err)
	}
	return s.Submits(), nil
}

// submit answers a submit_sm: refused in a wrong bind state or by a fault,
// otherwise recorded and answered with a new message id, and its receipt
// scheduled.
func (ss *session) submit(f frame) bool {
	s := ss.srv
	s.mu.Lock()
	if !ss.state.canSubmit() {
		s.mu.Unlock()
		return ss.write(headerOnly(pdu.SubmitSMRespID, StatusInvBndSts, f.hdr.Seq)) == nil
	}
	m := decodeSubmit(ss.systemID, f.body)
	st, delay, ignore := s.faults.onSubmitLocked(m, time.Now())
	if st != StatusOK {
		s.mu.Unlock()
		return ss.write(headerOnly(pdu.SubmitSMRespID, st, f.hdr.Seq)) == nil
	}
	n := s.newIDLocked()
	m.ReceiptID = formatID(n, s.opts.ReceiptIDFormat)
	m.Ignored = ignore
	if !ignore {
		m.MessageID = formatID(n, s.opts.IDFormat)
	}
	s.submits = append(s.submits, m)
	s.notifyLocked()
	s.mu.Unlock()
	if ignore {
		ss.trace("fault: submit seq=%d never answered", f.hdr.Seq)
		return true
	}
	r := pdu.NewSubmitSMResp()
	r.Header().Seq = f.hdr.Seq
	r.Fields().Set(pdufield.MessageID, m.MessageID)
	// The receipt is scheduled once the response is written, so a client
	// never sees a receipt before the id it refers to.
	if delay > 0 {
		s.afterFunc(delay, func() {
			if ss.write(r) == nil {
				s.scheduleReceipt(m)
			}
		})
		return true
	}
	if ss.write(r) != nil {
		return false
	}
	s.scheduleReceipt(m)
	return true
}
