package spool

import (
	"errors"
	"log/slog"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"
)

// openStepping is openTest with the fake clock's monotonic side given to
// the spool too, so that its Step is a step of the system clock.
func openStepping(t *testing.T, opts Options) (*Store, *fakeClock) {
	t.Helper()
	clk := newClock()
	opts.Now, opts.Monotonic = clk.Now, clk.Mono
	s, _ := openTest(t, opts)
	return s, clk
}

// A board without a clock battery boots with its clock far behind; the
// messages queued before the stop must not wait for it to catch up.
func TestClockBehindAtOpenDoesNotHoldTheQueue(t *testing.T) {
	s, clk := openStepping(t, Options{Retry: RetryPolicy{Base: 10 * time.Second}})
	a := mustEnqueue(t, s, msg("+13195550001"))
	mustLease(t, s, 1)
	if err := s.Complete(bg, a.ID, 1, Result{Err: Retryable("timeout", nil)}); err != nil {
		t.Fatal(err)
	}
	b := mustEnqueue(t, s, msg("+13195550002"))
	clk.Add(2 * time.Second)
	mustEnqueue(t, s, msg("+13195550003")) // a commit: the clock is recorded
	stopped := clk.Now()

	clk.Step(-time.Since(time.Unix(0, 0))) // 1970
	s = reopen(t, s)
	if st := s.Clock(); st.Behind < 50*365*24*time.Hour {
		t.Fatalf("Clock() = %+v, want the system clock far behind", st)
	}
	got := mustLease(t, s, 5)
	if len(got) != 2 || got[0].ID != b.ID {
		t.Fatalf("leased %d messages at once after the reboot, want the 2 due", len(got))
	}
	// The retry comes at its time (10 s after its failure, 8 s after the
	// stop), counted by the spool's clock.
	clk.Add(7 * time.Second)
	if got := mustLease(t, s, 5); len(got) != 0 {
		t.Fatalf("the retry came early: %+v", got[0].ID)
	}
	clk.Add(time.Second)
	if got := mustLease(t, s, 5); len(got) != 1 || got[0].ID != a.ID {
		t.Fatalf("the retry did not come at its time: %d leased", len(got))
	}
	// A new message's times follow the spool's clock, not 1970.
	c := mustEnqueue(t, s, msg("+13195550004"))
	if c.Timeline[0].At.Before(stopped) || !c.ValidUntil.After(stopped) {
		t.Fatalf("new message at %v valid until %v, want after %v", c.Timeline[0].At, c.ValidUntil, stopped)
	}
}

func TestClockGoingBackWhileRunning(t *testing.T) {
	s, clk := openStepping(t, Options{Retry: RetryPolicy{Base: 10 * time.Second}})
	a := mustEnqueue(t, s, msg("+13195550001"))
	mustLease(t, s, 1)
	if err := s.Complete(bg, a.ID, 1, Result{Err: Retryable("timeout", nil)}); err != nil {
		t.Fatal(err)
	}
	before := s.Now()
	clk.Step(-2 * time.Hour)
	if now := s.Now(); now.Before(before) {
		t.Fatalf("the spool's time went back: %v after %v", now, before)
	}
	clk.Add(10 * time.Second)
	if got := mustLease(t, s, 1); len(got) != 1 {
		t.Fatal("a retry due in 10 s waited for the clock to come back")
	}
	if st := s.Clock(); st.Behind < 2*time.Hour-time.Second {
		t.Fatalf("Clock() = %+v", st)
	}
	// A long inbound message whose first part came 30 s before, by the
	// system clock the connector read, is received 30 s before it was
	// stored by the spool's time (it showed two hours before).
	mo, err := s.Receive(bg, &Message{Tenant: "t", From: "+13195550199", To: "+13195550100", Body: "x",
		Connector: "modem-1", ReceivedAt: clk.Now().Add(-30 * time.Second)})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := mo.ReceivedAt, s.Now().Add(-30*time.Second).Truncate(time.Millisecond); got.Sub(want).Abs() > time.Second {
		t.Fatalf("received at %v, want about %v (the spool's time less 30 s)", got, want)
	}
	// The wall clock catches up: the spool follows it again.
	clk.Step(2 * time.Hour)
	if now, wall := s.Now(), clk.Now(); !now.Equal(wall) || s.Clock().Behind != 0 || s.Clock().Steps != 0 {
		t.Fatalf("after catching up: spool %v, wall %v, %+v", now, wall, s.Clock())
	}
}

// NTP reaching a server steps the clock ahead: a message queued minutes
// before must not expire for it, and one being sent must not be taken
// again as if its sender hung. The step holds across a restart.
func TestClockJumpAheadKeepsValidityAndLeases(t *testing.T) {
	for _, restart := range []bool{false, true} {
		t.Run(map[bool]string{false: "running", true: "restarted"}[restart], func(t *testing.T) {
			s, clk := openStepping(t, Options{Lease: 2 * time.Minute})
			sending := mustEnqueue(t, s, msg("+13195550001"))
			if got := mustLease(t, s, 1); len(got) != 1 {
				t.Fatal("setup: nothing leased")
			}
			short := msg("+13195550002")
			short.ValidUntil = clk.Now().Add(10 * time.Minute)
			short = mustEnqueue(t, s, short)
			clk.Add(time.Minute)

			clk.Step(2 * time.Hour)
			after := mustEnqueue(t, s, msg("+13195550003")) // queued after the step
			if restart {
				// A restart takes back what was being sent (as after any
				// stop); the step must still count for the rest.
				s = reopen(t, s)
			}
			got := mustLease(t, s, 5)
			ids := map[string]bool{}
			for _, m := range got {
				ids[m.ID] = true
			}
			if !ids[short.ID] || !ids[after.ID] || ids[sending.ID] != restart {
				t.Fatalf("leased %v; want the short-lived message and the new one (and the one being sent only after a restart)", ids)
			}
			m := mustGet(t, s, short.ID)
			if want := short.ValidUntil.Add(2 * time.Hour); !m.ValidUntil.Equal(want) || m.State != StateSending {
				t.Fatalf("short-lived message: %s, valid until %v, want sending until %v", m.State, m.ValidUntil, want)
			}
			if !strings.Contains(m.Timeline[len(m.Timeline)-2].Detail, "jumped ahead by 2h0m0s") {
				t.Fatalf("no note of the step: %+v", m.Timeline)
			}
			if n := mustGet(t, s, after.ID); !n.ValidUntil.Equal(after.ValidUntil) {
				t.Fatalf("a message queued after the step moved: %v → %v", after.ValidUntil, n.ValidUntil)
			}
			if !restart {
				if err := s.Complete(bg, sending.ID, 1, Result{Connector: "carrier-a", ProviderIDs: []string{"1"}}); err != nil {
					t.Fatalf("the send in flight across the step: %v", err)
				}
			}
			if st := s.Clock(); st.Steps != 1 || st.LastStep != 2*time.Hour {
				t.Fatalf("Clock() = %+v", st)
			}
		})
	}
}

// Without a monotonic clock (tests that set Now only) the spool's time is
// Now as given, steps included.
func TestClockWithoutMonotonicFollowsNow(t *testing.T) {
	s, clk := openTest(t, Options{})
	clk.Add(-time.Hour)
	if !s.Now().Equal(clk.Now()) {
		t.Fatalf("spool %v, clock %v", s.Now(), clk.Now())
	}
}

// On the real clocks, callers racing for the time see it only move
// forward, and no step is found where there is none.
func TestClockConcurrentCallersSeeNoStep(t *testing.T) {
	s, err := Open(t.TempDir()+"/spool.db", Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			prev := s.Now()
			for range 20000 {
				now := s.Now()
				if now.Before(prev) {
					t.Errorf("time went back: %v after %v", now, prev)
					return
				}
				prev = now
			}
		}()
	}
	wg.Wait()
	if st := s.Clock(); st != (ClockStatus{}) {
		t.Fatalf("Clock() = %+v with no step", st)
	}
	if d := time.Since(s.Now()); d < -time.Second || d > time.Second {
		t.Fatalf("the spool's time is %v from the system's", d)
	}
}

// A clock set a year ahead by mistake, then put right: ResetClock moves
// what is queued back by the difference, and the spool follows the
// system clock again, also after a restart.
func TestResetClock(t *testing.T) {
	defer func(n int) { clockResetChunk = n }(clockResetChunk)
	clockResetChunk = 2 // several chunks, each resuming from the last
	s, clk := openStepping(t, Options{Retry: RetryPolicy{Base: 10 * time.Second}})
	start := clk.Now()
	var plain []*Message
	for i := range 4 {
		plain = append(plain, mustEnqueue(t, s, msg("+1319555000"+string(rune('1'+i)))))
	}
	sched := msg("+13195550009")
	sched.SendAt = start.Add(time.Hour)
	sched = mustEnqueue(t, s, sched)
	if _, err := s.Receive(bg, &Message{Tenant: "psap-north", From: "+13195550199", To: "+13195550100",
		Body: "need help", Connector: "modem-1"}, "webhook"); err != nil {
		t.Fatal(err)
	}
	clk.Add(2 * time.Second)
	mustEnqueue(t, s, msg("+13195550008")) // a commit records the clock
	year := 365 * 24 * time.Hour
	clk.Step(-year)
	s = reopen(t, s)
	if st := s.Clock(); st.Behind < year {
		t.Fatalf("Clock() = %+v", st)
	}

	got, err := s.ResetClock(bg)
	if err != nil {
		t.Fatal(err)
	}
	if got.Delta < year || got.Delta > year+3*time.Second || got.Messages != 5 || got.Items != 1 {
		t.Fatalf("ResetClock = %+v, want a year, 5 messages, 1 item", got)
	}
	if st := s.Clock(); st != (ClockStatus{}) || !s.Now().Equal(clk.Now()) {
		t.Fatalf("after the reset: %+v, spool %v, system %v", st, s.Now(), clk.Now())
	}
	m := mustGet(t, s, plain[0].ID)
	if want := plain[0].ValidUntil.Add(-got.Delta); !m.ValidUntil.Equal(want) || !strings.Contains(lastEvent(m).Detail, "put back") {
		t.Fatalf("valid until %v, want %v; last event %+v", m.ValidUntil, want, lastEvent(m))
	}
	if m := mustGet(t, s, sched.ID); !m.NextAt.Equal(sched.SendAt) || !m.SendAt.Equal(sched.SendAt) || !m.ValidUntil.Equal(sched.ValidUntil) {
		t.Fatalf("the schedule moved: next %v, send_at %v, valid until %v", m.NextAt, m.SendAt, m.ValidUntil)
	}
	if leased := mustLease(t, s, 10); len(leased) != 5 {
		t.Fatalf("leased %d after the reset, want the 5 unscheduled", len(leased))
	}
	if items, err := s.LeaseOutbox(bg, 10); err != nil || len(items) != 1 {
		t.Fatalf("outbox after the reset: %d items, %v", len(items), err)
	}
	// Nothing to do when the clocks agree; and the agreement holds
	// across a restart.
	if again, err := s.ResetClock(bg); err != nil || again != (ClockReset{}) {
		t.Fatalf("second reset: %+v %v", again, err)
	}
	s = reopen(t, s)
	if st := s.Clock(); st != (ClockStatus{}) {
		t.Fatalf("after a restart: %+v", st)
	}
}

// Random walks of the system clock: the spool's time never goes back,
// is never behind the system clock, moves no faster than time passes
// except by a jump it records, and says how far behind the system clock
// is.
func TestClockRandomWalk(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 22))
	clk := newClock()
	c := newSpoolClock(Options{Now: clk.Now, Monotonic: clk.Mono, Logger: slog.New(slog.DiscardHandler)})
	prev, prevMono := c.now(), clk.Mono()
	for i := range 20000 {
		switch r := rng.IntN(100); {
		case r < 3:
			clk.Step(time.Duration(rng.Int64N(int64(6*time.Hour))) - 3*time.Hour)
		default:
			clk.Add(time.Duration(rng.Int64N(int64(5 * time.Second))))
		}
		steps := c.stepsSince(prev)
		now, wall := c.now(), clk.Now().Truncate(time.Millisecond)
		passed := clk.Mono() - prevMono
		if now.Before(prev) || now.Before(wall) {
			t.Fatalf("op %d: spool %v after %v, system %v", i, now, prev, wall)
		}
		jumped := c.stepsSince(prev) - steps
		if now.Sub(prev) > passed+jumped+time.Millisecond {
			t.Fatalf("op %d: spool moved %v in %v with %v of jumps", i, now.Sub(prev), passed, jumped)
		}
		if behind := c.behindNow(); behind != now.Sub(wall) && now.Sub(wall) > clockStepMin {
			t.Fatalf("op %d: behind %v, spool %v, system %v", i, behind, now, wall)
		}
		prev, prevMono = now, clk.Mono()
	}
}

// An outbox item is retried for 72 hours of the time it waited: a jump
// of the system clock ahead is not part of it.
func TestClockJumpAheadKeepsOutboxRetries(t *testing.T) {
	s, clk := openStepping(t, Options{Retry: RetryPolicy{Base: time.Second, Max: time.Minute}})
	m := msg("+13195550001")
	m.ReportReq = true
	sendOne(t, s, m, "c", "1")
	if _, err := s.ApplyReport(bg, Report{Connector: "c", ProviderID: "1", State: StateDelivered}); err != nil {
		t.Fatal(err)
	}
	clk.Add(time.Hour)
	clk.Step(100 * time.Hour) // past the 72 h by the system clock alone
	items := mustLeaseOutbox(t, s)
	if len(items) != 1 {
		t.Fatalf("leased %d outbox items, want the report", len(items))
	}
	if err := s.AckOutbox(bg, items[0].ID, items[0].Attempts, Retryable("webhook_503", errors.New("unavailable"))); err != nil {
		t.Fatal(err)
	}
	if st, _ := s.Stats(); st.Outbox != 1 {
		t.Fatalf("outbox holds %d items after a failure an hour in, want the report still retried", st.Outbox)
	}
	clk.Add(72 * time.Hour) // now 73 hours waited
	items = mustLeaseOutbox(t, s)
	if len(items) != 1 {
		t.Fatalf("leased %d outbox items, want the report", len(items))
	}
	if err := s.AckOutbox(bg, items[0].ID, items[0].Attempts, Retryable("webhook_503", errors.New("unavailable"))); err != nil {
		t.Fatal(err)
	}
	if st, _ := s.Stats(); st.Outbox != 0 {
		t.Fatalf("outbox holds %d items after 73 hours of failures, want the report abandoned", st.Outbox)
	}
}
