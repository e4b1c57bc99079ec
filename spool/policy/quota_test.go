package policy

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/smsgw/smsgw/spool"
)

func quotaTenant(n int) Tenant {
	return Tenant{ID: "council", DefaultRegion: "GB", DefaultSender: "COUNCIL", QuotaPerDay: n}
}

// send checks and, when allowed, enqueues, as an ingress does.
func (e *env) send(prio spool.Priority) error {
	e.t.Helper()
	d, err := e.p.Check(context.Background(), Submission{Tenant: "council", To: "07400 123456", Priority: prio, Source: "http:k"})
	if err != nil {
		return err
	}
	_, _, err = e.store.Enqueue(context.Background(), &spool.Message{Tenant: d.Tenant, From: d.From, To: d.To,
		Body: "Bin day moved", Priority: prio, Source: "http:k"})
	if err != nil {
		e.p.Release(d)
		e.t.Fatal(err)
	}
	return nil
}

func TestQuotaReachedAndRestart(t *testing.T) {
	e := newEnv(t, quotaTenant(5))
	e.enqueue("council", 2) // accepted before the policy counted: New counts them
	e.enqueue("other", 3)   // other tenants do not count
	e.reopen()
	if got := e.p.QuotaUsed("council"); got != 2 {
		t.Fatalf("counted %d at New, want 2", got)
	}
	for i := range 3 {
		if err := e.send(spool.PriorityNormal); err != nil {
			t.Fatalf("message %d: %v", i+3, err)
		}
	}
	wantCode(t, e.send(spool.PriorityNormal), CodeQuotaExceeded, "")

	e.reopen()
	if got := e.p.QuotaUsed("council"); got != 5 {
		t.Fatalf("after restart %d, want 5", got)
	}
	wantCode(t, e.send(spool.PriorityHigh), CodeQuotaExceeded, "")
	// Emergency messages are counted, never refused.
	if err := e.send(spool.PriorityEmergency); err != nil {
		t.Fatal(err)
	}
	if got := e.p.QuotaUsed("council"); got != 6 {
		t.Fatalf("after emergency %d, want 6", got)
	}

	// A new UTC day starts from zero, in memory and after a restart.
	e.clk.Set(time.Date(2026, 11, 23, 0, 0, 1, 0, time.UTC))
	if err := e.send(spool.PriorityNormal); err != nil {
		t.Fatalf("next day: %v", err)
	}
	e.reopen()
	if got := e.p.QuotaUsed("council"); got != 1 {
		t.Fatalf("next day after restart %d, want 1", got)
	}
}

func TestQuotaRelease(t *testing.T) {
	e := newEnv(t, quotaTenant(1))
	d, err := e.p.Check(t.Context(), Submission{Tenant: "council", To: "07400 123456"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.p.Check(t.Context(), Submission{Tenant: "council", To: "07400 123456"})
	wantCode(t, err, CodeQuotaExceeded, "")
	e.p.Release(d) // the enqueue failed
	if _, err := e.p.Check(t.Context(), Submission{Tenant: "council", To: "07400 123456"}); err != nil {
		t.Fatalf("after Release: %v", err)
	}
	// A Decision of yesterday gives nothing back today.
	e.clk.Set(e.clk.Now().Add(24 * time.Hour))
	d2, _ := e.p.Check(t.Context(), Submission{Tenant: "council", To: "07400 123456"})
	e.p.Release(d)
	if got := e.p.QuotaUsed("council"); got != 1 {
		t.Fatalf("stale release changed today's count: %d", got)
	}
	e.p.Release(d2)
	e.p.Release(Decision{Tenant: "council"}) // no reservation: nothing
	if got := e.p.QuotaUsed("council"); got != 0 {
		t.Fatalf("after release %d", got)
	}
}

func TestQuotaGainedOnReload(t *testing.T) {
	e := newEnv(t, quotaTenant(0))
	for range 3 {
		if err := e.send(spool.PriorityNormal); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.p.SetTenants([]Tenant{quotaTenant(3)}); err != nil {
		t.Fatal(err)
	}
	wantCode(t, e.send(spool.PriorityNormal), CodeQuotaExceeded, "")
	if err := e.p.SetTenants([]Tenant{quotaTenant(4)}); err != nil { // raised: the count stays
		t.Fatal(err)
	}
	if err := e.send(spool.PriorityNormal); err != nil {
		t.Fatal(err)
	}
	wantCode(t, e.send(spool.PriorityNormal), CodeQuotaExceeded, "")
}

// BenchmarkStartupCount measures New counting a tenant's day of 100,000
// MT messages (the quota counters' start-up cost).
func BenchmarkStartupCount(b *testing.B) {
	const n = 100_000
	e := newEnv(b, quotaTenant(1_000_000))
	ctx := context.Background()
	errs := make(chan error, 64)
	sem := make(chan struct{}, 64)
	for i := range n {
		sem <- struct{}{}
		go func() {
			defer func() { <-sem }()
			_, _, err := e.store.Enqueue(ctx, &spool.Message{Tenant: "council", From: "COUNCIL",
				To: fmt.Sprintf("+4474001%05d", i%100000), Body: "Bin day moved to Thursday", Source: "http:k"})
			if err != nil {
				select {
				case errs <- err:
				default:
				}
			}
		}()
	}
	for range cap(sem) {
		sem <- struct{}{}
	}
	select {
	case err := <-errs:
		b.Fatal(err)
	default:
	}
	b.ResetTimer()
	for b.Loop() {
		p, err := New(e.store, e.ts, Options{Now: e.clk.Now})
		if err != nil {
			b.Fatal(err)
		}
		if got := p.QuotaUsed("council"); got != n {
			b.Fatalf("counted %d, want %d", got, n)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/startup")
}
