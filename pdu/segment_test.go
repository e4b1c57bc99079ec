package pdu_test

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/smsgw/smsgw/pdu"
)

// TestSegmentBoundaries checks the exact segment counts at the published
// limits: 160/153 (152 with a 16-bit reference) septets, 70/67 (66)
// UCS-2 characters, with extension characters and surrogate pairs at the
// edges never split.
func TestSegmentBoundaries(t *testing.T) {
	a := func(n int) string { return strings.Repeat("a", n) }
	cases := []struct {
		label    string
		text     string
		opts     pdu.Options
		enc      pdu.Encoding
		segments int
		units    int
		sizes    []int // units per segment, when it matters
	}{
		{label: "empty", text: "", enc: pdu.GSM7, segments: 1, units: 0},
		{label: "gsm 160", text: a(160), enc: pdu.GSM7, segments: 1, units: 160},
		{label: "gsm 161", text: a(161), enc: pdu.GSM7, segments: 2, units: 161, sizes: []int{153, 8}},
		{label: "gsm 306", text: a(306), enc: pdu.GSM7, segments: 2, units: 306, sizes: []int{153, 153}},
		{label: "gsm 307", text: a(307), enc: pdu.GSM7, segments: 3, units: 307},
		{label: "gsm 161 ref16", text: a(161), opts: pdu.Options{Ref16: true}, enc: pdu.GSM7, segments: 2, sizes: []int{152, 9}, units: 161},
		{label: "gsm 159 + euro = 161 septets", text: a(159) + "€", enc: pdu.GSM7, segments: 2, units: 161, sizes: []int{153, 8}},
		{label: "gsm 158 + euro = 160 septets", text: a(158) + "€", enc: pdu.GSM7, segments: 1, units: 160},
		{label: "escape pair at the 153 edge moves whole", text: a(152) + "€" + a(10), enc: pdu.GSM7, segments: 2, units: 164, sizes: []int{152, 12}},
		{label: "escape pair just inside the edge", text: a(151) + "€" + a(10), enc: pdu.GSM7, segments: 2, units: 163, sizes: []int{153, 10}},
		{label: "all extension characters", text: "€[]{}~^\\|\f", enc: pdu.GSM7, segments: 1, units: 20},
		{label: "ucs2 70", text: strings.Repeat("ж", 70), enc: pdu.UCS2, segments: 1, units: 70},
		{label: "ucs2 71", text: strings.Repeat("ж", 71), enc: pdu.UCS2, segments: 2, units: 71, sizes: []int{67, 4}},
		{label: "ucs2 71 ref16", text: strings.Repeat("ж", 71), opts: pdu.Options{Ref16: true}, enc: pdu.UCS2, segments: 2, units: 71, sizes: []int{66, 5}},
		{label: "emoji counts two units", text: strings.Repeat("😀", 35), enc: pdu.UCS2, segments: 1, units: 70},
		{label: "emoji 36 splits", text: strings.Repeat("😀", 36), enc: pdu.UCS2, segments: 2, units: 72, sizes: []int{66, 6}},
		{label: "surrogate pair at the 67 edge moves whole", text: strings.Repeat("ж", 66) + "😀" + strings.Repeat("ж", 10), enc: pdu.UCS2, segments: 2, units: 78, sizes: []int{66, 12}},
		{label: "one non-GSM char makes it UCS-2", text: a(100) + "ж", enc: pdu.UCS2, segments: 2, units: 101},
		{label: "gsm greek is gsm7", text: "ΔΦΓΛΩΠΨΣΘΞ", enc: pdu.GSM7, segments: 1, units: 10},
	}
	for _, c := range cases {
		t.Run(c.label, func(t *testing.T) {
			p, err := pdu.PlanText(c.text, c.opts)
			if err != nil {
				t.Fatal(err)
			}
			if p.Encoding != c.enc || p.Segments != c.segments || p.Units != c.units {
				t.Fatalf("plan %+v, want %v with %d segments and %d units", p, c.enc, c.segments, c.units)
			}
			parts, err := p.Split(c.text, 7, pdu.NoClass)
			if err != nil {
				t.Fatal(err)
			}
			if len(parts) != c.segments {
				t.Fatalf("split into %d, plan said %d", len(parts), c.segments)
			}
			var joined strings.Builder
			for i, ud := range parts {
				n := len(ud.UD)
				if p.Encoding == pdu.UCS2 {
					n /= 2
				}
				if c.sizes != nil && n != c.sizes[i] {
					t.Errorf("part %d has %d units, want %d", i+1, n, c.sizes[i])
				}
				if n > p.PerSegment {
					t.Errorf("part %d has %d units, capacity %d", i+1, n, p.PerSegment)
				}
				s, err := ud.Text()
				if err != nil {
					t.Fatal(err)
				}
				if !utf8.ValidString(s) || strings.ContainsRune(s, utf8.RuneError) {
					t.Errorf("part %d decodes to %q: a pair was split", i+1, s)
				}
				joined.WriteString(s)
				tpdu, err := (&pdu.Submit{Destination: pdu.Address{TON: pdu.TONInternational, NPI: pdu.NPIISDN, Value: "15551234"}, UserData: ud}).AppendBinary(nil)
				if err != nil {
					t.Fatalf("part %d does not fit: %v", i+1, err)
				}
				if ud.UDH.Len()+len(tpdu) == 0 {
					t.Fatal("empty")
				}
			}
			if joined.String() != c.text {
				t.Errorf("parts join to %q", joined.String())
			}
		})
	}
}

// TestShiftTableChoice checks that national tables are used only when
// allowed and only when they save segments, and that the UDH carries the
// right identifiers (0x24 single shift, 0x25 locking shift).
func TestShiftTableChoice(t *testing.T) {
	turkish := "Çok teşekkürler, yardım geliyor. Lütfen hatta kalın ve sakin olun. Ambulans yolda, beş dakika içinde orada olacak. Kapıyı açık bırakın lütfen."
	p, err := pdu.PlanText(turkish, pdu.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if p.Encoding != pdu.UCS2 || p.Segments != 3 {
		t.Fatalf("without tables: %+v, want UCS-2 in 3 segments", p)
	}
	p, err = pdu.PlanText(turkish, pdu.Options{Languages: []pdu.Language{pdu.LangTurkish}})
	if err != nil {
		t.Fatal(err)
	}
	if p.Encoding != pdu.GSM7 || (p.Locking != pdu.LangTurkish && p.Single != pdu.LangTurkish) || p.Segments != 1 {
		t.Fatalf("with Turkish: %+v, want GSM7 with a Turkish shift table, 1 segment", p)
	}
	subs, _, err := pdu.EncodeText(pdu.Address{TON: pdu.TONInternational, NPI: pdu.NPIISDN, Value: "905321234567"}, turkish, pdu.SubmitOptions{Options: pdu.Options{Languages: []pdu.Language{pdu.LangTurkish}}})
	if err != nil {
		t.Fatal(err)
	}
	b, err := subs[0].AppendBinary(nil)
	if err != nil {
		t.Fatal(err)
	}
	m, err := pdu.DecodeTPDU(b)
	if err != nil {
		t.Fatal(err)
	}
	s := m.(*pdu.Submit)
	var ids []byte
	for _, ie := range s.UDH {
		ids = append(ids, ie.ID)
	}
	wantIDs := []byte{}
	if p.Locking == pdu.LangTurkish {
		wantIDs = append(wantIDs, pdu.IELockingShift) // 0x25, TS 23.040 9.2.3.24.16
	}
	if p.Single == pdu.LangTurkish {
		wantIDs = append(wantIDs, pdu.IESingleShift) // 0x24, TS 23.040 9.2.3.24.15
	}
	if string(ids) != string(wantIDs) {
		t.Errorf("UDH elements %x, want %x", ids, wantIDs)
	}
	for _, ie := range s.UDH {
		if len(ie.Data) != 1 || ie.Data[0] != byte(pdu.LangTurkish) {
			t.Errorf("element %x carries %x, want the Turkish language 01", ie.ID, ie.Data)
		}
	}
	if got, _ := s.Text(); got != turkish {
		t.Errorf("round trip: %q", got)
	}

	// A short text fits UCS-2 as well: on a tie UCS-2 wins over the tables.
	p, _ = pdu.PlanText("Şu an", pdu.Options{Languages: []pdu.Language{pdu.LangTurkish}})
	if p.Encoding != pdu.UCS2 {
		t.Errorf("tie: %+v, want UCS-2", p)
	}
	// Forcing GSM7 with a character no allowed table has fails clearly.
	_, err = pdu.PlanText("Привет", pdu.Options{Encoding: pdu.GSM7, Languages: []pdu.Language{pdu.LangTurkish}})
	if !errors.Is(err, pdu.ErrUnencodable) {
		t.Errorf("forced GSM7 of Cyrillic: %v, want ErrUnencodable", err)
	}
}

// TestIndianLanguageRoundTrip encodes text in each Indian script with its
// locking shift table and decodes it back.
func TestIndianLanguageRoundTrip(t *testing.T) {
	samples := map[pdu.Language]string{
		pdu.LangHindi:     "सहायता रास्ते में है",
		pdu.LangBengali:   "সাহায্য আসছে",
		pdu.LangTamil:     "உதவி வருகிறது",
		pdu.LangTelugu:    "సహాయం వస్తోంది",
		pdu.LangGujarati:  "મદદ આવી રહી છે",
		pdu.LangKannada:   "ಸಹಾಯ ಬರುತ್ತಿದೆ",
		pdu.LangMalayalam: "സഹായം വരുന്നു",
		pdu.LangPunjabi:   "ਮਦਦ ਆ ਰਹੀ ਹੈ",
		pdu.LangOriya:     "ସାହାଯ୍ୟ ଆସୁଛି",
		pdu.LangUrdu:      "مدد آ رہی ہے",
	}
	for lang, text := range samples {
		t.Run(lang.String(), func(t *testing.T) {
			long := strings.Repeat(text+" ", 8)
			p, err := pdu.PlanText(long, pdu.Options{Encoding: pdu.GSM7, Languages: []pdu.Language{lang}})
			if err != nil {
				t.Fatal(err)
			}
			if p.Locking != lang {
				t.Fatalf("plan %+v, want the %s locking shift", p, lang)
			}
			u, _ := pdu.PlanText(long, pdu.Options{Encoding: pdu.UCS2})
			if p.Segments >= u.Segments {
				t.Errorf("%s: %d GSM7 segments, not fewer than UCS-2's %d", lang, p.Segments, u.Segments)
			}
			auto, _ := pdu.PlanText(long, pdu.Options{Languages: []pdu.Language{lang}})
			if auto.Encoding != pdu.GSM7 {
				t.Errorf("auto picked %v", auto.Encoding)
			}
			subs, _, err := pdu.EncodeText(pdu.Address{TON: pdu.TONInternational, NPI: pdu.NPIISDN, Value: "919812345678"}, long, pdu.SubmitOptions{Options: pdu.Options{Languages: []pdu.Language{lang}}, Ref: 3})
			if err != nil {
				t.Fatal(err)
			}
			var got strings.Builder
			for _, s := range subs {
				txt, err := reencode(t, s).Text()
				if err != nil {
					t.Fatal(err)
				}
				got.WriteString(txt)
			}
			if got.String() != long {
				t.Errorf("round trip:\n got %q\nwant %q", got.String(), long)
			}
		})
	}
}

func TestTooLong(t *testing.T) {
	if _, err := pdu.PlanText(strings.Repeat("a", 153*255+1), pdu.Options{}); !errors.Is(err, pdu.ErrTooLong) {
		t.Errorf("256 segments: %v, want ErrTooLong", err)
	}
	if p, err := pdu.PlanText(strings.Repeat("a", 153*255), pdu.Options{}); err != nil || p.Segments != 255 {
		t.Errorf("255 segments: %+v %v", p, err)
	}
	if _, err := pdu.PlanText("bad \xff utf8", pdu.Options{}); !errors.Is(err, pdu.ErrInvalidUTF8) {
		t.Errorf("invalid UTF-8: %v", err)
	}
}

func TestBinarySplit(t *testing.T) {
	ports := pdu.UDH{{ID: pdu.IEPort16, Data: []byte{0x0B, 0x84, 0x23, 0xF0}}}
	data := make([]byte, 300)
	for i := range data {
		data[i] = byte(i)
	}
	subs, p, err := pdu.EncodeBinary(pdu.Address{TON: pdu.TONInternational, NPI: pdu.NPIISDN, Value: "15551234"}, data, ports, pdu.SubmitOptions{Ref: 9})
	if err != nil {
		t.Fatal(err)
	}
	// 140 - (1 + 5 + 6) = 128 octets per part.
	if p.Segments != 3 || p.PerSegment != 128 {
		t.Fatalf("plan %+v", p)
	}
	var joined []byte
	for i, s := range subs {
		c, ok := s.UDH.Concat()
		if !ok || c.Seq != i+1 || c.Total != 3 || c.Ref != 9 {
			t.Errorf("part %d concat %+v", i+1, c)
		}
		if dst, _, ok := s.UDH.Ports(); !ok || dst != 2948 {
			t.Errorf("part %d lost its ports", i+1)
		}
		joined = append(joined, reencode(t, s).UD...)
	}
	if string(joined) != string(data) {
		t.Error("data does not round-trip")
	}
}
