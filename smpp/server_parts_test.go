package smpp

import (
	"context"
	"encoding/binary"
	"net"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/fiorix/go-smpp/smpp/pdu"
	"github.com/fiorix/go-smpp/smpp/pdu/pdufield"
	"github.com/fiorix/go-smpp/smpp/pdu/pdutext"
	"github.com/fiorix/go-smpp/smpp/pdu/pdutlv"

	"github.com/smsgw/smsgw/spool"
)

// bound dials r and binds as cad (transceiver).
func (r *serverRig) bound(t *testing.T) *Session {
	t.Helper()
	s := r.dial(t, nil)
	if _, err := s.Request(context.Background(), bindReq(pdu.NewBindTransceiver(), "cad", "s3cret")); err != nil {
		t.Fatal(err)
	}
	return s
}

// partPDU is one part of a long message, marked by UDH (ref 7) or, with
// sar, by the SAR TLVs (ref 0x0107).
func partPDU(to string, dc uint8, seq, total int, body []byte, sar bool) pdu.Body {
	tlvs := pdutlv.Fields{}
	if sar {
		tlvs[pdutlv.TagSarMsgRefNum] = []byte{1, 7}
		tlvs[pdutlv.TagSarTotalSegments] = []byte{byte(total)}
		tlvs[pdutlv.TagSarSegmentSeqnum] = []byte{byte(seq)}
	} else {
		body = append([]byte{5, 0, 3, 7, byte(total), byte(seq)}, body...)
	}
	p := pdu.NewSubmitSM(tlvs)
	f := p.Fields()
	f.Set(pdufield.SourceAddr, "13195550100")
	f.Set(pdufield.SourceAddrTON, uint8(1))
	f.Set(pdufield.DestinationAddr, to)
	f.Set(pdufield.DestAddrTON, uint8(1))
	if !sar {
		f.Set(pdufield.ESMClass, uint8(0x40))
	}
	f.Set(pdufield.RegisteredDelivery, uint8(1))
	f.Set(pdufield.ShortMessage, pdutext.Raw(body))
	f.Set(pdufield.DataCoding, dc)
	return p
}

func ucs2Bytes(s string) []byte {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = binary.BigEndian.AppendUint16(b, u)
	}
	return b
}

// TestServerJoinsParts: the parts of a long message (UDH or SAR, sent out
// of order, UCS-2 with an emoji split between two parts) are held and
// stored as one message; every part is answered with its id.
func TestServerJoinsParts(t *testing.T) {
	store := openSpool(t)
	s := newServerRigOver(t, store).bound(t)
	ctx := context.Background()
	text := "Evacuate now 🚒 go north"
	u := ucs2Bytes(text)
	split := 2 * 13 // "Evacuate now " then the emoji's two halves split 1|1
	cases := []struct {
		name  string
		sar   bool
		dc    uint8
		parts [][]byte
		want  string
	}{
		{"udh-gsm", false, 0x00, [][]byte{[]byte("Shelter at "), []byte("Lincoln High "), []byte("now.")}, "Shelter at Lincoln High now."},
		{"sar-latin1", true, 0x03, [][]byte{[]byte("Caf\xe9 "), []byte("closed.")}, "Café closed."},
		{"udh-ucs2-split-surrogate", false, 0x08, [][]byte{u[:split+2], u[split+2:]}, text},
	}
	for i, tc := range cases {
		to := "1319555070" + string(rune('0'+i))
		var ids []string
		order := []int{len(tc.parts)}
		for k := 1; k < len(tc.parts); k++ {
			order = append(order, k)
		}
		for _, seq := range order { // the last part first
			resp, err := s.Request(ctx, partPDU(to, tc.dc, seq, len(tc.parts), tc.parts[seq-1], tc.sar))
			if err != nil {
				t.Fatalf("%s part %d: %v", tc.name, seq, err)
			}
			ids = append(ids, resp.Fields()[pdufield.MessageID].String())
		}
		for _, id := range ids[1:] {
			if id != ids[0] {
				t.Fatalf("%s: parts answered with different ids %v", tc.name, ids)
			}
		}
		m, err := store.Get(ids[0])
		if err != nil {
			t.Fatalf("%s: the joined message %s: %v", tc.name, ids[0], err)
		}
		if m.Body != tc.want || m.To != "+"+to || len(m.UDH) != 0 || !m.ReportReq {
			t.Fatalf("%s: joined %+v", tc.name, m)
		}
	}
}

// newServerRigOver serves the cad account over store, joining parts with
// a short timeout.
func newServerRigOver(t *testing.T, store *spool.Store) *serverRig {
	t.Helper()
	r := &serverRig{store: store}
	r.srv = NewServer(ServerOptions{FailedBind: 10 * time.Millisecond, Lookup: store, Parts: store, PartsTimeout: 300 * time.Millisecond,
		Accounts: []Account{{SystemID: "cad", Password: "s3cret", Tenant: "psap-north", AllowedSources: []string{"+1319555*"}}}},
		storeSubmitter{store})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { r.srv.Serve(ctx, ln); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	r.addr = ln.Addr().String()
	return r
}

// TestServerPartsSurviveRestartAndTimeout: a part answered before a
// restart is still held after it; a message whose last part never comes
// is stored, after the timeout, with what came and why.
func TestServerPartsSurviveRestartAndTimeout(t *testing.T) {
	store := openSpool(t)
	ctx := context.Background()
	first := newServerRigOver(t, store)
	s := first.bound(t)
	resp, err := s.Request(ctx, partPDU("13195550800", 0, 1, 3, []byte("Part one, "), false))
	if err != nil {
		t.Fatal(err)
	}
	id := resp.Fields()[pdufield.MessageID].String()
	s.Close()

	second := newServerRigOver(t, store) // "after a restart"
	s2 := second.bound(t)
	if resp, err = s2.Request(ctx, partPDU("13195550800", 0, 2, 3, []byte("part two."), false)); err != nil {
		t.Fatal(err)
	}
	if got := resp.Fields()[pdufield.MessageID].String(); got != id {
		t.Fatalf("id %s after the restart, %s before", got, id)
	}
	// Part 3 never comes.
	deadline := time.After(10 * time.Second)
	for {
		m, err := store.Get(id)
		if err == nil {
			if m.Body != "Part one, part two." || !strings.Contains(m.Reason, "[3]") {
				t.Fatalf("incomplete message %+v", m)
			}
			return
		}
		select {
		case <-store.Wake():
		case <-deadline:
			t.Fatal("the incomplete message was never stored")
		}
	}
}

// TestServerSubmitMulti: one message per destination; a refused one is
// listed with its status in submit_multi_resp.
func TestServerSubmitMulti(t *testing.T) {
	r := newServerRigOver(t, openSpool(t))
	s := r.bound(t)
	p := pdu.NewSubmitMulti(nil)
	f := p.Fields()
	f.Set(pdufield.SourceAddr, "13195550100")
	f.Set(pdufield.SourceAddrTON, uint8(1))
	f.Set(pdufield.ShortMessage, pdutext.Raw("Road closed"))
	dests := &pdufield.DestSmeList{}
	for _, a := range []string{"13195550901", "13195550902", ""} {
		dests.Data = append(dests.Data, pdufield.DestSme{Flag: pdufield.Fixed{Data: 1}, Ton: pdufield.Fixed{Data: 1},
			Npi: pdufield.Fixed{Data: 1}, DestAddr: pdufield.Variable{Data: []byte(a)}})
	}
	f[pdufield.NumberDests] = &pdufield.Fixed{Data: byte(len(dests.Data))}
	f[pdufield.DestinationList] = dests
	resp, err := s.Request(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	rf := resp.Fields()
	id := rf[pdufield.MessageID].String()
	if m, err := r.store.Get(id); err != nil || m.To != "+13195550901" || m.Body != "Road closed" {
		t.Fatalf("first message %v %v", m, err)
	}
	if n := rf[pdufield.NoUnsuccess]; n == nil || n.Bytes()[0] != 1 {
		t.Fatalf("no_unsuccess %v", n)
	}
	page, _ := r.store.List(spool.Filter{}, "", 10)
	if len(page.Messages) != 2 {
		t.Fatalf("%d messages stored", len(page.Messages))
	}
}

// TestServerAllowedSources: a source_addr outside the account's list is
// refused with ESME_RINVSRCADR.
func TestServerAllowedSources(t *testing.T) {
	r := newServerRigOver(t, openSpool(t))
	s := r.bound(t)
	p := submit("13195550123", "hi")
	p.Fields().Set(pdufield.SourceAddr, "BANK")
	if _, err := s.Request(context.Background(), p); status(err) != StatusInvSrcAdr {
		t.Fatalf("source BANK: %v", err)
	}
	p = submit("13195550123", "hi")
	p.Fields().Set(pdufield.SourceAddr, "13195550100")
	p.Fields().Set(pdufield.SourceAddrTON, uint8(1))
	if _, err := s.Request(context.Background(), p); err != nil {
		t.Fatalf("allowed source: %v", err)
	}
}

// TestServerIdleTimeout: a bound session that sends nothing is closed
// after IdleTimeout.
func TestServerIdleTimeout(t *testing.T) {
	r := newServerRig(t, func(o *ServerOptions) { o.IdleTimeout = 100 * time.Millisecond })
	c, err := net.Dial("tcp", r.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s := NewSession(c, func(*Session, pdu.Body) {}, SessionOptions{EnquireLink: -1})
	go s.Run(context.Background())
	if _, err := s.Request(context.Background(), bindReq(pdu.NewBindTransceiver(), "cad", "s3cret")); err != nil {
		t.Fatal(err)
	}
	select {
	case <-s.Closed():
	case <-time.After(5 * time.Second):
		t.Fatal("idle session not closed")
	}
}

// TestDefaultAlphabet: data_coding 0 is GSM 7-bit unless the account
// says Latin-1.
func TestDefaultAlphabet(t *testing.T) {
	body := []byte{'A', 0x00, 'B', 0x1B, 0x65} // "A@B€" in GSM, "A\x00B\x1be" in Latin-1
	req := submit("13195550123", string(body))
	m, err := submitMessage(req, time.Now(), "", "")
	if err != nil || m.Body != "A@B€" {
		t.Fatalf("GSM: %q %v", m.Body, err)
	}
	m, err = submitMessage(req, time.Now(), AlphabetLatin1, "")
	if err != nil || m.Body != "A\x00B\x1be" {
		t.Fatalf("Latin-1: %q %v", m.Body, err)
	}
	// data_coding 1 is IA5 (ASCII), or GSM for an account whose ESME
	// writes GSM there (the npm package smpp: "a@b $5 _" as GSM).
	// (go-smpp resets data_coding when short_message is set: set it after.)
	req.Fields().Set(pdufield.ShortMessage, pdutext.Raw([]byte{'a', 0x00, 'b', ' ', 0x02, '5', ' ', 0x11}))
	req.Fields().Set(pdufield.DataCoding, uint8(0x01))
	if m, err = submitMessage(req, time.Now(), "", AlphabetGSM7); err != nil || m.Body != "a@b $5 _" {
		t.Fatalf("IA5 as GSM: %q %v", m.Body, err)
	}
	req.Fields().Set(pdufield.ShortMessage, pdutext.Raw("a@b $5 _"))
	req.Fields().Set(pdufield.DataCoding, uint8(0x01))
	if m, err = submitMessage(req, time.Now(), "", ""); err != nil || m.Body != "a@b $5 _" {
		t.Fatalf("IA5: %q %v", m.Body, err)
	}
}

// TestPartSentAgainAfterTheJoin: a part sent again after its long message
// was stored (its submit_sm_resp was lost) gets that message's id and is
// not stored again; a new message that reuses the reference, with other
// text, is a new message.
func TestPartSentAgainAfterTheJoin(t *testing.T) {
	store := openSpool(t)
	s := newServerRigOver(t, store).bound(t)
	ctx := context.Background()
	send := func(seq int, text string) string {
		t.Helper()
		resp, err := s.Request(ctx, partPDU("13195550720", 0x00, seq, 2, []byte(text), false))
		if err != nil {
			t.Fatalf("part %d: %v", seq, err)
		}
		return resp.Fields()[pdufield.MessageID].String()
	}
	count := func() int {
		st, err := store.Stats()
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, c := range st.States {
			n += int(c)
		}
		return n
	}
	first := send(1, "Boil water ")
	if id := send(2, "until Friday."); id != first {
		t.Fatalf("the parts' ids differ: %s, %s", first, id)
	}
	if n := count(); n != 1 {
		t.Fatalf("%d messages after the join, want 1", n)
	}
	if id := send(2, "until Friday."); id != first {
		t.Fatalf("the part sent again got %s, want its message's %s", id, first)
	}
	if n := count(); n != 1 {
		t.Fatalf("%d messages after the part came again, want 1", n)
	}
	// The same reference, new text: a new long message.
	next := send(1, "Water is safe ")
	if next == first {
		t.Fatal("a new message with the same reference was taken for the old one")
	}
	if id := send(2, "to drink again."); id != next {
		t.Fatalf("the new message's parts: %s, %s", next, id)
	}
	m, err := store.Get(next)
	if err != nil || m.Body != "Water is safe to drink again." {
		t.Fatalf("the new message: %+v, %v", m, err)
	}
}
