package pdu

import (
	"fmt"
	"sync"
	"unicode/utf8"

	"github.com/smsgw/smsgw/pdu/internal/charset"
)

// escape is the GSM 7-bit code that switches the next septet to the
// single-shift (extension) table, TS 23.038 section 6.2.1.1.
const escape = charset.Escape

// encTable is the reverse of a charset.Table: rune to 7-bit code.
type encTable struct {
	lo [256]uint8     // code+1 for runes below 256; 0 = not in table
	hi map[rune]uint8 // code for runes from 256 up
}

func (t *encTable) lookup(r rune) (byte, bool) {
	if r < 256 {
		c := t.lo[r]
		return c - 1, c != 0
	}
	c, ok := t.hi[r]
	return c, ok
}

func newEncTable(t *charset.Table) *encTable {
	e := &encTable{hi: make(map[rune]uint8)}
	for code, r := range t {
		if r == 0 || code == escape {
			continue
		}
		if r < 256 {
			if e.lo[r] == 0 { // first code wins if a table repeats a rune
				e.lo[r] = uint8(code) + 1
			}
			continue
		}
		if _, dup := e.hi[r]; !dup {
			e.hi[r] = uint8(code)
		}
	}
	return e
}

var (
	encOnce    sync.Once
	encLocking [charset.NumLanguages]*encTable
	encSingle  [charset.NumLanguages]*encTable
)

// encoders returns the reverse tables for a locking/single pair, or nil
// where the language has no such table.
func encoders(lock, single Language) (*encTable, *encTable) {
	encOnce.Do(func() {
		for i := range charset.NumLanguages {
			if t := charset.Locking[i]; t != nil {
				encLocking[i] = newEncTable(t)
			}
			if t := charset.Single[i]; t != nil {
				encSingle[i] = newEncTable(t)
			}
		}
	})
	var l, s *encTable
	if int(lock) < charset.NumLanguages {
		l = encLocking[lock]
	}
	if int(single) < charset.NumLanguages {
		s = encSingle[single]
	}
	return l, s
}

// septetCost returns how many septets r takes with the given tables (1 in
// the locking-shift table, 2 through the escape), or 0 if it has no code.
func septetCost(r rune, lock, single *encTable) int {
	if _, ok := lock.lookup(r); ok {
		return 1
	}
	if _, ok := single.lookup(r); ok {
		return 2
	}
	return 0
}

// appendSeptets appends the GSM 7-bit codes of s, one septet per byte,
// using the locking-shift table lock and the single-shift table single.
func appendSeptets(dst []byte, s string, lock, single Language) ([]byte, error) {
	lt, st := encoders(lock, single)
	if lt == nil {
		return dst, fmt.Errorf("pdu: %s has no locking-shift table: %w", lock, ErrInvalid)
	}
	if st == nil {
		return dst, fmt.Errorf("pdu: %s has no single-shift table: %w", single, ErrInvalid)
	}
	dst, i := encodeSeptets(dst, s, lt, st)
	if i == len(s) {
		return dst, nil
	}
	r, size := utf8.DecodeRuneInString(s[i:])
	if r == utf8.RuneError && size == 1 {
		return dst, fmt.Errorf("pdu: byte %d: %w", i, ErrInvalidUTF8)
	}
	return dst, fmt.Errorf("pdu: %q (U+%04X) at byte %d is not in the GSM 7-bit %s tables: %w", r, r, i, tablesName(lock, single), ErrUnencodable)
}

// encodeSeptets is appendSeptets with the tables, stopping at the first
// character they do not have (or invalid UTF-8, U+FFFD having no code):
// it returns the byte offset of that character, len(s) if there is none.
func encodeSeptets(dst []byte, s string, lt, st *encTable) ([]byte, int) {
	for i, r := range s {
		if c, ok := lt.lookup(r); ok {
			dst = append(dst, c)
			continue
		}
		if c, ok := st.lookup(r); ok {
			dst = append(dst, escape, c)
			continue
		}
		return dst, i
	}
	return dst, len(s)
}

func tablesName(lock, single Language) string {
	if lock == single {
		return lock.String()
	}
	return lock.String() + "/" + single.String()
}

// packSeptets appends septets packed least significant bit first, as
// TS 23.038 section 6.1.2.1 describes, after fill zero bits (the fill that
// aligns the text to a septet boundary after a user data header).
func packSeptets(dst, septets []byte, fill uint) []byte {
	var acc uint32
	n := fill
	for _, s := range septets {
		acc |= uint32(s&0x7F) << n
		n += 7
		if n >= 8 {
			dst = append(dst, byte(acc))
			acc >>= 8
			n -= 8
		}
	}
	if n > 0 {
		dst = append(dst, byte(acc))
	}
	return dst
}

// packedLen is the number of octets that count septets take after fill bits.
func packedLen(count int, fill uint) int {
	return (int(fill) + 7*count + 7) / 8
}

// unpackSeptets appends count septets read from src starting at bit
// offset skip. The caller checks that src holds skip+7*count bits.
func unpackSeptets(dst, src []byte, skip, count int) []byte {
	for i := range count {
		p := skip + 7*i
		b, sh := p>>3, uint(p&7)
		v := uint16(src[b]) >> sh
		if sh > 1 {
			v |= uint16(src[b+1]) << (8 - sh)
		}
		dst = append(dst, byte(v&0x7F))
	}
	return dst
}

// GSM7Septets returns how many septets s takes in the GSM 7-bit default
// alphabet (extension characters count two), and false if s has a
// character outside the default alphabet and its extension table.
func GSM7Septets(s string) (int, bool) {
	lt, st := encoders(LangDefault, LangDefault)
	n := 0
	for _, r := range s {
		c := septetCost(r, lt, st)
		if c == 0 {
			return n, false
		}
		n += c
	}
	return n, true
}
