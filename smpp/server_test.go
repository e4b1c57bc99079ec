package smpp

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fiorix/go-smpp/smpp/pdu"
	"github.com/fiorix/go-smpp/smpp/pdu/pdufield"
	"github.com/fiorix/go-smpp/smpp/pdu/pdutext"
	"github.com/fiorix/go-smpp/smpp/pdu/pdutlv"
	"golang.org/x/crypto/bcrypt"

	"github.com/smsgw/smsgw/spool"
)

// storeSubmitter enqueues as it is.
type storeSubmitter struct{ s *spool.Store }

func (ss storeSubmitter) Submit(ctx context.Context, m *spool.Message) (*spool.Message, error) {
	stored, _, err := ss.s.Enqueue(ctx, m)
	return stored, err
}

type serverRig struct {
	store *spool.Store
	srv   *Server
	addr  string
}

// newServerRig serves accounts cad/s3cret (bcrypt) and council/pw over
// a spool in a temporary directory; opts may adjust the options.
func newServerRig(t *testing.T, opts ...func(*ServerOptions)) *serverRig {
	t.Helper()
	store, err := spool.Open(filepath.Join(t.TempDir(), "spool.db"), spool.Options{})
	if err != nil {
		t.Fatal(err)
	}
	hash, _ := bcrypt.GenerateFromPassword([]byte("s3cret"), bcrypt.MinCost)
	o := ServerOptions{FailedBind: 10 * time.Millisecond, Lookup: store, Audit: store.Audit, Accounts: []Account{
		{SystemID: "cad", PasswordHash: string(hash), Tenant: "psap-north"},
		{SystemID: "council", Password: "pw", Tenant: "council"}}}
	for _, f := range opts {
		f(&o)
	}
	srv := NewServer(o, storeSubmitter{store})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { srv.Serve(ctx, ln); close(done) }()
	t.Cleanup(func() { cancel(); <-done; store.Close() })
	return &serverRig{store: store, srv: srv, addr: ln.Addr().String()}
}

// dial connects a client session whose deliver_sm go to inbox (each
// answered with deliver_sm_resp).
func (r *serverRig) dial(t *testing.T, inbox chan pdu.Body) *Session {
	t.Helper()
	c, err := net.Dial("tcp", r.addr)
	if err != nil {
		t.Fatal(err)
	}
	s := NewSession(c, func(s *Session, req pdu.Body) {
		if req.Header().ID == pdu.DeliverSMID {
			s.Respond(req, pdu.NewDeliverSMResp())
			if inbox != nil {
				inbox <- req
			}
			return
		}
		s.RespondStatus(req, StatusInvCmdID)
	}, SessionOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return s
}

func bindReq(id pdu.Body, sys, pass string) pdu.Body {
	id.Fields().Set(pdufield.SystemID, sys)
	id.Fields().Set(pdufield.Password, pass)
	return id
}

func status(err error) pdu.Status {
	var st pdu.Status
	if errors.As(err, &st) {
		return st
	}
	return 0xFFFF
}

func TestServerBinds(t *testing.T) {
	r := newServerRig(t)
	ctx := context.Background()
	s := r.dial(t, nil)
	if _, err := s.Request(ctx, submit("13195550123", "too early")); status(err) != StatusInvBnd {
		t.Fatalf("submit before bind: %v", err)
	}
	if _, err := s.Request(ctx, bindReq(pdu.NewBindTransceiver(), "cad", "wrong")); status(err) != StatusInvPaswd {
		t.Fatalf("wrong password: %v", err)
	}
	if _, err := s.Request(ctx, bindReq(pdu.NewBindTransceiver(), "nobody", "x")); status(err) != StatusInvSysID {
		t.Fatalf("unknown system_id: %v", err)
	}
	if _, err := s.Request(ctx, pdu.NewQuerySM()); status(err) != StatusInvBnd {
		t.Fatalf("query_sm before bind: %v", err)
	}
	if st := rawRequest(t, s, pdu.CancelSMID, cancelBody("01M80RP4R57XXJXDBVAD40P1PE")); st != StatusInvBnd {
		t.Fatalf("cancel_sm before bind: %#x", st)
	}
	resp, err := s.Request(ctx, bindReq(pdu.NewBindTransceiver(), "cad", "s3cret"))
	if err != nil || resp.Fields()[pdufield.SystemID].String() != "smsgw" {
		t.Fatalf("bind: %v", err)
	}
	if v := resp.TLVFields()[tagSCInterfaceVersion]; v == nil || !bytes.Equal(v.Bytes(), []byte{0x34}) {
		t.Fatalf("bind_resp sc_interface_version %v, want 0x34", v)
	}
	if _, err := s.Request(ctx, bindReq(pdu.NewBindTransceiver(), "cad", "s3cret")); status(err) != StatusAlyBnd {
		t.Fatalf("second bind: %v", err)
	}
	log, _ := r.store.AuditLog(0, 10)
	var actions []string
	for _, e := range log {
		actions = append(actions, e.Action+" "+e.Actor)
	}
	if got := strings.Join(actions, ", "); got != "bind smpp:cad, bind_refused smpp:nobody, bind_refused smpp:cad" {
		t.Fatalf("audit: %s", got)
	}
}

func TestServerSubmitAndReceipt(t *testing.T) {
	r := newServerRig(t)
	ctx := context.Background()
	inbox := make(chan pdu.Body, 10)
	s := r.dial(t, inbox)
	if _, err := s.Request(ctx, bindReq(pdu.NewBindTransceiver(), "cad", "s3cret")); err != nil {
		t.Fatal(err)
	}
	req := submit("13195550123", "Help is on the way")
	req.Fields().Set(pdufield.DestAddrTON, uint8(1))
	req.Fields().Set(pdufield.RegisteredDelivery, uint8(1))
	req.Fields().Set(pdufield.PriorityFlag, uint8(3))
	resp, err := s.Request(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	id := resp.Fields()[pdufield.MessageID].String()
	m, err := r.store.Get(id) // acknowledged means stored
	if err != nil || m.To != "+13195550123" || m.Body != "Help is on the way" || m.Tenant != "psap-north" ||
		m.Source != "smpp:cad" || m.Priority != spool.PriorityEmergency || !m.ReportReq {
		t.Fatalf("stored %+v, %v", m, err)
	}
	// The carrier delivers it; the receipt goes back as deliver_sm.
	leased, _ := r.store.Lease(ctx, 1, spool.PriorityNormal)
	r.store.Complete(ctx, leased[0].ID, 1, spool.Result{Connector: "carrier-a", ProviderIDs: []string{"77"}})
	r.store.ApplyReport(ctx, spool.Report{Connector: "carrier-a", ProviderID: "77", State: spool.StateDelivered})
	octx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { (&spool.OutboxDispatcher{Store: r.store, Deliverer: r.srv}).Run(octx); close(done) }()
	defer func() { cancel(); <-done }()
	select {
	case d := <-inbox:
		text := string(d.Fields()[pdufield.ShortMessage].Bytes())
		tlv := d.TLVFields()
		if !strings.HasPrefix(text, "id:"+id+" sub:001 dlvrd:001 ") || !strings.Contains(text, "stat:DELIVRD err:000 text:Help is on the way") ||
			byteField(d.Fields(), pdufield.ESMClass) != 0x04 ||
			d.Fields()[pdufield.SourceAddr].String() != "13195550123" || byteField(d.Fields(), pdufield.SourceAddrTON) != 1 ||
			strings.TrimRight(string(tlv[pdutlv.TagReceiptedMessageID].Bytes()), "\x00") != id ||
			tlv[pdutlv.TagMessageStateOption].Bytes()[0] != 2 {
			t.Fatalf("receipt %q, tlvs %v", text, tlv)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no receipt")
	}
}

func TestSubmitRefusals(t *testing.T) {
	r := newServerRig(t)
	ctx := context.Background()
	s := r.dial(t, nil)
	s.Request(ctx, bindReq(pdu.NewBindTransmitter(), "cad", "s3cret"))
	cases := []struct {
		name string
		req  func() pdu.Body
		want pdu.Status
	}{
		{"no destination", func() pdu.Body { return submit("", "x") }, StatusInvDstAdr},
		{"empty", func() pdu.Body { return submit("13195550123", "") }, StatusInvMsgLen},
		{"bad coding", func() pdu.Body {
			p := submit("13195550123", "x")
			p.Fields().Set(pdufield.DataCoding, uint8(0x0F))
			return p
		}, StatusInvDCS},
		{"bad validity", func() pdu.Body {
			p := submit("13195550123", "x")
			p.Fields().Set(pdufield.ValidityPeriod, "garbage")
			return p
		}, StatusInvExpiry},
		{"receipt esm_class", func() pdu.Body {
			p := submit("13195550123", "x")
			p.Fields().Set(pdufield.ESMClass, uint8(0x04))
			return p
		}, StatusInvESMClass},
		{"validity over", func() pdu.Body {
			p := submit("13195550123", "x")
			p.Fields().Set(pdufield.ValidityPeriod, "200101000000000+")
			return p
		}, StatusInvExpiry},
		{"priority_flag 4", func() pdu.Body {
			p := submit("13195550123", "x")
			p.Fields().Set(pdufield.PriorityFlag, uint8(4))
			return p
		}, StatusInvPrtFlg},
		{"short_message and message_payload", func() pdu.Body {
			p := submit("13195550123", "SHORT")
			p.TLVFields().Set(pdutlv.TagMessagePayload, []byte("PAYLOAD TEXT"))
			return p
		}, StatusInvOptParam},
	}
	for _, c := range cases {
		if _, err := s.Request(ctx, c.req()); status(err) != c.want {
			t.Errorf("%s: %v, want %#x", c.name, err, uint32(c.want))
		}
	}
	_ = pdutext.Raw("")
}

func TestSMPPTime(t *testing.T) {
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	if got, _ := smppTime("000001020000000R", now); !got.Equal(now.Add(26 * time.Hour)) {
		t.Fatalf("relative: %v", got)
	}
	if got, _ := smppTime("261122120000004+", now); !got.Equal(time.Date(2026, 11, 22, 11, 0, 0, 0, time.UTC)) {
		t.Fatalf("absolute +1h: %v", got)
	}
	if _, err := smppTime("26112212000000X+", now); err == nil {
		t.Fatal("a non-digit was accepted")
	}
	// A validity past 2099 goes to the carrier as the end of 2099, not as
	// a two-digit year that reads as this century's past.
	if got := absoluteTime(time.Date(2126, 5, 1, 0, 0, 0, 0, time.UTC)); got != "991231235959000+" {
		t.Errorf("2126 written as %q", got)
	}
	// Impossible dates and offsets are refused, not rolled into others.
	for _, s := range []string{"261322120000000+", "260230120000000+", "261122240000000+", "261122126000000+", "261122120000049+"} {
		if got, err := smppTime(s, now); err == nil {
			t.Errorf("%q accepted as %v", s, got)
		}
	}
}

// A bind whose body is cut short decodes with its fields missing
// (go-smpp is lenient); it used to crash the server (found by
// FuzzServerSession). Now it is refused like an unknown system_id.
func TestMalformedBindIsRefused(t *testing.T) {
	r := newServerRig(t)
	c, err := net.Dial("tcp", r.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	c.Write([]byte{0, 0, 0, 16, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 7}) // bind_transceiver, no body
	var h [16]byte
	if _, err := io.ReadFull(c, h[:]); err != nil {
		t.Fatal(err)
	}
	if id, st := binary.BigEndian.Uint32(h[4:]), binary.BigEndian.Uint32(h[8:]); id != uint32(pdu.BindTransceiverRespID) || st != uint32(StatusInvSysID) {
		t.Fatalf("answer %#x status %#x", id, st)
	}
}

// rawRequest sends a request go-smpp cannot encode (cancel_sm) and
// returns the status of its response.
func rawRequest(t *testing.T, s *Session, id pdu.ID, body []byte) pdu.Status {
	t.Helper()
	seq := s.nextSeq()
	ch := make(chan pdu.Body, 1)
	s.mu.Lock()
	s.pending[seq] = ch
	s.mu.Unlock()
	b := make([]byte, 16, 16+len(body))
	binary.BigEndian.PutUint32(b, uint32(16+len(body)))
	binary.BigEndian.PutUint32(b[4:], uint32(id))
	binary.BigEndian.PutUint32(b[12:], seq)
	if err := s.writeRaw(append(b, body...)); err != nil {
		t.Fatal(err)
	}
	select {
	case r := <-ch:
		return r.Header().Status
	case <-time.After(5 * time.Second):
		t.Fatal("no response")
		return 0
	}
}

func cancelBody(id string) []byte { return []byte("\x00" + id + "\x00\x00\x00\x00\x00\x00\x00") }

func TestQueryAndCancel(t *testing.T) {
	r := newServerRig(t)
	ctx := context.Background()
	s := r.dial(t, nil)
	s.Request(ctx, bindReq(pdu.NewBindTransceiver(), "cad", "s3cret"))
	req := submit("13195550123", "scheduled")
	req.Fields().Set(pdufield.ScheduleDeliveryTime, "000001000000000R") // in a day
	resp, err := s.Request(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	id := strField(resp.Fields(), pdufield.MessageID)
	q := pdu.NewQuerySM()
	q.Fields().Set(pdufield.MessageID, id)
	qr, err := s.Request(ctx, q)
	if err != nil || byteField(qr.Fields(), pdufield.MessageState) != 1 { // ENROUTE
		t.Fatalf("query_sm: %v %v", qr, err)
	}
	// Another tenant can neither see nor cancel it.
	other := r.dial(t, nil)
	other.Request(ctx, bindReq(pdu.NewBindTransceiver(), "council", "pw"))
	if _, err := other.Request(ctx, q); status(err) != StatusQueryFail {
		t.Fatalf("query by another tenant: %v", err)
	}
	if st := rawRequest(t, other, pdu.CancelSMID, cancelBody(id)); st != StatusCancelFail {
		t.Fatalf("cancel by another tenant: %#x", uint32(st))
	}
	if st := rawRequest(t, s, pdu.CancelSMID, cancelBody(id)); st != StatusOK {
		t.Fatalf("cancel_sm: %#x", uint32(st))
	}
	if m, _ := r.store.Get(id); m.State != spool.StateCancelled {
		t.Fatalf("state %s", m.State)
	}
	qr, _ = s.Request(ctx, q)
	if byteField(qr.Fields(), pdufield.MessageState) != 4 || strField(qr.Fields(), pdufield.FinalDate) == "" { // DELETED
		t.Fatalf("query after cancel: %v", qr.Fields())
	}
}

func TestAccountTPS(t *testing.T) {
	store, err := spool.Open(filepath.Join(t.TempDir(), "spool.db"), spool.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	srv := NewServer(ServerOptions{Accounts: []Account{{SystemID: "cad", Password: "pw", Tenant: "t", TPS: 2}}}, storeSubmitter{store})
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { srv.Serve(ctx, ln); close(done) }()
	defer func() { cancel(); <-done }()
	r := &serverRig{store: store, srv: srv, addr: ln.Addr().String()}
	s := r.dial(t, nil)
	s.Request(ctx, bindReq(pdu.NewBindTransmitter(), "cad", "pw"))
	throttled := 0
	for range 10 { // well past a burst of 2
		if _, err := s.Request(ctx, submit("13195550123", "x")); status(err) == StatusThrottled {
			throttled++
		}
	}
	if throttled < 5 {
		t.Fatalf("%d of 10 throttled at 2 TPS", throttled)
	}
	// Emergency (priority_flag 3) is never throttled for the TPS.
	for range 5 {
		req := submit("13195550123", "EVACUATE")
		req.Fields().Set(pdufield.PriorityFlag, uint8(3))
		if _, err := s.Request(ctx, req); err != nil {
			t.Fatalf("an emergency submit past the account's TPS: %v", err)
		}
	}
}

// TestServerRegisteredDelivery: registered_delivery's two low bits say
// which receipts the application wants.
func TestServerRegisteredDelivery(t *testing.T) {
	r := newServerRig(t)
	ctx := context.Background()
	s := r.bound(t)
	for _, tc := range []struct {
		rd               uint8
		report, failOnly bool
	}{{0, false, false}, {1, true, false}, {2, true, true}, {3, true, false}, {0x11, true, false}} {
		req := submit("13195550123", "x")
		req.Fields().Set(pdufield.RegisteredDelivery, tc.rd)
		resp, err := s.Request(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		m, err := r.store.Get(resp.Fields()[pdufield.MessageID].String())
		if err != nil {
			t.Fatal(err)
		}
		if m.ReportReq != tc.report || m.ReportFailOnly != tc.failOnly {
			t.Errorf("registered_delivery %#x: report %v, failure only %v; want %v, %v",
				tc.rd, m.ReportReq, m.ReportFailOnly, tc.report, tc.failOnly)
		}
	}
}

// TestServerScheduleAfterValidity: a message whose validity ends before
// its scheduled time is refused with ESME_RINVEXPIRY, not accepted to
// expire unsent.
func TestServerScheduleAfterValidity(t *testing.T) {
	r := newServerRig(t)
	ctx := context.Background()
	s := r.bound(t)
	req := submit("13195550123", "x")
	req.Fields().Set(pdufield.ScheduleDeliveryTime, "000000020000000R") // in 2 h
	req.Fields().Set(pdufield.ValidityPeriod, "000000010000000R")       // for 1 h
	_, err := s.Request(ctx, req)
	var st pdu.Status
	if !errors.As(err, &st) || st != StatusInvExpiry {
		t.Fatalf("err = %v, want ESME_RINVEXPIRY", err)
	}
}

// TestPipelinedBinds: binds written at once on one connection (a client
// that does not wait for bind_resp) give one bind and ESME_RALYBND for the
// others; after the connection closes, the account's binds are all free.
func TestPipelinedBinds(t *testing.T) {
	r := newServerRig(t, func(o *ServerOptions) { o.Accounts[0].MaxBinds = 2 })
	rawBind := func(id pdu.ID, seq uint32) []byte {
		body := []byte("cad\x00s3cret\x00\x00\x34\x00\x00\x00")
		b := make([]byte, 16, 16+len(body))
		binary.BigEndian.PutUint32(b, uint32(16+len(body)))
		binary.BigEndian.PutUint32(b[4:], uint32(id))
		binary.BigEndian.PutUint32(b[12:], seq)
		return append(b, body...)
	}
	for round := range 3 {
		c, err := net.Dial("tcp", r.addr)
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(10 * time.Second))
		var burst []byte
		for seq, id := range []pdu.ID{pdu.BindTransceiverID, pdu.BindTransmitterID, pdu.BindReceiverID} {
			burst = append(burst, rawBind(id, uint32(seq+1))...)
		}
		if _, err := c.Write(burst); err != nil {
			t.Fatal(err)
		}
		ok, already := 0, 0
		for range 3 {
			var h [16]byte
			if _, err := io.ReadFull(c, h[:]); err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
			body := make([]byte, binary.BigEndian.Uint32(h[:])-16)
			io.ReadFull(c, body)
			switch pdu.Status(binary.BigEndian.Uint32(h[8:])) {
			case StatusOK:
				ok++
			case StatusAlyBnd:
				already++
			default:
				t.Fatalf("round %d: bind answered %#x", round, binary.BigEndian.Uint32(h[8:]))
			}
		}
		if ok != 1 || already != 2 {
			t.Fatalf("round %d: %d binds taken, %d refused as already bound; want 1 and 2", round, ok, already)
		}
		c.Close()
		// The connection's bind is freed: wait until the server has
		// seen it go (the next round needs a free slot, and max is 2).
		deadline := time.Now().Add(10 * time.Second)
		for r.srv.Binds()["cad"] != 0 {
			if time.Now().After(deadline) {
				t.Fatalf("round %d: %d binds still held after the close", round, r.srv.Binds()["cad"])
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	// Both slots are free: two binds on two connections.
	a, b := r.dial(t, nil), r.dial(t, nil)
	for _, s := range []*Session{a, b} {
		if _, err := s.Request(context.Background(), bindReq(pdu.NewBindTransceiver(), "cad", "s3cret")); err != nil {
			t.Fatalf("bind after the pipelined rounds: %v", err)
		}
	}
}

// A data_coding with message class 0 (0xF0-0xF3, 0x10-0x1F with class
// bits 00) asks for a flash message: it is kept as one.
func TestSubmitFlashCodings(t *testing.T) {
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	for dc, flash := range map[uint8]bool{0x00: false, 0x08: false, 0xF0: true, 0xF1: false, 0xF4: true, 0x10: true,
		0x18: true, 0x11: false, 0x14: true, 0x04: false} {
		p := submit("13195550123", "xy") // two octets: a UCS-2 character too
		p.Fields().Set(pdufield.DataCoding, dc)
		m, err := submitMessage(p, now, AlphabetGSM7, "")
		if err != nil {
			t.Errorf("data_coding %#02x: %v", dc, err)
			continue
		}
		if m.Class0 != flash {
			t.Errorf("data_coding %#02x: flash %v, want %v", dc, m.Class0, flash)
		}
	}
}

// An empty source_addr takes the tenant's default sender, also when the
// account lists its allowed sources.
func TestEmptySourceWithAllowedSources(t *testing.T) {
	r := newServerRig(t, func(o *ServerOptions) { o.Accounts[0].AllowedSources = []string{"+1319555*"} })
	s := r.dial(t, nil)
	ctx := context.Background()
	if _, err := s.Request(ctx, bindReq(pdu.NewBindTransmitter(), "cad", "s3cret")); err != nil {
		t.Fatal(err)
	}
	p := submit("13195550123", "x")
	p.Fields().Set(pdufield.SourceAddr, "")
	if _, err := s.Request(ctx, p); err != nil {
		t.Fatalf("empty source_addr: %v", err)
	}
	p = submit("13195550123", "x")
	p.Fields().Set(pdufield.SourceAddr, "+14155550100")
	if _, err := s.Request(ctx, p); status(err) != StatusInvSrcAdr {
		t.Fatalf("a source outside allowed_sources: %v", err)
	}
}

// TestUnbindAnswersRequestsInHand: submits written just before an unbind
// all get their submit_sm_resp before the unbind_resp; each was stored,
// and a client that never heard so would send it again.
func TestUnbindAnswersRequestsInHand(t *testing.T) {
	r := newServerRig(t)
	c, err := net.Dial("tcp", r.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(20 * time.Second))
	var out bytes.Buffer
	write := func(p pdu.Body, seq uint32) {
		p.Header().Seq = seq
		if err := p.SerializeTo(&out); err != nil {
			t.Fatal(err)
		}
	}
	write(bindReq(pdu.NewBindTransceiver(), "cad", "s3cret"), 1)
	if _, err := c.Write(out.Bytes()); err != nil {
		t.Fatal(err)
	}
	read := func() (pdu.ID, pdu.Status, uint32) {
		t.Helper()
		var h [16]byte
		if _, err := io.ReadFull(c, h[:]); err != nil {
			t.Fatal(err)
		}
		io.CopyN(io.Discard, c, int64(binary.BigEndian.Uint32(h[:])-16))
		return pdu.ID(binary.BigEndian.Uint32(h[4:])), pdu.Status(binary.BigEndian.Uint32(h[8:])), binary.BigEndian.Uint32(h[12:])
	}
	if id, st, _ := read(); id != pdu.BindTransceiverRespID || st != StatusOK {
		t.Fatalf("bind: %v %#x", id, st)
	}
	out.Reset()
	const n = 30
	for i := range n {
		write(submit("13195550123", fmt.Sprintf("message %d", i)), uint32(10+i))
	}
	write(pdu.NewUnbind(), 999)
	if _, err := c.Write(out.Bytes()); err != nil {
		t.Fatal(err)
	}
	answered := 0
	for {
		id, st, seq := read()
		if id == pdu.UnbindRespID {
			if answered != n {
				t.Fatalf("unbind_resp after %d submit_sm_resp of %d", answered, n)
			}
			break
		}
		if id != pdu.SubmitSMRespID || st != StatusOK || seq < 10 || seq >= 10+n {
			t.Fatalf("got %v status %#x seq %d", id, st, seq)
		}
		answered++
	}
}

// A receipt's text: field holds the body's first 20 characters in the
// ASCII that GSM 03.38 shares, '?' for the rest: it goes out as
// data_coding 0.
func TestReceiptTextIsPlainASCII(t *testing.T) {
	m := &spool.Message{ID: "01M80RP4R57XXJXDBVAD40P1PE", Body: "Café @ 5$ ñ_ Привет, and more", State: spool.StateDelivered}
	got := ReceiptText(m)
	if !strings.HasSuffix(got, " text:Caf? ? 5? ?? ??????,") {
		t.Fatalf("receipt %q", got)
	}
}

// TestSubmitLayout: a submit_sm whose sm_length does not fit its octets
// is refused, not sent cut short (go-smpp reads sm_length octets and
// leaves the rest).
func TestSubmitLayout(t *testing.T) {
	r := newServerRig(t)
	s := r.dial(t, nil)
	if _, err := s.Request(context.Background(), bindReq(pdu.NewBindTransmitter(), "cad", "s3cret")); err != nil {
		t.Fatal(err)
	}
	body := func(smLen int, sm string, tail ...byte) []byte {
		b := []byte("\x00\x01\x01+13195550100\x00\x01\x01+13195550123\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00")
		b = append(b, byte(smLen))
		b = append(b, sm...)
		return append(b, tail...)
	}
	for _, c := range []struct {
		name string
		body []byte
		want pdu.Status
	}{
		{"whole", body(5, "hello"), StatusOK},
		{"with a TLV", body(0, "", 0x04, 0x24, 0x00, 0x02, 'h', 'i'), StatusOK}, // message_payload "hi"
		{"sm_length short of the text", body(3, "12345"), StatusInvCmdLen},
		{"sm_length past the end", body(9, "12345"), StatusInvCmdLen},
		{"sm_length over 254", body(255, strings.Repeat("x", 255)), StatusInvMsgLen},
		{"cut in the mandatory fields", body(0, "")[:20], StatusInvCmdLen},
	} {
		if st := rawRequest(t, s, pdu.SubmitSMID, c.body); st != c.want {
			t.Errorf("%s: %#x, want %#x", c.name, uint32(st), uint32(c.want))
		}
	}
}
