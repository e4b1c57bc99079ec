package httpapi

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/ianaindex"

	"github.com/smsgw/smsgw/spool"
)

// kannelBody sets the text or binary body from the raw bytes of text.
func kannelBody(m *spool.Message, raw, udh []byte, coding int, charset string) error {
	bad := &kannelAnswer{http.StatusBadRequest, kannelCharset}
	cs := strings.ToUpper(strings.TrimSpace(charset))
	if len(udh) == 0 {
		udh = nil
	}
	switch {
	case coding == 1:
		if len(raw) == 0 {
			return &kannelAnswer{http.StatusBadRequest, kannelEmptyText}
		}
		m.Binary, m.UDH = append([]byte{}, raw...), udh
		return nil
	case len(raw) == 0:
		return &kannelAnswer{http.StatusBadRequest, kannelEmptyText}
	}
	var text string
	switch cs {
	case "", "UTF-8", "UTF8":
		if coding == 2 && cs == "" && len(raw)%2 == 0 {
			// Kannel's form: coding=2 without a charset is UCS-2 octets.
			// (An odd length cannot be: that is UTF-8.)
			text = decodeUTF16BE(raw)
			break
		}
		if !utf8.Valid(raw) {
			return bad
		}
		text = string(raw)
	case "ISO-8859-1", "ISO8859-1", "LATIN1", "ISO_8859-1":
		r := make([]rune, len(raw))
		for i, b := range raw {
			r[i] = rune(b)
		}
		text = string(r)
	case "UTF-16BE", "UCS-2", "UCS-2BE", "UTF-16":
		if len(raw)%2 != 0 {
			return bad
		}
		text = decodeUTF16BE(raw)
	default:
		// The other charsets Kannel's iconv takes from legacy clients:
		// windows-1250…1258, KOI8-R, ISO-8859-2…16, GB2312/GBK, Big5,
		// Shift_JIS, EUC-KR…
		var ok bool
		if text, ok = decodeCharset(cs, raw); !ok {
			return bad
		}
	}
	if coding == 2 {
		m.Encoding = "ucs2" // asked for; the planner has the last word
	}
	// A UDH with text (coding 0 or 2): the text goes in one part after
	// it, as Kannel sends it (a client that splits its long texts itself
	// sends each part so).
	m.Body, m.UDH = text, udh
	return nil
}

// decodeCharset decodes raw from the charset named (IANA or WHATWG
// names); false for an unknown charset, or bytes that are not text in it.
func decodeCharset(name string, raw []byte) (string, bool) {
	enc, err := ianaindex.IANA.Encoding(name)
	if err != nil || enc == nil {
		if enc, err = htmlindex.Get(name); err != nil {
			return "", false
		}
	}
	b, err := enc.NewDecoder().Bytes(raw)
	if err != nil || !utf8.Valid(b) || bytes.ContainsRune(b, utf8.RuneError) {
		return "", false
	}
	return string(b), true
}

func decodeUTF16BE(raw []byte) string {
	u := make([]uint16, len(raw)/2)
	for i := range u {
		u[i] = uint16(raw[2*i])<<8 | uint16(raw[2*i+1])
	}
	return string(utf16.Decode(u))
}

// withMask records a partial dlr-mask in the callback URL's fragment
// (never sent on the wire), so that reports outside the mask are skipped.
func withMask(callback string, mask int) string {
	return callback + "#" + kannelDLRFragment + strconv.Itoa(mask)
}

// splitMask undoes withMask: the URL template and the mask (-1: every
// final report).
func splitMask(callback string) (string, int) {
	i := strings.LastIndex(callback, "#"+kannelDLRFragment)
	if i < 0 {
		return callback, -1
	}
	mask, err := strconv.Atoi(callback[i+len(kannelDLRFragment)+1:])
	if err != nil {
		return callback[:i], -1
	}
	return callback[:i], mask
}
