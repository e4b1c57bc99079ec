package policy

import (
	"testing"
	"time"
)

func TestGuardDelays(t *testing.T) {
	g := NewGuard(time.Second, 5*time.Minute)
	now := time.Unix(0, 0)
	var got []time.Duration
	for range 12 {
		d := g.Failure(now, "k")
		if w := g.Wait(now, "k"); w != d {
			t.Fatalf("failure owes %v, wait says %v", d, w)
		}
		got = append(got, d)
	}
	if got[0] != time.Second || got[1] != 2*time.Second || got[8] != 256*time.Second || got[11] != 5*time.Minute {
		t.Errorf("delays %v", got)
	}
	if g.Wait(now.Add(GuardForget+5*time.Minute+time.Second), "k") != 0 {
		t.Error("not forgotten")
	}
	// Several keys: the longest wait counts; success forgets.
	g.Failure(now, "a")
	if w := g.Wait(now, "a", "k"); w != 5*time.Minute {
		t.Errorf("wait of a and k: %v", w)
	}
	g.Success("k", "a")
	if w := g.Wait(now, "a", "k"); w != 0 {
		t.Errorf("after success: %v", w)
	}
}
