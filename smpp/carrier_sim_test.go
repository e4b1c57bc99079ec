package smpp

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fiorix/go-smpp/smpp/pdu/pdutlv"

	"github.com/smsgw/smsgw/smpp/smscsim"
	"github.com/smsgw/smsgw/spool"
	"github.com/smsgw/smsgw/spool/route"
)

// simRig is the carrier connector in front of a spool, dispatching to
// the simulated SMSC (smscsim) over TCP on loopback.
type simRig struct {
	sim    *smscsim.Server
	store  *spool.Store
	c      *Carrier
	events chan struct{} // a receipt or an MO was stored
	mos    chan *spool.Message
	sent   int // messages enqueued so far: each gets its own recipient
}

// eventSink signals each stored receipt and MO.
type eventSink struct {
	route.StoreSink
	events chan struct{}
	mos    chan *spool.Message
}

func (s eventSink) Report(ctx context.Context, r spool.Report) error {
	err := s.StoreSink.Report(ctx, r)
	select {
	case s.events <- struct{}{}:
	default:
	}
	return err
}

func (r *simRig) signal() {
	select {
	case r.events <- struct{}{}:
	default:
	}
}

func (s eventSink) Inbound(ctx context.Context, mo *spool.Message) error {
	err := s.StoreSink.Inbound(ctx, mo)
	if err == nil {
		s.mos <- mo
	}
	return err
}

func newSimRig(t *testing.T, so smscsim.Options, co CarrierOptions) *simRig {
	t.Helper()
	sim, err := smscsim.New(so)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	return startCarrier(t, sim, openSpool(t), co)
}

// startCarrier runs a carrier connector for sim over store, with a
// dispatcher, until the test ends.
func startCarrier(t *testing.T, sim *smscsim.Server, store *spool.Store, co CarrierOptions) *simRig {
	t.Helper()
	r := &simRig{sim: sim, store: store, events: make(chan struct{}, 10000), mos: make(chan *spool.Message, 100)}
	co.Name, co.Addr = "carrier-a", sim.Addr()
	if co.SystemID == "" {
		co.SystemID, co.Password = smscsim.DefaultSystemID, smscsim.DefaultPassword
	}
	if co.ReconnectMin == 0 {
		co.ReconnectMin, co.ReconnectMax = 10*time.Millisecond, 50*time.Millisecond
	}
	co.Session.EnquireLink = -1
	r.c = NewCarrier(co, eventSink{StoreSink: route.StoreSink{Store: store}, events: r.events, mos: r.mos})
	router, err := route.New([]route.Rule{{Name: "all", Connectors: []string{"carrier-a"}}},
		[]route.Entry{{Connector: r.c, Enabled: true, MaxInFlight: 32}}, route.Options{NoRouteWait: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { r.c.Run(ctx) })
	recorded := func(*spool.Message, spool.Result, error) { r.signal() } // parked receipts apply here
	wg.Go(func() { (&spool.Dispatcher{Store: store, Sender: router, Workers: 32, Recorded: recorded}).Run(ctx) })
	t.Cleanup(func() { cancel(); wg.Wait() })
	wctx, wcancel := context.WithTimeout(ctx, 10*time.Second)
	defer wcancel()
	if err := r.c.WaitReady(wctx, true); err != nil {
		t.Fatal("carrier never bound:", err)
	}
	return r
}

// enqueue stores n messages (text of the given length) and returns them.
func (r *simRig) enqueue(t *testing.T, n int, text string) []string {
	t.Helper()
	var ids []string
	for range n {
		r.sent++
		m, _, err := r.store.Enqueue(context.Background(), &spool.Message{Tenant: "t", To: fmt.Sprintf("+1319555%04d", r.sent),
			From: "+13195550100", Body: text, ReportReq: true})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, m.ID)
	}
	return ids
}

// waitFinal waits until every message is in a final state and returns
// them.
func (r *simRig) waitFinal(t *testing.T, ids []string) []*spool.Message {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		var out []*spool.Message
		for _, id := range ids {
			m, err := r.store.Get(id)
			if err != nil {
				t.Fatal(err)
			}
			if !m.State.Final() {
				break
			}
			out = append(out, m)
		}
		if len(out) == len(ids) {
			return out
		}
		select {
		case <-r.events:
		case <-deadline:
			for _, id := range ids {
				if m, _ := r.store.Get(id); !m.State.Final() {
					t.Logf("stuck %s %s parts %+v timeline %s", m.ID, m.State, m.Parts, timelineText(m))
				}
			}
			acked := 0
			for _, d := range r.sim.Deliveries() {
				if d.Acked {
					acked++
				} else {
					t.Logf("unacked delivery %+v", d)
				}
			}
			t.Logf("%d deliveries acked", acked)
			st, _ := r.store.Stats()
			t.Fatalf("only %d of %d messages final; stats %+v; carrier %+v", len(out), len(ids), st, r.c.Health())
		}
	}
}

// TestSimReceiptsHexAndDecimal: the carrier answers submit_sm with hex
// ids and reports them in decimal (as several do); every receipt still
// finds its message, and a 3-part message is delivered only when all
// three parts are.
func TestSimReceiptsHexAndDecimal(t *testing.T) {
	r := newSimRig(t, smscsim.Options{IDFormat: smscsim.IDHexUpper, ReceiptIDFormat: smscsim.IDDecimal, RandomIDs: true}, CarrierOptions{})
	ids := r.enqueue(t, 5, "Shelter in place until further notice.")
	ids = append(ids, r.enqueue(t, 1, strings.Repeat("Evacuate the river district now. ", 12))...) // 3 parts
	for _, m := range r.waitFinal(t, ids) {
		if m.State != spool.StateDelivered {
			t.Errorf("%s %s: %s", m.ID, m.State, m.Reason)
		}
	}
	if last, _ := r.store.Get(ids[5]); len(last.Parts) != 3 {
		t.Fatalf("long message parts %+v", last.Parts)
	}
	subs := r.sim.Submits()
	if len(subs) != 8 || subs[0].MessageID == subs[0].ReceiptID {
		t.Fatalf("%d submits; ids %q / %q", len(subs), subs[0].MessageID, subs[0].ReceiptID)
	}
}

// TestSimReceiptIDsSetting: with counter ids, many hex ids have no
// letter ("10" is sixteen), so only the carrier's receipt_ids setting can
// tell that receipt "16" is for "10"; with it, every message is matched,
// in both directions.
func TestSimReceiptIDsSetting(t *testing.T) {
	for _, tc := range []struct {
		setting   string
		resp, dlr smscsim.IDFormat
	}{
		{ReceiptIDsHexToDecimal, smscsim.IDHexLower, smscsim.IDDecimal},
		{ReceiptIDsDecimalToHex, smscsim.IDDecimal, smscsim.IDHexUpper},
	} {
		t.Run(tc.setting, func(t *testing.T) {
			r := newSimRig(t, smscsim.Options{IDFormat: tc.resp, ReceiptIDFormat: tc.dlr}, CarrierOptions{ReceiptIDs: tc.setting})
			ids := r.enqueue(t, 40, "Boil water notice lifted.") // ids 1 to 0x28 (40)
			for _, m := range r.waitFinal(t, ids) {
				if m.State != spool.StateDelivered {
					t.Errorf("%s %s: %s (parts %+v)", m.ID, m.State, m.Reason, m.Parts)
				}
			}
		})
	}
}

// TestSimFullReceiptWindow: an SMSC with a receipt window of 100 keeps
// it full; the connector takes every receipt as it comes and refuses
// none (a receipt refused with ESME_RTHROTTLED waits for the SMSC's
// retry, which a simulator without Redeliver makes only on a rebind).
func TestSimFullReceiptWindow(t *testing.T) {
	r := newSimRig(t, smscsim.Options{Window: 100}, CarrierOptions{Session: SessionOptions{Window: 100}})
	ids := r.enqueue(t, 1000, "Cooling centre open until 9 pm.")
	for _, m := range r.waitFinal(t, ids) {
		if m.State != spool.StateDelivered {
			t.Fatalf("%s %s: %s", m.ID, m.State, m.Reason)
		}
	}
	for _, d := range r.sim.Deliveries() {
		if d.Status != 0 {
			t.Fatalf("a receipt was refused with %#x", uint32(d.Status))
		}
	}
}

func TestReceiptIDRespelled(t *testing.T) {
	for _, tc := range []struct{ setting, in, want string }{
		{ReceiptIDsHexToDecimal, "16", "10"},
		{ReceiptIDsHexToDecimal, "18446744073709551617", "10000000000000001"}, // past 64 bits
		{ReceiptIDsHexToDecimal, "abc", "abc"},                                // not decimal: as given
		{ReceiptIDsDecimalToHex, "0x1F", "31"},
		{ReceiptIDsDecimalToHex, "1f", "31"},
		{ReceiptIDsDecimalToHex, "zz", "zz"},
		{ReceiptIDsAuto, "16", "16"},
		{"", "16", "16"},
	} {
		if got := receiptID(tc.setting, tc.in); got != tc.want {
			t.Errorf("receiptID(%s, %q) = %q, want %q", tc.setting, tc.in, got, tc.want)
		}
	}
}

// TestSimUndeliveredPart: one undelivered part makes the whole message
// undelivered.
func TestSimUndeliveredPart(t *testing.T) {
	var n int
	var mu sync.Mutex
	r := newSimRig(t, smscsim.Options{Outcome: func(smscsim.Submit) smscsim.Outcome {
		mu.Lock()
		defer mu.Unlock()
		n++
		if n == 2 {
			return smscsim.Undelivered
		}
		return smscsim.Delivered
	}}, CarrierOptions{})
	ids := r.enqueue(t, 1, strings.Repeat("Water main break on 5th street. ", 10))
	m := r.waitFinal(t, ids)[0]
	if m.State != spool.StateUndelivered {
		t.Fatalf("state %s (%s) parts %+v", m.State, m.Reason, m.Parts)
	}
}

// TestSimThrottled: a carrier answering ESME_RTHROTTLED above 10
// submits/s: the connector slows down and retries itself, so every
// message is delivered in its first attempt, none fails, and the rate
// the connector settles at is near the carrier's limit. The limit is low
// enough that the first window (20 submits at once) passes it on any
// machine: at 100/s, under qemu the gateway never reached it.
func TestSimThrottled(t *testing.T) {
	const limit = 10
	r := newSimRig(t, smscsim.Options{}, CarrierOptions{Session: SessionOptions{Window: 20}})
	r.sim.SetThrottle(limit)
	ids := r.enqueue(t, 3*limit, "Test of the emergency alert system.")
	for _, m := range r.waitFinal(t, ids) {
		if m.State != spool.StateDelivered || m.Attempts != 1 {
			t.Fatalf("%s: %s after %d attempts (%s)", m.ID, m.State, m.Attempts, m.Reason)
		}
	}
	h := r.c.Health()
	if h.Throttled == 0 {
		t.Fatal("the carrier never throttled: the test proves nothing")
	}
	if h.Rate == 0 || h.Rate > limit*1.3 {
		t.Fatalf("rate allowed after throttling %.1f/s (carrier limit %d/s)", h.Rate, limit)
	}
}

// TestSimQueueFull: ESME_RMSGQFUL for the next 3 submits: paused and
// retried by the connector, nothing lost.
func TestSimQueueFull(t *testing.T) {
	r := newSimRig(t, smscsim.Options{}, CarrierOptions{})
	r.sim.SetQueueFull(3)
	ids := r.enqueue(t, 10, "Road closed at Main and 3rd.")
	for _, m := range r.waitFinal(t, ids) {
		if m.State != spool.StateDelivered {
			t.Fatalf("%s: %s (%s)", m.ID, m.State, m.Reason)
		}
	}
	if h := r.c.Health(); h.Throttled != 3 {
		t.Fatalf("throttled %d, want 3", h.Throttled)
	}
}

// TestSimDropAndUnbind: the carrier drops the connection after a few
// PDUs, then unbinds us: the connector binds again each time and every
// message ends delivered; submits whose response was lost are counted
// as possible duplicates, never lost.
func TestSimDropAndUnbind(t *testing.T) {
	r := newSimRig(t, smscsim.Options{}, CarrierOptions{})
	r.sim.DropAfter(7)
	ids := r.enqueue(t, 20, "Boil water advisory lifted.")
	for _, m := range r.waitFinal(t, ids) {
		if m.State != spool.StateDelivered {
			t.Fatalf("%s: %s (%s)", m.ID, m.State, m.Reason)
		}
	}
	binds := r.c.Health().Binds
	if binds < 2 {
		t.Fatalf("binds %d: the drop did not happen", binds)
	}
	if r.sim.Unbind(smscsim.DefaultSystemID) != 1 {
		t.Fatal("no session to unbind")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := r.sim.WaitBound(ctx, 1); err != nil {
		t.Fatal(err)
	}
	more := r.enqueue(t, 3, "After the unbind.")
	r.waitFinal(t, more)
	if h := r.c.Health(); h.Binds < binds+1 {
		t.Fatalf("binds %d after the unbind, before %d", h.Binds, binds)
	} else if h.Bound == h.Wanted && h.LastError != "" {
		t.Fatalf("bound again, but the status still shows the last error: %q", h.LastError)
	}
	got := map[string]int{}
	for _, s := range r.sim.Submits() {
		got[s.Dest.Addr]++
	}
	dups := 0
	for _, n := range got {
		dups += n - 1
	}
	if int64(dups) > r.c.Health().PossibleDuplicates {
		t.Fatalf("%d duplicates reached the carrier, %d counted", dups, r.c.Health().PossibleDuplicates)
	}
}

// TestSimTransmitterReceiverPairs: two sessions, each a transmitter and
// a receiver bind: four binds at the carrier, submits spread over both
// transmitters, receipts back over the receivers.
func TestSimTransmitterReceiverPairs(t *testing.T) {
	r := newSimRig(t, smscsim.Options{}, CarrierOptions{Bind: BindTransmitterReceiver, Sessions: 2})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := r.sim.WaitBound(ctx, 4); err != nil {
		t.Fatal(err)
	}
	ids := r.enqueue(t, 20, "Cooling centre open at the library.")
	for _, m := range r.waitFinal(t, ids) {
		if m.State != spool.StateDelivered {
			t.Fatalf("%s: %s", m.ID, m.State)
		}
	}
	seqs := map[uint32]int{}
	for _, s := range r.sim.Submits() {
		seqs[s.Seq]++
	}
	if h := r.c.Health(); h.Bound != 4 || h.Wanted != 4 {
		t.Fatalf("health %+v", h)
	}
	// Both transmitters carried submits: sequence numbers repeat across
	// sessions.
	twice := 0
	for _, n := range seqs {
		if n > 1 {
			twice++
		}
	}
	if twice == 0 {
		t.Fatal("every submit went over one session")
	}
}

// TestSimResponseTimeout: a submit_sm never answered: the send fails as
// retryable after the response timeout, the session is drained and
// bound again before the retry, the part is counted as a possible
// duplicate, and the message is delivered on its second attempt.
func TestSimResponseTimeout(t *testing.T) {
	sim, err := smscsim.New(smscsim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	var once sync.Once
	sim.IgnoreSubmits(func(s smscsim.Submit) bool {
		ignore := false
		once.Do(func() { ignore = true })
		return ignore
	})
	store, err := spool.Open(t.TempDir()+"/s.db", spool.Options{Retry: spool.RetryPolicy{Base: 10 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	r := startCarrier(t, sim, store, CarrierOptions{Session: SessionOptions{ResponseTimeout: 200 * time.Millisecond}})
	ids := r.enqueue(t, 1, "Shelter open.")
	m := r.waitFinal(t, ids)[0]
	if m.State != spool.StateDelivered || m.Attempts != 2 {
		t.Fatalf("%s after %d attempts", m.State, m.Attempts)
	}
	h := r.c.Health()
	if h.PossibleDuplicates != 1 || h.Binds < 2 {
		t.Fatalf("health %+v", h)
	}
	if !strings.Contains(timelineText(m), "possible duplicate") {
		t.Fatalf("timeline does not say so: %s", timelineText(m))
	}
}

func timelineText(m *spool.Message) string {
	var b strings.Builder
	for _, e := range m.Timeline {
		fmt.Fprintf(&b, "%s %s; ", e.State, e.Detail)
	}
	return b.String()
}

// waitMO waits for the next stored MO message.
func (r *simRig) waitMO(t *testing.T) *spool.Message {
	t.Helper()
	select {
	case mo := <-r.mos:
		return mo
	case <-time.After(10 * time.Second):
		t.Fatal("no MO stored")
		return nil
	}
}

// TestSimMOConcatenated: long MO messages whose parts arrive out of
// order, marked by UDH (8- and 16-bit references) or SAR TLVs, are
// stored as one message each.
func TestSimMOConcatenated(t *testing.T) {
	r := newSimRig(t, smscsim.Options{}, CarrierOptions{Tenant: "psap"})
	text := strings.Repeat("There is smoke on the third floor of the east wing. ", 4)
	for i, cc := range []smscsim.Concat{smscsim.ConcatUDH8, smscsim.ConcatUDH16, smscsim.ConcatSAR} {
		err := r.sim.DeliverMO(smscsim.MO{Source: smscsim.Address{TON: 1, NPI: 1, Addr: fmt.Sprintf("1319555020%d", i)},
			Dest: smscsim.Address{Addr: "911"}, Text: text, PartSize: 80, Concat: cc, Ref: uint16(40 + i), Order: []int{3, 1, 2}})
		if err != nil {
			t.Fatal(err)
		}
		mo := r.waitMO(t)
		if mo.Body != text || mo.Segments != 3 || mo.To != "911" || mo.From != fmt.Sprintf("+1319555020%d", i) || mo.Tenant != "psap" {
			t.Fatalf("concat %d: MO %+v", cc, mo)
		}
	}
}

// TestMOPartsSurviveRestart: the connector stops between the parts of
// an MO message (the part it acknowledged is in the spool); a new
// connector over the same spool completes the message with the last part.
func TestMOPartsSurviveRestart(t *testing.T) {
	store := openSpool(t)
	mos := make(chan *spool.Message, 2)
	sink := eventSink{StoreSink: route.StoreSink{Store: store}, events: make(chan struct{}, 10), mos: mos}
	ctx := context.Background()
	part := func(seq int, text string) delivery {
		return delivery{src: "+13195550300", dst: "911", esm: 0x40, body: append([]byte{5, 0, 3, 9, 2, byte(seq)}, text...),
			tlv: map[pdutlv.Tag][]byte{}}
	}
	c1 := NewCarrier(CarrierOptions{Name: "carrier-a"}, sink)
	if err := c1.reasm.Restore(); err != nil {
		t.Fatal(err)
	}
	if err := c1.receive(ctx, part(2, "mile 42.")); err != nil {
		t.Fatal(err)
	}
	if len(mos) != 0 {
		t.Fatalf("half a message stored: %+v", <-mos)
	}
	c2 := NewCarrier(CarrierOptions{Name: "carrier-a"}, sink) // after a restart
	if err := c2.reasm.Restore(); err != nil {
		t.Fatal(err)
	}
	if err := c2.receive(ctx, part(1, "Caller trapped in vehicle at ")); err != nil {
		t.Fatal(err)
	}
	if mo := <-mos; mo.Body != "Caller trapped in vehicle at mile 42." || mo.Segments != 2 {
		t.Fatalf("MO %+v", mo)
	}
}

// TestDataSM: an MO as data_sm (which go-smpp cannot decode), the text
// in message_payload, and a malformed one refused.
func TestDataSM(t *testing.T) {
	body := []byte("\x00\x01\x0113195550400\x00\x00\x00911\x00\x00\x00\x08")
	text := []byte{0, 'H', 0, 'i', 0xD8, 0x3D, 0xDE, 0x92} // "Hi🚒" in UTF-16BE
	body = append(body, 0x04, 0x24, 0, byte(len(text)))
	body = append(body, text...)
	d, err := parseDataSM(body)
	if err != nil {
		t.Fatal(err)
	}
	store := openSpool(t)
	mos := make(chan *spool.Message, 1)
	c := NewCarrier(CarrierOptions{Name: "carrier-a"}, eventSink{StoreSink: route.StoreSink{Store: store}, mos: mos})
	if err := c.receive(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	if mo := <-mos; mo.Body != "Hi🚒" || mo.From != "+13195550400" || mo.To != "911" {
		t.Fatalf("MO %+v", mo)
	}
	for _, bad := range [][]byte{nil, body[:5], body[:30], append(append([]byte{}, body[:len(body)-len(text)]...), 'x')} {
		if _, err := parseDataSM(bad); err == nil {
			t.Errorf("data_sm % x accepted", bad)
		}
	}
}

// TestDataCodings: the carrier's data_coding setting decides how text
// goes out; text a coding cannot carry goes as UCS-2.
func TestDataCodings(t *testing.T) {
	for _, tc := range []struct {
		coding, text string
		want         uint8
		wantBody     []byte
	}{
		{DataCodingGSM7, "Hi @ 5", 0x00, []byte{'H', 'i', ' ', 0x00, ' ', '5'}},
		{DataCodingGSM7IA5, "Hi @ 5", 0x01, []byte{'H', 'i', ' ', 0x00, ' ', '5'}},
		{DataCodingLatin1, "Café @ 5", 0x03, []byte{'C', 'a', 'f', 0xE9, ' ', '@', ' ', '5'}},
		{DataCodingLatin1, "Привет", 0x08, []byte{0x04, 0x1F, 0x04, 0x40, 0x04, 0x38, 0x04, 0x32, 0x04, 0x35, 0x04, 0x42}},
		{DataCodingUCS2, "Hi", 0x08, []byte{0, 'H', 0, 'i'}},
		{DataCodingGSM7, "Hi 😀", 0x08, []byte{0, 'H', 0, 'i', 0, ' ', 0xD8, 0x3D, 0xDE, 0x00}},
	} {
		r := newSimRig(t, smscsim.Options{}, CarrierOptions{DataCoding: tc.coding})
		r.waitFinal(t, r.enqueue(t, 1, tc.text))
		sub := r.sim.Submits()[0]
		if sub.DataCoding != tc.want || string(sub.ShortMessage) != string(tc.wantBody) {
			t.Errorf("%s %q: data_coding %#x body % x", tc.coding, tc.text, sub.DataCoding, sub.ShortMessage)
		}
	}
}

// TestSimSlowResponses: a carrier slow to answer (but within the
// response timeout) fills the window; every message still goes out once.
func TestSimSlowResponses(t *testing.T) {
	r := newSimRig(t, smscsim.Options{}, CarrierOptions{Session: SessionOptions{Window: 5}})
	r.sim.SetResponseDelay(30 * time.Millisecond)
	ids := r.enqueue(t, 30, "Traffic diverted at exit 12.")
	for _, m := range r.waitFinal(t, ids) {
		if m.State != spool.StateDelivered || m.Attempts != 1 {
			t.Fatalf("%s: %s after %d attempts", m.ID, m.State, m.Attempts)
		}
	}
	if n := len(r.sim.Submits()); n != 30 {
		t.Fatalf("%d submits for 30 messages", n)
	}
}
