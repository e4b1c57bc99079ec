package route

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/smsgw/smsgw/spool"
)

// TestCountriesWeightsAndReload: a rule by country, a weighted pool, and
// rules replaced while the router runs (an unknown connector refused,
// the old rules kept).
func TestCountriesWeightsAndReload(t *testing.T) {
	a, b, c := newFake("a"), newFake("b"), newFake("c")
	draws := []float64{0.1, 0.9, 0.1, 0.9}
	n := 0
	r, err := New([]Rule{
		{Name: "ca", Countries: []string{"CA"}, Connectors: []string{"c"}},
		{Name: "pool", Connectors: []string{"a", "b"}, Weights: map[string]int{"a": 1, "b": 3}},
	}, []Entry{{Connector: a, Enabled: true}, {Connector: b, Enabled: true}, {Connector: c, Enabled: true}},
		Options{CountryOf: func(e164 string) string {
			if strings.HasPrefix(e164, "+1604") {
				return "CA"
			}
			return "US"
		}, Rand: func() float64 { n++; return draws[(n-1)%len(draws)] }})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	got := func(to string) string {
		return r.Send(ctx, &spool.Message{ID: "x", Tenant: "t", To: to}).Connector
	}
	if g := got("+16045550100"); g != "c" {
		t.Fatalf("Canadian number via %q", g)
	}
	// Weights 1:3: a draw of 0.1 falls on a, 0.9 on b.
	if g1, g2 := got("+13195550100"), got("+13195550100"); g1 != "a" || g2 != "b" {
		t.Fatalf("weighted draws went to %q, %q", g1, g2)
	}
	if err := r.SetRules([]Rule{{Name: "bad", Connectors: []string{"nope"}}}); err == nil {
		t.Fatal("a rule with an unknown connector was taken")
	}
	if g := got("+16045550100"); g != "c" {
		t.Fatal("the refused reload replaced the rules")
	}
	if err := r.SetRules([]Rule{{Name: "all-b", Connectors: []string{"b"}}}); err != nil {
		t.Fatal(err)
	}
	if g := got("+16045550100"); g != "b" {
		t.Fatalf("after the reload: %q", g)
	}
}

// TestRuleTPS: past a rule's rate, messages are deferred (they wait
// their turn), not failed.
func TestRuleTPS(t *testing.T) {
	a := newFake("a")
	r, err := New([]Rule{{Name: "slow", Connectors: []string{"a"}, TPS: 1}}, []Entry{{Connector: a, Enabled: true}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if res := r.Send(ctx, &spool.Message{ID: "1", To: "+1"}); res.Connector != "a" || res.Err != nil {
		t.Fatalf("first: %+v", res)
	}
	res := r.Send(ctx, &spool.Message{ID: "2", To: "+1"})
	if res.Connector != "" || res.Defer.IsZero() || res.Defer.Sub(time.Now()) > 2*time.Second || !strings.Contains(res.Reason, "rate limit") {
		t.Fatalf("second: %+v", res)
	}
}

// TestRuleTPSKeepsPace: messages queued behind a rule's rate come back
// at their turn (as the spool retries them at Defer) and are sent at the
// rate, each deferred once at most; an emergency message does not wait.
// It failed before the pacer: 40 queued at 10 TPS sent 1 in 8 s.
func TestRuleTPSKeepsPace(t *testing.T) {
	a := newFake("a")
	now := time.Unix(1_700_000_000, 0)
	r, err := New([]Rule{{Name: "slow", Connectors: []string{"a"}, TPS: 10}}, []Entry{{Connector: a, Enabled: true, MaxInFlight: 100}},
		Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	type queued struct {
		m        *spool.Message
		due      time.Time
		defers   int
		sentAt   time.Time
		sentDone bool
	}
	var q []*queued
	for i := range 40 {
		q = append(q, &queued{m: &spool.Message{ID: fmt.Sprint(i), To: "+1"}, due: now})
	}
	start := now
	var emergencySent time.Time
	for step := 0; step < 10000; step++ {
		next := time.Time{}
		for _, x := range q {
			if x.sentDone {
				continue
			}
			if !x.due.After(now) {
				res := r.Send(ctx, x.m)
				switch {
				case res.Connector == "a":
					x.sentDone, x.sentAt = true, now
					if x.m.Priority == spool.PriorityEmergency {
						emergencySent = now
					}
				case !res.Defer.IsZero():
					x.due, x.defers = res.Defer, x.defers+1
				default:
					t.Fatalf("%+v", res)
				}
			}
			if !x.sentDone && (next.IsZero() || x.due.Before(next)) {
				next = x.due
			}
		}
		if now.Sub(start) >= 500*time.Millisecond && len(q) == 40 {
			q = append(q, &queued{m: &spool.Message{ID: "E", To: "+1", Priority: spool.PriorityEmergency}, due: now})
			continue
		}
		if next.IsZero() {
			break
		}
		now = next
	}
	last := start
	for _, x := range q {
		if !x.sentDone {
			t.Fatalf("message %s never sent", x.m.ID)
		}
		if x.defers > 1 {
			t.Errorf("message %s deferred %d times, want at most once", x.m.ID, x.defers)
		}
		if x.sentAt.After(last) {
			last = x.sentAt
		}
	}
	if took := last.Sub(start); took < 3500*time.Millisecond || took > 4500*time.Millisecond {
		t.Errorf("41 messages at 10 TPS took %v, want about 4 s", took)
	}
	if emergencySent.Sub(start) > 600*time.Millisecond {
		t.Errorf("the emergency message waited until %v", emergencySent.Sub(start))
	}
}
