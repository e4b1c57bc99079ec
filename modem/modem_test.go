package modem_test

import (
	"strings"
	"testing"
	"time"

	"github.com/smsgw/smsgw/modem"
	"github.com/smsgw/smsgw/modem/modemsim"
	"github.com/smsgw/smsgw/pdu"
	"github.com/smsgw/smsgw/spool"
)

func TestSendConcatenatedWithStatusReports(t *testing.T) {
	r := newRig(t, modemsim.Options{ReportDelay: 10 * time.Millisecond}, modem.Options{})
	r.waitReady(t, true)
	text := strings.Repeat("Shelter open at Lincoln High School. ", 6) // 222 chars: 2 parts
	id := r.enqueue(t, &spool.Message{To: "+13195550123", Body: text, ReportReq: true})
	m := r.waitState(t, id, spool.StateDelivered)
	if len(m.Parts) != 2 || m.Connector != "modem-1" {
		t.Fatalf("parts %+v via %s", m.Parts, m.Connector)
	}
	subs := r.sim.Submits()
	if len(subs) != 2 {
		t.Fatalf("the modem got %d submits, want 2", len(subs))
	}
	var got string
	for i, s := range subs {
		c, ok := s.Message.UserData.UDH.Concat()
		if !ok || c.Total != 2 || c.Seq != i+1 || !s.Message.StatusReportRequest {
			t.Fatalf("part %d: concat %+v %v, SRR %v", i+1, c, ok, s.Message.StatusReportRequest)
		}
		if s.Message.Destination.String() != "+13195550123" {
			t.Fatalf("destination %s", s.Message.Destination)
		}
		part, _ := s.Text()
		got += part
	}
	if got != text {
		t.Fatalf("the modem received %q", got)
	}
}

func TestFailedStatusReport(t *testing.T) {
	r := newRig(t, modemsim.Options{ReportDelay: 10 * time.Millisecond, ReportStatus: pdu.Status(0x41)}, modem.Options{})
	r.waitReady(t, true)
	id := r.enqueue(t, &spool.Message{To: "+13195550123", Body: "Are you safe?", ReportReq: true})
	m := r.waitState(t, id, spool.StateUndelivered)
	if m.Parts[0].Error != "41" {
		t.Fatalf("part error %q", m.Parts[0].Error)
	}
}

func TestInboundConcatenatedOutOfOrder(t *testing.T) {
	r := newRig(t, modemsim.Options{}, modem.Options{Number: "+13195550100"})
	r.waitReady(t, true)
	text := strings.Repeat("I am at 12 Elm Street, second floor, the door is locked. ", 6) // 3 parts
	if _, err := r.sim.DeliverMO(modemsim.MO{From: "+13195550199", Text: text, Order: []int{2, 3, 1}}); err != nil {
		t.Fatal(err)
	}
	mo := r.waitInbound(t)
	if mo.Body != text || mo.From != "+13195550199" || mo.To != "+13195550100" {
		t.Fatalf("inbound %q from %s to %s", mo.Body, mo.From, mo.To)
	}
	page, _ := r.store.List(spool.Filter{Direction: spool.MO}, "", 10)
	if len(page.Messages) != 1 || page.Messages[0].Body != text {
		t.Fatalf("spooled inbound: %+v", page.Messages)
	}
	if err := r.sim.Wait(ctxT(t), func() bool { return len(r.sim.Stored()) == 0 }); err != nil {
		t.Fatalf("parts left on the SIM: %v", r.sim.Stored())
	}
}

func TestStoredMessagesReadAtStart(t *testing.T) {
	r := newRig(t, modemsim.Options{Preload: []modemsim.MO{{From: "+13195550111", Text: "sent while you were down"}}},
		modem.Options{})
	if mo := r.waitInbound(t); mo.Body != "sent while you were down" {
		t.Fatalf("inbound %q", mo.Body)
	}
}

func TestDirectDeliveryFallback(t *testing.T) {
	r := newRig(t, modemsim.Options{DirectOnly: true, ReportDelay: 10 * time.Millisecond}, modem.Options{})
	r.waitReady(t, true)
	if !r.modem.Health().Direct {
		t.Fatal("the connector did not fall back to direct delivery")
	}
	if _, err := r.sim.DeliverMO(modemsim.MO{Text: "direct"}); err != nil {
		t.Fatal(err)
	}
	if mo := r.waitInbound(t); mo.Body != "direct" {
		t.Fatalf("inbound %q", mo.Body)
	}
	id := r.enqueue(t, &spool.Message{To: "+13195550123", Body: "x", ReportReq: true})
	r.waitState(t, id, spool.StateDelivered)
}

func TestPIN(t *testing.T) {
	r := newRig(t, modemsim.Options{PIN: "1234"}, modem.Options{PIN: "1234"})
	r.waitReady(t, true)
	if r.sim.SIMState() != modemsim.SIMReady {
		t.Fatalf("SIM %s", r.sim.SIMState())
	}
}

func TestRefusedPINIsNeverRetried(t *testing.T) {
	r := newRig(t, modemsim.Options{PIN: "1234"}, modem.Options{PIN: "9999"})
	ctx := ctxT(t)
	// Wait for the connector to have tried, failed, and reopened twice.
	for r.modem.Health().Reopens < 3 {
		select {
		case <-ctx.Done():
			t.Fatalf("health %+v", r.modem.Health())
		case <-time.After(10 * time.Millisecond): // polling: no signal for reopens
		}
	}
	if st := r.sim.SIMState(); st != modemsim.SIMPIN {
		t.Fatalf("SIM is %s after repeated reopens: the PIN was retried", st)
	}
	if h := r.modem.Health(); !strings.Contains(h.LastError, "refused the PIN") || r.modem.Ready() {
		t.Fatalf("health %+v", h)
	}
}

func TestRetryableAndPermanentCMSErrors(t *testing.T) {
	r := newRig(t, modemsim.Options{}, modem.Options{})
	r.waitReady(t, true)
	r.sim.FailNext("+CMGS", 1, modemsim.CMSError(38)) // network out of order: retried
	id := r.enqueue(t, &spool.Message{To: "+13195550123", Body: "first"})
	m := r.waitState(t, id, spool.StateSent)
	if m.Attempts != 2 || !strings.Contains(m.Timeline[3].Detail, "cms_38") {
		t.Fatalf("attempts %d timeline %+v", m.Attempts, m.Timeline)
	}
	r.sim.FailNext("+CMGS", 1, modemsim.CMSError(1)) // unassigned number: permanent
	id = r.enqueue(t, &spool.Message{To: "+13195550124", Body: "second"})
	if m := r.waitState(t, id, spool.StateFailed); m.Attempts != 1 {
		t.Fatalf("attempts %d", m.Attempts)
	}
	// "Short message transfer rejected" is what networks answer for a SIM
	// whose plan has no SMS: about our SIM, not the message, so it is
	// retried (through another connector, when the route has one).
	r.sim.FailNext("+CMGS", 1, modemsim.CMSError(21))
	id = r.enqueue(t, &spool.Message{To: "+13195550125", Body: "third"})
	if m := r.waitState(t, id, spool.StateSent); m.Attempts != 2 {
		t.Fatalf("after +CMS ERROR 21: attempts %d", m.Attempts)
	}
}

func TestUnplugAndReplugDeliversOnce(t *testing.T) {
	r := newRig(t, modemsim.Options{}, modem.Options{})
	r.waitReady(t, true)
	r.sim.Unplug()
	r.waitReady(t, false)
	id := r.enqueue(t, &spool.Message{To: "+13195550123", Body: "after the unplug"})
	if err := r.sim.Replug(); err != nil {
		t.Fatal(err)
	}
	r.waitReady(t, true)
	r.waitState(t, id, spool.StateSent)
	n := 0
	for _, s := range r.sim.Submits() {
		if txt, _ := s.Text(); txt == "after the unplug" {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("sent %d times", n)
	}
	if h := r.modem.Health(); h.Reopens < 1 || h.LastError != "" || h.Since.IsZero() {
		t.Fatalf("health %+v", h) // Since: when it became ready again
	}
}

func TestHungSendIsRetriedAsPossibleDuplicate(t *testing.T) {
	r := newRig(t, modemsim.Options{}, modem.Options{SendTimeout: 200 * time.Millisecond})
	r.waitReady(t, true)
	r.sim.Hang("+CMGS", 0)
	id := r.enqueue(t, &spool.Message{To: "+13195550123", Body: "hang"})
	if err := r.sim.Wait(ctxT(t), r.sim.Hung); err != nil {
		t.Fatal(err)
	}
	r.waitReady(t, false) // the session is closed after the timeout
	r.sim.Resume()
	m := r.waitState(t, id, spool.StateSent)
	if m.Attempts != 2 {
		t.Fatalf("attempts %d", m.Attempts)
	}
	found := false
	for _, e := range m.Timeline {
		found = found || strings.Contains(e.Detail, "possible duplicate")
	}
	if !found {
		t.Fatalf("timeline does not warn of a duplicate: %+v", m.Timeline)
	}
}

// TestConfiguredSMSC: with Options.SMSC every PDU names that SMSC; by
// default the SMSC part is empty (00: the SIM's).
func TestConfiguredSMSC(t *testing.T) {
	for _, smsc := range []string{"", "+13125550000"} {
		r := newRig(t, modemsim.Options{}, modem.Options{SMSC: smsc})
		r.waitReady(t, true)
		_, sub := r.sendOne(t, "+13195550123", "smsc")
		got := ""
		if !sub.SMSC.IsZero() {
			got = sub.SMSC.String()
		}
		if got != smsc {
			t.Errorf("SMSC part %q, want %q", got, smsc)
		}
	}
}
