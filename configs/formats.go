package configs

import (
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// Formats of names, numbers and codes in the file.
var (
	nameRE      = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)
	e164RE      = regexp.MustCompile(`^\+[1-9][0-9]{1,14}$`)
	prefixRE    = regexp.MustCompile(`^\+[0-9]{1,15}$`)
	shortCodeRE = regexp.MustCompile(`^[0-9]{3,8}$`)
	digitsRE    = regexp.MustCompile(`^[0-9]{1,15}$`)
	alnumRE     = regexp.MustCompile(`^[A-Za-z0-9 .&'!?_-]{1,11}$`)
	letterRE    = regexp.MustCompile(`[A-Za-z]`)
	languageRE  = regexp.MustCompile(`^[a-z]{2,3}$`)
	pinRE       = regexp.MustCompile(`^[0-9]{4,8}$`)
	storageRE   = regexp.MustCompile(`^[A-Z]{2}$`)
)

// nameHint says what a name may hold.
const nameHint = "letters, digits, '.', '_' and '-', up to 64, starting with a letter or digit"

// countries are the ISO 3166-1 alpha-2 codes, and XK (Kosovo, which
// numbering plans use).
var countries = func() map[string]bool {
	const list = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ " +
		"CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR " +
		"GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP " +
		"KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT " +
		"MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW " +
		"SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG " +
		"UM US UY UZ VA VC VE VG VI VN VU WF WS XK YE YT ZA ZM ZW"
	m := map[string]bool{}
	for _, c := range strings.Fields(list) {
		m[c] = true
	}
	return m
}()

// countryProblem says what is wrong with an ISO 3166 alpha-2 code
// (already upper case), or "" when it is fine.
func countryProblem(code string) string {
	switch {
	case countries[code]:
		return ""
	case code == "UK":
		return `"UK" is not an ISO 3166 code: the United Kingdom is "GB"`
	}
	return strconv.Quote(code) + " is not an ISO 3166 alpha-2 country code (US, GB, DE, …)"
}

// senderProblem says what is wrong with a sender id, or "" when it is
// fine: "*", E.164, a short code, or alphanumeric up to 11 characters.
func senderProblem(s string) string {
	switch {
	case s == "*", e164RE.MatchString(s), shortCodeRE.MatchString(s):
		return ""
	case strings.HasPrefix(s, "+"):
		return strconv.Quote(s) + " is not an E.164 number (+, country code, up to 15 digits)"
	case alnumRE.MatchString(s) && letterRE.MatchString(s):
		return ""
	}
	return strconv.Quote(s) + " is not a sender: want E.164 (+13195550100), a short code (3 to 8 digits) or up to 11 letters and digits"
}

// addrProblem says what is wrong with a listen address, or "".
func addrProblem(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return strconv.Quote(addr) + " is not host:port (e.g. 127.0.0.1:8080, [::1]:8080 or :8080)"
	}
	if p := portProblem(port); p != "" {
		return p
	}
	if host != "" && net.ParseIP(host) == nil && !hostnameOK(host) {
		return strconv.Quote(host) + " is not an IP address or host name"
	}
	return ""
}

// portProblem says what is wrong with a port number, or "".
func portProblem(port string) string {
	n, err := strconv.Atoi(port)
	if err != nil || n < 1 || n > 65535 {
		return "port " + strconv.Quote(port) + " is not in 1 to 65535"
	}
	return ""
}

var hostRE = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]{0,62}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}[A-Za-z0-9])?)*\.?$`)

func hostnameOK(h string) bool { return len(h) <= 253 && hostRE.MatchString(h) }

// hostProblem says what is wrong with a host (no port), or "".
func hostProblem(h string) string {
	if net.ParseIP(h) != nil || hostnameOK(h) {
		return ""
	}
	if _, _, err := net.SplitHostPort(h); err == nil {
		return strconv.Quote(h) + " has a port: give it in port"
	}
	return strconv.Quote(h) + " is not an IP address or host name"
}

// urlProblem says what is wrong with a webhook URL, or "".
func urlProblem(s string) string {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return strconv.Quote(s) + " is not an http or https URL"
	}
	return ""
}

// languages are pdu's national language shift tables.
var languages = map[string]bool{
	"turkish": true, "spanish": true, "portuguese": true, "bengali": true, "gujarati": true, "hindi": true,
	"kannada": true, "malayalam": true, "oriya": true, "punjabi": true, "tamil": true, "telugu": true, "urdu": true,
}

// validNPI are the numbering plan indicators of SMPP 3.4, 5.2.6.
var validNPI = map[int]bool{0: true, 1: true, 3: true, 4: true, 6: true, 8: true, 9: true, 10: true, 14: true, 18: true}

// oneOf says whether s is one of list, and formats list for a message.
func oneOf(s string, list ...string) (bool, string) {
	for _, l := range list {
		if s == l {
			return true, ""
		}
	}
	return false, strings.Join(list, ", ")
}
