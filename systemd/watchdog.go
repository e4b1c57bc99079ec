package systemd

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"time"
)

// WatchdogInterval reports the watchdog timeout systemd set for this process
// (WatchdogSec= in the unit, passed as $WATCHDOG_USEC). It is false when no
// watchdog is configured, or when $WATCHDOG_PID names another process (the
// variables were inherited, not meant for us).
func WatchdogInterval() (time.Duration, bool) {
	usec, err := strconv.ParseUint(os.Getenv("WATCHDOG_USEC"), 10, 63)
	if err != nil || usec == 0 {
		return 0, false
	}
	if s := os.Getenv("WATCHDOG_PID"); s != "" {
		pid, err := strconv.Atoi(s)
		if err != nil || pid != os.Getpid() {
			return 0, false
		}
	}
	return time.Duration(usec) * time.Microsecond, true
}

// Watchdog feeds the systemd watchdog until ctx ends. Every third of the
// interval it runs probe (in the gateway: a real spool write and fsync) with
// a deadline of a third of the interval, and sends WATCHDOG=1 only when the
// probe returned nil in time. A probe that fails or hangs is logged and not
// answered with a ping, so systemd restarts a gateway that no longer works.
// A hung probe is not started again until it returns. Without a configured
// watchdog ([WatchdogInterval] false) Watchdog returns at once.
func Watchdog(ctx context.Context, probe func(context.Context) error, log *slog.Logger) {
	interval, ok := WatchdogInterval()
	if !ok {
		return
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	log = log.With("comp", "systemd")
	period := interval / 3
	log.Info("watchdog started", "interval", interval, "probe_every", period)

	tick := time.NewTicker(period)
	defer tick.Stop()
	var hung chan error // the result of a probe that missed its deadline
	for {
		if hung != nil {
			select {
			case err := <-hung:
				hung = nil
				log.Info("watchdog probe returned after its deadline", "err", err)
			default:
				log.Error("watchdog probe still running, not pinging")
			}
		}
		if hung == nil {
			var err error
			if hung, err = runProbe(ctx, probe, period); err != nil {
				if ctx.Err() != nil {
					return
				}
				log.Error("watchdog probe failed, not pinging", "err", err)
			} else if _, err := Notify("WATCHDOG=1"); err != nil {
				log.Error("watchdog ping", "err", err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// runProbe runs probe with a deadline of timeout. When the probe misses it,
// runProbe returns the channel its late result will arrive on, and an error.
func runProbe(ctx context.Context, probe func(context.Context) error, timeout time.Duration) (late chan error, err error) {
	pctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- probe(pctx) }()
	select {
	case err := <-done:
		if err == nil && pctx.Err() != nil {
			// It returned nil, but only after its deadline.
			err = pctx.Err()
		}
		if err != nil {
			return nil, fmt.Errorf("systemd: watchdog probe: %w", err)
		}
		return nil, nil
	case <-pctx.Done():
		return done, fmt.Errorf("systemd: watchdog probe: %w", pctx.Err())
	}
}
