package smscsim

import (
	"fmt"
	"slices"

	"github.com/fiorix/go-smpp/smpp/pdu/pdutlv"
)

// Concat says how the parts of a concatenated MO are marked.
type Concat int

// The concatenation schemes.
const (
	ConcatUDH8  Concat = iota // UDH IEI 0x00, 8-bit reference, esm_class 0x40
	ConcatUDH16               // UDH IEI 0x08, 16-bit reference, esm_class 0x40
	ConcatSAR                 // the sar_* TLVs, no UDH
)

// MO is a mobile-originated message for DeliverMO.
type MO struct {
	// SystemID is the account whose receiver gets it. Default: the first
	// of Options.Accounts.
	SystemID string
	Source   Address // the handset
	Dest     Address // the short code or number it was sent to
	// Text is the user data, sent as its bytes with DataCoding (0, the
	// SMSC default alphabet, unless set): the simulator does not encode.
	Text       string
	DataCoding uint8
	// PartSize splits Text into parts of at most this many bytes, marked
	// as Concat says. 0, or a Text that fits, sends one part without UDH.
	PartSize int
	Concat   Concat
	Ref      uint16 // the concatenation reference
	// Order sends the parts in this order (1-based part numbers, each
	// once), to simulate parts that arrive out of order. Default: 1, 2, …
	Order []int
}

// DeliverMO queues mo as one deliver_sm per part for a receiver or
// transceiver bind of its system_id; it is sent at once if one is bound,
// else when one binds. Parts are recorded in Deliveries.
func (s *Server) DeliverMO(mo MO) error {
	if mo.SystemID == "" {
		mo.SystemID = s.opts.Accounts[0].SystemID
	}
	if !slices.ContainsFunc(s.opts.Accounts, func(a Account) bool { return a.SystemID == mo.SystemID }) {
		return fmt.Errorf("smscsim: deliver mo to %q: %w", mo.SystemID, ErrNoAccount)
	}
	parts := split([]byte(mo.Text), mo.PartSize)
	if len(parts) > 255 {
		return fmt.Errorf("smscsim: deliver mo: %d parts, at most 255", len(parts))
	}
	order := mo.Order
	if order == nil {
		for i := range parts {
			order = append(order, i+1)
		}
	}
	if !isPermutation(order, len(parts)) {
		return fmt.Errorf("smscsim: deliver mo: order %v is not a permutation of 1..%d", order, len(parts))
	}
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if closed {
		return ErrClosed
	}
	obs := make([]*outbound, 0, len(parts))
	for _, n := range order {
		obs = append(obs, moPart(mo, parts[n-1], n, len(parts)))
	}
	s.enqueue(obs...)
	return nil
}

func moPart(mo MO, body []byte, n, total int) *outbound {
	d := Delivery{
		Kind: KindMO, SystemID: mo.SystemID, Source: mo.Source, Dest: mo.Dest,
		DataCoding: mo.DataCoding, ShortMessage: body, Part: n, Parts: total,
	}
	if total > 1 {
		switch mo.Concat {
		case ConcatUDH8:
			d.ESMClass = esmClassUDHI
			d.ShortMessage = append([]byte{5, 0x00, 3, byte(mo.Ref), byte(total), byte(n)}, body...)
		case ConcatUDH16:
			d.ESMClass = esmClassUDHI
			d.ShortMessage = append([]byte{6, 0x08, 4, byte(mo.Ref >> 8), byte(mo.Ref), byte(total), byte(n)}, body...)
		case ConcatSAR:
			d.TLVs = map[uint16][]byte{
				uint16(pdutlv.TagSarMsgRefNum):     {byte(mo.Ref >> 8), byte(mo.Ref)},
				uint16(pdutlv.TagSarTotalSegments): {byte(total)},
				uint16(pdutlv.TagSarSegmentSeqnum): {byte(n)},
			}
		}
	}
	return &outbound{d: d}
}

// split cuts b into parts of at most size bytes; size 0 or a b that fits
// gives one part.
func split(b []byte, size int) [][]byte {
	if size <= 0 || len(b) <= size {
		return [][]byte{b}
	}
	var parts [][]byte
	for len(b) > size {
		parts = append(parts, b[:size])
		b = b[size:]
	}
	return append(parts, b)
}

func isPermutation(order []int, n int) bool {
	if len(order) != n {
		return false
	}
	seen := make([]bool, n+1)
	for _, k := range order {
		if k < 1 || k > n || seen[k] {
			return false
		}
		seen[k] = true
	}
	return true
}
