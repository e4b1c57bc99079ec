package pdu

import "fmt"

// maxUD is the most octets TP-UD can hold (TS 23.040 section 9.2.3.24).
const maxUD = 140

// UserData is the TP-DCS, TP-UDH and TP-UD of an SMS TPDU. For GSM 7-bit
// data, UD holds the septets unpacked, one per byte (escape codes
// included); for UCS-2 the UTF-16BE octets; for 8-bit data the octets.
type UserData struct {
	DCS DCS
	UDH UDH
	UD  []byte
	// Truncated is set by the decoder when TP-UD held less than TP-UDL
	// announced; UD has what was there.
	Truncated bool
}

// Encoding returns the alphabet of UD. Compressed data (TS 23.042) reads
// as Binary, since its octets are not text until decompressed.
func (u *UserData) Encoding() Encoding {
	if u.DCS.Compressed() {
		return Binary
	}
	return u.DCS.Encoding()
}

// udhSeptets is the number of septets a header of hl octets occupies in
// GSM 7-bit user data, fill bits included (TS 23.040 section 9.2.3.24).
func udhSeptets(hl int) int { return (hl*8 + 6) / 7 }

// maxTPDU bounds the octets of a TPDU, for sizing buffers: an
// SMS-SUBMIT takes at most 2+12+2+7+1+140 = 164.
const maxTPDU = 176

// binaryLen is the size of TP-UDL and TP-UD, to size buffers.
func (u *UserData) binaryLen() int {
	hl := u.UDH.Len()
	if u.Encoding() == GSM7 {
		return 1 + packedLen(udhSeptets(hl)+len(u.UD), 0)
	}
	return 1 + hl + len(u.UD)
}

// appendBinary appends TP-UDL and TP-UD.
func (u *UserData) appendBinary(dst []byte) ([]byte, error) {
	hl := u.UDH.Len()
	if u.Encoding() == GSM7 {
		hs := udhSeptets(hl)
		fill := uint(hs*7 - hl*8)
		udl := hs + len(u.UD)
		if hl+packedLen(len(u.UD), fill) > maxUD {
			return dst, fmt.Errorf("pdu: %d septets of text after a %d-octet header exceed 140 octets: %w", len(u.UD), hl, ErrTooLong)
		}
		dst = append(dst, byte(udl))
		dst, err := u.UDH.appendBinary(dst)
		if err != nil {
			return dst, err
		}
		return packSeptets(dst, u.UD, fill), nil
	}
	if hl+len(u.UD) > maxUD {
		return dst, fmt.Errorf("pdu: %d octets of data after a %d-octet header exceed 140 octets: %w", len(u.UD), hl, ErrTooLong)
	}
	dst = append(dst, byte(hl+len(u.UD)))
	dst, err := u.UDH.appendBinary(dst)
	if err != nil {
		return dst, err
	}
	return append(dst, u.UD...), nil
}

// unmarshal reads TP-UDL and TP-UD (the DCS must be set) and returns
// the octets used. Offsets in errors are relative to src. A TP-UD shorter
// than TP-UDL announces is decoded as far as it goes and marked
// Truncated: modems and SMSCs are known to send such PDUs, and the text
// that is there is worth more than an error. A header that does not fit
// is an error.
func (u *UserData) unmarshal(src []byte, udhi bool) (int, error) {
	if len(src) < 1 {
		return 0, &DecodeError{Field: "TP-UDL", Err: ErrShort}
	}
	udl := int(src[0])
	ud := src[1:]
	gsm7 := u.Encoding() == GSM7
	octets := udl
	if gsm7 {
		octets = packedLen(udl, 0)
	}
	u.Truncated = false
	if len(ud) < octets {
		u.Truncated = true
		octets = len(ud)
		if gsm7 {
			udl = octets * 8 / 7
		} else {
			udl = octets
		}
	}
	ud = ud[:octets]
	// One copy of the octets that are kept as they are: the header
	// elements' Data and, unless the text is septets to unpack, UD share
	// it, so that nothing decoded aliases src.
	var own []byte
	switch {
	case !gsm7:
		own = append(own, ud...)
	case udhi && len(ud) > 0:
		own = append(own, ud[:min(1+int(ud[0]), len(ud))]...)
	}
	hl := 0
	u.UDH = nil
	if udhi {
		h, n, err := unmarshalUDH(own)
		if err != nil {
			return 0, decodeErr("UDH", 1, err)
		}
		u.UDH, hl = h, n
	}
	if gsm7 {
		hs := udhSeptets(hl)
		if hs > udl {
			return 0, &DecodeError{Field: "TP-UDL", Err: fmt.Errorf("%d septets cannot hold a %d-octet header: %w", udl, hl, ErrInvalid)}
		}
		u.UD = unpackSeptets(make([]byte, 0, udl-hs), ud, hs*7, udl-hs)
		return 1 + octets, nil
	}
	u.UD = nil
	if hl < len(own) {
		u.UD = own[hl:]
	}
	return 1 + octets, nil
}
