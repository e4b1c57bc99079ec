package pdu

import (
	"fmt"
	"unicode/utf16"
	"unicode/utf8"
)

// planEncode is PlanText followed by the encoding of Plan.Split, with the
// same results and errors, for EncodeText. In the common cases it walks
// the text once instead of three times (the planner's checks and counts,
// then the encoder): text the default alphabet has, and that no allowed
// national table could send in fewer segments, is encoded to septets and
// its segments counted from them; text that has to go as UCS-2 is encoded
// to UTF-16 and counted from that. Anything else goes through PlanText.
func planEncode(text string, o Options) (Plan, []byte, error) {
	national := nationalTables(o.Languages)
	ucs2 := o.Encoding == UCS2
	var def []byte // the septets in the default alphabet, if it has them all
	if o.Encoding == EncodingAuto || o.Encoding == GSM7 {
		if def = defaultSeptets(text); def != nil {
			c := countSeptets(def, o.Ref16)
			if c.total <= c.cap1 || !national {
				return checkSegments(c.plan(GSM7, o.Ref16), def)
			}
		}
		// Without a national table, what the default alphabet lacks is UCS-2.
		ucs2 = def == nil && o.Encoding == EncodingAuto && !national
	}
	if ucs2 {
		if units, ok := encodeUCS2(make([]byte, 0, 2*utf16Units(text)), text); ok {
			c := countUTF16(units, o.Ref16)
			return checkSegments(c.plan(UCS2, o.Ref16), units)
		}
		// Invalid UTF-8: PlanText says so.
	}
	p, err := PlanText(text, o)
	if err != nil {
		return p, nil, err
	}
	if def != nil && p.Encoding == GSM7 && p.Locking == LangDefault && p.Single == LangDefault {
		return p, def, nil
	}
	units, err := p.encode(text) // PlanText has checked the UTF-8
	return p, units, err
}

// checkSegments fails as PlanText does if p needs too many segments.
func checkSegments(p Plan, units []byte) (Plan, []byte, error) {
	if p.Segments > MaxSegments {
		return Plan{}, nil, errSegments(p)
	}
	return p, units, nil
}

func errSegments(p Plan) error {
	return fmt.Errorf("pdu: %s needs %d segments, at most %d: %w", p.Encoding, p.Segments, MaxSegments, ErrTooLong)
}

// nationalTables reports whether langs allow a national language table,
// which the planner then weighs against the default alphabet.
func nationalTables(langs []Language) bool {
	for _, l := range langs {
		if l != LangDefault && (l.HasLockingShift() || l.HasSingleShift()) {
			return true
		}
	}
	return false
}

// defaultSeptets returns the septets of text in the default alphabet, or
// nil if the alphabet lacks a character of it (invalid UTF-8 included:
// U+FFFD has no code). A text that starts with such a character, nearly
// always UCS-2, costs no buffer.
func defaultSeptets(text string) []byte {
	lt, st := encoders(LangDefault, LangDefault)
	if r, _ := utf8.DecodeRuneInString(text); text != "" && septetCost(r, lt, st) == 0 {
		return nil
	}
	septets, i := encodeSeptets(make([]byte, 0, len(text)), text, lt, st)
	if i < len(text) {
		return nil
	}
	return septets
}

// countSeptets counts the segments of septets as countGSM7 counts those of
// the text they encode: an escape and the code after it take two septets
// that stay in the same segment.
func countSeptets(septets []byte, ref16 bool) counter {
	c := newCounter(GSM7, 0, ref16)
	for i := 0; i < len(septets); i++ {
		if septets[i] == escape {
			c.add(2)
			i++
			continue
		}
		c.add(1)
	}
	return c
}

// utf16Units is the number of UTF-16 units of UTF-8 text: one per
// character, two for a character of four octets (above U+FFFF). It only
// sizes a buffer: for invalid UTF-8 it may be anything.
func utf16Units(text string) int {
	n := 0
	for i := 0; i < len(text); i++ {
		if c := text[i]; c&0xC0 != 0x80 { // not a continuation octet
			n++
			if c >= 0xF0 {
				n++
			}
		}
	}
	return n
}

// encodeUCS2 appends text as UTF-16BE, and reports false if text is not
// valid UTF-8.
func encodeUCS2(dst []byte, text string) ([]byte, bool) {
	for i, r := range text {
		switch {
		case r == utf8.RuneError:
			if _, size := utf8.DecodeRuneInString(text[i:]); size == 1 {
				return dst, false
			}
		case r >= 0x10000:
			r1, r2 := utf16.EncodeRune(r)
			dst = append(dst, byte(r1>>8), byte(r1), byte(r2>>8), byte(r2))
			continue
		}
		dst = append(dst, byte(r>>8), byte(r))
	}
	return dst, true
}

// countUTF16 counts the segments of UTF-16BE units as planUCS2 counts
// those of the text they encode: a surrogate pair takes two units that
// stay in the same segment.
func countUTF16(units []byte, ref16 bool) counter {
	c := newCounter(UCS2, 0, ref16)
	for i := 0; i+1 < len(units); i += 2 {
		if utf16.IsSurrogate(rune(units[i]) << 8) {
			c.add(2)
			i += 2
			continue
		}
		c.add(1)
	}
	return c
}
