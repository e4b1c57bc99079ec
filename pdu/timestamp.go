package pdu

import (
	"fmt"
	"time"
)

// sctsLen is the length of TP-SCTS, TP-DT and an absolute TP-VP.
const sctsLen = 7

// appendTimestamp appends t in the TP-SCTS format of TS 23.040 section
// 9.2.3.11: year, month, day, hour, minute, second as swapped BCD, then
// the offset from UTC in quarter hours with its sign in bit 3.
func appendTimestamp(dst []byte, t time.Time) ([]byte, error) {
	if t.Year() < 1990 || t.Year() > 2089 {
		return dst, fmt.Errorf("pdu: timestamp year %d outside 1990-2089: %w", t.Year(), ErrInvalid)
	}
	_, off := t.Zone()
	if off%(15*60) != 0 || off <= -80*15*60 || off >= 80*15*60 {
		return dst, fmt.Errorf("pdu: time zone offset %ds is not a whole number of quarter hours up to 79: %w", off, ErrInvalid)
	}
	for _, v := range [6]int{t.Year() % 100, int(t.Month()), t.Day(), t.Hour(), t.Minute(), t.Second()} {
		dst = append(dst, swapBCD(v))
	}
	q := off / (15 * 60)
	tz := swapBCD(abs(q))
	if q < 0 {
		tz |= 0x08
	}
	return append(dst, tz), nil
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

func swapBCD(v int) byte { return byte((v%10)<<4 | (v/10)%10) }

// unswapBCD reads a swapped BCD octet; ok is false if a nibble is not a
// decimal digit.
func unswapBCD(b byte) (int, bool) {
	lo, hi := int(b&0x0F), int(b>>4)
	return lo*10 + hi, lo <= 9 && hi <= 9
}

// century maps the two-digit year: 90-99 are the 1990s (published test
// vectors date from then), 00-89 the 2000s.
func century(yy int) int {
	if yy >= 90 {
		return 1900
	}
	return 2000
}

// decodeTimestamp reads 7 octets of TP-SCTS format.
func decodeTimestamp(src []byte) (time.Time, error) {
	if len(src) < sctsLen {
		return time.Time{}, &DecodeError{Err: ErrShort}
	}
	var v [6]int
	for i := range v {
		n, ok := unswapBCD(src[i])
		if !ok {
			return time.Time{}, &DecodeError{Offset: i, Err: fmt.Errorf("octet %02X is not BCD: %w", src[i], ErrInvalid)}
		}
		v[i] = n
	}
	if v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > 31 || v[3] > 23 || v[4] > 59 || v[5] > 59 {
		return time.Time{}, &DecodeError{Err: fmt.Errorf("date %02d-%02d-%02d %02d:%02d:%02d out of range: %w", v[0], v[1], v[2], v[3], v[4], v[5], ErrInvalid)}
	}
	tz := src[6]
	q, ok := unswapBCD(tz &^ 0x08)
	if !ok {
		return time.Time{}, &DecodeError{Offset: 6, Err: fmt.Errorf("time zone octet %02X is not BCD: %w", tz, ErrInvalid)}
	}
	off := q * 15 * 60
	if tz&0x08 != 0 {
		off = -off
	}
	loc := time.UTC
	if off != 0 {
		loc = time.FixedZone("", off)
	}
	return time.Date(century(v[0])+v[0], time.Month(v[1]), v[2], v[3], v[4], v[5], 0, loc), nil
}

// ValidityFormat is TP-VPF, TS 23.040 section 9.2.3.3.
type ValidityFormat uint8

// Validity period formats.
const (
	ValidityNone     ValidityFormat = 0 // no TP-VP
	ValidityEnhanced ValidityFormat = 1 // 7 octets, section 9.2.3.12.3
	ValidityRelative ValidityFormat = 2 // 1 octet, section 9.2.3.12.1
	ValidityAbsolute ValidityFormat = 3 // 7 octets, section 9.2.3.12.2
)

var vpfNames = [...]string{"none", "enhanced", "relative", "absolute"}

func (f ValidityFormat) String() string { return vpfNames[f&3] }

// Validity is the TP-VP of an SMS-SUBMIT.
type Validity struct {
	Format   ValidityFormat
	Relative time.Duration // ValidityRelative: as encoded (rounded up)
	Absolute time.Time     // ValidityAbsolute
	Enhanced [7]byte       // ValidityEnhanced: kept as the octets
}

// RelativeValidity returns a relative validity of at least d, rounded up to
// the next value TS 23.040 section 9.2.3.12.1 can express (5 minutes to 63
// weeks).
func RelativeValidity(d time.Duration) (Validity, error) {
	if d <= 0 {
		return Validity{}, fmt.Errorf("pdu: validity %v must be positive: %w", d, ErrInvalid)
	}
	if d > 63*7*24*time.Hour {
		return Validity{}, fmt.Errorf("pdu: validity %v exceeds 63 weeks: %w", d, ErrInvalid)
	}
	vp := relativeVP(d)
	return Validity{Format: ValidityRelative, Relative: relativeDuration(vp)}, nil
}

// AbsoluteValidity returns an absolute validity at t, which must have a
// time zone offset of whole quarter hours.
func AbsoluteValidity(t time.Time) Validity {
	return Validity{Format: ValidityAbsolute, Absolute: t}
}

// relativeVP returns the smallest TP-VP whose duration is at least d.
func relativeVP(d time.Duration) byte {
	const m = time.Minute
	switch {
	case d <= 720*m:
		return byte((d+5*m-1)/(5*m) - 1)
	case d <= 24*60*m:
		return byte(143 + (d-720*m+30*m-1)/(30*m))
	case d <= 30*24*60*m:
		return byte(166 + (d+24*60*m-1)/(24*60*m))
	default:
		return byte(192 + (d+7*24*60*m-1)/(7*24*60*m))
	}
}

// relativeDuration is the duration a relative TP-VP stands for.
func relativeDuration(vp byte) time.Duration {
	const m = time.Minute
	v := time.Duration(vp)
	switch {
	case vp <= 143:
		return (v + 1) * 5 * m
	case vp <= 167:
		return 720*m + (v-143)*30*m
	case vp <= 196:
		return (v - 166) * 24 * 60 * m
	default:
		return (v - 192) * 7 * 24 * 60 * m
	}
}

func (v Validity) appendBinary(dst []byte) ([]byte, error) {
	switch v.Format {
	case ValidityRelative:
		if v.Relative <= 0 || v.Relative > 63*7*24*time.Hour {
			return dst, fmt.Errorf("pdu: relative validity %v outside 5m..63 weeks: %w", v.Relative, ErrInvalid)
		}
		return append(dst, relativeVP(v.Relative)), nil
	case ValidityAbsolute:
		return appendTimestamp(dst, v.Absolute)
	case ValidityEnhanced:
		return append(dst, v.Enhanced[:]...), nil
	}
	return dst, nil
}

func (v Validity) size() int {
	switch v.Format {
	case ValidityRelative:
		return 1
	case ValidityAbsolute, ValidityEnhanced:
		return 7
	}
	return 0
}

// unmarshalValidity reads a TP-VP of the given format.
func unmarshalValidity(f ValidityFormat, src []byte) (Validity, int, error) {
	v := Validity{Format: f}
	if len(src) < v.size() {
		return v, 0, &DecodeError{Err: ErrShort}
	}
	switch f {
	case ValidityRelative:
		v.Relative = relativeDuration(src[0])
	case ValidityAbsolute:
		t, err := decodeTimestamp(src)
		if err != nil {
			return v, 0, err
		}
		v.Absolute = t
	case ValidityEnhanced:
		copy(v.Enhanced[:], src)
	}
	return v, v.size(), nil
}
