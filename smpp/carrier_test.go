package smpp

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/smsgw/smsgw/spool"
	"github.com/smsgw/smsgw/spool/route"
)

// reportSink tells the test when a receipt was stored.
type reportSink struct {
	route.StoreSink
	reports chan spool.Report
}

func (s reportSink) Report(ctx context.Context, r spool.Report) error {
	err := s.StoreSink.Report(ctx, r)
	if err == nil || errors.Is(err, spool.ErrReportParked) { // parked: applied when the result is recorded
		s.reports <- r
	}
	return err
}

// TestCarrierAgainstOurServer: our carrier connector binds to our own
// SMPP server as its SMSC (a real peer over TCP): a long message goes out
// as UDH parts, each gets an id, and the far side's receipts come back
// as deliver_sm and close the message.
func TestCarrierAgainstOurServer(t *testing.T) {
	far := newServerRig(t) // the "carrier": our server over its own spool
	near, err := spool.Open(filepath.Join(t.TempDir(), "near.db"), spool.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer near.Close()
	sink := reportSink{StoreSink: route.StoreSink{Store: near}, reports: make(chan spool.Report, 10)}
	c := NewCarrier(CarrierOptions{Name: "carrier-a", Addr: far.addr, SystemID: "cad", Password: "s3cret",
		ReconnectMin: 20 * time.Millisecond}, sink)
	router, _ := route.New([]route.Rule{{Name: "all", Connectors: []string{"carrier-a"}}},
		[]route.Entry{{Connector: c, Enabled: true}}, route.Options{NoRouteWait: 20 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	defer func() { cancel(); wg.Wait() }()
	wg.Add(3)
	go func() { defer wg.Done(); c.Run(ctx) }()
	recorded := make(chan struct{}, 1)
	go func() {
		defer wg.Done()
		(&spool.Dispatcher{Store: near, Sender: router,
			Recorded: func(*spool.Message, spool.Result, error) {
				select {
				case recorded <- struct{}{}:
				default:
				}
			}}).Run(ctx)
	}()
	go func() { defer wg.Done(); (&spool.OutboxDispatcher{Store: far.store, Deliverer: far.srv}).Run(ctx) }()

	text := strings.Repeat("Boil water notice for the north district. ", 5) // 2 parts
	m, _, err := near.Enqueue(ctx, &spool.Message{Tenant: "psap-north", To: "+13195550123", Body: text})
	if err != nil {
		t.Fatal(err)
	}
	// The far side takes both parts; deliver them there.
	var farIDs []string
	deadline := time.After(10 * time.Second)
	for len(farIDs) < 2 {
		got, _ := far.store.Lease(ctx, 10, spool.PriorityNormal)
		for _, fm := range got {
			if fm.To != "+13195550123" || len(fm.UDH) != 6 {
				t.Fatalf("far side got %+v", fm)
			}
			far.store.Complete(ctx, fm.ID, 1, spool.Result{Connector: "handset", ProviderIDs: []string{fm.ID}})
			far.store.ApplyReport(ctx, spool.Report{Connector: "handset", ProviderID: fm.ID, State: spool.StateDelivered})
			farIDs = append(farIDs, fm.ID)
		}
		if len(got) == 0 {
			select {
			case <-far.store.Wake():
			case <-deadline:
				t.Fatalf("the far side got %d parts", len(farIDs))
			}
		}
	}
	// Both receipts and the send result (a receipt may overtake it: it is
	// parked and applied when the result is recorded).
	for range 2 {
		select {
		case <-sink.reports:
		case <-time.After(10 * time.Second):
			t.Fatal("no receipt came back")
		}
	}
	select {
	case <-recorded:
	case <-time.After(10 * time.Second):
		t.Fatal("the send result was never recorded")
	}
	got, _ := near.Get(m.ID)
	if got.State != spool.StateDelivered || len(got.Parts) != 2 || got.Connector != "carrier-a" {
		t.Fatalf("near message %s parts %+v", got.State, got.Parts)
	}
}

func TestParseReceiptText(t *testing.T) {
	p := receiptPDU(&spool.Message{ID: "6699", State: spool.StateUndelivered, To: "+1", Body: "x"})
	p.TLVFields() // keep TLVs: parse both ways below
	r, ok := parseReceipt(fromDeliverSM(p))
	if !ok || r.ProviderID != "6699" || r.State != spool.StateUndelivered {
		t.Fatalf("%+v %v", r, ok)
	}
	f := receiptFields("id:1A2B sub:001 dlvrd:000 submit date:2611221000 done date:2611221001 stat:EXPIRED err:027 text:hello")
	if f["id"] != "1A2B" || f["stat"] != "EXPIRED" || f["err"] != "027" {
		t.Fatalf("fields %v", f)
	}
}
