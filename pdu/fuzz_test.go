package pdu_test

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/smsgw/smsgw/pdu"
)

// seedVectors adds every published PDU in testdata/decode, with and
// without its SMSC part.
func seedVectors(f *testing.F, bare bool) {
	files, _ := filepath.Glob("testdata/decode/*.txt")
	for _, path := range files {
		v := readVector(&testing.T{}, path)
		raw, err := hex.DecodeString(v.fields["pdu"])
		if err != nil {
			continue
		}
		f.Add(raw)
		if bare && len(raw) > 0 && int(raw[0])+1 < len(raw) {
			f.Add(raw[int(raw[0])+1:])
		}
	}
}

// sameDecoding compares two decodings, ignoring what re-encoding may
// legitimately change (the length, the truncation warning).
func sameDecoding(t *testing.T, a, b pdu.Message) {
	t.Helper()
	sa, sb := pdu.Summarize(pdu.Address{}, a, 0), pdu.Summarize(pdu.Address{}, b, 0)
	sa.Warning, sb.Warning = "", ""
	ja, _ := json.Marshal(sa)
	jb, _ := json.Marshal(sb)
	if !bytes.Equal(ja, jb) {
		t.Fatalf("decode → encode → decode changed the message:\n%s\n%s", ja, jb)
	}
}

// FuzzDecodeTPDU: no input panics, errors are *DecodeError, and whatever
// decodes re-encodes to something that decodes the same.
func FuzzDecodeTPDU(f *testing.F) {
	seedVectors(f, true)
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := pdu.DecodeTPDU(b)
		if err != nil {
			var de *pdu.DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("error %v is not a *DecodeError", err)
			}
			if de.Offset < 0 || de.Offset > len(b) {
				t.Fatalf("offset %d outside the %d-octet input", de.Offset, len(b))
			}
			return
		}
		_ = pdu.Summarize(pdu.Address{}, m, len(b))
		again, err := m.AppendBinary(nil)
		if err != nil {
			return // some decodable inputs (a bad alphanumeric address, a header too long to repeat) are not ours to write
		}
		m2, err := pdu.DecodeTPDU(again)
		if err != nil {
			t.Fatalf("re-encoded %X does not decode: %v", again, err)
		}
		sameDecoding(t, m, m2)
	})
}

// FuzzDecode: the same for full PDUs with their SMSC part.
func FuzzDecode(f *testing.F) {
	seedVectors(f, false)
	f.Fuzz(func(t *testing.T, b []byte) {
		smsc, m, err := pdu.Decode(b)
		if err != nil {
			var de *pdu.DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("error %v is not a *DecodeError", err)
			}
			return
		}
		_ = pdu.Summarize(smsc, m, len(b))
		if _, err := smsc.AppendSMSC(nil); err != nil && smsc.TON != pdu.TONAlphanumeric && len(smsc.Value) <= 20 {
			t.Fatalf("decoded SMSC %+v does not re-encode: %v", smsc, err)
		}
	})
}

// FuzzEncodeDecode: any valid text encodes (or fails with a documented
// error) and the parts decode back to exactly the text.
func FuzzEncodeDecode(f *testing.F) {
	for _, s := range []string{"", "hellohello", "€[]{}~^\\|\f", strings.Repeat("a", 161), strings.Repeat("😀", 40),
		"Çok teşekkürler", "सहायता रास्ते में है", "Hello\r\nWorld @£$¥", strings.Repeat("ж", 71)} {
		f.Add(s, uint8(0), false, uint16(0))
	}
	f.Fuzz(func(t *testing.T, text string, mode uint8, ref16 bool, ref uint16) {
		if !utf8.ValidString(text) || len(text) > 2000 {
			return
		}
		o := pdu.SubmitOptions{Options: pdu.Options{Ref16: ref16}, Ref: ref, StatusReportRequest: mode&0x80 != 0}
		switch mode % 4 {
		case 1:
			o.Encoding = pdu.UCS2
		case 2:
			o.Languages = pdu.Languages()
		case 3:
			o.Encoding = pdu.GSM7
			o.Languages = []pdu.Language{pdu.Language(mode / 4 % 14)}
		}
		subs, plan, err := pdu.EncodeText(pdu.Address{TON: pdu.TONInternational, NPI: pdu.NPIISDN, Value: "15551234567"}, text, o)
		if err != nil {
			if errors.Is(err, pdu.ErrTooLong) || (o.Encoding == pdu.GSM7 && errors.Is(err, pdu.ErrUnencodable)) {
				return
			}
			t.Fatalf("encode %q: %v", text, err)
		}
		if len(subs) != plan.Segments {
			t.Fatalf("%d parts, plan says %d", len(subs), plan.Segments)
		}
		var got strings.Builder
		for i, s := range subs {
			b, err := s.AppendBinary(nil)
			if err != nil {
				t.Fatalf("part %d: %v", i+1, err)
			}
			m, err := pdu.DecodeTPDU(b)
			if err != nil {
				t.Fatalf("part %d %X: %v", i+1, b, err)
			}
			part, err := m.(*pdu.Submit).Text()
			if err != nil {
				t.Fatal(err)
			}
			got.WriteString(part)
		}
		if got.String() != text {
			t.Fatalf("round trip of %q gave %q", text, got.String())
		}
	})
}

// FuzzReassemble feeds parts in any order, with duplicates, and checks
// that every part comes out once, complete messages in order.
func FuzzReassemble(f *testing.F) {
	f.Add([]byte{0, 1, 2}, uint8(3))
	f.Add([]byte{2, 2, 0, 1, 1}, uint8(3))
	f.Add([]byte{5, 3, 0}, uint8(6))
	f.Fuzz(func(t *testing.T, order []byte, total uint8) {
		if total < 2 || total > 16 || len(order) > 64 {
			return
		}
		var r pdu.Reassembler
		base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		var out []pdu.Reassembled
		for i, o := range order {
			seq := int(o)%int(total) + 1
			done, err := r.Add(pdu.Part{Source: "m1", From: "+15551234", Concat: pdu.Concat{Ref: 1, Total: int(total), Seq: seq},
				Encoding: pdu.GSM7, Text: string(rune('A' + seq - 1)), Received: base.Add(time.Duration(i) * time.Second)})
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, done...)
		}
		out = append(out, r.Expire(base.Add(24*time.Hour))...)
		if r.Pending() != 0 {
			t.Fatalf("%d still pending after expiry", r.Pending())
		}
		for _, m := range out {
			want := ""
			for s := 1; s <= int(total); s++ {
				switch {
				case !containsInt(m.Missing, s):
					want += string(rune('A' + s - 1))
				case s == int(total) || !containsInt(m.Missing, s+1):
					from := s
					for from > 1 && containsInt(m.Missing, from-1) {
						from--
					}
					want += pdu.GapMarker(from, s, int(total))
				}
			}
			if m.Text != want {
				t.Fatalf("message text %q, want %q (missing %v)", m.Text, want, m.Missing)
			}
			if m.Partial != (len(m.Missing) > 0) {
				t.Fatalf("partial=%v with missing %v", m.Partial, m.Missing)
			}
		}
	})
}

func containsInt(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// FuzzTextWithUDH: a text after a caller's header (any header ParseUDH
// reads) either is refused as too long or unencodable, or encodes to one
// SMS-SUBMIT that decodes back to the same header and text.
func FuzzTextWithUDH(f *testing.F) {
	f.Add("Part one of two, ", []byte{5, 0, 3, 0x42, 2, 1}, false)
	f.Add(strings.Repeat("ж", 67), []byte{5, 0, 3, 1, 2, 2}, false)
	f.Add("wake up", []byte{6, 5, 4, 0x15, 0x81, 0x23, 0xf0}, true)
	f.Add(strings.Repeat("[", 76), []byte{0}, false)
	f.Fuzz(func(t *testing.T, text string, raw []byte, ucs2 bool) {
		udh, err := pdu.ParseUDH(raw)
		if err != nil || !utf8.ValidString(text) {
			return
		}
		o := pdu.SubmitOptions{}
		if ucs2 {
			o.Encoding = pdu.UCS2
		}
		subs, _, err := pdu.EncodeTextUDH(pdu.Address{TON: pdu.TONInternational, NPI: pdu.NPIISDN, Value: "15551234567"}, text, udh, o)
		if err != nil {
			if errors.Is(err, pdu.ErrTooLong) {
				return
			}
			t.Fatalf("encode %q after % x: %v", text, raw, err)
		}
		b, err := subs[0].AppendBinary(nil)
		if err != nil {
			t.Fatal(err)
		}
		m, err := pdu.DecodeTPDU(b)
		if err != nil {
			t.Fatalf("%X: %v", b, err)
		}
		ud := m.(*pdu.Submit).UserData
		got, err := ud.Text()
		want, _ := udh.MarshalBinary()
		h, _ := ud.UDH.MarshalBinary()
		if err != nil || got != text || !bytes.Equal(h, want) {
			t.Fatalf("%q after % x decoded as %q (%v) after % x", text, want, got, err, h)
		}
	})
}
