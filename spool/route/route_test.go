package route

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/smsgw/smsgw/spool"
)

// fakeConnector records sends; with block set, each send waits until
// release is closed.
type fakeConnector struct {
	name    string
	ready   atomic.Bool
	block   chan struct{}
	sent    chan *spool.Message
	err     error
	inFly   atomic.Int32
	maxSeen atomic.Int32
}

func newFake(name string) *fakeConnector {
	c := &fakeConnector{name: name, sent: make(chan *spool.Message, 1000)}
	c.ready.Store(true)
	return c
}

func (c *fakeConnector) Name() string { return c.name }
func (c *fakeConnector) Ready() bool  { return c.ready.Load() }
func (c *fakeConnector) Send(ctx context.Context, m *spool.Message) ([]string, error) {
	n := c.inFly.Add(1)
	defer c.inFly.Add(-1)
	for {
		old := c.maxSeen.Load()
		if n <= old || c.maxSeen.CompareAndSwap(old, n) {
			break
		}
	}
	c.sent <- m
	if c.block != nil {
		select {
		case <-c.block:
		case <-ctx.Done():
			return nil, spool.Retryable("shutdown", ctx.Err())
		}
	}
	if c.err != nil {
		return nil, c.err
	}
	return []string{c.name + "-" + m.ID}, nil
}

func openStore(t *testing.T) *spool.Store {
	t.Helper()
	s, err := spool.Open(filepath.Join(t.TempDir(), "spool.db"), spool.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func enqueue(t *testing.T, s *spool.Store, tenant, to string, p spool.Priority) string {
	t.Helper()
	m, _, err := s.Enqueue(context.Background(), &spool.Message{Tenant: tenant, To: to, Body: "x", Priority: p})
	if err != nil {
		t.Fatal(err)
	}
	return m.ID
}

// waitSent waits for a connector to be handed a message.
func waitSent(t *testing.T, c *fakeConnector) *spool.Message {
	t.Helper()
	select {
	case m := <-c.sent:
		return m
	case <-time.After(10 * time.Second):
		t.Fatalf("%s was never handed a message", c.name)
		return nil
	}
}

// runDispatcher runs d until the test ends.
func runDispatcher(t *testing.T, d *spool.Dispatcher) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { d.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
}

func TestRouterFailsClosed(t *testing.T) {
	off, down, on := newFake("carrier-off"), newFake("carrier-down"), newFake("modem-1")
	down.ready.Store(false)
	r, err := New([]Rule{{Name: "all", Connectors: []string{"carrier-off", "carrier-down", "modem-1"}}},
		[]Entry{{Connector: off}, {Connector: down, Enabled: true}, {Connector: on, Enabled: true}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	res := r.Send(context.Background(), &spool.Message{ID: "A", Tenant: "t", To: "+1"})
	if res.Connector != "modem-1" || res.Err != nil || len(res.ProviderIDs) != 1 {
		t.Fatalf("result = %+v", res)
	}
	if len(off.sent) != 0 || len(down.sent) != 0 {
		t.Fatal("a disabled or unready connector was used")
	}
	on.ready.Store(false)
	res = r.Send(context.Background(), &spool.Message{ID: "B", Tenant: "t", To: "+1"})
	if res.Defer.IsZero() || res.Err != nil || res.Connector != "" {
		t.Fatalf("with nothing usable: %+v, want deferred", res)
	}
}

func TestRouterRules(t *testing.T) {
	a, b := newFake("a"), newFake("b")
	rules := []Rule{
		{Name: "emergency", MinPriority: spool.PriorityEmergency, Connectors: []string{"b"}},
		{Name: "uk", Prefixes: []string{"+44"}, Connectors: []string{"b"}},
		{Name: "north", Tenant: "psap-north", Connectors: []string{"a"}},
	}
	r, err := New(rules, []Entry{{Connector: a, Enabled: true}, {Connector: b, Enabled: true}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		m     spool.Message
		route string
	}{
		{spool.Message{Tenant: "psap-north", To: "+13195550100"}, "north"},
		{spool.Message{Tenant: "psap-north", To: "+13195550100", Priority: spool.PriorityEmergency}, "emergency"},
		{spool.Message{Tenant: "psap-north", To: "+447700900123"}, "uk"},
		{spool.Message{Tenant: "council", To: "+13195550100"}, ""},
	} {
		res := r.Send(context.Background(), &c.m)
		if res.Route != c.route {
			t.Errorf("%s to %s (%s): route %q, want %q", c.m.Tenant, c.m.To, c.m.Priority, res.Route, c.route)
		}
	}
	if _, err := New([]Rule{{Name: "x", Connectors: []string{"nope"}}}, nil, Options{}); err == nil {
		t.Error("a rule naming an unknown connector was accepted")
	}
}

// TestSlowConnectorStarvesNobody: carrier-a hangs on every send; the
// dispatcher keeps sending through modem-1 for another tenant, never
// has more than MaxInFlight sends in carrier-a, and an emergency
// message goes out while every normal slot is taken.
func TestSlowConnectorStarvesNobody(t *testing.T) {
	s := openStore(t)
	slow, fast := newFake("carrier-a"), newFake("modem-1")
	slow.block = make(chan struct{})
	defer close(slow.block)
	r, err := New([]Rule{
		{Name: "emergency", MinPriority: spool.PriorityEmergency, Connectors: []string{"modem-1"}},
		{Name: "north", Tenant: "psap-north", Connectors: []string{"carrier-a"}},
		{Name: "council", Tenant: "council", Connectors: []string{"modem-1"}},
	}, []Entry{{Connector: slow, Enabled: true, MaxInFlight: 2}, {Connector: fast, Enabled: true, MaxInFlight: 2}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		enqueue(t, s, "psap-north", fmt.Sprintf("+1319555%04d", i), spool.PriorityNormal)
	}
	recorded := make(chan string, 100)
	runDispatcher(t, &spool.Dispatcher{Store: s, Sender: r, Workers: 4, EmergencyWorkers: 1,
		Recorded: func(m *spool.Message, _ spool.Result, _ error) { recorded <- m.ID }})
	waitSent(t, slow)
	waitSent(t, slow)
	council := enqueue(t, s, "psap-north", "+13195559999", spool.PriorityEmergency)
	if m := waitSent(t, fast); m.ID != council {
		t.Fatalf("modem-1 got %s, want the emergency %s", m.ID, council)
	}
	other := enqueue(t, s, "council", "+13195558888", spool.PriorityNormal)
	if m := waitSent(t, fast); m.ID != other {
		t.Fatalf("modem-1 got %s, want council's %s", m.ID, other)
	}
	if n := slow.maxSeen.Load(); n > 2 {
		t.Fatalf("carrier-a had %d sends in flight, limit 2", n)
	}
	// The emergency message reaches sent.
	waitRecorded(t, recorded, council)
	if m, _ := s.Get(council); m.State != spool.StateSent || m.Connector != "modem-1" {
		t.Fatalf("emergency message: %s via %q", m.State, m.Connector)
	}
}

// waitRecorded waits until the dispatcher has recorded a result for id.
func waitRecorded(t *testing.T, recorded <-chan string, id string) {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case got := <-recorded:
			if got == id {
				return
			}
		case <-timeout:
			t.Fatalf("no result recorded for %s", id)
		}
	}
}

func TestDispatchRecordsFailures(t *testing.T) {
	s := openStore(t)
	bad := newFake("carrier-a")
	bad.err = spool.Permanent("invalid_dest", errors.New("ESME_RINVDSTADR"))
	r, _ := New([]Rule{{Name: "all", Connectors: []string{"carrier-a"}}}, []Entry{{Connector: bad, Enabled: true}}, Options{})
	id := enqueue(t, s, "t", "+13195550001", spool.PriorityNormal)
	recorded := make(chan string, 10)
	runDispatcher(t, &spool.Dispatcher{Store: s, Sender: r,
		Recorded: func(m *spool.Message, _ spool.Result, _ error) { recorded <- m.ID }})
	waitRecorded(t, recorded, id)
	m, _ := s.Get(id)
	if m.State != spool.StateFailed || m.Connector != "carrier-a" || m.Route != "all" {
		t.Fatalf("after a permanent error: %s via %q route %q", m.State, m.Connector, m.Route)
	}
}

func TestBalancedRuleUsesTheLeastBusy(t *testing.T) {
	a, b := newFake("modem-1"), newFake("modem-2")
	a.block = make(chan struct{})
	r, _ := New([]Rule{{Name: "pool", Balance: true, Connectors: []string{"modem-1", "modem-2"}}},
		[]Entry{{Connector: a, Enabled: true}, {Connector: b, Enabled: true}}, Options{})
	done := make(chan spool.Result)
	go func() { done <- r.Send(context.Background(), &spool.Message{ID: "1", Tenant: "t", To: "+1"}) }()
	waitSent(t, a) // modem-1 is now busy with one send
	res := r.Send(context.Background(), &spool.Message{ID: "2", Tenant: "t", To: "+1"})
	if res.Connector != "modem-2" {
		t.Fatalf("second send went to %s, want the idle modem-2", res.Connector)
	}
	close(a.block)
	if res := <-done; res.Connector != "modem-1" {
		t.Fatalf("first send: %+v", res)
	}
}

// A route is usable when one of its connectors is enabled and ready; a
// ready connector that is disabled, or in no route, makes none usable.
func TestUsable(t *testing.T) {
	carrier, modem, spare := newFake("carrier"), newFake("modem"), newFake("spare")
	r, err := New([]Rule{
		{Name: "emergency", MinPriority: spool.PriorityEmergency, Connectors: []string{"carrier", "modem"}},
		{Connectors: []string{"modem"}},
	}, []Entry{
		{Connector: carrier, Enabled: true},
		{Connector: modem, Enabled: false},
		{Connector: spare, Enabled: true},
	}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	check := func(what string, wantUsable, wantUnusable []string) {
		t.Helper()
		u, n := r.Usable()
		if !slices.Equal(u, wantUsable) || !slices.Equal(n, wantUnusable) {
			t.Errorf("%s: usable %q, unusable %q; want %q, %q", what, u, n, wantUsable, wantUnusable)
		}
	}
	check("carrier bound, modem disabled", []string{"emergency"}, []string{"routes[1]"})
	carrier.ready.Store(false)
	check("carrier down; only the spare (in no route) is ready", nil, []string{"emergency", "routes[1]"})
}

// TestSetEnabled: the gate moves live, for routing, Usable, Health and
// Capacity; an unknown connector is an error.
func TestSetEnabled(t *testing.T) {
	carrier, modem := newFake("carrier"), newFake("modem")
	r, err := New([]Rule{{Connectors: []string{"carrier", "modem"}}},
		[]Entry{{Connector: carrier, Enabled: true, MaxInFlight: 10}, {Connector: modem, Enabled: false, MaxInFlight: 1}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if c := r.Capacity(); c != 10 {
		t.Errorf("capacity %d, want 10", c)
	}
	if changed, err := r.SetEnabled("carrier", false); !changed || err != nil {
		t.Fatalf("SetEnabled(carrier, false): %v %v", changed, err)
	}
	if changed, _ := r.SetEnabled("carrier", false); changed {
		t.Error("disabling twice reported a change")
	}
	if res := r.Send(context.Background(), &spool.Message{ID: "A", Tenant: "t", To: "+13195550100"}); res.Defer.IsZero() {
		t.Fatalf("sent through %q with every connector disabled", res.Connector)
	}
	r.SetEnabled("modem", true)
	if res := r.Send(context.Background(), &spool.Message{ID: "A", Tenant: "t", To: "+13195550100"}); res.Connector != "modem" {
		t.Fatalf("sent through %q, want the modem", res.Connector)
	}
	if c := r.Capacity(); c != 1 {
		t.Errorf("capacity %d, want 1", c)
	}
	if h := r.Health(); h[0].Name != "carrier" || h[0].Enabled || !h[1].Enabled {
		t.Errorf("health %+v", h)
	}
	if _, err := r.SetEnabled("nope", true); err == nil {
		t.Error("an unknown connector: no error")
	}
}
