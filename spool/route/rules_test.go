package route

import (
	"context"
	"fmt"
	"slices"
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

// paceSim plays a spool in virtual time against a rule's rate: each
// message is sent through the router when due, and a deferred one comes
// back at its Defer. inject may add messages at a time (once each).
type paceSim struct {
	q []*paced
}

type paced struct {
	m      *spool.Message
	due    time.Time
	defers int
	sentAt time.Time
	sent   bool
}

func (s *paceSim) add(now time.Time, m *spool.Message) { s.q = append(s.q, &paced{m: m, due: now}) }

// run plays until every message is sent; inject(now) is called at each
// step and returns true when it added a message.
func (s *paceSim) run(t *testing.T, r *Router, now *time.Time, inject func(time.Time) bool) {
	t.Helper()
	for step := 0; step < 10000; step++ {
		next := time.Time{}
		for _, x := range s.q {
			if !x.sent && !x.due.After(*now) {
				res := r.Send(context.Background(), x.m)
				switch {
				case res.Connector != "":
					x.sent, x.sentAt = true, *now
				case !res.Defer.IsZero():
					x.due, x.defers = res.Defer, x.defers+1
				default:
					t.Fatalf("%+v", res)
				}
			}
			if !x.sent && (next.IsZero() || x.due.Before(next)) {
				next = x.due
			}
		}
		if inject != nil && inject(*now) {
			continue
		}
		if next.IsZero() {
			return
		}
		*now = next
	}
	t.Fatal("the simulation did not end")
}

func (s *paceSim) get(id string) *paced {
	for _, x := range s.q {
		if x.m.ID == id {
			return x
		}
	}
	return nil
}

// backlog is a router with one rule at tps and n normal messages due at
// *now.
func backlog(t *testing.T, tps float64, n int, now *time.Time) (*Router, *paceSim) {
	t.Helper()
	s := &paceSim{}
	for i := range n {
		s.add(*now, &spool.Message{ID: fmt.Sprint(i), To: "+1"})
	}
	r, err := New([]Rule{{Name: "slow", Connectors: []string{"a"}, TPS: tps}}, []Entry{{Connector: newFake("a"), Enabled: true, MaxInFlight: 100}},
		Options{Now: func() time.Time { return *now }})
	if err != nil {
		t.Fatal(err)
	}
	return r, s
}

// TestRuleTPSKeepsPace: messages queued behind a rule's rate come back
// at their turn (as the spool retries them at Defer) and are sent at the
// rate, each deferred once at most; an emergency message does not wait.
// It failed before the pacer: 40 queued at 10 TPS sent 1 in 8 s.
func TestRuleTPSKeepsPace(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	start := now
	r, s := backlog(t, 10, 40, &now)
	s.run(t, r, &now, func(now time.Time) bool {
		if now.Sub(start) >= 500*time.Millisecond && len(s.q) == 40 {
			s.add(now, &spool.Message{ID: "E", To: "+1", Priority: spool.PriorityEmergency})
			return true
		}
		return false
	})
	last := start
	for _, x := range s.q {
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
	if e := s.get("E"); e.sentAt.Sub(start) > 600*time.Millisecond {
		t.Errorf("the emergency message waited until %v", e.sentAt.Sub(start))
	}
}

// TestRuleTPSHighLane: a high-priority message arriving behind a backlog
// of normal ones takes the next turn, not the end of the queue; the one
// normal message whose turn it took goes last; the rate holds. Before
// the lane it waited the whole backlog (about 3.5 s here).
func TestRuleTPSHighLane(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	start := now
	r, s := backlog(t, 10, 40, &now)
	added := 0
	s.run(t, r, &now, func(now time.Time) bool {
		if now.Sub(start) >= 500*time.Millisecond && added < 3 {
			added++
			s.add(now, &spool.Message{ID: fmt.Sprint("H", added), To: "+1", Priority: spool.PriorityHigh})
			return true
		}
		return false
	})
	var sends []time.Time
	twice := 0
	for _, x := range s.q {
		sends = append(sends, x.sentAt)
		if x.m.Priority == spool.PriorityNormal && x.defers > 1 {
			twice++
		}
	}
	for i := 1; i <= 3; i++ {
		if h := s.get(fmt.Sprint("H", i)); h.sentAt.Sub(start) > 900*time.Millisecond || h.defers > 1 {
			t.Errorf("high message %d sent at %v after %d defers; want within the next turns", i, h.sentAt.Sub(start), h.defers)
		}
	}
	if twice != 3 {
		t.Errorf("%d normal messages deferred twice, want the 3 whose turns were taken", twice)
	}
	slices.SortFunc(sends, time.Time.Compare)
	for i := range sends {
		// at 10 TPS with a burst of 1, at most 11 sends in any second
		if j := i + 11; j < len(sends) && sends[j].Sub(sends[i]) < time.Second {
			t.Fatalf("sends %d to %d within %v: over the rate", i, j, sends[j].Sub(sends[i]))
		}
	}
	if took := sends[len(sends)-1].Sub(start); took < 3800*time.Millisecond || took > 4800*time.Millisecond {
		t.Errorf("43 messages at 10 TPS took %v, want about 4.3 s", took)
	}
}
