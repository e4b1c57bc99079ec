package spool

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// BenchmarkLifecycle takes messages through every write the gateway
// makes for one message with a receipt, as the HTTP → SMPP → webhook
// path does: Enqueue, Lease, Complete, ApplyReport, then the outbox's
// LeaseOutbox, Get and AckOutbox. Each stage runs 64 callers at once, so
// that they share group commits. It reports the process's CPU time per
// message (cpu-µs/msg: what issue 6 is about) next to the wall time,
// which is mostly fsync waits. With a backlog, that many messages wait
// in the queue ahead of each new one (a burst faster than the carrier),
// as in bench/kannelcmp's max scenario; hit% is the record cache's.
//
//	go test -run '^$' -bench Lifecycle -benchtime 4000x ./spool/
//	go test -run '^$' -bench Lifecycle/backlog=0 -benchtime 4000x -cpuprofile cpu.out ./spool/
func BenchmarkLifecycle(b *testing.B) {
	for _, backlog := range []int{0, 10_000} {
		b.Run(fmt.Sprintf("backlog=%d", backlog), func(b *testing.B) { benchLifecycle(b, backlog) })
	}
}

func benchLifecycle(b *testing.B, backlog int) {
	const par = 64
	s, err := Open(filepath.Join(b.TempDir(), "spool.db"), Options{MaxQueued: 10_000_000})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	body := strings.Repeat("Help is on the way. ", 6)
	each := func(n int, fn func(i int) error) {
		var wg sync.WaitGroup
		for g := range min(par, n) {
			wg.Go(func() {
				for i := g; i < n; i += par {
					if err := fn(i); err != nil {
						b.Error(err)
						return
					}
				}
			})
		}
		wg.Wait()
	}
	seq := 0
	enqueue := func(n int) {
		each(n, func(i int) error {
			_, _, err := s.Enqueue(ctx, &Message{Tenant: "psap-north", From: "+13195550100",
				To: fmt.Sprintf("+1319555%04d", i%10000), Body: body, Source: "http:cad-1",
				ReportReq: true, ClientRef: fmt.Sprintf("ref-%d", seq+i)})
			return err
		})
		seq += n
	}
	enqueue(backlog)
	cpu0 := cpuTime()
	h0, m0 := s.msgCache.hits, s.msgCache.misses
	b.ResetTimer()
	for done := 0; done < b.N; {
		n := min(par*4, b.N-done)
		done += n
		enqueue(n)
		var leased []*Message
		for len(leased) < n {
			ms, err := s.Lease(ctx, n-len(leased), PriorityNormal)
			if err != nil || len(ms) == 0 {
				b.Fatalf("lease: %d, %v", len(ms), err)
			}
			leased = append(leased, ms...)
		}
		each(n, func(i int) error {
			m := leased[i]
			return s.Complete(ctx, m.ID, m.Attempts, Result{Connector: "carrier", Route: "default",
				ProviderIDs: []string{fmt.Sprintf("%x", 0x10000000+seq+i)}})
		})
		each(n, func(i int) error {
			_, err := s.ApplyReport(ctx, Report{Connector: "carrier", ProviderID: fmt.Sprintf("%x", 0x10000000+seq+i),
				State: StateDelivered, At: time.Now(), Detail: "id:x sub:001 dlvrd:001 stat:DELIVRD err:000"})
			return err
		})
		var items []*OutboxItem
		for len(items) < n {
			its, err := s.LeaseOutbox(ctx, n-len(items))
			if err != nil || len(its) == 0 {
				b.Fatalf("lease outbox: %d, %v", len(its), err)
			}
			items = append(items, its...)
		}
		each(n, func(i int) error {
			it := items[i]
			if _, err := s.Get(it.MessageID); err != nil {
				return err
			}
			return s.AckOutbox(ctx, it.ID, it.Attempts, nil)
		})
	}
	b.StopTimer()
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N), "cpu-µs/msg")
	s.msgCache.mu.Lock()
	h, m := s.msgCache.hits-h0, s.msgCache.misses-m0
	s.msgCache.mu.Unlock()
	b.ReportMetric(100*float64(h)/float64(max(h+m, 1)), "hit%")
}

// cpuTime is the process's user + system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
