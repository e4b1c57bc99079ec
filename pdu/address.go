package pdu

import (
	"fmt"
	"strings"
)

// TON is the type of number of an address, TS 23.040 section 9.1.2.5.
type TON uint8

// Types of number.
const (
	TONUnknown         TON = 0
	TONInternational   TON = 1
	TONNational        TON = 2
	TONNetworkSpecific TON = 3
	TONSubscriber      TON = 4
	TONAlphanumeric    TON = 5
	TONAbbreviated     TON = 6
)

var tonNames = [...]string{"unknown", "international", "national", "network-specific", "subscriber", "alphanumeric", "abbreviated", "reserved"}

func (t TON) String() string {
	if int(t) < len(tonNames) {
		return tonNames[t]
	}
	return fmt.Sprintf("ton(%d)", uint8(t))
}

// NPI is the numbering plan identification of an address, TS 23.040
// section 9.1.2.5.
type NPI uint8

// Numbering plans in common use.
const (
	NPIUnknown  NPI = 0
	NPIISDN     NPI = 1 // E.164 / E.163
	NPIData     NPI = 3 // X.121
	NPITelex    NPI = 4
	NPINational NPI = 8
	NPIPrivate  NPI = 9
)

// Address is a TP-OA, TP-DA or TP-RA (TS 23.040 section 9.1.2.5), or an
// SMSC address (TS 24.011 section 8.2.5.2, as AT+CMGS carries it). Value
// holds the digits (0-9, '*', '#', 'a', 'b', 'c') without a '+' for
// numeric addresses, or the text for TONAlphanumeric.
type Address struct {
	TON   TON
	NPI   NPI
	Value string
}

// maxAddrDigits is the most semi-octets TP-DA/TP-OA can carry (12 octets
// including the length and type octets).
const maxAddrDigits = 20

// ParseAddress reads an address as people write it: "+13195550100" is
// international E.164, a string of digits (with optional '*' and '#') is a
// number of unknown type in the ISDN plan (the network applies its national
// dialling rules, which is what modems expect), and anything with a letter
// is an alphanumeric sender of at most 11 GSM 7-bit characters. Spaces,
// dashes, dots and brackets between digits are dropped.
func ParseAddress(s string) (Address, error) {
	raw := strings.TrimSpace(s)
	if raw == "" {
		return Address{}, fmt.Errorf("pdu: empty address: %w", ErrInvalid)
	}
	digits := strings.Map(func(r rune) rune {
		switch r {
		case ' ', '-', '.', '(', ')':
			return -1
		}
		return r
	}, raw)
	intl := strings.HasPrefix(digits, "+")
	digits = strings.TrimPrefix(digits, "+")
	if digits != "" && isDialString(digits) {
		if len(digits) > maxAddrDigits {
			return Address{}, fmt.Errorf("pdu: address %q has %d digits, at most %d fit: %w", s, len(digits), maxAddrDigits, ErrTooLong)
		}
		if intl {
			return Address{TON: TONInternational, NPI: NPIISDN, Value: digits}, nil
		}
		return Address{TON: TONUnknown, NPI: NPIISDN, Value: digits}, nil
	}
	if intl {
		return Address{}, fmt.Errorf("pdu: address %q: '+' must be followed by digits only: %w", s, ErrInvalid)
	}
	a := Address{TON: TONAlphanumeric, NPI: NPIUnknown, Value: raw}
	if err := a.checkAlphanumeric(); err != nil {
		return Address{}, err
	}
	return a, nil
}

func isDialString(s string) bool {
	for i := 0; i < len(s); i++ {
		if bcdValue(s[i]) < 0 || s[i] >= 'a' {
			return false
		}
	}
	return true
}

func (a Address) checkAlphanumeric() error {
	n, ok := GSM7Septets(a.Value)
	if !ok {
		return fmt.Errorf("pdu: alphanumeric address %q is not GSM 7-bit text: %w", a.Value, ErrUnencodable)
	}
	if n > 11 {
		return fmt.Errorf("pdu: alphanumeric address %q takes %d septets, at most 11 fit: %w", a.Value, n, ErrTooLong)
	}
	return nil
}

// String returns the address as people write it: E.164 with a leading
// '+' when international, otherwise the digits or the alphanumeric text.
func (a Address) String() string {
	if a.TON == TONInternational && a.Value != "" {
		return "+" + a.Value
	}
	return a.Value
}

// IsZero reports whether the address is empty.
func (a Address) IsZero() bool { return a == Address{} }

// toa is the "type of address" octet.
func (a Address) toa() byte { return 0x80 | byte(a.TON&7)<<4 | byte(a.NPI&0x0F) }

// tpLen bounds the size of the address in the TP-OA/TP-DA/TP-RA format.
func (a Address) tpLen() int {
	if a.TON == TONAlphanumeric {
		return 2 + packedLen(11, 0)
	}
	return 2 + (len(a.Value)+1)/2
}

// appendTP appends the address in the TP-OA/TP-DA/TP-RA format: the
// number of useful semi-octets, the type of address, then BCD digits or
// packed GSM 7-bit text.
func (a Address) appendTP(dst []byte) ([]byte, error) {
	if a.TON == TONAlphanumeric {
		if err := a.checkAlphanumeric(); err != nil {
			return dst, err
		}
		var buf [11]byte // checkAlphanumeric allows 11 septets
		septets, err := appendSeptets(buf[:0], a.Value, LangDefault, LangDefault)
		if err != nil {
			return dst, err
		}
		semi := (len(septets)*7 + 3) / 4
		dst = append(dst, byte(semi), a.toa())
		return packSeptets(dst, septets, 0), nil
	}
	if len(a.Value) > maxAddrDigits {
		return dst, fmt.Errorf("pdu: address %q has %d digits, at most %d fit: %w", a.Value, len(a.Value), maxAddrDigits, ErrTooLong)
	}
	dst = append(dst, byte(len(a.Value)), a.toa())
	return appendBCD(dst, a.Value)
}

// unmarshalTP decodes a TP-OA/TP-DA/TP-RA address and returns the octets used.
func (a *Address) unmarshalTP(src []byte) (int, error) {
	if len(src) < 2 {
		return 0, &DecodeError{Offset: 0, Err: ErrShort}
	}
	semi := int(src[0])
	if semi > maxAddrDigits {
		return 0, &DecodeError{Offset: 0, Err: fmt.Errorf("address length %d semi-octets, at most %d: %w", semi, maxAddrDigits, ErrInvalid)}
	}
	n := 2 + (semi+1)/2
	if len(src) < n {
		return 0, &DecodeError{Offset: 0, Err: ErrShort}
	}
	a.TON = TON(src[1]>>4) & 7
	a.NPI = NPI(src[1] & 0x0F)
	body := src[2:n]
	if a.TON == TONAlphanumeric {
		septets := unpackSeptets(nil, body, 0, semi*4/7)
		a.Value = decodeSeptets(septets, LangDefault, LangDefault)
		return n, nil
	}
	v, err := decodeBCD(body, semi)
	if err != nil {
		return 0, &DecodeError{Offset: 2, Err: err}
	}
	a.Value = v
	return n, nil
}

// AppendSMSC appends the SMSC part of a PDU as AT+CMGS takes it (TS 27.005
// section 3.1, the RP-Originator/Destination address of TS 24.011): the
// length in octets of the type and digits, or the single octet 00 for the
// zero Address, which tells the modem to use the SMSC stored on the SIM.
func (a Address) AppendSMSC(dst []byte) ([]byte, error) {
	if a.IsZero() {
		return append(dst, 0), nil
	}
	if a.TON == TONAlphanumeric {
		return dst, fmt.Errorf("pdu: an SMSC address cannot be alphanumeric: %w", ErrInvalid)
	}
	if len(a.Value) > maxAddrDigits {
		return dst, fmt.Errorf("pdu: SMSC address %q too long: %w", a.Value, ErrTooLong)
	}
	dst = append(dst, byte(1+(len(a.Value)+1)/2), a.toa())
	return appendBCD(dst, a.Value)
}

// unmarshalSMSC decodes the SMSC part and returns the octets used.
func (a *Address) unmarshalSMSC(src []byte) (int, error) {
	if len(src) < 1 {
		return 0, &DecodeError{Field: "SCA", Offset: 0, Err: ErrShort}
	}
	l := int(src[0])
	*a = Address{}
	if l == 0 {
		return 1, nil
	}
	if l > 1+maxAddrDigits/2 {
		return 0, &DecodeError{Field: "SCA", Offset: 0, Err: fmt.Errorf("SMSC address length %d octets: %w", l, ErrInvalid)}
	}
	if len(src) < 1+l {
		return 0, &DecodeError{Field: "SCA", Offset: 0, Err: ErrShort}
	}
	a.TON = TON(src[1]>>4) & 7
	a.NPI = NPI(src[1] & 0x0F)
	body := src[2 : 1+l]
	digits := 2 * len(body)
	if len(body) > 0 && body[len(body)-1]>>4 == 0x0F {
		digits--
	}
	v, err := decodeBCD(body, digits)
	if err != nil {
		return 0, &DecodeError{Field: "SCA", Offset: 2, Err: err}
	}
	a.Value = v
	return 1 + l, nil
}

const bcdDigits = "0123456789*#abc"

func bcdValue(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c == '*':
		return 10
	case c == '#':
		return 11
	case c >= 'a' && c <= 'c':
		return int(c-'a') + 12
	case c >= 'A' && c <= 'C':
		return int(c-'A') + 12
	}
	return -1
}

// appendBCD appends digits as swapped semi-octets, padding with 0xF.
func appendBCD(dst []byte, digits string) ([]byte, error) {
	for i := 0; i < len(digits); i += 2 {
		lo := bcdValue(digits[i])
		if lo < 0 {
			return dst, fmt.Errorf("pdu: %q is not a dialling digit: %w", digits[i], ErrInvalid)
		}
		hi := 0x0F
		if i+1 < len(digits) {
			if hi = bcdValue(digits[i+1]); hi < 0 {
				return dst, fmt.Errorf("pdu: %q is not a dialling digit: %w", digits[i+1], ErrInvalid)
			}
		}
		dst = append(dst, byte(hi<<4|lo))
	}
	return dst, nil
}

// decodeBCD reads n swapped semi-octets. A 0xF filler inside the digits is
// an error; one in the last position (a count that included the filler) is
// tolerated.
func decodeBCD(src []byte, n int) (string, error) {
	var buf [maxAddrDigits]byte
	b := buf[:0]
	for i := range n {
		v := src[i/2]
		if i%2 == 1 {
			v >>= 4
		}
		v &= 0x0F
		if v == 0x0F {
			if i == n-1 { // a padded count: tolerate the filler at the end
				break
			}
			return "", fmt.Errorf("filler semi-octet inside address: %w", ErrInvalid)
		}
		b = append(b, bcdDigits[v])
	}
	return string(b), nil
}
