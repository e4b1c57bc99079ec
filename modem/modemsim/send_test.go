package modemsim_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/smsgw/smsgw/modem/modemsim"
	"github.com/smsgw/smsgw/pdu"
)

const (
	to       = "+13195550100"
	longText = "Stay on the line. Help is on the way. An ambulance will arrive in about 8 minutes. " +
		"Unlock the front door if you can and keep the porch light on. Reply here if anything changes."
)

// sendPDU runs one AT+CMGS with echo off and returns its answer lines.
func (c *client) sendPDU(h string, length int) []string {
	c.t.Helper()
	c.send(fmt.Sprintf("AT+CMGS=%d\r", length))
	c.expect("\r\n> ")
	c.send(h + "\x1a")
	return c.lines("+CMGS")
}

func TestSendOneAndTwoParts(t *testing.T) {
	m := start(t, modemsim.Options{SendDelay: 50 * time.Millisecond, FirstMR: 254})
	c := open(t, m)
	c.init()
	c.must("AT+CMGF=0")

	pdus, lens := encode(t, to, "Help is on the way", false)
	began := time.Now()
	if got := c.sendPDU(pdus[0], lens[0]); !slices.Equal(got, []string{"+CMGS: 254", "OK"}) {
		t.Fatalf("one part: %q", got)
	}
	if d := time.Since(began); d < 50*time.Millisecond {
		t.Errorf("answered after %v, before the send delay", d)
	}
	pdus, lens = encode(t, to, longText, false)
	if len(pdus) != 2 {
		t.Fatalf("%d parts", len(pdus))
	}
	for i, want := range []string{"+CMGS: 255", "+CMGS: 0"} { // TP-MR wraps
		if got := c.sendPDU(pdus[i], lens[i]); got[0] != want {
			t.Fatalf("part %d: %q, want %q", i+1, got, want)
		}
	}

	subs, err := m.WaitSubmits(ctx(t), 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(subs) != 3 {
		t.Fatalf("%d submits", len(subs))
	}
	var long string
	for i, s := range subs {
		if s.Message.Destination.String() != to || !s.SMSC.IsZero() {
			t.Errorf("submit %d to %s via %q", i, s.Message.Destination, s.SMSC)
		}
		if want := byte(254 + i); s.MR != want {
			t.Errorf("submit %d: MR %d, want %d", i, s.MR, want)
		}
		txt, err := s.Text()
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			if txt != "Help is on the way" {
				t.Errorf("one part: %q", txt)
			}
			continue
		}
		cc, ok := s.Message.UDH.Concat()
		if !ok || cc.Total != 2 || cc.Seq != i || cc.Ref != 7 {
			t.Errorf("part %d: concat %+v %v", i, cc, ok)
		}
		long += txt
	}
	if long != longText {
		t.Errorf("two parts: %q", long)
	}
}

func TestSendRefused(t *testing.T) {
	m := start(t, modemsim.Options{})
	c := open(t, m)
	c.init()
	pdus, lens := encode(t, to, "Help is on the way", false)

	// The announced length must be the TPDU's.
	if got := c.sendPDU(pdus[0], lens[0]+1); got[0] != "+CMS ERROR: 304" {
		t.Errorf("length mismatch: %q", got)
	}
	if got := c.sendPDU("00ZZ", lens[0]); got[0] != "+CMS ERROR: 304" {
		t.Errorf("bad hex: %q", got)
	}
	if got := c.cmd("AT+CMGS=200"); got[0] != "+CMS ERROR: 304" {
		t.Errorf("length 200: %q", got)
	}
	// An SMS-DELIVER is not something to send.
	d := pdu.Deliver{Originator: pdu.Address{TON: pdu.TONInternational, NPI: pdu.NPIISDN, Value: "15555550123"}, SCTS: time.Now().UTC().Truncate(time.Second)}
	tpdu, _ := d.MarshalBinary()
	if got := c.sendPDU(fmt.Sprintf("00%X", tpdu), len(tpdu)); got[0] != "+CMS ERROR: 304" {
		t.Errorf("deliver: %q", got)
	}
	// ESC cancels.
	c.send(fmt.Sprintf("AT+CMGS=%d\r", lens[0]))
	c.expect("\r\n> ")
	c.send(pdus[0][:10] + "\x1b")
	if got := c.lines(""); !slices.Equal(got, []string{"OK"}) {
		t.Errorf("cancelled: %q", got)
	}
	if n := len(m.Submits()); n != 0 {
		t.Fatalf("%d submits recorded", n)
	}

	// With echo on the command and the PDU come back.
	c.must("ATE1")
	c.send(fmt.Sprintf("AT+CMGS=%d\r", lens[0]))
	c.expect(fmt.Sprintf("AT+CMGS=%d\r\r\n> ", lens[0]))
	c.send(pdus[0] + "\x1a")
	if got := c.expect("OK\r\n"); got != pdus[0]+"\r\n+CMGS: 0\r\n\r\nOK\r\n" {
		t.Errorf("echoed send: %q", got)
	}
}

// TestStatusReportCDS: with <ds> 1 the report comes as +CDS and waits
// for AT+CNMA (after AT+CSMS=1).
func TestStatusReportCDS(t *testing.T) {
	m := start(t, modemsim.Options{ReportDelay: 10 * time.Millisecond})
	c := open(t, m)
	c.init()
	c.must("AT+CSMS=1")
	c.must("AT+CNMI=2,1,0,1,0")
	pdus, lens := encode(t, to, "Help is on the way", true)
	if got := c.sendPDU(pdus[0], lens[0]); got[0] != "+CMGS: 0" {
		t.Fatal(got)
	}
	u := c.urc("+CDS:")
	r, ok := decode(t, u[1]).(*pdu.StatusReport)
	if !ok {
		t.Fatalf("+CDS carries %q", u)
	}
	if u[0] != fmt.Sprintf("+CDS: %d", len(u[1])/2-8) { // the SMSC part of +15555550100 is 8 octets
		t.Errorf("header %q for %d octets", u[0], len(u[1])/2)
	}
	if r.MR != 0 || r.Recipient.String() != to || r.Status.Outcome() != pdu.OutcomeDelivered {
		t.Errorf("report: MR %d to %s status %v", r.MR, r.Recipient, r.Status)
	}
	c.must("AT+CNMA")
	if got := c.cmd("AT+CNMA"); got[0] != "+CMS ERROR: 340" {
		t.Errorf("second CNMA: %q", got)
	}
	if st := m.Stats(); st.Reports != 1 || st.Acks != 1 {
		t.Errorf("stats %+v", st)
	}
}

// TestStatusReportCDSI: with <ds> 2 the report is stored and notified
// with +CDSI; here it reports a failure.
func TestStatusReportCDSI(t *testing.T) {
	m := start(t, modemsim.Options{ReportDelay: 10 * time.Millisecond, ReportStatus: 0x41})
	c := open(t, m)
	c.init()
	c.must("AT+CNMI=2,1,0,2,0")
	pdus, lens := encode(t, to, longText, true)
	for i := range pdus {
		c.sendPDU(pdus[i], lens[i])
	}
	mrs := map[byte]bool{}
	for i := range 2 {
		u := c.urc("+CDSI:")
		// The lowest free slot: 0, then 1 — or 0 again when the second
		// report comes after the first was deleted.
		var idx int
		if _, err := fmt.Sscanf(u[0], `+CDSI: "SM",%d`, &idx); err != nil || idx > 1 {
			t.Fatalf("report %d: %q", i, u)
		}
		got := c.must(fmt.Sprintf("AT+CMGR=%d", idx))
		r, ok := decode(t, got[1]).(*pdu.StatusReport)
		if !ok || !strings.HasPrefix(got[0], "+CMGR: 0,,") {
			t.Fatalf("CMGR: %q", got)
		}
		if r.Status != 0x41 || r.Status.Outcome() != pdu.OutcomeFailed {
			t.Errorf("report %d: MR %d status %v", i, r.MR, r.Status)
		}
		mrs[r.MR] = true // the two reports may come in either order
		c.must(fmt.Sprintf("AT+CMGD=%d", idx))
	}
	if !mrs[0] || !mrs[1] {
		t.Errorf("reports for MRs %v", mrs)
	}
	if s := m.Stored(); len(s) != 0 {
		t.Errorf("left stored: %+v", s)
	}
}

// TestReportByHand: no automatic report; the test sends "still trying"
// then "delivered", and +CDS comes without the SMSC part (BareCDS).
func TestReportByHand(t *testing.T) {
	m := start(t, modemsim.Options{ReportDelay: -1, BareCDS: true})
	c := open(t, m)
	c.init()
	c.must("AT+CNMI=2,1,0,1,0") // AT+CSMS=0: no +CNMA needed
	pdus, lens := encode(t, to, "x", true)
	c.sendPDU(pdus[0], lens[0])
	subs := m.Submits()
	for _, st := range []pdu.Status{0x21, 0x00} {
		if err := m.Report(subs[0], st); err != nil {
			t.Fatal(err)
		}
		u := c.urc("+CDS:")
		msg, err := pdu.DecodeTPDU(mustHex(t, u[1]))
		if err != nil {
			t.Fatal(err)
		}
		if r := msg.(*pdu.StatusReport); r.Status != st || u[0] != fmt.Sprintf("+CDS: %d", len(u[1])/2) {
			t.Errorf("report %q: status %v", u, r.Status)
		}
	}
}
