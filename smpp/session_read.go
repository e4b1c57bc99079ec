package smpp

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/fiorix/go-smpp/smpp/pdu"
	"github.com/fiorix/go-smpp/smpp/pdu/pdufield"
)

// readPDU reads one whole PDU and decodes it. A decode error (unknown
// command, bad body) comes with the header, so that the caller can
// generic_nack the right sequence; an I/O error or a length out of range
// ends the session.
func readPDU(r io.Reader) (hdr pdu.Header, body pdu.Body, raw []byte, decErr, err error) {
	var l [4]byte
	if _, err = io.ReadFull(r, l[:]); err != nil {
		return
	}
	n := binary.BigEndian.Uint32(l[:])
	if n < pdu.HeaderLen || n > maxPDU {
		err = fmt.Errorf("%w: %d", errBadLength, n)
		return
	}
	raw = make([]byte, n)
	copy(raw, l[:])
	if _, err = io.ReadFull(r, raw[4:]); err != nil {
		return
	}
	hdr = pdu.Header{Len: n, ID: pdu.ID(binary.BigEndian.Uint32(raw[4:])),
		Status: pdu.Status(binary.BigEndian.Uint32(raw[8:])), Seq: binary.BigEndian.Uint32(raw[12:])}
	if n > pdu.MaxSize {
		decErr = fmt.Errorf("smpp: PDU of %d bytes, more than %d", n, pdu.MaxSize)
		return
	}
	if n == pdu.HeaderLen && hdr.ID&0x80000000 != 0 {
		return // a header-only response
	}
	if hdr.ID == pdu.SubmitSMID {
		// go-smpp takes sm_length octets and quietly leaves what does not
		// fit: a message cut short, sent as if whole.
		if decErr = submitLayout(raw[pdu.HeaderLen:]); decErr != nil {
			return
		}
	}
	body, decErr = decode(raw)
	if decErr == nil && hdr.ID == pdu.SubmitSMRespID {
		// go-smpp reads a message_id that the carrier did not end with a
		// NUL (as some do) as empty, and receipts could never find the
		// message: take the octets as the id.
		if b := raw[pdu.HeaderLen:]; len(b) > 0 && bytes.IndexByte(b, 0) < 0 {
			body.Fields().Set(pdufield.MessageID, string(b))
		}
	}
	return
}

// layoutError is a request body whose fields do not add up, with the
// command_status that says so.
type layoutError struct {
	status pdu.Status
	msg    string
}

func (e *layoutError) Error() string { return "smpp: " + e.msg }

// layoutStatus is the response status for a request that did not
// decode: its layoutError's, or ESME_RINVCMDLEN.
func layoutStatus(err error) pdu.Status {
	var le *layoutError
	if errors.As(err, &le) {
		return le.status
	}
	return StatusInvCmdLen
}

// submitLayout walks a submit_sm body (SMPP 3.4 section 4.4.1): its
// C-strings and fixed fields, sm_length octets of short_message (at most
// 254), then TLVs that end exactly at the end of the PDU.
func submitLayout(b []byte) error {
	short := &layoutError{StatusInvCmdLen, "submit_sm ends inside its mandatory fields"}
	i := 0
	cstr := func() bool {
		j := bytes.IndexByte(b[i:], 0)
		i += j + 1
		return j >= 0
	}
	fixed := func(n int) bool { i += n; return i <= len(b) }
	if !cstr() || !fixed(2) || !cstr() || !fixed(2) || !cstr() || !fixed(3) || !cstr() || !cstr() || !fixed(5) {
		return short
	}
	smLen := int(b[i-1])
	if smLen > 254 {
		return &layoutError{StatusInvMsgLen, fmt.Sprintf("sm_length %d is over 254 (longer goes in message_payload)", smLen)}
	}
	if !fixed(smLen) {
		return &layoutError{StatusInvCmdLen, fmt.Sprintf("sm_length %d runs past the end of the PDU", smLen)}
	}
	for i < len(b) {
		if i+4 > len(b) {
			return &layoutError{StatusInvCmdLen, fmt.Sprintf("%d octets after short_message are not a TLV (sm_length %d too short?)", len(b)-i, smLen)}
		}
		i += 4 + int(binary.BigEndian.Uint16(b[i+2:]))
		if i > len(b) {
			return &layoutError{StatusInvCmdLen, fmt.Sprintf("a TLV runs past the end of the PDU (sm_length %d wrong?)", smLen)}
		}
	}
	return nil
}

// decode is go-smpp's Decode, with a panic in the codec turned into an
// error: a peer's bytes must never crash the gateway.
func decode(raw []byte) (body pdu.Body, err error) {
	defer func() {
		if r := recover(); r != nil {
			body, err = nil, fmt.Errorf("smpp: codec panic on a malformed PDU: %v", r)
		}
	}()
	if i := esmClassAt(raw); i > 0 && raw[i]&0x40 != 0 {
		// go-smpp reads a deliver_sm's UDH itself, past sm_length: when
		// the UDH is in message_payload (sm_length 0) it eats the TLVs,
		// and it splits the IEs by their own lengths, not the UDHL.
		// Decode it without the UDHI flag, short_message whole, then put
		// the flag back.
		cp := append([]byte(nil), raw...)
		cp[i] &^= 0x40
		if body, err = pdu.Decode(bytes.NewReader(cp)); err == nil {
			body.Fields().Set(pdufield.ESMClass, raw[i])
		}
		return body, err
	}
	return pdu.Decode(bytes.NewReader(raw))
}

// esmClassAt is the offset of a deliver_sm's esm_class in raw, or -1:
// after service_type, source TON, NPI and address, destination TON, NPI
// and address.
func esmClassAt(raw []byte) int {
	if len(raw) < pdu.HeaderLen || pdu.ID(binary.BigEndian.Uint32(raw[4:])) != pdu.DeliverSMID {
		return -1
	}
	i := pdu.HeaderLen
	for _, skip := range []int{0, 2, 2} { // octets before each C-string
		if i += skip; i > len(raw) {
			return -1
		}
		j := bytes.IndexByte(raw[i:], 0)
		if j < 0 {
			return -1
		}
		i += j + 1
	}
	if i >= len(raw) {
		return -1
	}
	return i
}
