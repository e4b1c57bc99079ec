package smpp

import (
	"fmt"
	"strings"
	"unicode/utf16"

	smspdu "github.com/smsgw/smsgw/pdu"
)

// Alphabets for data_coding 0x00 ("SMSC default alphabet"), whose
// meaning SMPP leaves to the two ends.
const (
	AlphabetGSM7   = "gsm7"   // GSM 03.38, one septet per octet (default)
	AlphabetLatin1 = "latin1" // ISO-8859-1 (ASCII is a subset)
)

// content is a short_message read according to its data_coding: text,
// or octets for binary codings.
type content struct {
	text     string
	binary   []byte
	binaryOK bool
	encoding smspdu.Encoding // for reassembly: GSM7 (text), UCS2 (raw octets kept), EightBit
	raw      []byte          // UCS-2 octets, for reassembly across parts
}

// readContent decodes body (without its UDH) by data_coding dc; dc0 is
// the alphabet meant by 0x00 (AlphabetGSM7 or AlphabetLatin1).
func readContent(dc uint8, body []byte, dc0 string) (content, error) {
	switch {
	case dc == 0x00 && (dc0 == AlphabetLatin1 || !septets(body)), dc == 0x01, dc == 0x03:
		// (An octet above 0x7F is no GSM septet: such a "default
		// alphabet" text is Latin-1, not GSM with its top bits dropped.)
		// IA5 (ASCII) and Latin-1: one octet per character.
		var b strings.Builder
		for _, c := range body {
			b.WriteRune(rune(c))
		}
		return content{text: b.String(), encoding: smspdu.GSM7}, nil
	case dc == 0x00, dc&0xF4 == 0xF0, dc >= 0x10 && dc < 0x40 && dc&0x0C == 0x00:
		// GSM 7-bit, unpacked: the SMSC default, or a message class
		// (0xF0-0xF3) or a general data coding group with GSM alphabet.
		u := smspdu.UserData{DCS: smspdu.NewDCS(smspdu.GSM7, smspdu.NoClass), UD: body}
		t, err := u.Text()
		if err != nil {
			return content{}, fmt.Errorf("GSM 7-bit short_message: %w", err)
		}
		return content{text: t, encoding: smspdu.GSM7}, nil
	case dc == 0x08, dc >= 0x10 && dc < 0x40 && dc&0x0C == 0x08:
		if len(body)%2 != 0 {
			return content{}, fmt.Errorf("UCS-2 short_message of odd length %d", len(body))
		}
		u := make([]uint16, len(body)/2)
		for i := range u {
			u[i] = uint16(body[2*i])<<8 | uint16(body[2*i+1])
		}
		return content{text: string(utf16.Decode(u)), encoding: smspdu.UCS2, raw: body}, nil
	case dc == 0x02, dc == 0x04, dc&0xF4 == 0xF4, dc >= 0x10 && dc < 0x40 && dc&0x0C == 0x04:
		return content{binary: append([]byte{}, body...), binaryOK: true, encoding: smspdu.Binary}, nil
	}
	return content{}, fmt.Errorf("data_coding %#x not supported", dc)
}

// part is the reassembler's view of one received part.
func (c content) part(source, from string, cc smspdu.Concat) smspdu.Part {
	p := smspdu.Part{Source: source, From: from, Concat: cc, Encoding: c.encoding, Text: c.text}
	switch c.encoding {
	case smspdu.UCS2:
		p.Text, p.Data = "", c.raw
	case smspdu.Binary:
		p.Data = c.binary
	}
	return p
}

// septets says whether every octet of b is a GSM 7-bit septet (0x00-0x7F).
func septets(b []byte) bool {
	for _, c := range b {
		if c > 0x7F {
			return false
		}
	}
	return true
}
