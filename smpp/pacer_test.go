package smpp

import (
	"testing"
	"time"
)

// TestPacerCreepsNearTheCeiling: after a carrier refuses at 200/s, the
// pacer drops just under it and climbs back by 1% a second near that
// rate, not 5%, so it runs near the limit for several seconds before it
// is refused again; far below it climbs by 5% a second.
func TestPacerCreepsNearTheCeiling(t *testing.T) {
	now := time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)
	p := newPacer(0, func() time.Time { return now })
	// A second at 200 accepted, then a refusal.
	for range 200 {
		now = now.Add(5 * time.Millisecond)
		p.accepted()
	}
	now = now.Add(time.Millisecond)
	p.throttled(false)
	if l := p.limit(); l < 185 || l > 195 {
		t.Fatalf("after the refusal: %.1f/s, want just under 200", l)
	}
	var rates []float64
	for range 10 { // ten seconds of accepted submits at the allowed rate
		for range 20 {
			now = now.Add(50 * time.Millisecond)
			p.accepted()
		}
		rates = append(rates, p.limit())
	}
	above := 0
	for _, r := range rates[:4] {
		if r > 200 {
			above++
		}
	}
	if above > 0 {
		t.Fatalf("the rate passed the carrier's 200/s within 4 s: %.1f", rates)
	}
	if rates[9] <= rates[0] {
		t.Fatalf("the rate did not climb: %.1f", rates)
	}
	// Far below a ceiling (or with none), the climb is 5% a second.
	now = now.Add(2 * time.Minute)
	q := newPacer(0, func() time.Time { return now })
	q.set(100)
	q.lastCut = now.Add(-time.Hour)
	q.accepted()
	if l := q.limit(); l < 105 {
		t.Fatalf("no ceiling: climbed to %.1f, want 5%%", l)
	}
}
