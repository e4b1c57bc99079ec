// Command smppload measures smsgw's SMPP side end to end on loopback:
// an ESME load generator (our session layer) binds to an in-process
// smpp.Server whose submits go into a real spool (fsync on every
// commit); a dispatcher sends them through the carrier connector to the
// simulated carrier SMSC (smpp/smscsim), which answers at once and sends
// a delivery receipt for each; the connector stores the receipts, and the
// spool's outbox returns each to the load generator as a deliver_sm. It
// prints a Markdown report.
//
//	go run ./bench/smppload [-dir DIR] [-d 3s]
//
// For each window (1, 10, 100 outstanding submit_sm): submits for -d,
// accepted messages/s (each submit_sm_resp sent only after the fsync),
// p50/p99/max submit_sm_resp latency, how many reached the SMSC, and how
// many receipts came back to the load generator.
// Then a paced run at 1,000 submits/s with window 100 for the p99 ack.
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fiorix/go-smpp/smpp/pdu"
	"github.com/fiorix/go-smpp/smpp/pdu/pdufield"
	"github.com/fiorix/go-smpp/smpp/pdu/pdutext"
	"golang.org/x/time/rate"

	"github.com/smsgw/smsgw/smpp"
	"github.com/smsgw/smsgw/smpp/smscsim"
	"github.com/smsgw/smsgw/spool"
	"github.com/smsgw/smsgw/spool/route"
)

type submitter struct{ s *spool.Store }

func (ss submitter) Submit(ctx context.Context, m *spool.Message) (*spool.Message, error) {
	stored, _, err := ss.s.Enqueue(ctx, m)
	return stored, err
}

// stack is our gateway (server, spool, dispatcher, carrier) and the far
// SMSC (a second server that acknowledges without storing).
type stack struct {
	gw, far  *spool.Store
	gwAddr   string
	farCount func() int64
	receipts atomic.Int64 // deliver_sm receipts the load generator took
	sim      *smscsim.Server
	stop     func()
}

func startStack(dir string, window int) (*stack, error) {
	gw, err := spool.Open(filepath.Join(dir, fmt.Sprintf("gw-%d.db", window)), spool.Options{MaxQueued: 10_000_000, CommitDelay: *commitDelay})
	if err != nil {
		return nil, err
	}
	sim, err := smscsim.New(smscsim.Options{Accounts: []smscsim.Account{{SystemID: "smsgw", Password: "pw"}},
		IDFormat: smscsim.IDHexLower, ReceiptIDFormat: smscsim.IDDecimal, Window: 100})
	if err != nil {
		gw.Close()
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		cancel()
		return nil, err
	}
	srv := smpp.NewServer(smpp.ServerOptions{Accounts: []smpp.Account{{SystemID: "load", Password: "pw", Tenant: "bench", MaxBinds: 8}},
		Session: smpp.SessionOptions{Inbound: 1000, Window: 100}}, submitter{gw})
	wg.Add(1)
	go func() { defer wg.Done(); srv.Serve(ctx, ln) }()
	gwAddr, farAddr := ln.Addr().String(), sim.Addr()
	carrier := smpp.NewCarrier(smpp.CarrierOptions{Name: "carrier-a", Addr: farAddr, SystemID: "smsgw", Password: "pw",
		Session: smpp.SessionOptions{Window: 100}, ReceiptIDs: smpp.ReceiptIDsHexToDecimal}, route.StoreSink{Store: gw})
	router, _ := route.New([]route.Rule{{Name: "all", Connectors: []string{"carrier-a"}}},
		[]route.Entry{{Connector: carrier, Enabled: true, MaxInFlight: 100}}, route.Options{})
	wg.Add(3)
	go func() { defer wg.Done(); carrier.Run(ctx) }()
	go func() { defer wg.Done(); (&spool.Dispatcher{Store: gw, Sender: router, Workers: 100}).Run(ctx) }()
	go func() { defer wg.Done(); (&spool.OutboxDispatcher{Store: gw, Deliverer: srv}).Run(ctx) }()
	wctx, wcancel := context.WithTimeout(ctx, 10*time.Second)
	defer wcancel()
	if err := carrier.WaitReady(wctx, true); err != nil {
		cancel()
		return nil, fmt.Errorf("carrier never bound: %w", err)
	}
	return &stack{gw: gw, gwAddr: gwAddr, sim: sim, farCount: func() int64 { return int64(len(sim.Submits())) },
		stop: func() { cancel(); wg.Wait(); gw.Close(); sim.Close() }}, nil
}

// result of one load run.
type result struct {
	window     int
	sent       int
	rate       float64
	p50, p99   time.Duration
	max        time.Duration
	errors     int
	atSMSC     int64
	atSMSCRate float64
	receipts   int64
	rcptRate   float64
}

var commitDelay = new(time.Duration)

// load submits with window outstanding for d (paced at limit/s if > 0).
func load(st *stack, window int, d time.Duration, limit float64) (result, error) {
	c, err := net.Dial("tcp", st.gwAddr)
	if err != nil {
		return result{}, err
	}
	s := smpp.NewSession(c, func(s *smpp.Session, req pdu.Body) {
		s.Respond(req, pdu.NewDeliverSMResp())
		if f := req.Fields()[pdufield.ESMClass]; f != nil && f.Bytes()[0]&0x04 != 0 {
			st.receipts.Add(1)
		}
	}, smpp.SessionOptions{Window: window, EnquireLink: -1, Inbound: 1000})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go s.Run(ctx)
	bind := pdu.NewBindTransceiver()
	bind.Fields().Set(pdufield.SystemID, "load")
	bind.Fields().Set(pdufield.Password, "pw")
	if _, err := s.Request(ctx, bind); err != nil {
		return result{}, fmt.Errorf("bind: %w", err)
	}
	var lim *rate.Limiter
	if limit > 0 {
		lim = rate.NewLimiter(rate.Limit(limit), 1)
	}
	var mu sync.Mutex
	var lat []time.Duration
	var errs atomic.Int64
	end := time.Now().Add(d)
	start := time.Now()
	var wg sync.WaitGroup
	for w := 0; w < window; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; time.Now().Before(end); i++ {
				if lim != nil && lim.Wait(ctx) != nil {
					return
				}
				p := pdu.NewSubmitSM(nil)
				f := p.Fields()
				f.Set(pdufield.DestinationAddr, fmt.Sprintf("1319555%04d", i%10000))
				f.Set(pdufield.DestAddrTON, uint8(1))
				f.Set(pdufield.RegisteredDelivery, uint8(1))
				f.Set(pdufield.ShortMessage, pdutext.Raw("Load test message from the benchmark, 60 characters long."))
				t0 := time.Now()
				_, err := s.Request(ctx, p)
				if err != nil {
					errs.Add(1)
					continue
				}
				el := time.Since(t0)
				mu.Lock()
				lat = append(lat, el)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	slices.Sort(lat)
	r := result{window: window, sent: len(lat), rate: float64(len(lat)) / elapsed.Seconds(), errors: int(errs.Load())}
	if len(lat) > 0 {
		r.p50, r.p99, r.max = lat[len(lat)/2], lat[len(lat)*99/100], lat[len(lat)-1]
	}
	// Wait (bounded) for the dispatcher to hand everything to the far SMSC.
	deadline := time.Now().Add(30 * time.Second)
	for st.farCount() < int64(r.sent) && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond) // polling another spool's count: a benchmark, not a test
	}
	r.atSMSC = st.farCount()
	r.atSMSCRate = float64(r.atSMSC) / time.Since(start).Seconds()
	// And for the receipts to come back to the load generator.
	deadline = time.Now().Add(30 * time.Second)
	for st.receipts.Load() < int64(r.sent) && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	r.receipts = st.receipts.Load()
	if stats, err := st.gw.Stats(); err == nil && r.receipts < int64(r.sent) {
		unacked, statuses := 0, map[uint32]int{}
		for _, d := range st.sim.Deliveries() {
			if !d.Acked {
				unacked++
				statuses[uint32(d.Status)]++
			}
		}
		fmt.Fprintf(os.Stderr, "window %d: receipts missing; spool states %v, outbox %d; at the SMSC %d receipts unacknowledged (statuses %v)\n",
			window, stats.States, stats.Outbox, unacked, statuses)
		if os.Getenv("SMPPLOAD_DEBUG") != "" {
			pg, _ := st.gw.List(spool.Filter{State: spool.StateSent}, "", 3)
			for _, m := range pg.Messages {
				fmt.Fprintf(os.Stderr, "  %s parts %+v timeline %+v\n", m.ID, m.Parts, m.Timeline)
			}
		}
	}
	r.rcptRate = float64(r.receipts) / time.Since(start).Seconds()
	s.Close()
	return r, nil
}

func main() {
	dirFlag := flag.String("dir", "", "parent of the temporary spool files")
	commitDelay = flag.Duration("commit-delay", 0, "the spool's CommitDelay (0: its default, negative: never hold a commit)")
	dur := flag.Duration("d", 3*time.Second, "load per window")
	flag.Parse()
	dir, err := os.MkdirTemp(*dirFlag, "smppload")
	if err != nil {
		fatal(err)
	}
	defer os.RemoveAll(dir)
	fmt.Println("| window | accepted msgs/s (durable) | p50 ack | p99 ack | max ack | errors | at the SMSC | end-to-end msgs/s | receipts back | receipts/s |")
	fmt.Println("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, w := range []int{1, 10, 100} {
		st, err := startStack(dir, w)
		if err != nil {
			fatal(err)
		}
		r, err := load(st, w, *dur, 0)
		st.stop()
		if err != nil {
			fatal(err)
		}
		fmt.Printf("| %d | %.0f | %s | %s | %s | %d | %d | %.0f | %d | %.0f |\n", r.window, r.rate, ms(r.p50), ms(r.p99), ms(r.max),
			r.errors, r.atSMSC, r.atSMSCRate, r.receipts, r.rcptRate)
	}
	st, err := startStack(dir, 1000)
	if err != nil {
		fatal(err)
	}
	r, err := load(st, 100, *dur, 1000)
	st.stop()
	if err != nil {
		fatal(err)
	}
	fmt.Printf("\nPaced at 1,000 submits/s, window 100: %.0f accepted/s, p50 %s, p99 **%s**, max %s, %d errors.\n",
		r.rate, ms(r.p50), ms(r.p99), ms(r.max), r.errors)
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000) }

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "smppload:", err)
	os.Exit(1)
}
