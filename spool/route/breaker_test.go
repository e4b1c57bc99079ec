package route

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/smsgw/smsgw/spool"
)

type stepClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *stepClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *stepClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// A carrier that stays bound while every submit fails (its backend is
// down) is taken out of the route after 5 failures in a row (a second
// apart: a burst counts once), and the
// modem takes the traffic; after the cool-down one send tries the
// carrier again, and a failure takes it out for twice as long; a success
// brings it back. Failures about one message (permanent) or about load
// (overload) never take it out.
func TestBreakerFailsOver(t *testing.T) {
	clk := &stepClock{t: time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)}
	carrier, modem := newFake("carrier-a"), newFake("modem-1")
	r, err := New([]Rule{{Name: "north", Connectors: []string{"carrier-a", "modem-1"}}},
		[]Entry{{Connector: carrier, Enabled: true}, {Connector: modem, Enabled: true}},
		Options{Now: clk.now, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	send := func() spool.Result {
		return r.Send(ctx, &spool.Message{ID: "01JD0000000000000000000000", Tenant: "psap-north", To: "+13195550123"})
	}
	health := func() Health {
		for _, h := range r.Health() {
			if h.Name == "carrier-a" {
				return h
			}
		}
		t.Fatal("no carrier-a in Health")
		return Health{}
	}
	carrier.err = spool.Retryable("smpp_0x8", errors.New("ESME_RSYSERR"))
	// A burst (a window of submits failing at once, a bind lost) counts
	// once.
	for range 10 {
		if res := send(); res.Connector != "carrier-a" || res.Err == nil {
			t.Fatalf("a burst of failures: %+v", res)
		}
	}
	for i := range 4 {
		clk.add(time.Second)
		if res := send(); res.Connector != "carrier-a" || res.Err == nil {
			t.Fatalf("send %d: %+v", i+2, res)
		}
	}
	if res := send(); res.Connector != "modem-1" || res.Err != nil {
		t.Fatalf("after 5 failures: %+v, want the modem", res)
	}
	if h := health(); !h.FailingUntil.Equal(clk.now().Add(30*time.Second)) || !strings.Contains(h.LastError, "ESME_RSYSERR") {
		t.Fatalf("health %+v", h)
	}
	if usable, _ := r.Usable(); len(usable) != 1 {
		t.Fatalf("the route should stay usable through the modem: %v", usable)
	}
	// Cool-down over: one try, a failure, out for twice as long.
	clk.add(30 * time.Second)
	if res := send(); res.Connector != "carrier-a" || res.Err == nil {
		t.Fatalf("after the cool-down: %+v, want a try of the carrier", res)
	}
	if h := health(); !h.FailingUntil.Equal(clk.now().Add(time.Minute)) {
		t.Fatalf("second trip: %+v, want a minute", h)
	}
	if res := send(); res.Connector != "modem-1" {
		t.Fatalf("while out again: %+v", res)
	}
	// The carrier recovers: the next try closes the breaker, and it takes
	// five failures in a row again to open it.
	clk.add(time.Minute)
	carrier.err = nil
	if res := send(); res.Connector != "carrier-a" || res.Err != nil || !health().FailingUntil.IsZero() {
		t.Fatalf("recovered: %+v %+v", res, health())
	}
	carrier.err = spool.Retryable("timeout", errors.New("no submit_sm_resp"))
	for i := range 4 {
		clk.add(time.Second)
		if res := send(); res.Connector != "carrier-a" {
			t.Fatalf("failure %d after recovery went to %s", i+1, res.Connector)
		}
	}
	// Not the carrier's failing: a bad number, or throttling.
	for _, e := range []error{spool.Permanent("smpp_0xb", errors.New("ESME_RINVDSTADR")),
		spool.Overloaded("smpp_0x58", errors.New("ESME_RTHROTTLED"))} {
		carrier.err = e
		for range 10 {
			clk.add(time.Second)
			if res := send(); res.Connector != "carrier-a" {
				t.Fatalf("%v took the carrier out", e)
			}
		}
	}
}
