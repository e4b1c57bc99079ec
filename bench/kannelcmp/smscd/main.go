// Command smscd runs the simulated carrier SMSC (smpp/smscsim) as a
// standalone process, so that smsgw and Kannel can be measured against
// the same carrier, and counts what reaches it.
//
//	smscd [-addr 127.0.0.1:0] [-system-id bench] [-password bench]
//	      [-throttle N] [-receipts on|off] [-stats 127.0.0.1:0]
//
// It prints "smsc_addr=HOST:PORT" and "stats_addr=HOST:PORT" on standard
// output once both listen. GET /stats on the stats address answers JSON:
// submit_sm accepted and throttled, the time of the first and last
// accepted one, receipts sent and acknowledged, binds, and the callbacks
// the gateways made to this process's /dlr (Kannel's dlr-url) and
// /webhook (smsgw's tenant webhook) endpoints, which answer 200 and only
// count. GET /series answers the accepted submits per whole second since
// the first.
//
// The counts come from the simulator's PDU trace (one line per PDU), so
// no per-submit copy of its records is ever taken. It stops on SIGTERM or
// SIGINT, or by itself after -lifetime.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/smsgw/smsgw/smpp/smscsim"
)

// stats are the counters /stats reports.
type stats struct {
	Accepted      int64 `json:"accepted"`        // submit_sm answered with status 0
	Throttled     int64 `json:"throttled"`       // submit_sm answered ESME_RTHROTTLED
	Refused       int64 `json:"refused"`         // submit_sm answered with another error
	FirstAcceptNs int64 `json:"first_accept_ns"` // unix ns of the first accepted submit_sm
	LastAcceptNs  int64 `json:"last_accept_ns"`  // unix ns of the last one
	ReceiptsSent  int64 `json:"receipts_sent"`   // deliver_sm written
	ReceiptsAcked int64 `json:"receipts_acked"`  // deliver_sm_resp status 0
	ReceiptsNack  int64 `json:"receipts_nacked"` // deliver_sm_resp with an error (held until a new bind)
	Bound         int   `json:"bound"`           // sessions bound now
	DLRCallbacks  int64 `json:"dlr_callbacks"`   // requests to /dlr
	Webhooks      int64 `json:"webhooks"`        // requests to /webhook
}

// counter is the simulator's Trace writer: it counts PDUs by kind.
type counter struct {
	mu     sync.Mutex
	s      stats
	series []int64 // accepted submits per second since the first
}

var (
	outResp   = []byte(" out SubmitSMResp ")
	outDlv    = []byte(" out DeliverSM ")
	inDlvResp = []byte(" in  DeliverSMResp ")
	statusOK  = []byte(" status=0x0 ")
	throttled = []byte(" status=0x58 ")
)

// Write takes one trace line (the simulator writes each with one call).
func (c *counter) Write(p []byte) (int, error) {
	switch {
	case bytes.Contains(p, outResp):
		now := time.Now().UnixNano()
		c.mu.Lock()
		switch {
		case bytes.Contains(p, statusOK):
			c.s.Accepted++
			if c.s.FirstAcceptNs == 0 {
				c.s.FirstAcceptNs = now
			}
			c.s.LastAcceptNs = now
			sec := int((now - c.s.FirstAcceptNs) / int64(time.Second))
			for len(c.series) <= sec {
				c.series = append(c.series, 0)
			}
			c.series[sec]++
		case bytes.Contains(p, throttled):
			c.s.Throttled++
		default:
			c.s.Refused++
		}
		c.mu.Unlock()
	case bytes.Contains(p, outDlv):
		c.mu.Lock()
		c.s.ReceiptsSent++
		c.mu.Unlock()
	case bytes.Contains(p, inDlvResp):
		c.mu.Lock()
		if bytes.Contains(p, statusOK) {
			c.s.ReceiptsAcked++
		} else {
			c.s.ReceiptsNack++
		}
		c.mu.Unlock()
	}
	return len(p), nil
}

func (c *counter) snapshot() (stats, []int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.s, append([]int64(nil), c.series...)
}

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "SMPP listen address")
	statsAddr := flag.String("stats", "127.0.0.1:0", "HTTP listen address of /stats, /series, /dlr and /webhook")
	sysID := flag.String("system-id", "bench", "system_id accepted in binds")
	password := flag.String("password", "bench", "password accepted in binds")
	throttle := flag.Int("throttle", 0, "answer ESME_RTHROTTLED above this many accepted submit_sm per second; 0: no limit")
	receipts := flag.String("receipts", "on", "on: a delivery receipt right after each submit_sm that asks for one; off: none")
	lifetime := flag.Duration("lifetime", 30*time.Minute, "stop by itself after this long")
	window := flag.Int("window", 100, "deliver_sm (receipts) outstanding per session, as a real SMSC's window; 0: no bound")
	redeliver := flag.Duration("redeliver", 5*time.Second, "send a refused deliver_sm again after this long, as a real SMSC retries; 0: only after a rebind")
	flag.Parse()
	log.SetPrefix("smscd: ")
	log.SetFlags(0)

	var delay time.Duration
	switch *receipts {
	case "on":
	case "off":
		delay = 1000 * time.Hour // scheduled, never sent: Close cancels them
	default:
		log.Fatalf("-receipts %q: want on or off", *receipts)
	}
	if !validLoopback(*addr) || !validLoopback(*statsAddr) {
		log.Fatalf("-addr and -stats must be on 127.0.0.1")
	}

	var c counter
	var dlr, hooks atomic.Int64
	sim, err := smscsim.New(smscsim.Options{
		Addr:         *addr,
		Accounts:     []smscsim.Account{{SystemID: *sysID, Password: *password}},
		ReceiptDelay: delay,
		Window:       *window,
		Redeliver:    *redeliver,
		Trace:        &c,
	})
	if err != nil {
		log.Fatal(err)
	}
	defer sim.Close()
	sim.SetThrottle(*throttle)

	ln, err := net.Listen("tcp", *statsAddr)
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /stats", func(w http.ResponseWriter, _ *http.Request) {
		s, _ := c.snapshot()
		s.Bound = sim.Bound()
		s.DLRCallbacks, s.Webhooks = dlr.Load(), hooks.Load()
		writeJSON(w, s)
	})
	mux.HandleFunc("GET /series", func(w http.ResponseWriter, _ *http.Request) {
		_, series := c.snapshot()
		writeJSON(w, series)
	})
	mux.HandleFunc("/dlr", func(w http.ResponseWriter, _ *http.Request) { dlr.Add(1) })
	mux.HandleFunc("/webhook", func(w http.ResponseWriter, r *http.Request) {
		var sink [512]byte
		for {
			if _, err := r.Body.Read(sink[:]); err != nil {
				break
			}
		}
		hooks.Add(1)
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()

	fmt.Printf("smsc_addr=%s\nstats_addr=%s\n", sim.Addr(), ln.Addr())
	os.Stdout.Sync()

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	select {
	case s := <-sig:
		log.Printf("%v: stopping", s)
	case <-time.After(*lifetime):
		log.Printf("lifetime %v over: stopping", *lifetime)
	}
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

// validLoopback says whether addr is a host:port on a loopback address.
func validLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return host == "localhost" || ip != nil && ip.IsLoopback()
}
