package charset

import (
	"fmt"
	"testing"
	"unicode"

	oracle "github.com/warthog618/sms/encoding/gsm7/charset"
)

var languageNames = [NumLanguages]string{
	Default:    "Default",
	Turkish:    "Turkish",
	Spanish:    "Spanish",
	Portuguese: "Portuguese",
	Bengali:    "Bengali",
	Gujarati:   "Gujarati",
	Hindi:      "Hindi",
	Kannada:    "Kannada",
	Malayalam:  "Malayalam",
	Oriya:      "Oriya",
	Punjabi:    "Punjabi",
	Tamil:      "Tamil",
	Telugu:     "Telugu",
	Urdu:       "Urdu",
}

// indicAndUrdu are the languages whose single-shift tables follow the common
// template of TS 23.038 Annex A.2.4 to A.2.13.
var indicAndUrdu = []int{Bengali, Gujarati, Hindi, Kannada, Malayalam, Oriya, Punjabi, Tamil, Telugu, Urdu}

func tableName(lang int, single bool) string {
	if single {
		return languageNames[lang] + " single-shift"
	}
	return languageNames[lang] + " locking-shift"
}

// registered calls f for every registered table.
func registered(f func(lang int, single bool, t *Table)) {
	for lang := 0; lang < NumLanguages; lang++ {
		if Locking[lang] != nil {
			f(lang, false, Locking[lang])
		}
		if Single[lang] != nil {
			f(lang, true, Single[lang])
		}
	}
}

func TestRegistry(t *testing.T) {
	for lang := 0; lang < NumLanguages; lang++ {
		if Single[lang] == nil {
			t.Errorf("%s: no single-shift table registered", languageNames[lang])
		}
		// TS 23.038 Annex A.3.2 is void: only Spanish lacks a locking table.
		wantLocking := lang != Spanish
		if got := Locking[lang] != nil; got != wantLocking {
			t.Errorf("%s: locking-shift table registered = %v, want %v", languageNames[lang], got, wantLocking)
		}
	}
	// Every national table is its own: no two registry slots share storage.
	seen := map[*Table]string{}
	registered(func(lang int, single bool, tbl *Table) {
		name := tableName(lang, single)
		if other, ok := seen[tbl]; ok {
			t.Errorf("%s and %s are the same table", name, other)
		}
		seen[tbl] = name
	})
}

func TestEscapeUndefined(t *testing.T) {
	registered(func(lang int, single bool, tbl *Table) {
		if r := tbl[Escape]; r != 0 {
			t.Errorf("%s: code 0x1B = %U, want undefined", tableName(lang, single), r)
		}
	})
}

func TestLineBreaks(t *testing.T) {
	registered(func(lang int, single bool, tbl *Table) {
		name := tableName(lang, single)
		if single {
			// Every extension / single-shift table in TS 23.038 has FORM
			// FEED at 0x0A; 0x0D is CR2, reserved for a second extension.
			if tbl[0x0A] != '\f' {
				t.Errorf("%s: 0x0A = %U, want FORM FEED", name, tbl[0x0A])
			}
			if tbl[0x0D] != 0 {
				t.Errorf("%s: 0x0D (CR2) = %U, want undefined", name, tbl[0x0D])
			}
		} else {
			// The default alphabet and all national locking tables have LF
			// at 0x0A and CR at 0x0D.
			if tbl[0x0A] != '\n' {
				t.Errorf("%s: 0x0A = %U, want LF", name, tbl[0x0A])
			}
			if tbl[0x0D] != '\r' {
				t.Errorf("%s: 0x0D = %U, want CR", name, tbl[0x0D])
			}
		}
		// No other control character anywhere.
		for c, r := range tbl {
			if r == 0 || (c == 0x0A || c == 0x0D) {
				continue
			}
			if unicode.IsControl(r) {
				t.Errorf("%s: 0x%02X = %U is a control character", name, c, r)
			}
		}
	})
}

// allowedDuplicates lists the runes that TS 23.038 itself places twice in one
// table. Every Indic and the Urdu single-shift table (Annex A.2.4 to A.2.13)
// print '¡' at 0x13 and 0x15 and '*' at 0x0B and 0x18.
func allowedDuplicates(lang int, single bool) map[rune][]int {
	if !single {
		return nil
	}
	for _, l := range indicAndUrdu {
		if l == lang {
			return map[rune][]int{'¡': {0x13, 0x15}, '*': {0x0B, 0x18}}
		}
	}
	return nil
}

func TestNoDuplicates(t *testing.T) {
	registered(func(lang int, single bool, tbl *Table) {
		name := tableName(lang, single)
		codes := map[rune][]int{}
		for c, r := range tbl {
			if r != 0 {
				codes[r] = append(codes[r], c)
			}
		}
		allowed := allowedDuplicates(lang, single)
		for r, cs := range codes {
			want, ok := allowed[r]
			if len(cs) > 1 && !ok {
				t.Errorf("%s: %U %q at codes %#x", name, r, r, cs)
			}
			if ok && fmt.Sprint(cs) != fmt.Sprint(want) {
				t.Errorf("%s: allowed duplicate %q at codes %#x, want %#x", name, r, cs, want)
			}
		}
		for r, want := range allowed {
			if _, ok := codes[r]; !ok {
				t.Errorf("%s: allowed duplicate %q (codes %#x) is missing", name, r, want)
			}
		}
	})
}

func TestSpotChecks(t *testing.T) {
	const undefined = 0
	tests := []struct {
		lang   int
		single bool
		code   int
		want   rune
		where  string
	}{
		{Turkish, false, 0x04, '€', "A.3.1 row 4 column 0"},
		{Turkish, false, 0x07, 'ı', "A.3.1: U+0131 LATIN SMALL LETTER DOTLESS I"},
		{Turkish, false, 0x0B, 'Ğ', "A.3.1"},
		{Turkish, false, 0x1C, 'Ş', "A.3.1"},
		{Turkish, false, 0x40, 'İ', "A.3.1: U+0130 LATIN CAPITAL LETTER I WITH DOT ABOVE"},
		{Turkish, false, 0x60, 'ç', "A.3.1"},
		{Turkish, true, 0x47, 'Ğ', "A.2.1"},
		{Turkish, true, 0x49, 'İ', "A.2.1"},
		{Turkish, true, 0x69, 'ı', "A.2.1"},
		{Turkish, true, 0x65, '€', "A.2.1"},
		{Spanish, true, 0x09, 'ç', "A.2.2"},
		{Spanish, true, 0x41, 'Á', "A.2.2"},
		{Spanish, true, 0x75, 'ú', "A.2.2"},
		{Portuguese, false, 0x01, '£', "A.3.3"},
		{Portuguese, false, 0x04, 'ê', "A.3.3"},
		{Portuguese, false, 0x12, 'ª', "A.3.3: U+00AA FEMININE ORDINAL INDICATOR"},
		{Portuguese, false, 0x15, '∞', "A.3.3"},
		{Portuguese, false, 0x24, 'º', "A.3.3: U+00BA MASCULINE ORDINAL INDICATOR"},
		{Portuguese, false, 0x60, '~', "A.3.3"},
		{Portuguese, false, 0x7D, '`', "A.3.3"},
		{Portuguese, true, 0x12, 'Φ', "A.2.3"},
		{Portuguese, true, 0x1F, 'Ê', "A.2.3"},
		{Portuguese, true, 0x7F, 'â', "A.2.3"},
		{Bengali, false, 0x03, '\u0985', "A.3.4: BENGALI LETTER A"},
		{Bengali, false, 0x28, ')', "A.3.4: parentheses reversed as printed"},
		{Bengali, false, 0x29, '(', "A.3.4: parentheses reversed as printed"},
		{Bengali, false, 0x3C, undefined, "A.3.4"},
		{Bengali, true, 0x19, '\u09E6', "A.2.4: BENGALI DIGIT ZERO"},
		{Gujarati, false, 0x60, '\u0AD0', "A.3.5: GUJARATI OM"},
		{Gujarati, true, 0x19, '\u0964', "A.2.5: DEVANAGARI DANDA"},
		{Hindi, false, 0x00, '\u0901', "A.3.6: DEVANAGARI SIGN CANDRABINDU"},
		{Hindi, false, 0x03, '\u0905', "A.3.6: DEVANAGARI LETTER A"},
		{Hindi, false, 0x05, '\u0907', "A.3.6: DEVANAGARI LETTER I"},
		{Hindi, false, 0x7F, '\u097F', "A.3.6"},
		{Hindi, true, 0x1A, '\u0965', "A.2.6: DEVANAGARI DOUBLE DANDA"},
		{Kannada, false, 0x00, undefined, "A.3.7"},
		{Kannada, false, 0x24, '\u0CA1', "A.3.7: KANNADA LETTER DDA (spec prints U+0CAA, a typo)"},
		{Kannada, false, 0x3D, '\u0CAA', "A.3.7: KANNADA LETTER PA"},
		{Malayalam, false, 0x7F, '\u0D79', "A.3.8"},
		{Malayalam, true, 0x2E, '\u0D7A', "A.2.8"},
		{Oriya, false, 0x47, '\u0B33', "A.3.9: ORIYA LETTER LLA"},
		{Oriya, true, 0x26, '\u0B5C', "A.2.9"},
		{Punjabi, false, 0x09, undefined, "A.3.10"},
		{Punjabi, false, 0x7F, '\u0A74', "A.3.10"},
		{Punjabi, true, 0x2D, '\u0A75', "A.2.10"},
		{Tamil, false, 0x2C, ',', "A.3.11"},
		{Tamil, true, 0x24, '\u0BEE', "A.2.11: TAMIL DIGIT EIGHT"},
		{Telugu, true, 0x22, '\u0C6C', "A.2.12: TELUGU DIGIT SIX"},
		{Telugu, true, 0x19, undefined, "A.2.12: no danda in the Telugu table"},
		{Telugu, true, 0x65, undefined, "A.2.12: no euro sign in the Telugu table"},
		{Urdu, false, 0x00, '\u0627', "A.3.13: ARABIC LETTER ALEF"},
		{Urdu, false, 0x01, '\u0622', "A.3.13: ARABIC LETTER ALEF WITH MADDA ABOVE"},
		{Urdu, true, 0x19, '\u0600', "A.2.13: ARABIC NUMBER SIGN"},
		{Urdu, true, 0x3F, '\u06D4', "A.2.13: ARABIC FULL STOP"},
		{Urdu, true, 0x65, '€', "A.2.13"},
	}
	for _, tt := range tests {
		tbl := Locking[tt.lang]
		if tt.single {
			tbl = Single[tt.lang]
		}
		if got := tbl[tt.code]; got != tt.want {
			t.Errorf("%s 0x%02X = %U %q, want %U %q (%s)", tableName(tt.lang, tt.single), tt.code, got, got, tt.want, tt.want, tt.where)
		}
	}
}

type oracleKey struct {
	lang   int
	single bool
	code   byte
}

type oracleDifference struct {
	oracle rune // what warthog618/sms v0.3.0 decodes the code to; 0 = undefined there
	reason string
}

const (
	whyEscape = "oracle maps the escape 0x1B to U+001B; we keep the escape out of the table"
	whyCR2    = "0x0D is CR2, reserved in every single-shift table (TS 23.038 6.2.1.1); oracle decodes it as a line break"
)

// knownOracleDifferences lists every code on which our tables and
// github.com/warthog618/sms v0.3.0 (encoding/gsm7/charset) disagree. Any
// other disagreement fails TestOracle, and so does an entry here that no
// longer disagrees.
var knownOracleDifferences = map[oracleKey]oracleDifference{
	// Escape: the oracle keeps 0x1B in its locking tables (and in its Indic
	// and Urdu single-shift tables) as the rune U+001B; in ours it is
	// undefined, since it is the escape, not a character.
	{Default, false, 0x1B}:    {0x1B, whyEscape},
	{Turkish, false, 0x1B}:    {0x1B, whyEscape},
	{Portuguese, false, 0x1B}: {0x1B, whyEscape},
	{Bengali, false, 0x1B}:    {0x1B, whyEscape},
	{Gujarati, false, 0x1B}:   {0x1B, whyEscape},
	{Hindi, false, 0x1B}:      {0x1B, whyEscape},
	{Kannada, false, 0x1B}:    {0x1B, whyEscape},
	{Malayalam, false, 0x1B}:  {0x1B, whyEscape},
	{Oriya, false, 0x1B}:      {0x1B, whyEscape},
	{Punjabi, false, 0x1B}:    {0x1B, whyEscape},
	{Tamil, false, 0x1B}:      {0x1B, whyEscape},
	{Telugu, false, 0x1B}:     {0x1B, whyEscape},
	{Urdu, false, 0x1B}:       {0x1B, whyEscape},
	{Bengali, true, 0x1B}:     {0x1B, whyEscape},
	{Gujarati, true, 0x1B}:    {0x1B, whyEscape},
	{Hindi, true, 0x1B}:       {0x1B, whyEscape},
	{Kannada, true, 0x1B}:     {0x1B, whyEscape},
	{Malayalam, true, 0x1B}:   {0x1B, whyEscape},
	{Oriya, true, 0x1B}:       {0x1B, whyEscape},
	{Punjabi, true, 0x1B}:     {0x1B, whyEscape},
	{Tamil, true, 0x1B}:       {0x1B, whyEscape},
	{Telugu, true, 0x1B}:      {0x1B, whyEscape},
	{Urdu, true, 0x1B}:        {0x1B, whyEscape},

	// CR2: the oracle decodes 0x0D of a single-shift table as LF (default,
	// Turkish, Spanish, Portuguese) or CR (Indic, Urdu); the spec reserves it.
	{Default, true, 0x0D}:    {'\n', whyCR2},
	{Turkish, true, 0x0D}:    {'\n', whyCR2},
	{Spanish, true, 0x0D}:    {'\n', whyCR2},
	{Portuguese, true, 0x0D}: {'\n', whyCR2},
	{Bengali, true, 0x0D}:    {'\r', whyCR2},
	{Gujarati, true, 0x0D}:   {'\r', whyCR2},
	{Hindi, true, 0x0D}:      {'\r', whyCR2},
	{Kannada, true, 0x0D}:    {'\r', whyCR2},
	{Malayalam, true, 0x0D}:  {'\r', whyCR2},
	{Oriya, true, 0x0D}:      {'\r', whyCR2},
	{Punjabi, true, 0x0D}:    {'\r', whyCR2},
	{Tamil, true, 0x0D}:      {'\r', whyCR2},
	{Telugu, true, 0x0D}:     {'\r', whyCR2},
	{Urdu, true, 0x0D}:       {'\r', whyCR2},

	// Oracle data errors, each checked against the spec transcriptions and
	// Android's GsmAlphabet.
	{Portuguese, true, 0x1F}: {0, "spec A.2.3 has U+00CA 'Ê' at 0x1F; oracle omits it"},
	{Hindi, false, 0x00}:     {'\u0981', "spec A.3.6 has U+0901 DEVANAGARI SIGN CANDRABINDU; oracle has the Bengali U+0981"},
	{Hindi, false, 0x01}:     {'\u0982', "spec A.3.6 has U+0902 DEVANAGARI SIGN ANUSVARA; oracle has the Bengali U+0982"},
	{Hindi, false, 0x02}:     {'\u0983', "spec A.3.6 has U+0903 DEVANAGARI SIGN VISARGA; oracle has the Bengali U+0983"},

	// Spec against Android: the oracle follows Android here.
	{Telugu, true, 0x65}: {'€', "spec A.2.12 (V16.0.0 and V18.0.0) has no euro sign in the Telugu table; oracle, like Android, adds one"},
}

func TestOracleLanguageNumbers(t *testing.T) {
	for _, tt := range []struct{ ours, theirs int }{
		{Default, oracle.Default},
		{Turkish, oracle.Turkish},
		{Spanish, oracle.Spanish},
		{Portuguese, oracle.Portuguese},
		{Bengali, oracle.Bengali},
		{Gujarati, oracle.Gujaranti}, // sic
		{Hindi, oracle.Hindi},
		{Kannada, oracle.Kannada},
		{Malayalam, oracle.Malayalam},
		{Oriya, oracle.Oriya},
		{Punjabi, oracle.Punjabi},
		{Tamil, oracle.Tamil},
		{Telugu, oracle.Telugu},
		{Urdu, oracle.Urdu},
	} {
		if tt.ours != tt.theirs {
			t.Errorf("%s: our number %d, oracle's %d", languageNames[tt.ours], tt.ours, tt.theirs)
		}
	}
}

func TestOracle(t *testing.T) {
	// The oracle has no Spanish locking table either: it falls back to the
	// default alphabet, which is what NewDecoder does for any language
	// without one.
	if fmt.Sprint(oracle.NewDecoder(Spanish)) != fmt.Sprint(oracle.NewDecoder(Default)) {
		t.Errorf("oracle has a Spanish locking-shift table")
	}

	seen := map[oracleKey]bool{}
	compare := func(lang int, single bool, ours *Table, theirs oracle.Decoder) {
		for code := 0; code < len(ours); code++ {
			o, ok := theirs[byte(code)]
			if !ok {
				o = 0
			}
			if ours[code] == o {
				continue
			}
			key := oracleKey{lang, single, byte(code)}
			seen[key] = true
			known, ok := knownOracleDifferences[key]
			switch {
			case !ok:
				t.Errorf("new disagreement: %s 0x%02X: ours %U %q, oracle %U %q",
					tableName(lang, single), code, ours[code], ours[code], o, o)
			case known.oracle != o:
				t.Errorf("%s 0x%02X: oracle now has %U, knownOracleDifferences says %U",
					tableName(lang, single), code, o, known.oracle)
			}
		}
	}
	for lang := 0; lang < NumLanguages; lang++ {
		if Locking[lang] != nil {
			compare(lang, false, Locking[lang], oracle.NewDecoder(lang))
		}
		compare(lang, true, Single[lang], oracle.NewExtDecoder(lang))
	}
	for key, d := range knownOracleDifferences {
		if !seen[key] {
			t.Errorf("stale knownOracleDifferences entry: %s 0x%02X (%s)", tableName(key.lang, key.single), key.code, d.reason)
		}
	}
}
