package pdu_test

// Benchmarks of package pdu side by side with github.com/warthog618/sms
// v0.3.0 on the same inputs. Each case runs as .../smsgw and
// .../warthog618 so that one run shows both; the segment count of each
// input is part of its name. Besides -benchmem's allocs/op, each reports
// allocs/seg (heap allocations per TPDU). docs/BENCHMARKS.md has the
// results and the command.

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/smsgw/smsgw/pdu"
	sms "github.com/warthog618/sms"
	"github.com/warthog618/sms/encoding/tpdu"
)

// benchText repeats pattern up to n runes.
func benchText(pattern string, n int) string {
	p := []rune(pattern)
	out := make([]rune, n)
	for i := range out {
		out[i] = p[i%len(p)]
	}
	return string(out)
}

var benchInputs = []struct {
	name string
	text string
}{
	// 160 septets: one full segment of the default alphabet.
	{"gsm160", benchText("The quick brown fox jumps over the lazy dog, 0123456789! ", 160)},
	// 450 septets: three concatenated segments (153 each).
	{"gsm450", benchText("Your parcel 4711 will arrive tomorrow between 10:00 and 12:00. Reply STOP to opt out. ", 450)},
	// 500 characters, Cyrillic and emoji (surrogate pairs): UCS-2.
	{"ucs2emoji500", benchText("Привет, мир! Доставка завтра 😀🚀 ", 500)},
}

const benchNumber = "+4915550100123"

// benchAllocsPerSeg reports the heap allocations of the b.N iterations
// just run (since start) per segment. Call it after b.Loop has returned
// false: the timer is stopped then and b.N is the total.
func benchAllocsPerSeg(b *testing.B, start uint64, segs int) {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	b.ReportMetric(float64(m.Mallocs-start)/float64(b.N)/float64(segs), "allocs/seg")
}

func benchMallocs() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.Mallocs
}

// benchOursEncode is the gateway's path: plan, split and build the
// SMS-SUBMITs, then one fresh TPDU slice per segment (as MarshalBinary
// would give).
func benchOursEncode(to pdu.Address, text string) ([][]byte, error) {
	subs, _, err := pdu.EncodeText(to, text, pdu.SubmitOptions{Ref: 1})
	if err != nil {
		return nil, err
	}
	out := make([][]byte, len(subs))
	for i := range subs {
		if out[i], err = subs[i].AppendBinary(nil); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// benchOracleEncode is warthog618/sms's equivalent: sms.Encode (which
// chooses GSM 7-bit or UCS-2 and segments) and MarshalBinary per segment.
func benchOracleEncode(to, text string) ([][]byte, error) {
	tps, err := sms.Encode([]byte(text), sms.To(to))
	if err != nil {
		return nil, err
	}
	out := make([][]byte, len(tps))
	for i := range tps {
		if out[i], err = tps[i].MarshalBinary(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func BenchmarkEncode(b *testing.B) {
	to, err := pdu.ParseAddress(benchNumber)
	if err != nil {
		b.Fatal(err)
	}
	for _, in := range benchInputs {
		ours, err := benchOursEncode(to, in.text)
		if err != nil {
			b.Fatal(err)
		}
		theirs, err := benchOracleEncode(benchNumber, in.text)
		if err != nil {
			b.Fatal(err)
		}
		if len(ours) != len(theirs) {
			b.Fatalf("%s: %d segments, oracle %d", in.name, len(ours), len(theirs))
		}
		segs := len(ours)
		name := fmt.Sprintf("%s_%dseg", in.name, segs)
		b.Run(name+"/smsgw", func(b *testing.B) {
			b.ReportAllocs()
			start := benchMallocs()
			for b.Loop() {
				if _, err := benchOursEncode(to, in.text); err != nil {
					b.Fatal(err)
				}
			}
			benchAllocsPerSeg(b, start, segs)
		})
		b.Run(name+"/warthog618", func(b *testing.B) {
			b.ReportAllocs()
			start := benchMallocs()
			for b.Loop() {
				if _, err := benchOracleEncode(benchNumber, in.text); err != nil {
					b.Fatal(err)
				}
			}
			benchAllocsPerSeg(b, start, segs)
		})
	}
}

// benchDeliver builds the SMS-DELIVERs of text as a modem would hand them
// over (with our encoder; TestOracleDeliver shows the oracle reads them
// alike).
func benchDeliver(b *testing.B, text string) [][]byte {
	from, err := pdu.ParseAddress(benchNumber)
	if err != nil {
		b.Fatal(err)
	}
	subs, _, err := pdu.EncodeText(pdu.Address{}, text, pdu.SubmitOptions{Ref: 1})
	if err != nil {
		b.Fatal(err)
	}
	out := make([][]byte, len(subs))
	for i := range subs {
		d := pdu.Deliver{Originator: from, SCTS: time.Date(2026, 11, 22, 12, 0, 0, 0, time.FixedZone("", 3600)), UserData: subs[i].UserData}
		if out[i], err = d.MarshalBinary(); err != nil {
			b.Fatal(err)
		}
	}
	return out
}

// benchOursDecode reads each TPDU into a Deliver value and appends its
// text, as the oracle reads into a TPDU value and writes its text (the
// parts are in order here; reassembly is benchmarked elsewhere).
func benchOursDecode(tpdus [][]byte) (string, error) {
	var text []byte
	for _, b := range tpdus {
		var d pdu.Deliver
		if _, err := d.UnmarshalBinary(b); err != nil {
			return "", err
		}
		var err error
		if text, err = d.UserData.AppendText(text); err != nil {
			return "", err
		}
	}
	return string(text), nil
}

// benchOracleDecode is the oracle's cheapest equivalent: TPDU
// UnmarshalBinary and DecodeUserData with the default tables (sms.Decode
// would also build every national table's map).
func benchOracleDecode(tpdus [][]byte) (string, error) {
	var sb strings.Builder
	for _, b := range tpdus {
		var t tpdu.TPDU
		if err := t.UnmarshalBinary(b); err != nil {
			return "", err
		}
		a, err := t.Alphabet()
		if err != nil {
			return "", err
		}
		s, err := tpdu.DecodeUserData(t.UD, t.UDH, a)
		if err != nil {
			return "", err
		}
		if len(tpdus) == 1 {
			return string(s), nil
		}
		sb.Write(s)
	}
	return sb.String(), nil
}

func BenchmarkDecode(b *testing.B) {
	for _, in := range benchInputs {
		tpdus := benchDeliver(b, in.text)
		for name, dec := range map[string]func([][]byte) (string, error){"ours": benchOursDecode, "oracle": benchOracleDecode} {
			if s, err := dec(tpdus); err != nil || s != in.text {
				b.Fatalf("%s %s: %q, %v", in.name, name, s, err)
			}
		}
		segs := len(tpdus)
		name := fmt.Sprintf("deliver_%s_%dseg", in.name, segs)
		b.Run(name+"/smsgw", func(b *testing.B) {
			b.ReportAllocs()
			start := benchMallocs()
			for b.Loop() {
				if _, err := benchOursDecode(tpdus); err != nil {
					b.Fatal(err)
				}
			}
			benchAllocsPerSeg(b, start, segs)
		})
		b.Run(name+"/warthog618", func(b *testing.B) {
			b.ReportAllocs()
			start := benchMallocs()
			for b.Loop() {
				if _, err := benchOracleDecode(tpdus); err != nil {
					b.Fatal(err)
				}
			}
			benchAllocsPerSeg(b, start, segs)
		})
	}
}
