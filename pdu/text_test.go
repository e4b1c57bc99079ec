package pdu_test

import (
	"bytes"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/smsgw/smsgw/pdu"
)

// randomText draws n runes from pools that exercise every path of the
// planner: the default alphabet and its extension table, national
// tables, UCS-2 with surrogate pairs, and invalid UTF-8.
func randomText(r *rand.Rand, n int) string {
	pools := []string{
		"Hello, world 0123456789 @£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ!\"#¤%&'()*+-./:;<=>?¡ÄÖÑÜ§¿äöñüà\r\n",
		"€[]{}~^\\|\f",
		"ğĞşŞıİç",
		"सहायता रास्ते में है",
		"Привет, мир",
		"😀🚀",
		"\xff\xc3",
		"\uFFFD",
	}
	// Most texts keep to one or two pools, as messages do.
	a, b := pools[r.IntN(len(pools))], pools[r.IntN(len(pools))]
	if r.IntN(3) > 0 {
		b = a
	}
	var sb strings.Builder
	for range n {
		p := a
		if r.IntN(20) == 0 {
			p = b
		}
		if p == "\xff\xc3" {
			sb.WriteByte(p[r.IntN(len(p))])
			continue
		}
		rs := []rune(p)
		sb.WriteRune(rs[r.IntN(len(rs))])
	}
	return sb.String()
}

// TestEncodeTextMatchesSplit: EncodeText, which encodes text in the
// default alphabet before planning it, gives what PlanText and Plan.Split
// give, errors included.
func TestEncodeTextMatchesSplit(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	langs := [][]pdu.Language{nil, {pdu.LangDefault}, {pdu.LangSpanish}, {pdu.LangTurkish}, {pdu.LangHindi, pdu.LangPortuguese}, pdu.Languages()}
	encs := []pdu.Encoding{pdu.EncodingAuto, pdu.EncodingAuto, pdu.GSM7, pdu.UCS2, pdu.Binary}
	texts := []string{"", "a", strings.Repeat("a", 160), strings.Repeat("a", 161), strings.Repeat("{", 80), strings.Repeat("{", 81),
		strings.Repeat("a", 152) + "€", strings.Repeat("a", 255*153), strings.Repeat("a", 255*153+1), strings.Repeat("€", 255*76+1)}
	for range 3000 {
		texts = append(texts, randomText(r, r.IntN(400)))
	}
	for i, text := range texts {
		o := pdu.SubmitOptions{
			Options: pdu.Options{Encoding: encs[i%len(encs)], Languages: langs[i/len(encs)%len(langs)], Ref16: i%7 == 0},
			Ref:     uint16(i), MR: byte(i), Class: pdu.Class(i % 5),
		}
		subs, plan, err := pdu.EncodeText(pdu.Address{}, text, o)
		wantPlan, wantErr := pdu.PlanText(text, o.Options)
		var want []pdu.UserData
		if wantErr == nil {
			want, wantErr = wantPlan.Split(text, o.Ref, o.Class)
		}
		if plan != wantPlan || (err == nil) != (wantErr == nil) || err != nil && err.Error() != wantErr.Error() {
			t.Fatalf("text %q, %+v:\nEncodeText %+v, %v\nPlanText+Split %+v, %v", text, o.Options, plan, err, wantPlan, wantErr)
		}
		if err != nil {
			continue
		}
		if len(subs) != len(want) {
			t.Fatalf("text %q, %+v: %d parts, Split has %d", text, o.Options, len(subs), len(want))
		}
		for j := range subs {
			if !reflect.DeepEqual(subs[j].UserData, want[j]) {
				t.Fatalf("text %q, %+v, part %d:\n%+v\nSplit %+v", text, o.Options, j+1, subs[j].UserData, want[j])
			}
		}
	}
}

// TestAppendText: AppendText appends what Text returns, and on an error
// leaves dst as it was.
func TestAppendText(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var cases []pdu.UserData
	for n := range 300 {
		ud := make([]byte, n%9*40+n%7) // up to 326 octets: past one TPDU
		for i := range ud {
			ud[i] = byte(r.Uint32())
			if i%2 == 0 && r.IntN(4) == 0 {
				ud[i] = 0xD8 + byte(r.IntN(8)) // surrogates, paired or not
			}
		}
		septets := make([]byte, len(ud))
		for i := range septets {
			septets[i] = ud[i] & 0x7F
			if r.IntN(8) == 0 {
				septets[i] = 0x1B // escapes, doubled and trailing too
			}
		}
		shift := pdu.UDH{{ID: pdu.IELockingShift, Data: []byte{byte(n % 14)}}, {ID: pdu.IESingleShift, Data: []byte{byte(n / 14 % 14)}}}
		cases = append(cases,
			pdu.UserData{DCS: pdu.NewDCS(pdu.UCS2, pdu.NoClass), UD: ud},
			pdu.UserData{DCS: pdu.NewDCS(pdu.GSM7, pdu.NoClass), UD: septets},
			pdu.UserData{DCS: pdu.NewDCS(pdu.GSM7, pdu.Class0), UDH: shift, UD: septets},
		)
	}
	cases = append(cases, pdu.UserData{DCS: pdu.NewDCS(pdu.Binary, pdu.NoClass), UD: []byte("x")}, pdu.UserData{DCS: 0x20, UD: []byte("x")})
	for _, u := range cases {
		want, wantErr := u.Text()
		prefix := []byte("prefix ")
		got, err := u.AppendText(prefix[:len(prefix):len(prefix)])
		if (err == nil) != (wantErr == nil) || err != nil && err.Error() != wantErr.Error() {
			t.Fatalf("%+v: AppendText error %v, Text error %v", u, err, wantErr)
		}
		if err != nil {
			want = ""
		}
		if string(got) != string(prefix)+want {
			t.Fatalf("%+v: AppendText %q, want %q", u, got, string(prefix)+want)
		}
		if u.DCS.Encoding() == pdu.UCS2 {
			units := make([]uint16, len(u.UD)/2)
			for i := range units {
				units[i] = uint16(u.UD[2*i])<<8 | uint16(u.UD[2*i+1])
			}
			if ref := string(utf16.Decode(units)); want != ref {
				t.Fatalf("UCS-2 % X: %q, utf16.Decode reads %q", u.UD, want, ref)
			}
		}
	}
}

// TestAppendBinaryAllocs: a TPDU is written in one allocation (the
// alphanumeric sender is packed on the stack).
func TestAppendBinaryAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	to, err := pdu.ParseAddress("+4915550100123")
	if err != nil {
		t.Fatal(err)
	}
	from, err := pdu.ParseAddress("Parcel{C}")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 22, 12, 0, 0, 0, time.FixedZone("", -3*3600-30*60))
	for _, text := range []string{"", "hi", strings.Repeat("a", 160), strings.Repeat("ж", 300), strings.Repeat("€", 400)} {
		subs, _, err := pdu.EncodeText(to, text, pdu.SubmitOptions{Options: pdu.Options{Ref16: true}, Validity: pdu.AbsoluteValidity(at)})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range []pdu.Message{&subs[0], &pdu.Deliver{Originator: from, SCTS: at, UserData: subs[len(subs)-1].UserData}} {
			var out []byte
			if n := testing.AllocsPerRun(20, func() { out, _ = m.AppendBinary(nil) }); n != 1 {
				t.Errorf("%T of %q: %v allocations", m, text, n)
			}
			if again, err := m.AppendBinary(make([]byte, 0, 200)); err != nil || !bytes.Equal(again, out) {
				t.Errorf("%T of %q: %X, into a buffer %X, %v", m, text, out, again, err)
			}
		}
	}
}
