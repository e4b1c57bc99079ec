package modem_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/smsgw/smsgw/internal/syncbuf"
	"github.com/smsgw/smsgw/modem"
	"github.com/smsgw/smsgw/modem/modemsim"
	"github.com/smsgw/smsgw/spool"
	"github.com/smsgw/smsgw/spool/route"
)

func TestRepeatedInitFailuresResetTheModem(t *testing.T) {
	trace := &syncbuf.Buffer{}
	r := newRig(t, modemsim.Options{Trace: trace}, modem.Options{ResetAfter: 3})
	r.sim.FailNext("+CMGF", 4, modemsim.CMSError(500)) // init fails four times
	ctx := ctxT(t)
	for !trace.Contains("AT+CFUN=1,1") {
		select {
		case <-ctx.Done():
			t.Fatalf("no reset after repeated failures; health %+v", r.modem.Health())
		case <-time.After(10 * time.Millisecond): // polling the trace: it has no signal
		}
	}
	r.waitReady(t, true) // and it comes back after the reset
	h := r.modem.Health()
	if h.ICCID != "8901260000000000014" || h.SIM != "READY" || h.IMEI == "" {
		t.Fatalf("health %+v", h)
	}
}

// TestNeverReset: ResetAfter below zero (the configuration's
// reset_after: 0) keeps retrying without ever resetting the modem.
func TestNeverReset(t *testing.T) {
	trace := &syncbuf.Buffer{}
	r := newRig(t, modemsim.Options{Trace: trace}, modem.Options{ResetAfter: -1})
	r.sim.FailNext("+CMGF", 7, modemsim.CMSError(500)) // more than the default 5
	r.waitReady(t, true)
	if trace.Contains("AT+CFUN=1,1") {
		t.Fatal("the modem was reset")
	}
}

// One modem of a pool dying does not stop the others.
func TestPoolSurvivesOneModem(t *testing.T) {
	store, err := spool.Open(filepath.Join(t.TempDir(), "spool.db"), spool.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	sink := route.StoreSink{Store: store}
	var sims []*modemsim.Modem
	var entries []route.Entry
	var modems []*modem.Modem
	for i := range 2 {
		sim, err := modemsim.New(modemsim.Options{RegistrationDelay: -1, SendDelay: -1})
		if err != nil {
			t.Fatal(err)
		}
		defer sim.Close()
		sims = append(sims, sim)
		m := modem.New(modem.Options{Name: fmt.Sprintf("modem-%d", i+1), Port: sim.Path(),
			ReopenMin: 20 * time.Millisecond, ReopenMax: 50 * time.Millisecond}, sink)
		modems = append(modems, m)
		entries = append(entries, route.Entry{Connector: m, Enabled: true})
	}
	router, _ := route.New([]route.Rule{{Name: "pool", Balance: true, Connectors: []string{"modem-1", "modem-2"}}},
		entries, route.Options{NoRouteWait: 20 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	defer func() { cancel(); wg.Wait() }()
	for _, m := range modems {
		wg.Add(1)
		go func() { defer wg.Done(); m.Run(ctx) }()
		if err := m.WaitReady(ctxT(t), true); err != nil {
			t.Fatal(err)
		}
	}
	sims[0].Unplug()
	if err := modems[0].WaitReady(ctxT(t), false); err != nil {
		t.Fatal(err)
	}
	recorded := make(chan *spool.Message, 100)
	wg.Add(1)
	go func() {
		defer wg.Done()
		(&spool.Dispatcher{Store: store, Sender: router, Recorded: func(m *spool.Message, _ spool.Result, _ error) {
			recorded <- m
		}}).Run(ctx)
	}()
	for i := range 5 {
		store.Enqueue(ctx, &spool.Message{Tenant: "t", To: "+13195550123", Body: fmt.Sprintf("pool %d", i)})
	}
	if _, err := sims[1].WaitSubmits(ctxT(t), 5); err != nil {
		t.Fatalf("modem-2 sent %d of 5 while modem-1 was gone", len(sims[1].Submits()))
	}
}

// TestBusySIMIsWaitedFor: a modem starting (after a power cut or a
// reset) answers AT+CPIN? with +CME ERROR: 14, SIM busy, for a while.
// The session waits for it; the connector became ready only after the
// SIM was, and never reset the modem for it. It used to end the session
// at the first busy answer, count a failure, and, SIM busy again after
// each AT+CFUN=1,1, reset the modem forever.
func TestBusySIMIsWaitedFor(t *testing.T) {
	var mu sync.Mutex
	var busyUntil time.Time
	resets := 0
	r := newRigBefore(t, modemsim.Options{}, modem.Options{ResetAfter: 1}, func(sim *modemsim.Modem) {
		busyUntil = time.Now().Add(1500 * time.Millisecond)
		sim.Handle("+CPIN", func(c modemsim.Command) ([]string, error) {
			mu.Lock()
			defer mu.Unlock()
			if time.Now().Before(busyUntil) {
				return nil, modemsim.CMEError(14)
			}
			return []string{"+CPIN: READY"}, nil
		})
		sim.Handle("+CFUN", func(c modemsim.Command) ([]string, error) {
			mu.Lock()
			defer mu.Unlock()
			if c.Args == "1,1" {
				resets++
				busyUntil = time.Now().Add(1500 * time.Millisecond)
			}
			if c.Op == modemsim.Read {
				return []string{"+CFUN: 1"}, nil
			}
			return nil, nil
		})
	})
	r.waitReady(t, true)
	mu.Lock()
	defer mu.Unlock()
	if resets != 0 || time.Now().Before(busyUntil) {
		t.Fatalf("%d resets; ready while the SIM was busy: %v", resets, time.Now().Before(busyUntil))
	}
}
