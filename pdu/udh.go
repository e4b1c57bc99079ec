package pdu

import (
	"encoding/binary"
	"fmt"
)

// Information element identifiers of TS 23.040 section 9.2.3.24 that the
// codec interprets. Others are kept as they are.
const (
	IEConcat8      = 0x00 // concatenated short messages, 8-bit reference
	IEPort8        = 0x04 // application port addressing, 8-bit ports
	IEPort16       = 0x05 // application port addressing, 16-bit ports
	IEConcat16     = 0x08 // concatenated short messages, 16-bit reference
	IESingleShift  = 0x24 // national language single shift, 9.2.3.24.15
	IELockingShift = 0x25 // national language locking shift, 9.2.3.24.16
)

// IE is one information element of a user data header.
type IE struct {
	ID   byte
	Data []byte
}

// UDH is a user data header, TS 23.040 section 9.2.3.24: the information
// elements in order. The zero UDH is no header.
type UDH []IE

// Len returns the encoded size in octets, including the UDHL octet, or 0
// for an empty header.
func (h UDH) Len() int {
	if len(h) == 0 {
		return 0
	}
	n := 1
	for _, ie := range h {
		n += 2 + len(ie.Data)
	}
	return n
}

// appendBinary appends UDHL and the elements.
func (h UDH) appendBinary(dst []byte) ([]byte, error) {
	n := h.Len()
	if n == 0 {
		return dst, nil
	}
	if n > 140 {
		return dst, fmt.Errorf("pdu: user data header of %d octets: %w", n, ErrTooLong)
	}
	dst = append(dst, byte(n-1))
	for _, ie := range h {
		if len(ie.Data) > 255 {
			return dst, fmt.Errorf("pdu: information element 0x%02X of %d octets: %w", ie.ID, len(ie.Data), ErrTooLong)
		}
		dst = append(dst, ie.ID, byte(len(ie.Data)))
		dst = append(dst, ie.Data...)
	}
	return dst, nil
}

// MarshalBinary encodes the header with its UDHL first, as SMPP's
// short_message carries it (esm_class 0x40).
func (h UDH) MarshalBinary() ([]byte, error) { return h.appendBinary(nil) }

// ParseUDH reads a user data header as SMPP and HTTP clients give it:
// UDHL first, then the elements, nothing after.
func ParseUDH(b []byte) (UDH, error) {
	h, n, err := unmarshalUDH(append([]byte(nil), b...))
	if err == nil && n != len(b) {
		err = &DecodeError{Field: "UDH", Offset: n, Err: fmt.Errorf("%d octets after the header: %w", len(b)-n, ErrInvalid)}
	}
	return h, err
}

// unmarshalUDH reads a header that starts with UDHL and returns the
// octets used. Unknown elements are kept; an element that overruns the
// header is an error. The elements' Data alias src (each capped at its
// end), so the caller passes a copy of its own.
func unmarshalUDH(src []byte) (UDH, int, error) {
	if len(src) < 1 {
		return nil, 0, &DecodeError{Field: "UDHL", Offset: 0, Err: ErrShort}
	}
	n := 1 + int(src[0])
	if len(src) < n {
		return nil, 0, &DecodeError{Field: "UDHL", Offset: 0, Err: fmt.Errorf("header of %d octets in %d: %w", n, len(src), ErrShort)}
	}
	count := 0
	for i := 1; i < n; {
		if i+2 > n {
			return nil, 0, &DecodeError{Field: "UDH IE", Offset: i, Err: ErrShort}
		}
		id, l := src[i], int(src[i+1])
		if i+2+l > n {
			return nil, 0, &DecodeError{Field: "UDH IE", Offset: i, Err: fmt.Errorf("element 0x%02X of %d octets overruns the header: %w", id, l, ErrShort)}
		}
		count++
		i += 2 + l
	}
	if count == 0 {
		return nil, n, nil
	}
	h := make(UDH, 0, count)
	for i := 1; i < n; {
		ie := IE{ID: src[i]}
		if l := int(src[i+1]); l > 0 {
			ie.Data = src[i+2 : i+2+l : i+2+l]
		}
		h = append(h, ie)
		i += 2 + int(src[i+1])
	}
	return h, n, nil
}

// Concat describes one part of a concatenated message.
type Concat struct {
	Ref   uint16 // reference number, the same in every part
	Ref16 bool   // the reference is 16-bit (IE 0x08), not 8-bit (IE 0x00)
	Total int    // number of parts, 1..255
	Seq   int    // this part's number, 1..Total
}

// IE returns the concatenation information element.
func (c Concat) IE() IE {
	if c.Ref16 {
		d := make([]byte, 4)
		binary.BigEndian.PutUint16(d, c.Ref)
		d[2], d[3] = byte(c.Total), byte(c.Seq)
		return IE{ID: IEConcat16, Data: d}
	}
	return IE{ID: IEConcat8, Data: []byte{byte(c.Ref), byte(c.Total), byte(c.Seq)}}
}

// Concat returns the concatenation element. Following TS 23.040 section
// 9.2.3.24.1, an element with a zero total, a zero sequence number or a
// sequence number above the total is ignored (ok is false).
func (h UDH) Concat() (c Concat, ok bool) {
	for _, ie := range h {
		switch {
		case ie.ID == IEConcat8 && len(ie.Data) == 3:
			c = Concat{Ref: uint16(ie.Data[0]), Total: int(ie.Data[1]), Seq: int(ie.Data[2])}
		case ie.ID == IEConcat16 && len(ie.Data) == 4:
			c = Concat{Ref: binary.BigEndian.Uint16(ie.Data), Ref16: true, Total: int(ie.Data[2]), Seq: int(ie.Data[3])}
		default:
			continue
		}
		return c, c.Total > 0 && c.Seq > 0 && c.Seq <= c.Total
	}
	return Concat{}, false
}

// Shift returns the national language tables the header selects; a table
// not selected is LangDefault. A language without such a table, or an
// unknown language, also reads as LangDefault (TS 23.038 section 6.2.1.2.4:
// reserved values are treated as the default).
func (h UDH) Shift() (locking, single Language) {
	for _, ie := range h {
		if len(ie.Data) != 1 {
			continue
		}
		l := Language(ie.Data[0])
		switch ie.ID {
		case IELockingShift:
			if l.HasLockingShift() {
				locking = l
			}
		case IESingleShift:
			if l.HasSingleShift() {
				single = l
			}
		}
	}
	return locking, single
}

// Ports returns the application port addressing element (TS 23.040
// section 9.2.3.24.3 and .4).
func (h UDH) Ports() (dst, src int, ok bool) {
	for _, ie := range h {
		switch {
		case ie.ID == IEPort8 && len(ie.Data) == 2:
			return int(ie.Data[0]), int(ie.Data[1]), true
		case ie.ID == IEPort16 && len(ie.Data) == 4:
			return int(binary.BigEndian.Uint16(ie.Data)), int(binary.BigEndian.Uint16(ie.Data[2:])), true
		}
	}
	return 0, 0, false
}

// shiftIEs returns the header elements that select the tables.
func shiftIEs(locking, single Language) UDH {
	var h UDH
	if locking != LangDefault {
		h = append(h, IE{ID: IELockingShift, Data: []byte{byte(locking)}})
	}
	if single != LangDefault {
		h = append(h, IE{ID: IESingleShift, Data: []byte{byte(single)}})
	}
	return h
}
