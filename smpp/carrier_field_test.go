package smpp

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fiorix/go-smpp/smpp/pdu"
	"github.com/fiorix/go-smpp/smpp/pdu/pdufield"
	"github.com/fiorix/go-smpp/smpp/pdu/pdutext"
	"github.com/fiorix/go-smpp/smpp/pdu/pdutlv"

	"github.com/smsgw/smsgw/spool"
	"github.com/smsgw/smsgw/spool/route"
)

// scriptSMSC is a carrier SMSC scripted by the test, over TCP on
// loopback, for what real SMSCs do that smscsim does not: bind answers
// bind requests (nil: accepted) and submit answers each submit_sm, with
// whatever raw octets the test writes (rawResp).
type scriptSMSC struct {
	ln     net.Listener
	bind   func(s *Session, req pdu.Body)
	submit func(s *Session, req pdu.Body)

	mu       sync.Mutex
	binds    []time.Time // every bind request, when it came
	sessions chan *Session
}

func newScriptSMSC(t *testing.T, bind, submit func(s *Session, req pdu.Body)) *scriptSMSC {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &scriptSMSC{ln: ln, bind: bind, submit: submit, sessions: make(chan *Session, 100)}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	t.Cleanup(func() { cancel(); ln.Close(); wg.Wait() })
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s := NewSession(c, func(s *Session, req pdu.Body) {
				switch req.Header().ID {
				case pdu.BindTransceiverID, pdu.BindTransmitterID, pdu.BindReceiverID:
					f.mu.Lock()
					f.binds = append(f.binds, time.Now())
					f.mu.Unlock()
					if f.bind != nil {
						f.bind(s, req)
						return
					}
					s.Respond(req, pdu.NewBindTransceiverResp())
					f.sessions <- s
				case pdu.SubmitSMID:
					f.submit(s, req)
				}
			}, SessionOptions{EnquireLink: -1})
			wg.Go(func() { s.Run(ctx) })
		}
	})
	return f
}

func (f *scriptSMSC) bindCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.binds)
}

// rawResp writes a response to req with the given command_id, status and
// body octets, as the carrier wrote them.
func rawResp(s *Session, req pdu.Body, id pdu.ID, status pdu.Status, body []byte) {
	b := make([]byte, 16, 16+len(body))
	binary.BigEndian.PutUint32(b, uint32(16+len(body)))
	binary.BigEndian.PutUint32(b[4:], uint32(id))
	binary.BigEndian.PutUint32(b[8:], uint32(status))
	binary.BigEndian.PutUint32(b[12:], req.Header().Seq)
	s.writeRaw(append(b, body...))
}

// runCarrier runs a carrier connector against addr until the test ends.
func runCarrier(t *testing.T, co CarrierOptions, sink route.Sink) *Carrier {
	t.Helper()
	if co.Name == "" {
		co.Name = "carrier-a"
	}
	co.Session.EnquireLink = -1
	c := NewCarrier(co, sink)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { c.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return c
}

func waitReady(t *testing.T, c *Carrier) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.WaitReady(ctx, true); err != nil {
		t.Fatal("carrier never bound:", err)
	}
}

// TestSubmitRespVariants: what carriers write in answer to submit_sm.
// A message_id without its NUL is still the id (go-smpp reads it as
// empty, and the receipt could never find its message); a generic_nack
// with command_status 0 is no acceptance (it was read as one, with an
// empty id: the part was lost while the message said "sent").
func TestSubmitRespVariants(t *testing.T) {
	for _, tc := range []struct {
		name      string
		id        pdu.ID
		status    pdu.Status
		body      string
		wantID    string
		retryable bool // else permanent; "" wantID and no error flag: success
		wantErr   bool
	}{
		{name: "decimal", id: pdu.SubmitSMRespID, body: "12345\x00", wantID: "12345"},
		{name: "hex with leading zeros", id: pdu.SubmitSMRespID, body: "00A1f3\x00", wantID: "00A1f3"},
		{name: "no NUL", id: pdu.SubmitSMRespID, body: "7781002", wantID: "7781002"},
		{name: "error with a body", id: pdu.SubmitSMRespID, status: 0x0B, body: "\x00", wantErr: true},
		{name: "generic_nack status 0", id: pdu.GenericNACKID, wantErr: true, retryable: true},
		{name: "generic_nack ESME_RSYSERR", id: pdu.GenericNACKID, status: StatusSysErr, wantErr: true, retryable: true},
		{name: "another command's response", id: pdu.DeliverSMRespID, body: "\x00", wantErr: true, retryable: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			smsc := newScriptSMSC(t, nil, func(s *Session, req pdu.Body) { rawResp(s, req, tc.id, tc.status, []byte(tc.body)) })
			c := runCarrier(t, CarrierOptions{Addr: smsc.ln.Addr().String()}, route.StoreSink{Store: openSpool(t)})
			waitReady(t, c)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			ids, err := c.Send(ctx, &spool.Message{ID: "01JD0000000000000000000000", To: "+13195550123", From: "+13195550100", Body: "Help is on the way"})
			var se *spool.SendError
			switch {
			case !tc.wantErr && err != nil:
				t.Fatalf("err %v", err)
			case !tc.wantErr && (len(ids) != 1 || ids[0] != tc.wantID):
				t.Fatalf("ids %q, want %q", ids, tc.wantID)
			case tc.wantErr && (err == nil || !errors.As(err, &se)):
				t.Fatalf("ids %q err %v, want a send error", ids, err)
			case tc.wantErr && se.Permanent == tc.retryable:
				t.Fatalf("err %v retryable %v, want %v", err, !se.Permanent, tc.retryable)
			}
		})
	}
}

// recordSink keeps what the connector hands the spool; failMO makes
// Inbound fail (a full disk).
type recordSink struct {
	route.StoreSink
	reports chan spool.Report
	mos     chan *spool.Message
	failMO  bool
}

func newRecordSink(t *testing.T) *recordSink {
	return &recordSink{StoreSink: route.StoreSink{Store: openSpool(t)}, reports: make(chan spool.Report, 100), mos: make(chan *spool.Message, 100)}
}

func (s *recordSink) Report(ctx context.Context, r spool.Report) error {
	s.reports <- r
	return nil
}

func (s *recordSink) Inbound(ctx context.Context, mo *spool.Message) error {
	if s.failMO {
		return errors.New("disk full")
	}
	s.mos <- mo
	return nil
}

func (s *recordSink) report(t *testing.T) spool.Report {
	t.Helper()
	select {
	case r := <-s.reports:
		return r
	case <-time.After(5 * time.Second):
		t.Fatal("no report")
		return spool.Report{}
	}
}

func (s *recordSink) mo(t *testing.T) *spool.Message {
	t.Helper()
	select {
	case mo := <-s.mos:
		return mo
	case <-time.After(5 * time.Second):
		t.Fatal("no MO")
		return nil
	}
}

// deliverSM builds a carrier's deliver_sm (a relabelled submit_sm: the
// codec's own is corrupt, LIBRARIES S3).
func deliverSM(esm, dc uint8, body []byte, tlvs pdutlv.Fields) pdu.Body {
	d := pdu.NewSubmitSM(tlvs)
	d.Header().ID = pdu.DeliverSMID
	f := d.Fields()
	f.Set(pdufield.SourceAddrTON, uint8(1))
	f.Set(pdufield.SourceAddrNPI, uint8(1))
	f.Set(pdufield.SourceAddr, "13195550123")
	f.Set(pdufield.DestinationAddr, "911")
	f.Set(pdufield.ESMClass, esm)
	f.Set(pdufield.ShortMessage, pdutext.Raw(body))
	f.Set(pdufield.DataCoding, dc)
	return d
}

// carrierSession starts a carrier against a scripted SMSC and returns
// the SMSC's side of the bind.
func carrierSession(t *testing.T, co CarrierOptions, sink route.Sink) *Session {
	t.Helper()
	smsc := newScriptSMSC(t, nil, func(s *Session, req pdu.Body) { rawResp(s, req, pdu.SubmitSMRespID, 0, []byte("1\x00")) })
	co.Addr = smsc.ln.Addr().String()
	c := runCarrier(t, co, sink)
	waitReady(t, c)
	select {
	case s := <-smsc.sessions:
		return s
	case <-time.After(10 * time.Second):
		t.Fatal("no bind")
		return nil
	}
}

// TestReceiptKinds: deliver_sm that are receipts are never stored as
// MO: an intermediate delivery notification (esm_class 0x20) without
// the receipted_message_id TLV, a receipt in UCS-2, and a receipt whose
// id cannot be read (each of these reached the tenant as a message from
// the recipient).
func TestReceiptKinds(t *testing.T) {
	sink := newRecordSink(t)
	s := carrierSession(t, CarrierOptions{}, sink)
	ctx := context.Background()
	send := func(d pdu.Body) {
		t.Helper()
		if _, err := s.Request(ctx, d); err != nil {
			t.Fatalf("deliver_sm answered %v", err)
		}
	}
	send(deliverSM(0x20, 0, []byte("id:77 sub:001 dlvrd:000 submit date:2611221000 done date:2611221000 stat:ENROUTE err:000 text:"), nil))
	if r := sink.report(t); r.ProviderID != "77" || r.State != spool.StateSent {
		t.Fatalf("intermediate notification read as %+v", r)
	}
	send(deliverSM(0x04, 0x08, ucs2("id:88 sub:001 dlvrd:001 submit date:2611221000 done date:2611221001 stat:DELIVRD err:000 text:"), nil))
	if r := sink.report(t); r.ProviderID != "88" || r.State != spool.StateDelivered {
		t.Fatalf("UCS-2 receipt read as %+v", r)
	}
	send(deliverSM(0x04, 0, []byte("Message delivered"), nil))
	send(deliverSM(0x00, 0, []byte("Need an ambulance"), nil)) // an MO after it, to wait on
	if mo := sink.mo(t); mo.Body != "Need an ambulance" {
		t.Fatalf("MO %q: a receipt was stored as an MO", mo.Body)
	}
	select {
	case r := <-sink.reports:
		t.Fatalf("report %+v from a receipt without an id", r)
	default:
	}
}

// rawDeliverSM is a deliver_sm body as a carrier writes it: short_message
// sm, then the TLVs (tag, value) given.
func rawDeliverSM(esm, dc uint8, sm []byte, tlvs ...any) []byte {
	b := []byte("\x00\x01\x0113195550123\x00\x00\x00911\x00")
	b = append(b, esm, 0, 0, 0, 0, 0, 0, dc, 0, byte(len(sm)))
	b = append(b, sm...)
	for i := 0; i+1 < len(tlvs); i += 2 {
		v := tlvs[i+1].([]byte)
		b = binary.BigEndian.AppendUint16(b, uint16(tlvs[i].(pdutlv.Tag)))
		b = binary.BigEndian.AppendUint16(b, uint16(len(v)))
		b = append(b, v...)
	}
	return b
}

// TestMODefaultAlphabet: data_coding 0 in a carrier's MO is GSM 7-bit
// unless the connector says Latin-1; octets above 0x7F are Latin-1
// either way (they were read as GSM with the top bit dropped: "Café"
// came out "Cafi", and "bob@x" as "bob¡x" from a Latin-1 carrier).
func TestMODefaultAlphabet(t *testing.T) {
	for _, tc := range []struct {
		co         CarrierOptions
		text, want string
	}{
		{CarrierOptions{}, "Caf\xe9 on 5th", "Café on 5th"},
		{CarrierOptions{}, "A\x00B", "A@B"},
		{CarrierOptions{DefaultAlphabet: AlphabetLatin1}, "bob@x.com $5_", "bob@x.com $5_"},
		{CarrierOptions{DataCoding: DataCodingGSM7IA5}, "bob@x.com", "bob@x.com"},
	} {
		sink := newRecordSink(t)
		s := carrierSession(t, tc.co, sink)
		if st := rawRequest(t, s, pdu.DeliverSMID, rawDeliverSM(0, 0, []byte(tc.text))); st != StatusOK {
			t.Fatalf("%q: deliver_sm_resp %v", tc.text, st)
		}
		if mo := sink.mo(t); mo.Body != tc.want || mo.Binary != nil {
			t.Errorf("%s/%s %q: MO %q (binary % x), want %q", tc.co.DataCoding, tc.co.DefaultAlphabet, tc.text, mo.Body, mo.Binary, tc.want)
		}
	}
}

// TestMOUDHInPayload: the parts of a long MO with their UDH at the head
// of message_payload (esm_class 0x40, sm_length 0), as some carriers
// send them, are joined. go-smpp read the UDH past sm_length, out of the
// TLVs, and the text was lost.
func TestMOUDHInPayload(t *testing.T) {
	sink := newRecordSink(t)
	s := carrierSession(t, CarrierOptions{}, sink)
	for _, p := range []string{"\x05\x00\x03\x2a\x02\x02 Main St, 2nd floor", "\x05\x00\x03\x2a\x02\x01Smoke at 120"} {
		if st := rawRequest(t, s, pdu.DeliverSMID, rawDeliverSM(0x40, 0, nil, pdutlv.TagMessagePayload, []byte(p))); st != StatusOK {
			t.Fatalf("deliver_sm_resp %v", st)
		}
	}
	if mo := sink.mo(t); mo.Body != "Smoke at 120 Main St, 2nd floor" || mo.Segments != 2 {
		t.Fatalf("MO %q in %d parts", mo.Body, mo.Segments)
	}
}

// TestMOStoreFailureAnswered: a deliver_sm or data_sm we could not store
// is answered ESME_RX_T_APPN, SMPP's "temporary error, deliver again"
// (ESME_RSYSERR was, which some SMSCs take as final).
func TestMOStoreFailureAnswered(t *testing.T) {
	sink := newRecordSink(t)
	sink.failMO = true
	s := carrierSession(t, CarrierOptions{}, sink)
	if st := rawRequest(t, s, pdu.DeliverSMID, rawDeliverSM(0, 0, []byte("Help"))); st != StatusXTAppn {
		t.Fatalf("deliver_sm_resp %v, want ESME_RX_T_APPN", st)
	}
	dataSM := append([]byte("\x00\x01\x0113195550123\x00\x00\x00911\x00\x00\x00\x00"), 0x04, 0x24, 0, 4, 'H', 'e', 'l', 'p')
	if st := rawRequest(t, s, pdu.DataSMID, dataSM); st != StatusXTAppn {
		t.Fatalf("data_sm_resp %v, want ESME_RX_T_APPN", st)
	}
}

// TestBindRefusedCredentials: a carrier that refuses our password gets
// one bind at a time, at a growing hold, not one per bind and backoff
// step (four binds made about thirty failed logins a second here; real
// carriers lock the account after a few); health says why; once the
// carrier takes the password again every bind comes up.
func TestBindRefusedCredentials(t *testing.T) {
	var refuse atomic.Bool
	refuse.Store(true)
	var smsc *scriptSMSC
	smsc = newScriptSMSC(t, func(s *Session, req pdu.Body) {
		if refuse.Load() {
			s.RespondStatus(req, StatusInvPaswd)
			return
		}
		resp := pdu.NewBindTransceiverResp()
		resp.Header().ID = req.Header().ID | 0x80000000
		s.Respond(req, resp)
		smsc.sessions <- s
	}, nil)
	c := runCarrier(t, CarrierOptions{Addr: smsc.ln.Addr().String(), Bind: BindTransmitterReceiver, Sessions: 2,
		ReconnectMin: 10 * time.Millisecond, ReconnectMax: 200 * time.Millisecond}, newRecordSink(t))
	time.Sleep(time.Second) // counting attempts over a span: nothing to wait on
	if n := smsc.bindCount(); n > 5 {
		t.Fatalf("%d binds refused in a second", n)
	}
	if h := c.Health(); !h.CredentialsRefused || !strings.Contains(h.LastError, "password") {
		t.Fatalf("health %+v", h)
	}
	refuse.Store(false)
	for range 4 {
		select {
		case <-smsc.sessions:
		case <-time.After(10 * time.Second):
			t.Fatalf("binds up: %+v", c.Health())
		}
	}
	if h := c.Health(); h.CredentialsRefused {
		t.Fatalf("health %+v after binding", h)
	}
}

// TestAlertNotificationUnanswered: alert_notification has no response
// (SMPP 3.4 4.12); it was answered with generic_nack ESME_RINVCMDID. A raw
// SMSC sends one, then enquire_link: the next PDU back must be the
// enquire_link_resp.
func TestAlertNotificationUnanswered(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	runCarrier(t, CarrierOptions{Addr: ln.Addr().String()}, newRecordSink(t))
	conn, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	r := bufio.NewReader(conn)
	hdr, _, _, _, err := readPDU(r) // the bind
	if err != nil {
		t.Fatal(err)
	}
	pdus := [][]byte{
		append(binary.BigEndian.AppendUint32(nil, 0), "\x80\x00\x00\x09\x00\x00\x00\x00"+string(binary.BigEndian.AppendUint32(nil, hdr.Seq))+"smsc\x00"...),
		// alert_notification: source 1/1/13195550123, esme 0/0/"", ms_availability_status 0
		append(binary.BigEndian.AppendUint32(nil, 0), "\x00\x00\x01\x02\x00\x00\x00\x00\x00\x00\x00\x05\x01\x0113195550123\x00\x00\x00\x00\x04\x22\x00\x01\x00"...),
		append(binary.BigEndian.AppendUint32(nil, 0), "\x00\x00\x00\x15\x00\x00\x00\x00\x00\x00\x00\x06"...),
	}
	for _, p := range pdus {
		binary.BigEndian.PutUint32(p, uint32(len(p)))
		if _, err := conn.Write(p); err != nil {
			t.Fatal(err)
		}
	}
	if hdr, _, _, _, err = readPDU(r); err != nil || hdr.ID != pdu.EnquireLinkRespID || hdr.Seq != 6 {
		t.Fatalf("got %v %v, want the enquire_link_resp", hdr, err)
	}
}

// TestInvalidBindStatusRebinds: an SMSC that answers a submit with
// ESME_RINVBNDSTS has forgotten our bind; it would refuse every submit on
// that session until it dropped the link. The connector binds again and
// the part goes through the new session. Before, it was retried on the
// same session, refused each time.
func TestInvalidBindStatusRebinds(t *testing.T) {
	var refused atomic.Bool
	smsc := newScriptSMSC(t, nil, func(s *Session, req pdu.Body) {
		if refused.CompareAndSwap(false, true) {
			s.RespondStatus(req, StatusInvBnd)
			return
		}
		rawResp(s, req, pdu.SubmitSMRespID, 0, []byte("42\x00"))
	})
	c := runCarrier(t, CarrierOptions{Addr: smsc.ln.Addr().String(), ReconnectMin: 10 * time.Millisecond}, newRecordSink(t))
	waitReady(t, c)
	m := &spool.Message{ID: "01JD0000000000000000000000", To: "+13195550123", From: "+13195550100", Body: "Shelter open"}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := c.Send(ctx, m)
	var se *spool.SendError
	if !errors.As(err, &se) || se.Permanent {
		t.Fatalf("first send: %v, want retryable", err)
	}
	for range 2 { // the first bind, then the new one
		select {
		case <-smsc.sessions:
		case <-ctx.Done():
			t.Fatalf("no new bind after ESME_RINVBNDSTS (%d binds)", smsc.bindCount())
		}
	}
	waitReady(t, c)
	if ids, err := c.Send(ctx, m); err != nil || len(ids) != 1 || ids[0] != "42" {
		t.Fatalf("after the rebind: %q %v", ids, err)
	}
}

// A carrier that refuses our validity_period (ESME_RINVEXPIRY: longer
// than its maximum, or past by its clock) gets the part again without
// one, and the message goes with the carrier's default validity instead
// of failing.
func TestRefusedValidityIsDropped(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	smsc := newScriptSMSC(t, nil, func(s *Session, req pdu.Body) {
		vp := strField(req.Fields(), pdufield.ValidityPeriod)
		mu.Lock()
		seen = append(seen, vp)
		mu.Unlock()
		if vp != "" {
			rawResp(s, req, pdu.SubmitSMRespID, StatusInvExpiry, nil)
			return
		}
		rawResp(s, req, pdu.SubmitSMRespID, 0, []byte("77\x00"))
	})
	c := runCarrier(t, CarrierOptions{Addr: smsc.ln.Addr().String()}, route.StoreSink{Store: openSpool(t)})
	waitReady(t, c)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ids, err := c.Send(ctx, &spool.Message{ID: "01JD0000000000000000000000", To: "+13195550123", From: "+13195550100",
		Body: "Help is on the way", ValidUntil: time.Now().Add(400 * 24 * time.Hour)})
	mu.Lock()
	defer mu.Unlock()
	if err != nil || len(ids) != 1 || ids[0] != "77" {
		t.Fatalf("ids %q err %v; submits' validity_period %q", ids, err, seen)
	}
	if len(seen) != 2 || seen[0] == "" || seen[1] != "" {
		t.Fatalf("submits' validity_period %q, want one with and one without", seen)
	}
}

// An emergency message does not queue behind the connector's own pacing:
// with eight ordinary parts waiting their turn at 2 submits/s, it goes
// next.
func TestEmergencyAheadOfThePacer(t *testing.T) {
	var mu sync.Mutex
	var order []string
	seen := make(chan struct{}, 100)
	smsc := newScriptSMSC(t, nil, func(s *Session, req pdu.Body) {
		mu.Lock()
		order = append(order, string(req.Fields()[pdufield.ShortMessage].Bytes()))
		mu.Unlock()
		rawResp(s, req, pdu.SubmitSMRespID, 0, []byte("1\x00"))
		seen <- struct{}{}
	})
	c := runCarrier(t, CarrierOptions{Addr: smsc.ln.Addr().String(), TPS: 2}, route.StoreSink{Store: openSpool(t)})
	waitReady(t, c)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	send := func(id, text string, p spool.Priority) error {
		_, err := c.Send(ctx, &spool.Message{ID: id, To: "+13195550123", From: "+13195550100", Body: text, Priority: p})
		return err
	}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			if err := send(fmt.Sprintf("01JD00000000000000000000%02d", i), "routine", spool.PriorityNormal); err != nil {
				t.Error(err)
			}
		})
	}
	<-seen
	<-seen // two have gone: the other six are waiting their turn
	if err := send("01JD0000000000000000000099", "EVACUATE", spool.PriorityEmergency); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	if i := slices.Index(order, "EVACUATE"); i < 0 || i > 3 {
		t.Fatalf("the emergency part went out at position %d of %q", i+1, order)
	}
}

// validity_format: relative sends the validity as SMPP 3.4's relative
// time, counted from the connector's clock (the spool's), which our own
// parser reads back as the same span.
func TestRelativeValidity(t *testing.T) {
	got := make(chan string, 1)
	smsc := newScriptSMSC(t, nil, func(s *Session, req pdu.Body) {
		got <- strField(req.Fields(), pdufield.ValidityPeriod)
		rawResp(s, req, pdu.SubmitSMRespID, 0, []byte("1\x00"))
	})
	now := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	c := runCarrier(t, CarrierOptions{Addr: smsc.ln.Addr().String(), RelativeValidity: true, Now: func() time.Time { return now }},
		route.StoreSink{Store: openSpool(t)})
	waitReady(t, c)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	valid := 26*time.Hour + 30*time.Minute + 5*time.Second
	if _, err := c.Send(ctx, &spool.Message{ID: "01JD0000000000000000000000", To: "+13195550123", From: "+13195550100",
		Body: "Shelter open", ValidUntil: now.Add(valid)}); err != nil {
		t.Fatal(err)
	}
	vp := <-got
	if vp != "000001023005000R" {
		t.Fatalf("validity_period %q, want 1 day 2:30:05 relative", vp)
	}
	if back, err := smppTime(vp, now); err != nil || !back.Equal(now.Add(valid)) {
		t.Fatalf("read back as %v, %v", back, err)
	}
	for d, want := range map[time.Duration]string{0: "000000000001000R", -time.Hour: "000000000001000R",
		1000 * 24 * time.Hour: "000099000000000R"} {
		if got := relativeTime(d); got != want {
			t.Errorf("relativeTime(%v) = %q, want %q", d, got, want)
		}
	}
}

// TestUnknownReceiptIsUndelivered: stat:UNKNOWN, or message_state 7
// alone, is the carrier's last word on a message it lost track of; it
// counts as undelivered and keeps the carrier's word (it left the
// message "sent" for ever, and the timeline called it ENROUTE).
func TestUnknownReceiptIsUndelivered(t *testing.T) {
	sink := newRecordSink(t)
	s := carrierSession(t, CarrierOptions{}, sink)
	for _, body := range [][]byte{
		rawDeliverSM(0x04, 0, []byte("id:91 sub:001 dlvrd:000 submit date:2611221000 done date:2611221001 stat:UNKNOWN err:000 text:")),
		rawDeliverSM(0x04, 0, nil, pdutlv.TagReceiptedMessageID, []byte("91\x00"), pdutlv.TagMessageStateOption, []byte{7}),
	} {
		if st := rawRequest(t, s, pdu.DeliverSMID, body); st != StatusOK {
			t.Fatalf("deliver_sm_resp %v", st)
		}
		if r := sink.report(t); r.ProviderID != "91" || r.State != spool.StateUndelivered || r.Stat != "UNKNOWN" {
			t.Fatalf("UNKNOWN receipt read as %+v", r)
		}
	}
	// message_state decides over the text, and the detail says so (the
	// reason contradicted the state); the text's word is not kept.
	body := rawDeliverSM(0x04, 0, []byte("id:92 stat:UNKNOWN err:000"), pdutlv.TagMessageStateOption, []byte{2})
	if st := rawRequest(t, s, pdu.DeliverSMID, body); st != StatusOK {
		t.Fatalf("deliver_sm_resp %v", st)
	}
	if r := sink.report(t); r.State != spool.StateDelivered || r.Stat != "" || !strings.HasSuffix(r.Detail, "stat:UNKNOWN err:000 (message_state 2 decides)") {
		t.Fatalf("message_state 2 with stat:UNKNOWN read as %+v", r)
	}
}

// TestReceiptErrorCodes: the carrier's error code reaches the part from
// network_error_code where the text gives none (it was dropped), and the
// application's own receipt carries it on (it always said err:001).
func TestReceiptErrorCodes(t *testing.T) {
	sink := newRecordSink(t)
	s := carrierSession(t, CarrierOptions{}, sink)
	body := rawDeliverSM(0x04, 0, nil, pdutlv.TagReceiptedMessageID, []byte("93\x00"),
		pdutlv.TagMessageStateOption, []byte{5}, pdutlv.TagNetworkErrorCode, []byte{3, 0x00, 0x0B})
	if st := rawRequest(t, s, pdu.DeliverSMID, body); st != StatusOK {
		t.Fatalf("deliver_sm_resp %v", st)
	}
	if r := sink.report(t); r.State != spool.StateUndelivered || r.Code != "011" {
		t.Fatalf("network_error_code read as %+v", r)
	}
	m := &spool.Message{ID: "01JD00000000000000000000AA", State: spool.StateUndelivered, Body: "x",
		Parts: []spool.Part{{Seq: 1, State: spool.StateDelivered}, {Seq: 2, State: spool.StateUndelivered, Error: "11"}}}
	for errCode, want := range map[string]string{"11": "err:011", "0B": "err:00B", "000": "err:001", "0x0B": "err:001", "": "err:001"} {
		m.Parts[1].Error = errCode
		if got := ReceiptText(m); !strings.Contains(got, " "+want+" ") {
			t.Errorf("part error %q: %q, want %s", errCode, got, want)
		}
	}
	m.State = spool.StateDelivered
	if got := ReceiptText(m); !strings.Contains(got, " err:000 ") {
		t.Errorf("delivered: %q", got)
	}
}
