package modem_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/smsgw/smsgw/modem"
	"github.com/smsgw/smsgw/modem/modemsim"
	"github.com/smsgw/smsgw/spool"
	"github.com/smsgw/smsgw/spool/route"
)

// signalSink is a spool sink that tells the test when a report or an
// inbound message has been stored.
type signalSink struct {
	route.StoreSink
	mu      sync.Mutex
	reports chan spool.Report
	inbound chan *spool.Message
	fail    error         // Inbound fails with this while set
	failed  chan struct{} // told (if set, without waiting) when Inbound failed
}

func (s *signalSink) Report(ctx context.Context, r spool.Report) error {
	err := s.StoreSink.Report(ctx, r)
	if err == nil {
		s.reports <- r
	}
	return err
}

func (s *signalSink) Inbound(ctx context.Context, mo *spool.Message) error {
	s.mu.Lock()
	fail := s.fail
	s.mu.Unlock()
	if fail != nil {
		select {
		case s.failed <- struct{}{}:
		default:
		}
		return fail
	}
	if err := s.StoreSink.Inbound(ctx, mo); err != nil {
		return err
	}
	s.inbound <- mo
	return nil
}

// rig is a simulated modem, a spool, the connector and a dispatcher.
type rig struct {
	sim      *modemsim.Modem
	store    *spool.Store
	sink     *signalSink
	modem    *modem.Modem
	recorded chan string // message ids whose send result was recorded
	stop     func()      // stops the connector (not the rest)
}

func newRig(t testing.TB, so modemsim.Options, mo modem.Options) *rig {
	t.Helper()
	return newRigBefore(t, so, mo, nil)
}

// newRigBefore is newRig with a step run on the simulator before the
// connector starts.
func newRigBefore(t testing.TB, so modemsim.Options, mo modem.Options, before func(*modemsim.Modem)) *rig {
	t.Helper()
	if so.RegistrationDelay == 0 {
		so.RegistrationDelay = -1
	}
	if so.SendDelay == 0 {
		so.SendDelay = -1
	}
	sim, err := modemsim.New(so)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	if before != nil {
		before(sim)
	}
	store, err := spool.Open(filepath.Join(t.TempDir(), "spool.db"), spool.Options{
		Retry: spool.RetryPolicy{Base: 20 * time.Millisecond, Max: 100 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	sink := &signalSink{StoreSink: route.StoreSink{Store: store}, reports: make(chan spool.Report, 100),
		inbound: make(chan *spool.Message, 100)}
	if mo.Name == "" {
		mo.Name = "modem-1"
	}
	switch mo.Port {
	case "":
		mo.Port = sim.Path()
	case "tcp":
		mo.Port = "tcp://" + sim.Addr()
	}
	if mo.ReopenMin == 0 {
		mo.ReopenMin, mo.ReopenMax = 20*time.Millisecond, 100*time.Millisecond
	}
	if mo.CommandTimeout == 0 {
		mo.CommandTimeout = 2 * time.Second
	}
	m := modem.New(mo, sink)
	r := &rig{sim: sim, store: store, sink: sink, modem: m, recorded: make(chan string, 100)}
	router, err := route.New([]route.Rule{{Name: "all", Connectors: []string{mo.Name}}},
		[]route.Entry{{Connector: m, Enabled: true}}, route.Options{NoRouteWait: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	mctx, mcancel := context.WithCancel(ctx)
	mdone := make(chan struct{})
	go func() { defer close(mdone); m.Run(mctx) }()
	r.stop = func() { mcancel(); <-mdone }
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		(&spool.Dispatcher{Store: store, Sender: router, Idle: 50 * time.Millisecond,
			Recorded: func(msg *spool.Message, _ spool.Result, _ error) { r.recorded <- msg.ID }}).Run(ctx)
	}()
	t.Cleanup(func() { cancel(); <-mdone; wg.Wait(); store.Close() })
	return r
}

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func (r *rig) waitReady(t testing.TB, want bool) {
	t.Helper()
	if err := r.modem.WaitReady(ctxT(t), want); err != nil {
		t.Fatalf("modem ready=%v never came: %v (health %+v)", want, err, r.modem.Health())
	}
}

func (r *rig) enqueue(t *testing.T, m *spool.Message) string {
	t.Helper()
	if m.Tenant == "" {
		m.Tenant = "psap-north"
	}
	stored, _, err := r.store.Enqueue(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
	return stored.ID
}

// waitState waits for message id to reach state, woken by every
// recorded result and stored report.
func (r *rig) waitState(t *testing.T, id string, want spool.State) *spool.Message {
	t.Helper()
	return r.waitFor(t, id, want.String(), func(m *spool.Message) bool { return m.State == want })
}

// waitFor waits until cond holds for message id.
func (r *rig) waitFor(t *testing.T, id, what string, cond func(*spool.Message) bool) *spool.Message {
	t.Helper()
	ctx := ctxT(t)
	for {
		m, err := r.store.Get(id)
		if err != nil {
			t.Fatal(err)
		}
		if cond(m) {
			return m
		}
		select {
		case <-r.recorded:
		case <-r.sink.reports:
		case <-ctx.Done():
			t.Fatalf("message is %s, want %s; timeline %+v", m.State, what, m.Timeline)
		}
	}
}

func (r *rig) waitInbound(t *testing.T) *spool.Message {
	t.Helper()
	select {
	case m := <-r.sink.inbound:
		return m
	case <-ctxT(t).Done():
		t.Fatal("no inbound message")
		return nil
	}
}

// sendOne sends a one-part message to to and returns its id and the
// SMS-SUBMIT the modem received, once it is sent.
func (r *rig) sendOne(t *testing.T, to, body string) (string, modemsim.Submit) {
	t.Helper()
	id := r.enqueue(t, &spool.Message{To: to, Body: body})
	r.waitState(t, id, spool.StateSent)
	subs := r.sim.Submits()
	if len(subs) != 1 {
		t.Fatalf("%d submits", len(subs))
	}
	return id, subs[0]
}

// receiveOne has the network deliver a one-part text and waits until the
// connector has stored it and the SIM is empty again.
func (r *rig) receiveOne(t *testing.T, text string) {
	t.Helper()
	if _, err := r.sim.DeliverMO(modemsim.MO{Text: text}); err != nil {
		t.Fatal(err)
	}
	if mo := r.waitInbound(t); mo.Body != text {
		t.Fatalf("inbound %q", mo.Body)
	}
	if err := r.sim.Wait(ctxT(t), func() bool { return len(r.sim.Stored()) == 0 }); err != nil {
		t.Fatalf("left on the SIM: %+v", r.sim.Stored())
	}
}
