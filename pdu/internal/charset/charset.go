// Package charset holds the GSM 7-bit character tables of 3GPP TS 23.038:
// the default alphabet and its extension table (section 6.2.1) and the
// national language locking-shift and single-shift tables of Annex A.
//
// The tables are data only. Package pdu builds its encoders and decoders
// from them. A table maps a 7-bit code (0x00 to 0x7F) to a rune; the rune 0
// marks a code the table leaves undefined (no table in TS 23.038 maps a code
// to U+0000, so 0 is free to mean "none").
package charset

// Table is one 128-entry GSM 7-bit character table. Table[c] is the
// character for code c, or 0 when the table does not define c.
type Table [128]rune

// Escape is the code (0x1B) that, in a locking-shift table, announces that
// the next septet is read from the single-shift table in force.
const Escape = 0x1B

// Language numbers follow TS 23.038 section 6.2.1.2.4 (the value carried in
// the UDH information elements 0x24 and 0x25 of TS 23.040).
const (
	Default    = 0
	Turkish    = 1
	Spanish    = 2
	Portuguese = 3
	Bengali    = 4
	Gujarati   = 5
	Hindi      = 6
	Kannada    = 7
	Malayalam  = 8
	Oriya      = 9
	Punjabi    = 10
	Tamil      = 11
	Telugu     = 12
	Urdu       = 13

	// NumLanguages is one past the highest language number defined.
	NumLanguages = 14
)

// Locking is indexed by language number; Locking[Default] is the GSM 7-bit
// default alphabet (TS 23.038 section 6.2.1). A nil entry means that the
// language has no locking-shift table (Spanish, for instance).
var Locking [NumLanguages]*Table

// Single is indexed by language number; Single[Default] is the default
// alphabet extension table (TS 23.038 section 6.2.1.1). A nil entry means
// that the language has no single-shift table.
var Single [NumLanguages]*Table

func init() {
	Locking[Default] = &defaultAlphabet
	Single[Default] = &defaultExtension
}

// fromString builds a table from a string of exactly 128 runes, where
// U+0000 marks an undefined code. It panics on any other length: the
// tables are constants of this package, checked by its tests.
func fromString(s string) Table {
	var t Table
	i := 0
	for _, r := range s {
		if i >= len(t) {
			panic("charset: table longer than 128 entries")
		}
		t[i] = r
		i++
	}
	if i != len(t) {
		panic("charset: table shorter than 128 entries")
	}
	return t
}
