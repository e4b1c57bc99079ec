package pdu

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// TestTextWithUDH: a part the caller split itself (its concatenation
// element) or a text to a port goes in one SMS-SUBMIT with the caller's
// header, in GSM 7-bit (fill bits after the header) or UCS-2, and decodes
// back to the same header and text; one that does not fit is refused.
func TestTextWithUDH(t *testing.T) {
	to, _ := ParseAddress("+13195550123")
	concat := UDH{Concat{Ref: 0x42, Total: 2, Seq: 1}.IE()}
	ports := UDH{{ID: 0x05, Data: []byte{0x15, 0x81, 0x23, 0xf0}}}
	for _, c := range []struct {
		name string
		udh  UDH
		text string
		o    Options
		enc  Encoding
	}{
		{"gsm7 after a concatenation element", concat, strings.Repeat("a", 153), Options{}, GSM7},
		{"gsm7 with escapes", concat, "price: 5€ [ok]", Options{}, GSM7},
		{"ucs2 for what the default alphabet lacks", concat, strings.Repeat("Ж", 67), Options{}, UCS2},
		{"ucs2 asked for", ports, "hello", Options{Encoding: UCS2}, UCS2},
		{"gsm7 to a port", ports, "wake up", Options{}, GSM7},
	} {
		subs, p, err := EncodeTextUDH(to, c.text, c.udh, SubmitOptions{Options: c.o})
		if err != nil || len(subs) != 1 || p.Segments != 1 || p.Encoding != c.enc {
			t.Fatalf("%s: %v, %d submits, plan %+v", c.name, err, len(subs), p)
		}
		tpdu, err := subs[0].MarshalBinary()
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		m, err := DecodeTPDU(tpdu)
		if err != nil {
			t.Fatalf("%s: decode: %v", c.name, err)
		}
		ud := m.(*Submit).UserData
		got, err := ud.Text()
		want, _ := c.udh.MarshalBinary()
		gotUDH, _ := ud.UDH.MarshalBinary()
		if err != nil || got != c.text || !bytes.Equal(gotUDH, want) || ud.Encoding() != c.enc {
			t.Errorf("%s: decoded %q (%v) udh % x, %v; want %q udh % x", c.name, got, err, gotUDH, ud.Encoding(), c.text, want)
		}
	}
	for _, c := range []struct {
		name string
		text string
		o    Options
	}{
		{"154 septets after a concatenation element", strings.Repeat("a", 154), Options{}},
		{"68 UCS-2 characters", strings.Repeat("Ж", 68), Options{}},
	} {
		if _, _, err := TextWithUDH(c.text, concat, c.o, NoClass); !errors.Is(err, ErrTooLong) {
			t.Errorf("%s: %v; want ErrTooLong", c.name, err)
		}
	}
	if _, _, err := TextWithUDH("Жи", concat, Options{Encoding: GSM7}, NoClass); err == nil {
		t.Error("GSM 7-bit asked for a text it cannot carry: no error")
	}
	if _, _, err := TextWithUDH("a\xff", concat, Options{}, NoClass); !errors.Is(err, ErrInvalidUTF8) {
		t.Errorf("invalid UTF-8: %v", err)
	}
}
