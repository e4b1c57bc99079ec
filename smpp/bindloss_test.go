package smpp

import (
	"context"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fiorix/go-smpp/smpp/pdu"
	"github.com/fiorix/go-smpp/smpp/pdu/pdufield"

	"github.com/smsgw/smsgw/spool"
	"github.com/smsgw/smsgw/spool/route"
)

// flakySMSC answers binds and submits; on its first connection it stops
// answering after 5 submits and drops the connection at the 10th, with
// submits in flight.
type flakySMSC struct {
	ln    net.Listener
	conns atomic.Int32
	n     atomic.Int64
	mu    sync.Mutex
	got   map[string]int // destination → submits received
}

func (f *flakySMSC) serve(ctx context.Context) {
	for {
		c, err := f.ln.Accept()
		if err != nil {
			return
		}
		first := f.conns.Add(1) == 1
		var seen atomic.Int32
		s := NewSession(c, func(s *Session, req pdu.Body) {
			switch req.Header().ID {
			case pdu.BindTransceiverID:
				s.Respond(req, pdu.NewBindTransceiverResp())
			case pdu.SubmitSMID:
				f.mu.Lock()
				f.got[strField(req.Fields(), pdufield.DestinationAddr)]++
				f.mu.Unlock()
				k := seen.Add(1)
				if first && k > 5 {
					if k == 10 {
						s.Close() // the bind is lost with submits in flight
					}
					return // no answer
				}
				resp := pdu.NewSubmitSMResp()
				resp.Fields().Set(pdufield.MessageID, fmt.Sprint(f.n.Add(1)))
				s.Respond(req, resp)
			}
		}, SessionOptions{EnquireLink: -1})
		go s.Run(ctx)
	}
}

func TestBindLossMidWindowLosesNothing(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	far := &flakySMSC{ln: ln, got: map[string]int{}}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go far.serve(ctx)
	defer ln.Close()

	near, _ := spool.Open(filepath.Join(t.TempDir(), "near.db"), spool.Options{
		Retry: spool.RetryPolicy{Base: 10 * time.Millisecond, Max: 50 * time.Millisecond}})
	defer near.Close()
	c := NewCarrier(CarrierOptions{Name: "carrier-a", Addr: ln.Addr().String(), SystemID: "x", Password: "y",
		Session: SessionOptions{Window: 10}, ReconnectMin: 10 * time.Millisecond}, route.StoreSink{Store: near})
	router, _ := route.New([]route.Rule{{Name: "all", Connectors: []string{"carrier-a"}}},
		[]route.Entry{{Connector: c, Enabled: true, MaxInFlight: 10}}, route.Options{NoRouteWait: 10 * time.Millisecond})
	recorded := make(chan spool.Result, 200)
	var wg sync.WaitGroup
	rctx, rcancel := context.WithCancel(ctx)
	defer func() { rcancel(); wg.Wait() }()
	wg.Add(2)
	go func() { defer wg.Done(); c.Run(rctx) }()
	go func() {
		defer wg.Done()
		(&spool.Dispatcher{Store: near, Sender: router, Workers: 10,
			Recorded: func(_ *spool.Message, r spool.Result, _ error) { recorded <- r }}).Run(rctx)
	}()
	const total = 30
	var ids []string
	for i := range total {
		m, _, err := near.Enqueue(ctx, &spool.Message{Tenant: "t", To: fmt.Sprintf("+1319555%04d", i), Body: "x"})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, m.ID)
	}
	timeout := time.After(20 * time.Second)
	for sent := 0; sent < total; {
		select {
		case r := <-recorded:
			if r.Err == nil && len(r.ProviderIDs) == 1 {
				sent++
			}
		case <-timeout:
			t.Fatalf("%d of %d sent", sent, total)
		}
	}
	dups := 0
	for _, id := range ids {
		m, _ := near.Get(id)
		if m.State != spool.StateSent {
			t.Fatalf("%s is %s", id, m.State)
		}
		for _, e := range m.Timeline {
			if strings.Contains(e.Detail, "possible duplicate") {
				dups++
				break
			}
		}
	}
	far.mu.Lock()
	defer far.mu.Unlock()
	if len(far.got) != total {
		t.Fatalf("the SMSC saw %d destinations, want %d", len(far.got), total)
	}
	resent := 0
	for _, n := range far.got {
		resent += n - 1
	}
	if dups < resent || far.conns.Load() < 2 {
		t.Fatalf("%d resent to the SMSC but %d flagged as possible duplicates; %d binds", resent, dups, far.conns.Load())
	}
	t.Logf("bind lost with %d unanswered in flight: all %d sent, %d resent, %d flagged possible duplicate", 5, total, resent, dups)
}
