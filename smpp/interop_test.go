package smpp

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/smsgw/smsgw/spool"
	"github.com/smsgw/smsgw/spool/route"
)

// npmSMPP finds the npm package `smpp`: .ci/run installs it under
// .ci/npm; SMSGW_NPM_DIR may name another node_modules parent.
func npmSMPP(t *testing.T) (node, dir string) {
	t.Helper()
	node, err := exec.LookPath("node")
	dir = os.Getenv("SMSGW_NPM_DIR")
	if dir == "" {
		dir, _ = filepath.Abs("../.ci/npm")
	}
	_, statErr := os.Stat(filepath.Join(dir, "node_modules", "smpp"))
	if err != nil || statErr != nil {
		if os.Getenv("SMSGW_REQUIRE_INTEROP") != "" {
			t.Fatalf("node or the npm package smpp missing (node: %v, %s: %v)", err, dir, statErr)
		}
		t.Skip("node or the npm package smpp not installed (.ci/run installs them)")
	}
	return node, dir
}

type npmEvent struct {
	Event     string `json:"event"`
	Status    int    `json:"status"`
	ID        string `json:"id"`
	Text      string `json:"text"`
	EsmClass  int    `json:"esm_class"`
	Receipted string `json:"receipted"`
	State     int    `json:"state"`
	Error     string `json:"error"`
	SMLength  int    `json:"sm_length"`
	Payload   bool   `json:"payload"`
}

// TestInteropNpmESME: the npm package smpp as an upstream application
// against our server: bind, submit, a two-part message, a data_sm, a
// delivery receipt and an MO message received.
func TestInteropNpmESME(t *testing.T) {
	node, dir := npmSMPP(t)
	// The npm package writes GSM 03.38 under data_coding 1 (IA5): the
	// account says so (ia5_alphabet: gsm7), and "@ $ _" arrive intact.
	r := newServerRig(t, func(o *ServerOptions) { o.Accounts[0].IA5Alphabet = AlphabetGSM7 })
	host, port, _ := net.SplitHostPort(r.addr)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	script, _ := filepath.Abs("testdata/npm_esme.js")
	cmd := exec.CommandContext(ctx, node, script, host, port)
	cmd.Env = append(os.Environ(), "NODE_PATH="+filepath.Join(dir, "node_modules"))
	cmd.Stderr = os.Stderr
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	events := make(chan npmEvent, 20)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			var e npmEvent
			if json.Unmarshal(sc.Bytes(), &e) == nil {
				events <- e
			}
		}
		close(events)
	}()
	next := func(want string) npmEvent {
		t.Helper()
		for e := range events {
			if e.Event == "error" {
				t.Fatalf("node: %s", e.Error)
			}
			if e.Event == want {
				return e
			}
		}
		t.Fatalf("node ended before %s", want)
		return npmEvent{}
	}
	if e := next("bind"); e.Status != 0 {
		t.Fatalf("bind status %d", e.Status)
	}
	sub := next("submit")
	m, err := r.store.Get(sub.ID)
	if sub.Status != 0 || err != nil || m.Body != "Hello from node: a@b $5 _1" || m.To != "+13195550123" || !m.ReportReq {
		t.Fatalf("submit %+v stored %+v %v", sub, m, err)
	}
	for range 2 {
		if e := next("submit_part"); e.Status != 0 || e.ID == "" {
			t.Fatalf("part %+v", e)
		}
	}
	ds := next("data_sm")
	if dm, err := r.store.Get(ds.ID); ds.Status != 0 || err != nil || dm.Body != "data_sm from node: a@b" || !dm.ReportReq {
		t.Fatalf("data_sm %+v stored %+v %v", ds, dm, err)
	}
	// Deliver the first message and send an MO; both reach node.
	octx, ocancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { (&spool.OutboxDispatcher{Store: r.store, Deliverer: r.srv}).Run(octx); close(done) }()
	defer func() { ocancel(); <-done }()
	for {
		leased, _ := r.store.Lease(ctx, 10, spool.PriorityNormal)
		found := false
		for _, l := range leased {
			r.store.Complete(ctx, l.ID, l.Attempts, spool.Result{Connector: "c", ProviderIDs: []string{l.ID}})
			found = found || l.ID == sub.ID
		}
		if found {
			break
		}
	}
	r.store.ApplyReport(ctx, spool.Report{Connector: "c", ProviderID: sub.ID, State: spool.StateDelivered})
	if e := next("deliver_sm"); e.EsmClass != 4 || e.Receipted != sub.ID || e.State != 2 {
		t.Fatalf("receipt %+v", e)
	}
	r.store.Receive(ctx, &spool.Message{Tenant: "psap-north", From: "+13195550199", To: "+13195550100", Body: "Need help at 12 Elm"}, "smpp:cad")
	if e := next("deliver_sm"); e.EsmClass != 0 || e.Text != "Need help at 12 Elm" || e.Payload {
		t.Fatalf("MO %+v", e)
	}
	// A long text (three parts joined, UCS-2 for the dash: 382 octets)
	// does not fit short_message: it comes whole in message_payload.
	long := strings.Repeat("Smoke on the 3rd floor – ", 7) + "send help"
	r.store.Receive(ctx, &spool.Message{Tenant: "psap-north", From: "+13195550199", To: "+13195550100", Body: long}, "smpp:cad")
	if e := next("deliver_sm"); e.Text != long || !e.Payload || e.SMLength != 0 {
		t.Fatalf("long MO %+v, want the whole text in message_payload", e)
	}
}

// TestInteropNpmSMSC: the npm package smpp as the carrier's SMSC for our
// carrier connector: bind, submit (id in hex), the receipt (id in the
// TLV, decimal in the text) delivers the message, and an MO arrives.
func TestInteropNpmSMSC(t *testing.T) {
	node, dir := npmSMPP(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	script, _ := filepath.Abs("testdata/npm_smsc.js")
	cmd := exec.CommandContext(ctx, node, script)
	cmd.Env = append(os.Environ(), "NODE_PATH="+filepath.Join(dir, "node_modules"))
	cmd.Stderr = os.Stderr
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	events := make(chan map[string]any, 20)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			var e map[string]any
			if json.Unmarshal(sc.Bytes(), &e) == nil {
				events <- e
			}
		}
		close(events)
	}()
	first := <-events
	if first["event"] != "listening" {
		t.Fatalf("node: %v", first)
	}
	addr := net.JoinHostPort("127.0.0.1", fmt.Sprint(first["port"]))

	near, err := spool.Open(filepath.Join(t.TempDir(), "near.db"), spool.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer near.Close()
	sink := &inboundSink{reportSink: reportSink{StoreSink: route.StoreSink{Store: near}, reports: make(chan spool.Report, 10)},
		inbound: make(chan *spool.Message, 10)}
	c := NewCarrier(CarrierOptions{Name: "carrier-a", Addr: addr, SystemID: "smsgw", Password: "pw",
		ReconnectMin: 20 * time.Millisecond}, sink)
	router, _ := route.New([]route.Rule{{Name: "all", Connectors: []string{"carrier-a"}}},
		[]route.Entry{{Connector: c, Enabled: true}}, route.Options{NoRouteWait: 20 * time.Millisecond})
	rctx, rcancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() { rcancel(); wg.Wait() }()
	wg.Add(2)
	go func() { defer wg.Done(); c.Run(rctx) }()
	go func() { defer wg.Done(); (&spool.Dispatcher{Store: near, Sender: router}).Run(rctx) }()

	select {
	case mo := <-sink.inbound:
		if mo.Body != "MO from node" || mo.From != "13195550199" {
			t.Fatalf("MO %+v", mo)
		}
	case <-ctx.Done():
		t.Fatal("no MO")
	}
	m, _, err := near.Enqueue(ctx, &spool.Message{Tenant: "t", To: "+13195550123", Body: "Shelter at Lincoln High"})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case r := <-sink.reports:
		if r.State != spool.StateDelivered {
			t.Fatalf("report %+v", r)
		}
	case <-ctx.Done():
		t.Fatal("no receipt")
	}
	got, _ := near.Get(m.ID)
	if got.State != spool.StateDelivered || len(got.Parts) != 1 || got.Parts[0].ProviderID != "1A2B" {
		t.Fatalf("message %s parts %+v", got.State, got.Parts)
	}
}

// inboundSink also signals stored MO.
type inboundSink struct {
	reportSink
	inbound chan *spool.Message
}

func (s *inboundSink) Inbound(ctx context.Context, mo *spool.Message) error {
	if err := s.StoreSink.Inbound(ctx, mo); err != nil {
		return err
	}
	s.inbound <- mo
	return nil
}
