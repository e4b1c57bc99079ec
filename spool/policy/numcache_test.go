package policy

import (
	"fmt"
	"strings"
	"testing"
)

// The cache answers what parseNumber answers, the first time and again,
// for good and bad numbers, per region and strictness.
func TestNumberCacheSameAnswers(t *testing.T) {
	inputs := []string{"(201) 555-0123", "+1-201-555-0123", "07400 123456", "+44 (0)7400 123456",
		"555-0123", "CALLME", "+999 123 4567", "12", "", "+1 201 555 0123 4567", "+1 415 555 0100",
		strings.Repeat("1", maxCachedNumber+5)}
	for round := range 2 {
		for _, raw := range inputs {
			for _, region := range []string{"US", "GB", ""} {
				for _, strict := range []bool{false, true} {
					n, why := parseNumberCached(raw, region, strict)
					wn, wwhy := parseNumber(raw, region, strict)
					if n != wn || why != wwhy {
						t.Errorf("round %d %q %s strict=%v: cached %+v %q, parsed %+v %q", round, raw, region, strict, n, why, wn, wwhy)
					}
				}
			}
		}
	}
}

// The cache holds at most numberCacheSize entries however many numbers
// pass, and a number in use stays.
func TestNumberCacheBounded(t *testing.T) {
	var c numberCache
	hot := numberKey{raw: "+12015550123", region: "US"}
	c.put(hot, parsed{why: "hot"})
	for i := range 3 * numberCacheSize {
		c.put(numberKey{raw: fmt.Sprintf("+1201555%04d", i%10000), region: "GB"}, parsed{})
		if n := len(c.cur) + len(c.old); n > numberCacheSize {
			t.Fatalf("%d entries", n)
		}
		if i%(numberCacheSize/4) == 0 {
			if p, ok := c.get(hot); !ok || p.why != "hot" {
				t.Fatalf("hot number evicted after %d others", i)
			}
		}
	}
}

// BenchmarkNormaliseRecipient: a recipient seen before (the cache) and
// parsing it with the metadata.
//
//	go test -run '^$' -bench NormaliseRecipient ./spool/policy/
func BenchmarkNormaliseRecipient(b *testing.B) {
	b.Run("cached", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			if _, err := normaliseRecipient(fmt.Sprintf("+1319555%04d", i%1000), "US", false); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parsed", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			if _, why := parseNumber(fmt.Sprintf("+1319555%04d", i%1000), "US", false); why != "" {
				b.Fatal(why)
			}
		}
	})
}
