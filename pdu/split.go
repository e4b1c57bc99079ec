package pdu

import (
	"fmt"
	"unicode/utf8"
)

// Split encodes text as the plan says and cuts it into parts, each ready to
// be the user data of an SMS-SUBMIT: the concatenation element (with ref;
// only its low 8 bits unless the plan uses 16-bit references) and the shift
// table elements in every part, an escape pair or a UTF-16 surrogate pair
// never cut in two. class sets the message class of the DCS (Class0 for
// "flash"). The text must be the one the plan was made for.
func (p Plan) Split(text string, ref uint16, class Class) ([]UserData, error) {
	if p.Segments > MaxSegments {
		return nil, fmt.Errorf("pdu: %d segments, at most %d: %w", p.Segments, MaxSegments, ErrTooLong)
	}
	if p.Encoding == UCS2 && !utf8.ValidString(text) {
		return nil, fmt.Errorf("pdu: %w", ErrInvalidUTF8)
	}
	units, err := p.encode(text)
	if err != nil {
		return nil, err
	}
	return p.cut(units, ref, class)
}

// encode returns text in the plan's units: septets, one per byte, or
// UTF-16BE. For UCS-2 the caller has checked that text is valid UTF-8.
func (p Plan) encode(text string) ([]byte, error) {
	switch p.Encoding {
	case GSM7:
		return appendSeptets(make([]byte, 0, p.Units), text, p.Locking, p.Single)
	case UCS2:
		units, _ := encodeUCS2(make([]byte, 0, 2*p.Units), text)
		return units, nil
	}
	return nil, fmt.Errorf("pdu: split %v text: %w", p.Encoding, ErrInvalid)
}

// cut is Split of the encoded text.
func (p Plan) cut(units []byte, ref uint16, class Class) ([]UserData, error) {
	shift := shiftIEs(p.Locking, p.Single)
	dcs := NewDCS(p.Encoding, class)
	if p.Segments == 1 {
		if p.Encoding == UCS2 && len(units)/2 > p.PerSegment || p.Encoding == GSM7 && len(units) > p.PerSegment {
			return nil, fmt.Errorf("pdu: text does not match its plan: %w", ErrInvalid)
		}
		return []UserData{{DCS: dcs, UDH: shift, UD: units[:len(units):len(units)]}}, nil
	}
	parts := make([]UserData, 0, p.Segments)
	for len(units) > 0 {
		cut := cutPoint(units, p.Encoding, p.PerSegment)
		parts = append(parts, UserData{DCS: dcs, UD: units[:cut:cut]})
		units = units[cut:]
	}
	if len(parts) != p.Segments {
		return nil, fmt.Errorf("pdu: text split into %d parts, its plan says %d: %w", len(parts), p.Segments, ErrInvalid)
	}
	setHeaders(parts, shift, ref, p.Ref16)
	return parts, nil
}

// cutPoint returns how many octets of units go in the next part: at most
// per units (septets or UTF-16 units), backing off one so that an escape
// and its code, or a high and a low surrogate, stay together.
func cutPoint(units []byte, enc Encoding, per int) int {
	if enc == UCS2 {
		if 2*per >= len(units) {
			return len(units)
		}
		cut := 2 * per
		if hi := uint16(units[cut-2])<<8 | uint16(units[cut-1]); hi >= 0xD800 && hi <= 0xDBFF {
			cut -= 2
		}
		return cut
	}
	if per >= len(units) {
		return len(units)
	}
	cut := per
	if units[cut-1] == escape && !escapeIsCode(units[:cut-1]) {
		cut--
	}
	return cut
}

// escapeIsCode reports whether an escape at the end of a septet run would
// itself be the code after an escape: only when an odd run of escapes
// precedes it. Our encoder never emits escape-escape, so this only guards
// against cutting a well-formed stream at the wrong place.
func escapeIsCode(before []byte) bool {
	n := 0
	for i := len(before) - 1; i >= 0 && before[i] == escape; i-- {
		n++
	}
	return n%2 == 1
}

// setHeaders gives each part its concatenation element followed by the
// shared elements, from one backing array.
func setHeaders(parts []UserData, shared UDH, ref uint16, ref16 bool) {
	total := len(parts)
	cl := 3
	if ref16 {
		cl = 4
	}
	ies := make([]IE, total*(1+len(shared)))
	data := make([]byte, total*cl)
	for i := range parts {
		d := data[i*cl : (i+1)*cl : (i+1)*cl]
		id := byte(IEConcat8)
		if ref16 {
			d[0], d[1] = byte(ref>>8), byte(ref)
			id = IEConcat16
		} else {
			d[0] = byte(ref)
		}
		d[cl-2], d[cl-1] = byte(total), byte(i+1)
		h := ies[i*(1+len(shared)) : (i+1)*(1+len(shared)) : (i+1)*(1+len(shared))]
		h[0] = IE{ID: id, Data: d}
		copy(h[1:], shared)
		parts[i].UDH = h
	}
}

// SplitBinary cuts 8-bit data into parts after the caller's header (for
// example an application port element), adding a concatenation element
// when more than one part is needed.
func SplitBinary(data []byte, udh UDH, ref uint16, ref16 bool, class Class) ([]UserData, error) {
	p, err := PlanBinary(data, udh, ref16)
	if err != nil {
		return nil, err
	}
	dcs := NewDCS(Binary, class)
	if p.Segments == 1 {
		return []UserData{{DCS: dcs, UDH: udh, UD: data}}, nil
	}
	parts := make([]UserData, 0, p.Segments)
	for len(data) > 0 {
		cut := min(p.PerSegment, len(data))
		parts = append(parts, UserData{DCS: dcs, UD: data[:cut:cut]})
		data = data[cut:]
	}
	setHeaders(parts, udh, ref, ref16)
	return parts, nil
}
