package pdu

import (
	"fmt"
	"unicode/utf8"
)

// TextWithUDH encodes text as the user data of one part after the
// caller's header udh: a part of a long message that the caller split
// itself (udh holds its concatenation element), or a text sent to an
// application port. The text goes in the default GSM 7-bit alphabet when
// it has every character, else in UCS-2 (o.Encoding may force either;
// national shift tables are not used, as their elements would have to
// join the caller's header). It fails with ErrTooLong when the text does
// not fit the one part the header leaves room for: the caller split it,
// so cutting it again would make parts no handset can put together.
func TextWithUDH(text string, udh UDH, o Options, class Class) (Plan, UserData, error) {
	if !utf8.ValidString(text) {
		return Plan{}, UserData{}, fmt.Errorf("pdu: %w", ErrInvalidUTF8)
	}
	var units []byte
	enc := o.Encoding
	switch enc {
	case EncodingAuto, GSM7:
		// The septets in the tables the caller's header selects (the
		// handset reads them so), the default alphabet if none.
		lock, single := udh.Shift()
		if u, err := appendSeptets(nil, text, lock, single); err == nil {
			units, enc = u, GSM7
			break
		}
		if enc == GSM7 {
			return Plan{}, UserData{}, unencodable(text, []Language{lock, single})
		}
		enc = UCS2
		fallthrough
	case UCS2:
		units, _ = encodeUCS2(make([]byte, 0, 2*utf16Units(text)), text)
	default:
		return Plan{}, UserData{}, fmt.Errorf("pdu: text with a header in %v: %w", enc, ErrInvalid)
	}
	n := len(units)
	if enc == UCS2 {
		n /= 2
	}
	room := capacity(enc, udh.Len())
	p := Plan{Encoding: enc, Segments: 1, Units: n, PerSegment: room, Free: room - n}
	if n > room {
		return Plan{}, UserData{}, fmt.Errorf("pdu: %d %s units after a %d-octet header, at most %d fit one part: %w",
			n, enc, udh.Len(), room, ErrTooLong)
	}
	return p, UserData{DCS: NewDCS(enc, class), UDH: udh, UD: units}, nil
}

// EncodeTextUDH builds the one SMS-SUBMIT of text after the caller's
// header udh (TextWithUDH).
func EncodeTextUDH(to Address, text string, udh UDH, o SubmitOptions) ([]Submit, Plan, error) {
	p, ud, err := TextWithUDH(text, udh, o.Options, o.Class)
	if err != nil {
		return nil, p, err
	}
	return submits(to, []UserData{ud}, o), p, nil
}
