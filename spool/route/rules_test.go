package route

import (
	"context"
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
