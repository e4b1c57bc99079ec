package modem_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/smsgw/smsgw/modem"
	"github.com/smsgw/smsgw/modem/modemsim"
	"github.com/smsgw/smsgw/spool"
	"github.com/smsgw/smsgw/spool/route"
)

// BenchmarkSendOneModem: Modem.Send of a one-part message through the
// simulator with no network delay: the connector's and the pty's own
// time per message (encode, AT+CMGS, prompt, PDU, answer).
func BenchmarkSendOneModem(b *testing.B) {
	r := newRig(b, modemsim.Options{SendDelay: -1}, modem.Options{})
	r.waitReady(b, true)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		m := &spool.Message{ID: ulid.Make().String(), To: "+13195550123", Body: fmt.Sprintf("benchmark message %d", i)}
		if _, err := r.modem.Send(ctx, m); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

// BenchmarkPool: messages through a pool of 1, 2 and 4 modems with the
// simulator's realistic 300 ms per send, through spool, dispatcher and a
// balanced rule. Run with -benchtime 1x: each size sends 12 messages per
// modem once.
func BenchmarkPool(b *testing.B) {
	for _, n := range []int{1, 2, 4} {
		b.Run(fmt.Sprintf("modems=%d", n), func(b *testing.B) {
			perModem := 12
			rate := poolRate(b, n, perModem*n)
			b.ReportMetric(rate, "msgs/s")
			b.ReportMetric(rate/float64(n), "msgs/s/modem")
		})
	}
}

func poolRate(b *testing.B, n, total int) float64 {
	store, err := spool.Open(filepath.Join(b.TempDir(), "spool.db"), spool.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	sink := route.StoreSink{Store: store}
	var entries []route.Entry
	var names []string
	var modems []*modem.Modem
	for i := range n {
		sim, err := modemsim.New(modemsim.Options{RegistrationDelay: -1})
		if err != nil {
			b.Fatal(err)
		}
		defer sim.Close()
		m := modem.New(modem.Options{Name: fmt.Sprintf("modem-%d", i+1), Port: sim.Path()}, sink)
		modems = append(modems, m)
		names = append(names, m.Name())
		entries = append(entries, route.Entry{Connector: m, Enabled: true, MaxInFlight: 1})
	}
	router, err := route.New([]route.Rule{{Name: "pool", Balance: true, Connectors: names}}, entries,
		route.Options{BusyWait: 5 * time.Millisecond})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for _, m := range modems {
		wg.Add(1)
		go func() { defer wg.Done(); m.Run(ctx) }()
	}
	for _, m := range modems {
		if err := m.WaitReady(ctxT2(b), true); err != nil {
			b.Fatal(err)
		}
	}
	recorded := make(chan spool.Result, total*4)
	wg.Add(1)
	go func() {
		defer wg.Done()
		(&spool.Dispatcher{Store: store, Sender: router, Workers: 16,
			Recorded: func(_ *spool.Message, r spool.Result, _ error) { recorded <- r }}).Run(ctx)
	}()
	defer func() { cancel(); wg.Wait() }()
	start := time.Now()
	for i := range total {
		if _, _, err := store.Enqueue(ctx, &spool.Message{Tenant: "t", To: "+13195550123", Body: fmt.Sprintf("pool %d", i)}); err != nil {
			b.Fatal(err)
		}
	}
	timeout := time.After(60 * time.Second)
	for sent := 0; sent < total; {
		select {
		case r := <-recorded:
			if r.Err == nil && len(r.ProviderIDs) > 0 {
				sent++
			}
		case <-timeout:
			b.Fatalf("sent %d of %d", sent, total)
		}
	}
	return float64(total) / time.Since(start).Seconds()
}

func ctxT2(b *testing.B) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	b.Cleanup(cancel)
	return ctx
}
