package systemd_test

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/smsgw/smsgw/systemd"
)

// watchdogEnv configures a 30 ms watchdog for this process: probes every
// 10 ms, each with a 10 ms deadline.
func watchdogEnv(t *testing.T) {
	t.Setenv("WATCHDOG_USEC", "30000")
	t.Setenv("WATCHDOG_PID", strconv.Itoa(os.Getpid()))
}

// records is a slog handler that passes each message on a channel.
type records chan string

func (r records) Enabled(context.Context, slog.Level) bool { return true }
func (r records) Handle(_ context.Context, rec slog.Record) error {
	select {
	case r <- rec.Message:
	default:
	}
	return nil
}
func (r records) WithAttrs([]slog.Attr) slog.Handler { return r }
func (r records) WithGroup(string) slog.Handler      { return r }

// waitFor waits (generously) for a log message.
func waitFor(t *testing.T, logs records, msg string) {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case m := <-logs:
			if m == msg {
				return
			}
		case <-timeout:
			t.Fatalf("no log %q", msg)
		}
	}
}

// start runs Watchdog until the returned stop is called; stop returns once
// Watchdog has.
func start(probe func(context.Context) error, logs records) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		systemd.Watchdog(ctx, probe, slog.New(logs))
	}()
	return func() { cancel(); <-done }
}

func TestWatchdogInterval(t *testing.T) {
	me := strconv.Itoa(os.Getpid())
	for _, tc := range []struct {
		usec, pid string
		want      time.Duration
		ok        bool
	}{
		{"", "", 0, false},
		{"0", "", 0, false},
		{"junk", "", 0, false},
		{"-5", "", 0, false},
		{"30000000", "", 30 * time.Second, true},
		{"30000000", me, 30 * time.Second, true},
		{"30000000", "1", 0, false},
		{"30000000", "x", 0, false},
	} {
		t.Setenv("WATCHDOG_USEC", tc.usec)
		t.Setenv("WATCHDOG_PID", tc.pid)
		got, ok := systemd.WatchdogInterval()
		if got != tc.want || ok != tc.ok {
			t.Errorf("USEC=%q PID=%q: got %v, %v; want %v, %v", tc.usec, tc.pid, got, ok, tc.want, tc.ok)
		}
	}
}

func TestWatchdogPingsAfterSuccessfulProbe(t *testing.T) {
	conn := listenTemp(t)
	watchdogEnv(t)
	var calls, okBefore atomic.Int32
	// The first two probes fail; from the third on they succeed.
	probe := func(context.Context) error {
		if calls.Add(1) <= 2 {
			return errors.New("spool full")
		}
		okBefore.Add(1)
		return nil
	}
	stop := start(probe, make(records, 100))
	defer stop()
	for i := 0; i < 3; i++ {
		if got := recv(t, conn); got != "WATCHDOG=1" {
			t.Fatalf("got %q", got)
		}
		if okBefore.Load() <= int32(i) {
			t.Fatalf("ping %d after only %d successful probes", i+1, okBefore.Load())
		}
	}
}

func TestWatchdogNoPingWhenProbeFails(t *testing.T) {
	conn := listenTemp(t)
	watchdogEnv(t)
	failed := make(chan struct{}, 100)
	probe := func(context.Context) error {
		failed <- struct{}{}
		return errors.New("fsync: input/output error")
	}
	logs := make(records, 100)
	stop := start(probe, logs)
	for i := 0; i < 3; i++ {
		waitFor(t, logs, "watchdog probe failed, not pinging")
	}
	stop()
	if len(failed) < 3 {
		t.Fatalf("probe ran %d times", len(failed))
	}
	noDatagram(t, conn)
}

func TestWatchdogNoPingWhenProbeHangs(t *testing.T) {
	conn := listenTemp(t)
	watchdogEnv(t)
	release := make(chan struct{})
	defer close(release)
	var calls atomic.Int32
	// A probe that ignores its context: a wedged fsync.
	probe := func(context.Context) error {
		calls.Add(1)
		<-release
		return nil
	}
	logs := make(records, 100)
	stop := start(probe, logs)
	waitFor(t, logs, "watchdog probe failed, not pinging")
	waitFor(t, logs, "watchdog probe still running, not pinging")
	stop()
	if n := calls.Load(); n != 1 {
		t.Fatalf("hung probe started %d times, want once", n)
	}
	noDatagram(t, conn)
}

func TestWatchdogProbeDeadline(t *testing.T) {
	conn := listenTemp(t)
	watchdogEnv(t)
	// A probe that honours its deadline, which must be set.
	probe := func(ctx context.Context) error {
		if _, ok := ctx.Deadline(); !ok {
			t.Error("probe without a deadline")
			return errors.New("no deadline")
		}
		<-ctx.Done()
		return ctx.Err()
	}
	logs := make(records, 100)
	stop := start(probe, logs)
	waitFor(t, logs, "watchdog probe failed, not pinging")
	waitFor(t, logs, "watchdog probe failed, not pinging")
	stop()
	noDatagram(t, conn)
}

func TestWatchdogWithoutWatchdog(t *testing.T) {
	listenTemp(t)
	t.Setenv("WATCHDOG_USEC", "")
	probe := func(context.Context) error {
		t.Error("probe called without a watchdog")
		return nil
	}
	// Returns at once, though the context never ends.
	systemd.Watchdog(context.Background(), probe, nil)

	t.Setenv("WATCHDOG_USEC", "30000")
	t.Setenv("WATCHDOG_PID", "1")
	systemd.Watchdog(context.Background(), probe, nil)
}

func TestWatchdogReturnsWhenContextEnds(t *testing.T) {
	conn := listenTemp(t)
	watchdogEnv(t)
	stop := start(func(context.Context) error { return nil }, make(records, 100))
	recv(t, conn) // it runs
	stop()        // and returns
}
