package pdu

import (
	"fmt"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/smsgw/smsgw/pdu/internal/charset"
)

// textBuf is room for the text of one TPDU's user data: 160 septets, or
// 70 UTF-16 units, of at most 3 octets each in UTF-8.
const textBuf = 480

// Text decodes UD as text, with the national language tables the header
// selects. It fails with ErrUnsupported for compressed data and with
// ErrInvalid for 8-bit data, which is not text.
func (u *UserData) Text() (string, error) {
	var buf [textBuf]byte
	t, err := u.appendText(buf[:0])
	if err != nil {
		return "", err
	}
	return string(t), nil
}

// AppendText appends the text of UD, as Text returns it, to dst and
// returns the extended buffer. It fails as Text does, returning dst
// unchanged. Decoding the parts of a message into one buffer this way
// costs no string per part.
func (u *UserData) AppendText(dst []byte) ([]byte, error) {
	var buf [textBuf]byte
	t, err := u.appendText(buf[:0])
	if err != nil {
		return dst, err
	}
	return append(dst, t...), nil
}

// appendText decodes UD into dst. Text and AppendText pass a buffer on
// the stack, so that the text of a TPDU is built without an allocation
// and then copied once, at its exact size.
func (u *UserData) appendText(dst []byte) ([]byte, error) {
	if u.DCS.Compressed() {
		return dst, fmt.Errorf("pdu: compressed user data (TS 23.042): %w", ErrUnsupported)
	}
	switch u.DCS.Encoding() {
	case GSM7:
		lock, single := u.UDH.Shift()
		return appendSeptetText(dst, u.UD, lock, single), nil
	case UCS2:
		return appendUCS2Text(dst, u.UD), nil
	}
	return dst, fmt.Errorf("pdu: 8-bit user data is not text: %w", ErrInvalid)
}

// appendUCS2Text appends the text of UTF-16BE b to dst, in one pass; as
// utf16.Decode reads it, an unpaired surrogate becomes U+FFFD. A trailing
// odd octet is dropped.
func appendUCS2Text(dst, b []byte) []byte {
	for i := 0; i+1 < len(b); i += 2 {
		// The UTF-8 of the basic multilingual plane is written here, as
		// utf8.AppendRune only inlines ASCII.
		switch r := rune(b[i])<<8 | rune(b[i+1]); {
		case r < 0x80:
			dst = append(dst, byte(r))
		case r < 0x800:
			dst = append(dst, 0xC0|byte(r>>6), 0x80|byte(r)&0x3F)
		case !utf16.IsSurrogate(r):
			dst = append(dst, 0xE0|byte(r>>12), 0x80|byte(r>>6)&0x3F, 0x80|byte(r)&0x3F)
		default:
			hi := r
			r = utf8.RuneError
			if hi < 0xDC00 && i+3 < len(b) {
				if p := utf16.DecodeRune(hi, rune(b[i+2])<<8|rune(b[i+3])); p != utf8.RuneError {
					r = p
					i += 2
				}
			}
			dst = utf8.AppendRune(dst, r)
		}
	}
	return dst
}

// decodeSeptets turns GSM 7-bit codes (one per byte) into text with the
// given tables.
func decodeSeptets(septets []byte, lock, single Language) string {
	var buf [textBuf]byte
	return string(appendSeptetText(buf[:0], septets, lock, single))
}

// appendSeptetText is decodeSeptets appending to dst. Following TS 23.038
// section 6.2.1.1, an escape followed by a code the single-shift table
// does not define reads that code from the locking-shift table;
// escape-escape (reserved for a further extension table) reads as a
// space; a code no table defines becomes U+FFFD.
func appendSeptetText(dst, septets []byte, lock, single Language) []byte {
	lt := tableOrDefault(charset.Locking[:], lock)
	st := tableOrDefault(charset.Single[:], single)
	for i := 0; i < len(septets); i++ {
		c := septets[i] & 0x7F
		if c != escape {
			dst = appendTableRune(dst, lt[c])
			continue
		}
		i++
		if i == len(septets) { // a trailing escape has nothing to modify
			break
		}
		c = septets[i] & 0x7F
		switch {
		case c == escape:
			dst = append(dst, ' ')
		case st[c] != 0:
			dst = utf8.AppendRune(dst, st[c])
		default:
			dst = appendTableRune(dst, lt[c])
		}
	}
	return dst
}

func appendTableRune(buf []byte, r rune) []byte {
	if r == 0 {
		r = utf8.RuneError
	}
	return utf8.AppendRune(buf, r)
}

func tableOrDefault(tables []*charset.Table, l Language) *charset.Table {
	if int(l) < len(tables) && tables[l] != nil {
		return tables[l]
	}
	return tables[LangDefault]
}
