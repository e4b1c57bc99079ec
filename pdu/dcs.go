package pdu

import "fmt"

// Encoding is the alphabet of a message's user data.
type Encoding uint8

// Encodings. EncodingAuto asks the planner to choose.
const (
	EncodingAuto Encoding = iota
	GSM7                  // GSM 7-bit, TS 23.038 section 6.2.1
	UCS2                  // UCS-2, carried as UTF-16BE with surrogate pairs
	Binary                // 8-bit data
)

var encodingNames = [...]string{"auto", "gsm7", "ucs2", "8bit"}

// String returns "auto", "gsm7", "ucs2" or "8bit".
func (e Encoding) String() string {
	if int(e) < len(encodingNames) {
		return encodingNames[e]
	}
	return fmt.Sprintf("encoding(%d)", uint8(e))
}

// MarshalText implements encoding.TextMarshaler with the String names.
func (e Encoding) MarshalText() ([]byte, error) { return []byte(e.String()), nil }

// ParseEncoding returns the encoding named by String.
func ParseEncoding(s string) (Encoding, error) {
	for i, n := range encodingNames {
		if n == s {
			return Encoding(i), nil
		}
	}
	return 0, fmt.Errorf("pdu: unknown encoding %q (auto, gsm7, ucs2, 8bit): %w", s, ErrInvalid)
}

// Class is a message class of TS 23.038 section 4. NoClass means the DCS
// carries no class; Class0 is the "flash" message shown at once and not
// stored, which an emergency service may need.
type Class uint8

// Message classes.
const (
	NoClass Class = iota
	Class0        // immediate display ("flash")
	Class1        // ME specific
	Class2        // SIM specific
	Class3        // TE specific
)

// Number returns 0..3 for Class0..Class3, and -1 for NoClass.
func (c Class) Number() int {
	if c == NoClass || c > Class3 {
		return -1
	}
	return int(c) - 1
}

// ClassFromNumber returns the class for 0..3.
func ClassFromNumber(n int) (Class, error) {
	if n < 0 || n > 3 {
		return NoClass, fmt.Errorf("pdu: message class %d, want 0 to 3: %w", n, ErrInvalid)
	}
	return Class(n + 1), nil
}

// DCS is the TP-Data-Coding-Scheme octet, TS 23.038 section 4.
type DCS byte

// NewDCS returns the general data coding DCS for an encoding and class:
// 0x00, 0x04 or 0x08 without a class, 0x1c|class-bits with one (0x10 is a
// GSM 7-bit class 0 "flash" message).
func NewDCS(e Encoding, c Class) DCS {
	var alpha byte
	switch e {
	case UCS2:
		alpha = 2
	case Binary:
		alpha = 1
	}
	d := alpha << 2
	if n := c.Number(); n >= 0 {
		d |= 0x10 | byte(n)
	}
	return DCS(d)
}

// group returns the coding group: the high nibble, with the general data
// coding groups (00xx, 01xx) reduced to their top two bits.
func (d DCS) group() byte {
	switch g := byte(d) >> 4; {
	case g < 8:
		return g &^ 0x03
	default:
		return g
	}
}

// Encoding returns the alphabet the DCS announces. Reserved alphabets and
// reserved coding groups read as 8-bit data, so their content is kept.
func (d DCS) Encoding() Encoding {
	switch d.group() {
	case 0x0, 0x4: // general data coding, automatic deletion
		switch (d >> 2) & 3 {
		case 0:
			return GSM7
		case 2:
			return UCS2
		}
		return Binary
	case 0xC, 0xD: // message waiting, discard / store, GSM 7-bit
		return GSM7
	case 0xE: // message waiting, store, UCS-2
		return UCS2
	case 0xF: // data coding / message class
		if d&0x04 != 0 {
			return Binary
		}
		return GSM7
	}
	return Binary
}

// Class returns the message class, or NoClass.
func (d DCS) Class() Class {
	switch d.group() {
	case 0x0, 0x4:
		if d&0x10 == 0 {
			return NoClass
		}
	case 0xF:
	default:
		return NoClass
	}
	return Class(d&3) + 1
}

// Compressed reports whether the user data is compressed (TS 23.042).
func (d DCS) Compressed() bool {
	g := d.group()
	return (g == 0x0 || g == 0x4) && d&0x20 != 0
}

// AutoDelete reports the "marked for automatic deletion" group (01xx).
func (d DCS) AutoDelete() bool { return d.group() == 0x4 }

// MessageWaiting describes a message waiting indication group DCS
// (1100, 1101, 1110), TS 23.038 section 4.
type MessageWaiting struct {
	Store  bool   // false: the ME may discard the message (group 1100)
	Active bool   // the indication is set (true) or cleared
	Kind   string // "voicemail", "fax", "email" or "other"
}

var mwiKinds = [4]string{"voicemail", "fax", "email", "other"}

// MessageWaiting returns the indication and true for a message waiting
// group DCS.
func (d DCS) MessageWaiting() (MessageWaiting, bool) {
	switch d.group() {
	case 0xC, 0xD, 0xE:
		return MessageWaiting{Store: d.group() != 0xC, Active: d&0x08 != 0, Kind: mwiKinds[d&3]}, true
	}
	return MessageWaiting{}, false
}

// UnmarshalText implements encoding.TextUnmarshaler with the String names.
func (e *Encoding) UnmarshalText(b []byte) error {
	v, err := ParseEncoding(string(b))
	if err != nil {
		return err
	}
	*e = v
	return nil
}
