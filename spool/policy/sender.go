package policy

import (
	"strings"
	"unicode"

	"github.com/smsgw/smsgw/pdu"
)

// SenderKind says what kind of address a sender id is.
type SenderKind string

// The sender kinds.
const (
	SenderE164         SenderKind = "e164"         // an international number, "+13195550100"
	SenderShortCode    SenderKind = "shortcode"    // 3 to 8 digits, kept verbatim
	SenderAlphanumeric SenderKind = "alphanumeric" // 1 to 11 GSM characters, at least one letter
)

// Sender limits.
const (
	minShortCode = 3
	maxShortCode = 8
	maxAlpha     = 11 // septets: TP-OA holds 11 GSM 7-bit characters
)

// NormaliseSender classifies a sender id and returns it in canonical form:
// anything with a letter is alphanumeric (kept verbatim, 1 to 11 GSM 7-bit
// characters, extension characters counting two); '+' or more than 8
// digits is a phone number (E.164; national forms need region); 3 to 8
// digits is a short code (separators removed). Classifying before
// parsing matters: phonenumbers would turn "BANK24" into +4924.
func NormaliseSender(raw, region string) (string, SenderKind, error) {
	s := strings.TrimSpace(raw)
	bad := func(format string, args ...any) (string, SenderKind, error) {
		return "", "", refuse(CodeInvalidSender, "from", "sender "+quote(raw)+": "+format, args...)
	}
	if s == "" {
		return bad("a sender is required")
	}
	if strings.IndexFunc(s, unicode.IsLetter) >= 0 {
		n := len([]rune(s))
		septets, ok := pdu.GSM7Septets(s)
		switch {
		case !ok:
			return bad("alphanumeric senders use only the GSM 7-bit alphabet")
		case n > maxAlpha || septets > maxAlpha:
			return bad("alphanumeric senders are at most %d GSM characters", maxAlpha)
		}
		return s, SenderAlphanumeric, nil
	}
	digits := strings.Map(func(r rune) rune {
		if strings.ContainsRune(dialChars, r) {
			return -1
		}
		return r
	}, s)
	if strings.HasPrefix(digits, "+") || len(digits) > maxShortCode {
		n, why := parseNumberCached(s, region, false)
		if why != "" {
			return bad("%s", why)
		}
		return n.e164, SenderE164, nil
	}
	for _, r := range digits {
		if r < '0' || r > '9' {
			return bad("unexpected character %q", r)
		}
	}
	if len(digits) < minShortCode {
		return bad("short codes have %d to %d digits", minShortCode, maxShortCode)
	}
	return digits, SenderShortCode, nil
}

// senderKey is how senders are compared: alphanumeric ids ignore case.
func senderKey(s string, k SenderKind) string {
	if k == SenderAlphanumeric {
		return strings.ToUpper(s)
	}
	return s
}
