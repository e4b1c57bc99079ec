package policy

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"github.com/nyaruka/phonenumbers"
)

// number is a recipient normalised to E.164.
type number struct {
	e164    string
	country string // ISO 3166 alpha-2, or "001" for non-geographic numbers
	valid   bool   // in a range the metadata knows (IsValidNumber)
}

// dialChars are the separators people write inside phone numbers.
const dialChars = " -.()/\u00a0"

// normaliseRecipient is parseNumber for the "to" field.
func normaliseRecipient(raw, region string, strict bool) (number, *Error) {
	n, why := parseNumberCached(raw, region, strict)
	if why != "" {
		return n, refuse(CodeInvalidRecipient, "to", "recipient %s: %s", quote(raw), why)
	}
	return n, nil
}

// parseNumber parses raw (international with '+' or 00, or national in
// region) into E.164, or says why it is not a phone number. strict
// refuses numbers that have a possible length but are outside the ranges
// the metadata knows.
func parseNumber(raw, region string, strict bool) (number, string) {
	s := strings.TrimSpace(raw)
	bad := func(format string, args ...any) (number, string) {
		return number{}, fmt.Sprintf(format, args...)
	}
	if s == "" {
		return bad("a recipient is required")
	}
	for _, r := range s {
		switch {
		case unicode.IsLetter(r):
			return bad("letters are not allowed in a phone number")
		case r == '+' || ('0' <= r && r <= '9') || strings.ContainsRune(dialChars, r):
		default:
			return bad("unexpected character %q", r)
		}
	}
	if !strings.HasPrefix(s, "+") && !strings.HasPrefix(s, "00") && region == "" {
		return bad("not in international form (+country code) and the tenant has no default region")
	}
	if !strings.HasPrefix(s, "+") && !strings.HasPrefix(s, "00") {
		if intl, ok := internationalWithoutPlus(s, region); ok {
			s = intl
		}
	}
	if rest, ok := strings.CutPrefix(s, "00"); ok {
		// The ITU's international prefix, whatever the region's own
		// (011 in the US): no national number begins with 00.
		s = "+" + rest
	}
	n, err := phonenumbers.Parse(s, region)
	if err != nil {
		switch {
		case errors.Is(err, phonenumbers.ErrInvalidCountryCode):
			return bad("unknown country code")
		case errors.Is(err, phonenumbers.ErrTooShortNSN), errors.Is(err, phonenumbers.ErrTooShortAfterIDD):
			return bad("too short to be a phone number")
		case errors.Is(err, phonenumbers.ErrNumTooLong):
			return bad("too long to be a phone number")
		default:
			return bad("not a phone number")
		}
	}
	country := phonenumbers.GetRegionCodeForNumber(n)
	where := country
	if where == "" || where == "ZZ" {
		where = "its country code"
	}
	switch phonenumbers.IsPossibleNumberWithReason(n) {
	case phonenumbers.IS_POSSIBLE:
	case phonenumbers.TOO_SHORT:
		return bad("too short for %s", where)
	case phonenumbers.TOO_LONG:
		return bad("too long for %s", where)
	case phonenumbers.IS_POSSIBLE_LOCAL_ONLY:
		return bad("a local number: add the area code")
	case phonenumbers.INVALID_COUNTRY_CODE:
		return bad("unknown country code")
	default:
		return bad("wrong length for %s", where)
	}
	if n.GetExtension() != "" {
		return bad("an extension cannot receive SMS")
	}
	// IsValidNumber(n) is IsValidNumberForRegion(n, GetRegionCodeForNumber(n));
	// the region is known already, and finding it again (for +1, trying
	// each NANP region's ranges) was a third of the parse.
	valid := phonenumbers.IsValidNumberForRegion(n, country)
	if strict && !valid {
		return bad("not a valid number in %s (unassigned or unknown range)", where)
	}
	e164 := phonenumbers.Format(n, phonenumbers.E164)
	if len(e164) > 16 { // '+' and 15 digits, E.164's most
		return bad("too long to be a phone number (E.164 numbers have at most 15 digits)")
	}
	// The stored form must read back as itself: the handset's STOP comes
	// in international form and must find the same number. A national
	// number whose leading 0 is kept here but read as a trunk prefix from
	// the international form (outside the known ranges only) does not.
	if !valid {
		if again, err := phonenumbers.Parse(e164, ""); err != nil || phonenumbers.Format(again, phonenumbers.E164) != e164 {
			return bad("ambiguous: not in a known range of %s, and its international form reads differently; give it as +country code and number", where)
		}
	}
	return number{e164: e164, country: country, valid: valid}, ""
}

// internationalWithoutPlus reads a number written without + or 00 as
// international ("+" and its digits) when that is what it must be.
// Clients of Kannel, which passes numbers through, often write
// international numbers as bare digits (4917612345678); read as national
// in region DE that is a valid, different number (+49 4917612345678):
// a message to the wrong person. It is international when
//   - the region writes national numbers with a trunk prefix (0 in DE,
//     FR, GB), the digits do not start with it but with the region's
//     own country code, and read so they are a valid number of it; or
//   - read as national they are not a valid number of region, and read
//     as international they are a valid number somewhere (which the
//     tenant's allowed countries then judge).
//
// Otherwise the national reading stands, as phonenumbers gives it.
func internationalWithoutPlus(s, region string) (string, bool) {
	var digits strings.Builder
	for _, r := range s {
		if '0' <= r && r <= '9' {
			digits.WriteRune(r)
		}
	}
	d := digits.String()
	if d == "" || d[0] == '0' { // a trunk prefix, never a country code
		return "", false
	}
	intl, err := phonenumbers.Parse("+"+d, "")
	if err != nil || !phonenumbers.IsValidNumber(intl) {
		return "", false
	}
	cc := strconv.Itoa(phonenumbers.GetCountryCodeForRegion(region))
	trunk := phonenumbers.GetNddPrefixForRegion(region, true)
	if trunk != "" && !strings.HasPrefix(d, trunk) && strings.HasPrefix(d, cc) && int(intl.GetCountryCode()) == phonenumbers.GetCountryCodeForRegion(region) {
		return "+" + d, true
	}
	if nat, err := phonenumbers.Parse(d, region); err == nil && phonenumbers.IsValidNumberForRegion(nat, region) {
		return "", false
	}
	return "+" + d, true
}

// quote shows a submitted value in a message, cut short if long.
func quote(s string) string {
	if r := []rune(s); len(r) > 32 {
		s = string(r[:32]) + "…"
	}
	return `"` + s + `"`
}
