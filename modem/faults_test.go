package modem_test

import (
	"context"
	"errors"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/smsgw/smsgw/modem"
	"github.com/smsgw/smsgw/modem/modemsim"
	"github.com/smsgw/smsgw/spool"
)

func TestNetworkLossMakesTheModemUnready(t *testing.T) {
	r := newRig(t, modemsim.Options{}, modem.Options{PollInterval: 20 * time.Millisecond})
	r.waitReady(t, true)
	r.sim.SetNetworkLost(true)
	r.waitReady(t, false)
	id := r.enqueue(t, &spool.Message{To: "+13195550123", Body: "waits for the network"})
	// Nothing is sent while the network is gone: the router defers it.
	m := r.waitFor(t, id, "deferred", func(m *spool.Message) bool {
		return m.State == spool.StateQueued && strings.Contains(m.Timeline[len(m.Timeline)-1].Detail, "deferred")
	})
	if m.Attempts != 0 || len(r.sim.Submits()) != 0 {
		t.Fatalf("attempts %d, submits %d while no connector was ready", m.Attempts, len(r.sim.Submits()))
	}
	r.sim.SetNetworkLost(false)
	r.waitReady(t, true)
	r.waitState(t, id, spool.StateSent)
}

func TestURCInTheMiddleOfASend(t *testing.T) {
	r := newRig(t, modemsim.Options{}, modem.Options{})
	r.waitReady(t, true)
	if _, err := r.sim.DeliverMO(modemsim.MO{Text: "first"}); err != nil {
		t.Fatal(err)
	}
	r.waitInbound(t)
	// A +CMTI for a stored message arrives between "> " and +CMGS.
	r.sim.URCInResponse("+CMGS", `+CMTI: "SM",0`)
	id := r.enqueue(t, &spool.Message{To: "+13195550123", Body: "still goes"})
	r.waitState(t, id, spool.StateSent)
	if n := len(r.sim.Submits()); n != 1 {
		t.Fatalf("%d submits", n)
	}
}

// TestReassemblySurvivesRestart: part 1 is deleted from the SIM, the
// connector restarts, part 2 arrives: the message is whole.
func TestReassemblySurvivesRestart(t *testing.T) {
	r := newRig(t, modemsim.Options{}, modem.Options{})
	r.waitReady(t, true)
	text := strings.Repeat("Part of a long message from a caller. ", 6)
	if _, err := r.sim.DeliverMO(modemsim.MO{Text: text, Ref: 77, Order: []int{1}}); err != nil {
		t.Fatal(err)
	}
	if err := r.sim.Wait(ctxT(t), func() bool { return r.sim.Stats().Delivered >= 1 && len(r.sim.Stored()) == 0 }); err != nil {
		t.Fatalf("part 1 never deleted: %+v", r.sim.Stats())
	}
	// A second connector on the same spool, as after a restart.
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	m2 := modem.New(modem.Options{Name: "modem-1", Port: r.sim.Path()}, r.sink)
	r.stop()
	wg.Add(1)
	go func() { defer wg.Done(); m2.Run(ctx) }()
	t.Cleanup(func() { cancel(); wg.Wait() })
	if err := m2.WaitReady(ctxT(t), true); err != nil {
		t.Fatal(err)
	}
	if _, err := r.sim.DeliverMO(modemsim.MO{Text: text, Ref: 77, Order: []int{2}}); err != nil {
		t.Fatal(err)
	}
	if mo := r.waitInbound(t); mo.Body != text {
		t.Fatalf("inbound %q", mo.Body)
	}
}

// TestInboundStoreFailureKeepsTheParts: the spool fails to store the
// long message the last part completes. That part stays on the SIM, the
// earlier part stays in the reassembly, and once the spool works again
// the whole text arrives. Before, the reassembly saved its state without
// the parts before the store, and the caller's text was lost.
func TestInboundStoreFailureKeepsTheParts(t *testing.T) {
	r := newRig(t, modemsim.Options{}, modem.Options{})
	r.waitReady(t, true)
	text := strings.Repeat("Smoke in the stairwell, we cannot get out. ", 4) // 2 parts
	r.sink.mu.Lock()
	r.sink.fail, r.sink.failed = errors.New("disk full"), make(chan struct{}, 1)
	r.sink.mu.Unlock()
	if _, err := r.sim.DeliverMO(modemsim.MO{Text: text, Ref: 12, Order: []int{1, 2}}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-r.sink.failed:
	case <-ctxT(t).Done():
		t.Fatal("the store was never tried")
	}
	// Meanwhile the modem still sends: a message the spool cannot take
	// does not end the session (nor count towards a reset).
	id := r.enqueue(t, &spool.Message{To: "+13195550123", Body: "evacuate"})
	r.waitState(t, id, spool.StateSent)
	if h := r.modem.Health(); !strings.HasPrefix(h.LastError, "inbound not stored") || h.Reopens != 0 {
		t.Fatalf("health while the store fails: %+v", h)
	}
	r.sink.mu.Lock()
	r.sink.fail = nil
	r.sink.mu.Unlock()
	if mo := r.waitInbound(t); mo.Body != text || mo.Reason != "" {
		t.Fatalf("inbound %q (%s), want the whole text", mo.Body, mo.Reason)
	}
	if err := r.sim.Wait(ctxT(t), func() bool { return len(r.sim.Stored()) == 0 }); err != nil {
		t.Fatalf("parts left on the SIM: %v", r.sim.Stored())
	}
}

// A full SIM at start: the sweep empties it, and what the network held
// meanwhile arrives.
func TestFullSIMAtStart(t *testing.T) {
	pre := []modemsim.MO{{Text: "one"}, {Text: "two"}, {Text: "three"}}
	r := newRigBefore(t, modemsim.Options{Capacity: 3, Preload: pre}, modem.Options{}, func(sim *modemsim.Modem) {
		if _, err := sim.DeliverMO(modemsim.MO{Text: "four"}); err != nil {
			t.Fatal(err)
		}
		if st := sim.Stats(); st.Held != 1 {
			t.Fatalf("the network should hold the fourth message: %+v", st)
		}
	})
	got := map[string]bool{}
	for range 4 {
		got[r.waitInbound(t).Body] = true
	}
	if !got["one"] || !got["two"] || !got["three"] || !got["four"] {
		t.Fatalf("inbound %v", got)
	}
	if err := r.sim.Wait(ctxT(t), func() bool { return len(r.sim.Stored()) == 0 }); err != nil {
		t.Fatalf("left on the SIM: %v", r.sim.Stored())
	}
}

// TestPartialInboundOnTime: a caller's long text whose last part never
// comes is stored as partial when its time runs out, without waiting for
// another text to arrive.
func TestPartialInboundOnTime(t *testing.T) {
	r := newRig(t, modemsim.Options{}, modem.Options{ReassemblyTimeout: 200 * time.Millisecond})
	r.waitReady(t, true)
	text := strings.Repeat("Part of a long message from a caller. ", 6)
	if _, err := r.sim.DeliverMO(modemsim.MO{Text: text, Ref: 78, Order: []int{1}}); err != nil {
		t.Fatal(err)
	}
	mo := r.waitInbound(t)
	if !strings.HasPrefix(text, strings.TrimSpace(strings.SplitN(mo.Body, "[", 2)[0])) || mo.Body == text {
		t.Fatalf("inbound %q, want the first part, marked partial", mo.Body)
	}
}

// TestUndecodableInboundIsKept: a PDU the connector cannot decode (here a
// SMS-DELIVER cut short) is stored as an inbound message with the whole
// PDU as its binary content and the reason, then deleted from the SIM.
// Before, it was deleted with only a log line: a text to an emergency
// number vanished without a trace in the spool.
func TestUndecodableInboundIsKept(t *testing.T) {
	r := newRig(t, modemsim.Options{}, modem.Options{Number: "+13195550100"})
	r.waitReady(t, true)
	if err := r.sim.DeliverRawTPDU([]byte{0x04, 0x0B, 0x91, 0x31}); err != nil {
		t.Fatal(err)
	}
	mo := r.waitInbound(t)
	if mo.From != "" || mo.To != "+13195550100" || len(mo.Binary) == 0 || !strings.Contains(mo.Reason, "undecodable PDU") {
		t.Fatalf("inbound %+v", mo)
	}
	if err := r.sim.Wait(ctxT(t), func() bool { return len(r.sim.Stored()) == 0 }); err != nil {
		t.Fatalf("left on the SIM: %v", r.sim.Stored())
	}
}

// TestStalledPortIsGivenUp: a modem that stops draining its port (a
// firmware no longer reading its USB endpoint, hardware flow control
// held) blocks the gateway's write(2), and the AT engine times a
// command only once its write has returned. The write is given up after
// CommandTimeout: the modem is unready and says why, no new session
// writes to the port while the old write is still blocked, and once the
// port drains the message goes out.
func TestStalledPortIsGivenUp(t *testing.T) {
	r := newRig(t, modemsim.Options{}, modem.Options{CommandTimeout: 300 * time.Millisecond})
	r.waitReady(t, true)
	if err := r.sim.Stall(); err != nil {
		t.Fatal(err)
	}
	id := r.enqueue(t, &spool.Message{To: "+13195550123", Body: "behind a stalled port"})
	r.waitReady(t, false)
	ctx := ctxT(t)
	for !strings.Contains(r.modem.Health().LastError, "blocked") {
		select {
		case <-ctx.Done():
			t.Fatalf("health %+v", r.modem.Health())
		case <-time.After(10 * time.Millisecond): // polling: no signal for a session's end
		}
	}
	// Reopening goes on (with backoff) but opens nothing while the write
	// is blocked: the simulator sees no new session.
	reopens := r.modem.Health().Reopens
	for r.modem.Health().Reopens < reopens+2 {
		select {
		case <-ctx.Done():
			t.Fatalf("health %+v", r.modem.Health())
		case <-time.After(10 * time.Millisecond): // polling: no signal for reopens
		}
	}
	if h := r.modem.Health(); !strings.Contains(h.LastError, "blocked") || r.modem.Ready() {
		t.Fatalf("health %+v", h)
	}
	if n := len(r.sim.Submits()); n != 0 {
		t.Fatalf("%d parts sent through a stalled port", n)
	}
	if n := blockedWrites(t); n != 1 {
		t.Fatalf("%d writes blocked on the port after %d reopens, want 1", n, r.modem.Health().Reopens)
	}
	r.sim.Resume()
	r.waitReady(t, true)
	m := r.waitState(t, id, spool.StateSent)
	if !slices.ContainsFunc(m.Timeline, func(e spool.Event) bool { return strings.Contains(e.Detail, "port is blocked") }) {
		t.Fatalf("the timeline does not say why the first attempt failed: %+v", m.Timeline)
	}
}

// blockedWrites counts the goroutines still in a write the connector
// gave up (writeGuard).
func blockedWrites(t *testing.T) int {
	t.Helper()
	var b strings.Builder
	if err := pprof.Lookup("goroutine").WriteTo(&b, 2); err != nil {
		t.Fatal(err)
	}
	return strings.Count(b.String(), "modem.guardedPort.Write.func1")
}
