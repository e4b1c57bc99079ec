package smscsim

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/fiorix/go-smpp/smpp/pdu"
	"github.com/fiorix/go-smpp/smpp/pdu/pdufield"
)

// frame is one PDU read off the wire: the header is always valid; body is
// nil and decErr set when the codec could not decode it.
type frame struct {
	hdr    pdu.Header
	body   pdu.Body
	decErr error
}

// errBadLength is a command_length out of range: the stream cannot be
// resynchronised, so the session ends.
// respBit marks a response's command_id.
const respBit = 0x80000000

var errBadLength = errors.New("smscsim: command_length out of range")

// readFrame reads one whole PDU and decodes it with the codec. Only I/O
// errors and a bad command_length are returned as errors; a body the codec
// refuses is reported in frame.decErr, so the caller can answer with
// generic_nack and the request's sequence number.
func readFrame(r *bufio.Reader, max int) (frame, error) {
	var l [4]byte
	if _, err := io.ReadFull(r, l[:]); err != nil {
		return frame{}, err
	}
	n := binary.BigEndian.Uint32(l[:])
	if n < pdu.HeaderLen || n > uint32(max) {
		return frame{}, fmt.Errorf("%w: %d", errBadLength, n)
	}
	raw := make([]byte, n)
	copy(raw, l[:])
	if _, err := io.ReadFull(r, raw[4:]); err != nil {
		return frame{}, err
	}
	f := frame{hdr: pdu.Header{
		Len:    n,
		ID:     pdu.ID(binary.BigEndian.Uint32(raw[4:])),
		Status: pdu.Status(binary.BigEndian.Uint32(raw[8:])),
		Seq:    binary.BigEndian.Uint32(raw[12:]),
	}}
	if f.hdr.ID == pdu.DeliverSMID {
		// S3: the codec's deliver_sm field list is wrong; decode it as
		// the submit_sm it is laid out like, then relabel it.
		binary.BigEndian.PutUint32(raw[4:], uint32(pdu.SubmitSMID))
	}
	f.body, f.decErr = decode(raw)
	if f.decErr == nil {
		f.body.Header().ID = f.hdr.ID
		if f.hdr.ID&respBit == 0 {
			f.decErr = checkFields(f.body) // responses may come header-only
		}
	}
	if f.decErr != nil {
		f.body = nil
	}
	return f, nil
}

// decode runs the codec, turning its panics on odd input into errors.
func decode(raw []byte) (b pdu.Body, err error) {
	defer func() {
		if r := recover(); r != nil {
			b, err = nil, fmt.Errorf("smscsim: codec panic: %v", r)
		}
	}()
	return pdu.Decode(bytes.NewReader(raw))
}

// checkFields reports a truncated body: the codec stops decoding at the
// end of the data without an error, leaving mandatory fields out.
func checkFields(b pdu.Body) error {
	fm := b.Fields()
	for _, name := range b.FieldList() {
		switch name {
		case pdufield.UDHLength, pdufield.GSMUserData, pdufield.DestinationList, pdufield.UnsuccessSme:
			continue
		}
		if fm[name] == nil {
			return fmt.Errorf("smscsim: %s: missing field %s", b.Header().ID, name)
		}
	}
	return nil
}

// headerOnly is a response without a body, as SMPP 3.4 wants for every
// response whose command_status is not 0 (and for generic_nack).
func headerOnly(id pdu.ID, st pdu.Status, seq uint32) pdu.Body {
	p := pdu.NewGenericNACK()
	h := p.Header()
	h.ID, h.Status, h.Seq = id, st, seq
	return p
}

// newDeliverSM builds a deliver_sm. The codec's NewDeliverSM serialises a
// corrupt PDU (S3), so it is a relabelled submit_sm, whose mandatory
// fields are laid out the same.
func newDeliverSM(seq uint32) pdu.Body {
	p := pdu.NewSubmitSM(nil)
	p.Header().ID = pdu.DeliverSMID
	p.Header().Seq = seq
	return p
}
