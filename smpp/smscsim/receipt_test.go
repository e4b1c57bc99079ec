package smscsim_test

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fiorix/go-smpp/smpp/pdu"
	"github.com/fiorix/go-smpp/smpp/pdu/pdufield"
	"github.com/fiorix/go-smpp/smpp/pdu/pdutlv"

	"github.com/smsgw/smsgw/smpp/smscsim"
)

var receiptRE = regexp.MustCompile(`^id:(\S+) sub:001 dlvrd:(\d{3}) submit date:(\d{10}) done date:(\d{10}) stat:(\w+) err:(\d{3}) text:(.*)$`)

// receipt checks a deliver_sm is a receipt and returns its text's fields.
func receipt(t *testing.T, d pdu.Body) []string {
	t.Helper()
	f := d.Fields()
	if esm := f[pdufield.ESMClass].Bytes()[0]; esm != 0x04 {
		t.Fatalf("esm_class %#x, want 0x04", esm)
	}
	sm := f[pdufield.ShortMessage].String()
	m := receiptRE.FindStringSubmatch(sm)
	if m == nil {
		t.Fatalf("receipt text %q", sm)
	}
	return m
}

func TestReceipts(t *testing.T) {
	cases := []struct {
		label   string
		outcome smscsim.Outcome
		stat    string
		dlvrd   string
		state   byte
	}{
		{"delivered", smscsim.Delivered, "DELIVRD", "001", 2},
		{"undelivered", smscsim.Undelivered, "UNDELIV", "000", 5},
		{"expired", smscsim.Expired, "EXPIRED", "000", 3},
		{"rejected", smscsim.Rejected, "REJECTD", "000", 8},
	}
	for _, tc := range cases {
		t.Run(tc.label, func(t *testing.T) {
			s := newSim(t, smscsim.Options{
				ReceiptDelay: 10 * time.Millisecond,
				Outcome:      func(smscsim.Submit) smscsim.Outcome { return tc.outcome },
			})
			c := bound(t, s)
			m := plain
			m.reg = 1
			m.sm = []byte("a text longer than twenty characters")
			id := c.submitOK(m)
			d := c.expect(pdu.DeliverSMID)
			f := receipt(t, d)
			if f[1] != id || f[5] != tc.stat || f[2] != tc.dlvrd || f[7] != "a text longer than t" {
				t.Fatalf("receipt %q for id %s", f[0], id)
			}
			if _, err := time.Parse("0601021504", f[3]); err != nil {
				t.Fatalf("submit date %q: %v", f[3], err)
			}
			tlv := d.TLVFields()
			if got := tlv[pdutlv.TagReceiptedMessageID].Bytes(); string(got) != id+"\x00" {
				t.Fatalf("receipted_message_id %q, want %q", got, id)
			}
			if got := tlv[pdutlv.TagMessageStateOption].Bytes(); len(got) != 1 || got[0] != tc.state {
				t.Fatalf("message_state %v, want %d", got, tc.state)
			}
			df := d.Fields()
			if df[pdufield.SourceAddr].String() != m.dst || df[pdufield.DestinationAddr].String() != m.src {
				t.Fatalf("receipt from %q to %q", df[pdufield.SourceAddr], df[pdufield.DestinationAddr])
			}
			c.ack(d, 0)
			ds, err := s.WaitAcked(testCtx(t), 1)
			if err != nil {
				t.Fatal(err)
			}
			if ds[0].Kind != smscsim.KindReceipt || ds[0].MessageID != id || ds[0].Outcome != tc.outcome || ds[0].Sent != 1 {
				t.Fatalf("delivery %+v", ds[0])
			}
		})
	}
}

func TestReceiptOnFailureOnly(t *testing.T) {
	s := newSim(t, smscsim.Options{Outcome: func(m smscsim.Submit) smscsim.Outcome {
		if string(m.ShortMessage) == "fail" {
			return smscsim.Undelivered
		}
		return smscsim.Delivered
	}})
	c := bound(t, s)
	m := plain
	m.reg = 2
	c.submitOK(m) // delivered: no receipt
	m.sm = []byte("fail")
	id := c.submitOK(m)
	if f := receipt(t, c.expect(pdu.DeliverSMID)); f[1] != id || f[5] != "UNDELIV" {
		t.Fatalf("receipt %q, want UNDELIV for %s", f[0], id)
	}
	if n := len(s.Deliveries()); n != 1 {
		t.Fatalf("%d deliveries, want 1", n)
	}
}

func TestReceiptIDInOtherFormat(t *testing.T) {
	s := newSim(t, smscsim.Options{IDFormat: smscsim.IDHexLower, ReceiptIDFormat: smscsim.IDDecimal, RandomIDs: true})
	c := bound(t, s)
	m := plain
	m.reg = 1
	hexID := c.submitOK(m)
	d := c.expect(pdu.DeliverSMID)
	f := receipt(t, d)
	n, err := strconv.ParseUint(hexID, 16, 64)
	if err != nil {
		t.Fatal(err)
	}
	dec := strconv.FormatUint(n, 10)
	if f[1] != dec || dec == hexID {
		t.Fatalf("receipt id %q, want %q (submit_sm_resp said %q)", f[1], dec, hexID)
	}
	if got := strings.TrimSuffix(d.TLVFields()[pdutlv.TagReceiptedMessageID].String(), "\x00"); got != dec {
		t.Fatalf("receipted_message_id %q, want %q", got, dec)
	}
	subs := s.Submits()
	if subs[0].MessageID != hexID || subs[0].ReceiptID != dec {
		t.Fatalf("recorded ids %q %q", subs[0].MessageID, subs[0].ReceiptID)
	}
}

func TestReceiptRatios(t *testing.T) {
	s := newSim(t, smscsim.Options{Ratios: smscsim.Ratios{Delivered: 1, Undelivered: 1}})
	c := bound(t, s)
	m := plain
	m.reg = 1
	stats := map[string]int{}
	for range 40 {
		c.submitOK(m)
		d := c.expect(pdu.DeliverSMID)
		stats[receipt(t, d)[5]]++
		c.ack(d, 0)
	}
	if stats["DELIVRD"] == 0 || stats["UNDELIV"] == 0 || stats["DELIVRD"]+stats["UNDELIV"] != 40 {
		t.Fatalf("outcomes %v, want both DELIVRD and UNDELIV only", stats)
	}
}

func TestReceiptGoesToItsSystemID(t *testing.T) {
	s := newSim(t, smscsim.Options{Accounts: []smscsim.Account{{SystemID: "a", Password: "pa"}, {SystemID: "b", Password: "pb"}}})
	tx, rxB := dial(t, s), dial(t, s)
	if st := tx.bind(pdu.BindTransmitterID, "a", "pa"); st != 0 {
		t.Fatal(st)
	}
	if st := rxB.bind(pdu.BindReceiverID, "b", "pb"); st != 0 {
		t.Fatal(st)
	}
	m := plain
	m.reg = 1
	id := tx.submitOK(m)
	if _, err := s.WaitDeliveries(testCtx(t), 1); err != nil { // the receipt is queued
		t.Fatal(err)
	}
	rxB.send(pdu.NewEnquireLink()) // b's receiver gets no receipt of a's
	rxB.expect(pdu.EnquireLinkRespID)
	rxA := dial(t, s)
	if st := rxA.bind(pdu.BindReceiverID, "a", "pa"); st != 0 {
		t.Fatal(st)
	}
	d := rxA.expect(pdu.DeliverSMID)
	if f := receipt(t, d); f[1] != id {
		t.Fatalf("receipt for %q, want %q", f[1], id)
	}
	rxA.ack(d, 0)
	if ds, err := s.WaitAcked(testCtx(t), 1); err != nil || ds[0].SystemID != "a" {
		t.Fatalf("deliveries %+v, err %v", ds, err)
	}
}

// With a Window, no more deliver_sm are outstanding than it allows, and
// each deliver_sm_resp lets the next one go.
func TestReceiptWindow(t *testing.T) {
	s := newSim(t, smscsim.Options{Window: 2})
	c := bound(t, s)
	m := plain
	m.reg = 1
	for range 5 {
		c.submit(m)
	}
	var first []pdu.Body // the receipts come between the responses
	for range 7 {
		if p := c.read(); p.Header().ID == pdu.DeliverSMID {
			first = append(first, p)
		}
	}
	if len(first) != 2 {
		t.Fatalf("%d deliver_sm among the first 7 PDUs, want 2", len(first))
	}
	if _, err := s.WaitDeliveries(testCtx(t), 5); err != nil {
		t.Fatal(err)
	}
	sent := 0
	for _, d := range s.Deliveries() {
		sent += d.Sent
	}
	if sent != 2 {
		t.Fatalf("%d deliver_sm written with a window of 2 unanswered", sent)
	}
	for _, d := range first {
		c.ack(d, smscsim.StatusOK)
	}
	for range 3 {
		c.ack(c.expect(pdu.DeliverSMID), smscsim.StatusOK)
	}
	if _, err := s.WaitAcked(testCtx(t), 5); err != nil {
		t.Fatal(err)
	}
}

// With Redeliver, a receipt the client refused is sent again on the same
// bind after that delay.
func TestReceiptRedelivered(t *testing.T) {
	s := newSim(t, smscsim.Options{Redeliver: 20 * time.Millisecond})
	c := bound(t, s)
	m := plain
	m.reg = 1
	id := c.submitOK(m)
	first := c.expect(pdu.DeliverSMID)
	c.ack(first, smscsim.StatusThrottled)
	again := c.expect(pdu.DeliverSMID)
	if f := receipt(t, again); f[1] != id || again.Header().Seq == first.Header().Seq {
		t.Fatalf("redelivered receipt for %s, seq %d after %d", f[1], again.Header().Seq, first.Header().Seq)
	}
	c.ack(again, smscsim.StatusOK)
	ds, err := s.WaitAcked(testCtx(t), 1)
	if err != nil || ds[0].Sent != 2 {
		t.Fatalf("deliveries %+v, %v", ds, err)
	}
}
