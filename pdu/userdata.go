package pdu

import (
	"fmt"
	"unicode/utf16"
)

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

// Text decodes UD as text, with the national language tables the header
// selects. It fails with ErrUnsupported for compressed data and with
// ErrInvalid for 8-bit data, which is not text.
func (u *UserData) Text() (string, error) {
	if u.DCS.Compressed() {
		return "", fmt.Errorf("pdu: compressed user data (TS 23.042): %w", ErrUnsupported)
	}
	switch u.DCS.Encoding() {
	case GSM7:
		lock, single := u.UDH.Shift()
		return decodeSeptets(u.UD, lock, single), nil
	case UCS2:
		return decodeUCS2(u.UD), nil
	}
	return "", fmt.Errorf("pdu: 8-bit user data is not text: %w", ErrInvalid)
}

// decodeUCS2 reads UTF-16BE; an unpaired surrogate becomes U+FFFD and a
// trailing odd octet is dropped.
func decodeUCS2(b []byte) string {
	units := make([]uint16, len(b)/2)
	for i := range units {
		units[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
	}
	return string(utf16.Decode(units))
}

// appendUCS2 appends s as UTF-16BE.
func appendUCS2(dst []byte, s string) []byte {
	for _, r := range s {
		if r >= 0x10000 {
			r1, r2 := utf16.EncodeRune(r)
			dst = append(dst, byte(r1>>8), byte(r1), byte(r2>>8), byte(r2))
			continue
		}
		dst = append(dst, byte(r>>8), byte(r))
	}
	return dst
}

// udhSeptets is the number of septets a header of hl octets occupies in
// GSM 7-bit user data, fill bits included (TS 23.040 section 9.2.3.24).
func udhSeptets(hl int) int { return (hl*8 + 6) / 7 }

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
	hl := 0
	u.UDH = nil
	if udhi {
		h, n, err := unmarshalUDH(ud)
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
	u.UD = append([]byte(nil), ud[hl:]...)
	return 1 + octets, nil
}
