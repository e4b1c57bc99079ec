// Command smppload measures smsgw's SMPP server end to end on loopback:
// an ESME load generator (our session layer) binds to an in-process
// smpp.Server whose submits go into a real spool (fsync on every
// commit); a dispatcher sends them through the carrier connector to a
// second smpp.Server standing in for the carrier's SMSC (it acknowledges
// at once, storing nothing, as smscsim will); receipts
// are not generated yet (smscsim will). It prints a Markdown report.
//
//	go run ./bench/smppload [-dir DIR] [-d 3s]
//
// For each window (1, 10, 100 outstanding submit_sm): submits for -d,
// accepted messages/s (each submit_sm_resp sent only after the fsync),
// p50/p99/max submit_sm_resp latency, and how many reached the far SMSC.
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
	"github.com/smsgw/smsgw/spool"
	"github.com/smsgw/smsgw/spool/route"
)

// farSMSC stands in for the carrier's SMSC: it takes every submit at
// once, without storing it (smscsim will replace it).
type farSMSC struct{ n atomic.Int64 }

func (f *farSMSC) Submit(_ context.Context, m *spool.Message) (*spool.Message, error) {
	m.ID = fmt.Sprintf("%x", f.n.Add(1))
	return m, nil
}

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
	stop     func()
}

func startStack(dir string, window int) (*stack, error) {
	gw, err := spool.Open(filepath.Join(dir, fmt.Sprintf("gw-%d.db", window)), spool.Options{MaxQueued: 10_000_000})
	if err != nil {
		return nil, err
	}
	far := &farSMSC{}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	serve := func(sub smpp.Submitter, acct smpp.Account) (string, error) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return "", err
		}
		srv := smpp.NewServer(smpp.ServerOptions{Accounts: []smpp.Account{acct}, Session: smpp.SessionOptions{Inbound: 1000}}, sub)
		wg.Add(1)
		go func() { defer wg.Done(); srv.Serve(ctx, ln) }()
		return ln.Addr().String(), nil
	}
	gwAddr, err := serve(submitter{gw}, smpp.Account{SystemID: "load", Password: "pw", Tenant: "bench", MaxBinds: 8})
	if err != nil {
		cancel()
		return nil, err
	}
	farAddr, err := serve(far, smpp.Account{SystemID: "smsgw", Password: "pw", Tenant: "carrier", MaxBinds: 8})
	if err != nil {
		cancel()
		return nil, err
	}
	carrier := smpp.NewCarrier(smpp.CarrierOptions{Name: "carrier-a", Addr: farAddr, SystemID: "smsgw", Password: "pw",
		Session: smpp.SessionOptions{Window: 100}}, route.StoreSink{Store: gw})
	router, _ := route.New([]route.Rule{{Name: "all", Connectors: []string{"carrier-a"}}},
		[]route.Entry{{Connector: carrier, Enabled: true, MaxInFlight: 100}}, route.Options{})
	wg.Add(2)
	go func() { defer wg.Done(); carrier.Run(ctx) }()
	go func() { defer wg.Done(); (&spool.Dispatcher{Store: gw, Sender: router, Workers: 100}).Run(ctx) }()
	wctx, wcancel := context.WithTimeout(ctx, 10*time.Second)
	defer wcancel()
	if err := carrier.WaitReady(wctx, true); err != nil {
		cancel()
		return nil, fmt.Errorf("carrier never bound: %w", err)
	}
	return &stack{gw: gw, gwAddr: gwAddr, farCount: far.n.Load,
		stop: func() { cancel(); wg.Wait(); gw.Close() }}, nil
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
}

// load submits with window outstanding for d (paced at limit/s if > 0).
func load(st *stack, window int, d time.Duration, limit float64) (result, error) {
	c, err := net.Dial("tcp", st.gwAddr)
	if err != nil {
		return result{}, err
	}
	s := smpp.NewSession(c, func(s *smpp.Session, req pdu.Body) { s.Respond(req, pdu.NewDeliverSMResp()) },
		smpp.SessionOptions{Window: window, EnquireLink: -1})
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
	s.Close()
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
	return r, nil
}

func main() {
	dirFlag := flag.String("dir", "", "parent of the temporary spool files")
	dur := flag.Duration("d", 3*time.Second, "load per window")
	flag.Parse()
	dir, err := os.MkdirTemp(*dirFlag, "smppload")
	if err != nil {
		fatal(err)
	}
	defer os.RemoveAll(dir)
	fmt.Println("| window | accepted msgs/s (durable) | p50 ack | p99 ack | max ack | errors | at the SMSC | end-to-end msgs/s |")
	fmt.Println("|---:|---:|---:|---:|---:|---:|---:|---:|")
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
		fmt.Printf("| %d | %.0f | %s | %s | %s | %d | %d | %.0f |\n", r.window, r.rate, ms(r.p50), ms(r.p99), ms(r.max), r.errors, r.atSMSC, r.atSMSCRate)
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
