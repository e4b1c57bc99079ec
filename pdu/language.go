package pdu

import (
	"fmt"
	"strings"

	"github.com/smsgw/smsgw/pdu/internal/charset"
)

// Language is a national language of TS 23.038 section 6.2.1.2.4, the
// value carried by the UDH information elements "National Language Single
// Shift" (0x24) and "National Language Locking Shift" (0x25) of TS 23.040
// section 9.2.3.24.15 and 9.2.3.24.16. LangDefault is the GSM 7-bit
// default alphabet and its extension table.
type Language uint8

// The languages with tables in TS 23.038 Annex A.
const (
	LangDefault    Language = charset.Default
	LangTurkish    Language = charset.Turkish
	LangSpanish    Language = charset.Spanish
	LangPortuguese Language = charset.Portuguese
	LangBengali    Language = charset.Bengali
	LangGujarati   Language = charset.Gujarati
	LangHindi      Language = charset.Hindi
	LangKannada    Language = charset.Kannada
	LangMalayalam  Language = charset.Malayalam
	LangOriya      Language = charset.Oriya
	LangPunjabi    Language = charset.Punjabi
	LangTamil      Language = charset.Tamil
	LangTelugu     Language = charset.Telugu
	LangUrdu       Language = charset.Urdu
)

var languageNames = [charset.NumLanguages]string{
	"default", "turkish", "spanish", "portuguese", "bengali", "gujarati", "hindi",
	"kannada", "malayalam", "oriya", "punjabi", "tamil", "telugu", "urdu",
}

// String returns the lower-case English name of the language, as used in
// configuration files and JSON.
func (l Language) String() string {
	if int(l) < len(languageNames) {
		return languageNames[l]
	}
	return fmt.Sprintf("language(%d)", uint8(l))
}

// ParseLanguage returns the language with the given name (case-insensitive,
// as returned by String).
func ParseLanguage(name string) (Language, error) {
	for i, n := range languageNames {
		if strings.EqualFold(n, name) {
			return Language(i), nil
		}
	}
	return 0, fmt.Errorf("pdu: unknown language %q (known: %s): %w", name, strings.Join(languageNames[:], ", "), ErrInvalid)
}

// Languages returns every language that has at least one table.
func Languages() []Language {
	out := make([]Language, 0, charset.NumLanguages)
	for i := range charset.NumLanguages {
		if charset.Locking[i] != nil || charset.Single[i] != nil {
			out = append(out, Language(i))
		}
	}
	return out
}

// HasLockingShift reports whether TS 23.038 defines a locking-shift table
// for the language (Spanish, for one, has only a single-shift table).
func (l Language) HasLockingShift() bool {
	return int(l) < charset.NumLanguages && charset.Locking[l] != nil
}

// HasSingleShift reports whether TS 23.038 defines a single-shift table for
// the language.
func (l Language) HasSingleShift() bool {
	return int(l) < charset.NumLanguages && charset.Single[l] != nil
}

// MarshalText implements encoding.TextMarshaler with the String names.
func (l Language) MarshalText() ([]byte, error) { return []byte(l.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler (configuration files
// name the shift tables an operator allows).
func (l *Language) UnmarshalText(b []byte) error {
	v, err := ParseLanguage(string(b))
	if err != nil {
		return err
	}
	*l = v
	return nil
}
