package modem_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/smsgw/smsgw/modem"
	"github.com/smsgw/smsgw/modem/modemsim"
	"github.com/smsgw/smsgw/pdu"
	"github.com/smsgw/smsgw/spool"
)

// Behaviours of modems in the field, each shown against the simulator.

// timelineHas reports whether any timeline entry of m contains sub.
func timelineHas(m *spool.Message, sub string) bool {
	for _, e := range m.Timeline {
		if strings.Contains(e.Detail, sub) {
			return true
		}
	}
	return false
}

// TestModemRestartWithoutReplugIsReinitialised: a modem that restarts by
// itself while its port stays (a module on a UART, a firmware crash that
// keeps USB) prints RDY and is back at its defaults: AT+CNMI no longer
// routes status reports. The connector initialises it again. Before, it
// went on with the old session and every report was dropped.
func TestModemRestartWithoutReplugIsReinitialised(t *testing.T) {
	r := newRig(t, modemsim.Options{ReportDelay: 10 * time.Millisecond}, modem.Options{})
	r.waitReady(t, true)
	if err := r.sim.Wait(ctxT(t), func() bool { return r.sim.CNMI()[3] == 2 }); err != nil {
		t.Fatalf("routing %v", r.sim.CNMI())
	}
	r.sim.Restart()
	if err := r.sim.Wait(ctxT(t), func() bool { return r.sim.CNMI()[3] == 2 }); err != nil {
		t.Fatalf("the modem was not initialised again after it restarted: routing %v, health %+v",
			r.sim.CNMI(), r.modem.Health())
	}
	id := r.enqueue(t, &spool.Message{To: "+13195550123", Body: "after the restart", ReportReq: true})
	r.waitState(t, id, spool.StateDelivered)
}

// TestRoutingResetIsNoticedByThePoll: the same restart with the RDY lost
// (it came while the port was busy elsewhere): the poll sees AT+CNMI
// back at its default and initialises the modem again.
func TestRoutingResetIsNoticedByThePoll(t *testing.T) {
	r := newRig(t, modemsim.Options{ReportDelay: 10 * time.Millisecond}, modem.Options{PollInterval: 20 * time.Millisecond})
	r.waitReady(t, true)
	r.sim.LoseURCs("RDY", 1)
	r.sim.Restart()
	if err := r.sim.Wait(ctxT(t), func() bool { return r.sim.CNMI()[3] == 2 }); err != nil {
		t.Fatalf("routing %v, health %+v", r.sim.CNMI(), r.modem.Health())
	}
	id := r.enqueue(t, &spool.Message{To: "+13195550123", Body: "after the restart", ReportReq: true})
	r.waitState(t, id, spool.StateDelivered)
}

// TestLostCMTIIsFoundByThePoll: a message stored without its +CMTI
// reaching the gateway (URCs routed to another port, lost in a reset)
// is read by the poll's storage check. Before, it stayed on the SIM
// until the next restart, and a full SIM made the network hold every
// new message.
func TestLostCMTIIsFoundByThePoll(t *testing.T) {
	r := newRig(t, modemsim.Options{}, modem.Options{PollInterval: 20 * time.Millisecond})
	r.waitReady(t, true)
	r.sim.LoseURCs("+CMTI:", 1)
	r.receiveOne(t, "no notification")
	if h := r.modem.Health(); h.StorageTotal != 30 {
		t.Fatalf("health %+v", h)
	}
}

// TestEmptyReadIsNotDeleted: AT+CMGR answers an empty record for an
// index a +CMTI just named (some modems notify before the message can
// be read). The index is not deleted: the message stays for the sweep
// of the next poll (TestLostCMTIIsFoundByThePoll). Before, the index
// was deleted unread and the message lost.
func TestEmptyReadIsNotDeleted(t *testing.T) {
	// OK alone, and "+CMGR: 0,,0", as many modems answer an empty slot.
	for _, answer := range [][]string{nil, {"+CMGR: 0,,0"}} {
		t.Run(fmt.Sprint(len(answer)), func(t *testing.T) { emptyReadIsNotDeleted(t, answer) })
	}
}

func emptyReadIsNotDeleted(t *testing.T, answer []string) {
	r := newRig(t, modemsim.Options{}, modem.Options{PollInterval: time.Hour})
	r.waitReady(t, true) // the first poll is over
	emptied := make(chan struct{})
	r.sim.Handle("+CMGR", func(modemsim.Command) ([]string, error) {
		r.sim.Handle("+CMGR", nil) // once
		close(emptied)
		return answer, nil
	})
	if _, err := r.sim.DeliverMO(modemsim.MO{Text: "not readable yet"}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-emptied:
	case <-ctxT(t).Done():
		t.Fatal("never read")
	}
	if _, err := r.sim.DeliverMO(modemsim.MO{Text: "readable"}); err != nil {
		t.Fatal(err)
	}
	if mo := r.waitInbound(t); mo.Body != "readable" {
		t.Fatalf("inbound %q", mo.Body)
	}
	// Wait for the readable one (index 1, or 0 if the first was
	// deleted) to be deleted.
	var stored []modemsim.Stored
	if err := r.sim.Wait(ctxT(t), func() bool {
		stored = r.sim.Stored()
		return len(stored) == 0 || (len(stored) == 1 && stored[0].Stat == modemsim.StatUnread)
	}); err != nil {
		t.Fatalf("storage %+v", stored)
	}
	if len(stored) != 1 || stored[0].Index != 0 {
		t.Fatalf("the message read empty was deleted: storage %+v", stored)
	}
}

// TestFailedDeleteIsNotStoredTwice: AT+CMGD fails, twice, after the
// message was stored. The next sweep finds it again: it is deleted, not
// stored a second time (the caller's text reached the centre twice).
func TestFailedDeleteIsNotStoredTwice(t *testing.T) {
	r := newRig(t, modemsim.Options{}, modem.Options{PollInterval: 100 * time.Millisecond})
	r.waitReady(t, true)
	r.sim.FailNext("+CMGD", 2, modemsim.CMSError(500))
	r.receiveOne(t, "once") // deleted at the next sweep
	select {
	case mo := <-r.sink.inbound:
		t.Fatalf("stored twice: %q", mo.Body)
	default:
	}
}

// TestNotificationNamesAnotherStorage: with the storage set to "ME", a
// class 2 (SIM) message is stored on the SIM and notified as
// +CMTI: "SM",<i>. The connector reads it there. Before, it read and
// deleted index <i> of "ME" and the message stayed on the SIM unread.
func TestNotificationNamesAnotherStorage(t *testing.T) {
	r := newRig(t, modemsim.Options{}, modem.Options{Storage: "ME"})
	r.waitReady(t, true)
	if _, err := r.sim.DeliverMO(modemsim.MO{Text: "class 2", Class: pdu.Class2}); err != nil {
		t.Fatal(err)
	}
	if mo := r.waitInbound(t); mo.Body != "class 2" {
		t.Fatalf("inbound %q", mo.Body)
	}
	if err := r.sim.Wait(ctxT(t), func() bool { return len(r.sim.Stored()) == 0 }); err != nil {
		t.Fatalf("left in storage: %v", r.sim.Stored())
	}
	// The configured storage is selected again: the next one is read too.
	if _, err := r.sim.DeliverMO(modemsim.MO{Text: "class 1", Class: pdu.Class1}); err != nil {
		t.Fatal(err)
	}
	if mo := r.waitInbound(t); mo.Body != "class 1" {
		t.Fatalf("inbound %q", mo.Body)
	}
}

// TestPortLostAfterThePDUIsPossibleDuplicate: the modem vanishes (USB
// reset, unplug) after it took the PDU and before +CMGS: the part may
// have gone out, and the timeline says so. Before, it said only "the
// modem port closed".
func TestPortLostAfterThePDUIsPossibleDuplicate(t *testing.T) {
	r := newRig(t, modemsim.Options{}, modem.Options{})
	r.waitReady(t, true)
	r.sim.Hang("+CMGS", 0) // the PDU is taken and sent; no answer
	id := r.enqueue(t, &spool.Message{To: "+13195550123", Body: "cut off"})
	if err := r.sim.Wait(ctxT(t), r.sim.Hung); err != nil {
		t.Fatal(err)
	}
	r.sim.Unplug()
	if err := r.sim.Replug(); err != nil {
		t.Fatal(err)
	}
	m := r.waitState(t, id, spool.StateSent)
	if !timelineHas(m, "possible duplicate") {
		t.Fatalf("timeline does not warn of a duplicate: %+v", m.Timeline)
	}
	if n := len(r.sim.Submits()); n != 2 {
		t.Fatalf("%d submits, want 2 (the first went out unanswered)", n)
	}
}

// TestNoPromptIsNotADuplicate: the modem never gives the "> " prompt,
// so the PDU was never written: the part was not sent, and the timeline
// does not cry duplicate. Before, every AT+CMGS timeout said "possible
// duplicate".
func TestNoPromptIsNotADuplicate(t *testing.T) {
	r := newRig(t, modemsim.Options{}, modem.Options{SendTimeout: 200 * time.Millisecond})
	r.waitReady(t, true)
	r.sim.NoPrompt(1)
	id := r.enqueue(t, &spool.Message{To: "+13195550123", Body: "no prompt"})
	m := r.waitState(t, id, spool.StateSent)
	if timelineHas(m, "possible duplicate") || !timelineHas(m, "was not sent") {
		t.Fatalf("timeline %+v", m.Timeline)
	}
	if n := len(r.sim.Submits()); n != 1 {
		t.Fatalf("%d submits", n)
	}
}

// TestSIMBarringIsRetried: +CMS ERROR: 8 (operator determined barring:
// our SIM may not send, out of credit for one) says nothing about the
// message: it is retried, not failed. Before, every message through a
// barred SIM failed for good. The modem is held unready meanwhile (routes
// use their next connector), and ready again after SIMHold.
func TestSIMBarringIsRetried(t *testing.T) {
	r := newRig(t, modemsim.Options{}, modem.Options{SIMHold: 200 * time.Millisecond, PollInterval: 20 * time.Millisecond})
	r.waitReady(t, true)
	r.sim.FailNext("+CMGS", 1, modemsim.CMSError(8))
	id := r.enqueue(t, &spool.Message{To: "+13195550123", Body: "barred once"})
	m := r.waitState(t, id, spool.StateSent)
	if m.Attempts != 2 {
		t.Fatalf("attempts %d", m.Attempts)
	}
	h := r.modem.Health()
	// The hold is over (the message went again): its error is cleared,
	// its count and time stay.
	if h.SIMRefused != 1 || h.SIMHeldUntil.IsZero() || strings.Contains(h.LastError, "+CMS ERROR 8") {
		t.Fatalf("health %+v", h)
	}
	// The spool keeps times to the millisecond.
	if sent := m.Timeline[len(m.Timeline)-1].At; sent.Before(h.SIMHeldUntil.Truncate(time.Millisecond)) {
		t.Fatalf("sent again at %v, while held unready until %v", sent, h.SIMHeldUntil)
	}
}

// TestEveryCNMIRefusedStillSends: a modem that refuses every AT+CNMI
// setting can still send, and a fallback that can send is kept. Before,
// init failed and the modem was never ready.
func TestEveryCNMIRefusedStillSends(t *testing.T) {
	r := newRigBefore(t, modemsim.Options{}, modem.Options{PollInterval: 20 * time.Millisecond}, func(sim *modemsim.Modem) {
		sim.Handle("+CNMI", func(modemsim.Command) ([]string, error) { return nil, modemsim.CMSOperationNotSupported })
	})
	r.waitReady(t, true)
	if h := r.modem.Health(); h.Routing != "none" {
		t.Fatalf("health %+v", h)
	}
	id := r.enqueue(t, &spool.Message{To: "+13195550123", Body: "still sends"})
	r.waitState(t, id, spool.StateSent)
	r.sim.LoseURCs("+CMTI:", 1)
	if _, err := r.sim.DeliverMO(modemsim.MO{Text: "read by polling"}); err != nil {
		t.Fatal(err)
	}
	if mo := r.waitInbound(t); mo.Body != "read by polling" {
		t.Fatalf("inbound %q", mo.Body)
	}
}

// TestLastPINAttemptIsNotRisked: the SIM has one PIN attempt left (two
// wrong ones were entered before, by hand or by earlier starts of the
// gateway); the connector does not send its PIN, which would lock the
// SIM into PUK if it were wrong. Before, every start sent it once.
func TestLastPINAttemptIsNotRisked(t *testing.T) {
	r := newRigBefore(t, modemsim.Options{PIN: "1234"}, modem.Options{PIN: "9999"}, func(sim *modemsim.Modem) {
		for range 2 {
			if _, err := modem.Command(sim.Path(), `AT+CPIN="0000"`, 2*time.Second); err == nil {
				t.Fatal("a wrong PIN was accepted")
			}
		}
	})
	pinKept(t, r)
}

// TestLastPINAttemptIsNotRiskedHuawei: a Huawei modem tells the attempts
// left in AT^CPIN? (no AT+QPINC): its pin_times is the fourth field; the
// second after the code is the PUK's count (10), which was read as the
// PIN's, and the last attempt was used.
func TestLastPINAttemptIsNotRiskedHuawei(t *testing.T) {
	r := newRigBefore(t, modemsim.Options{PIN: "1234"}, modem.Options{PIN: "9999"}, func(sim *modemsim.Modem) {
		for range 2 {
			if _, err := modem.Command(sim.Path(), `AT+CPIN="0000"`, 2*time.Second); err == nil {
				t.Fatal("a wrong PIN was accepted")
			}
		}
		sim.Handle("+QPINC", func(modemsim.Command) ([]string, error) { return nil, errors.New("ERROR") })
		sim.Handle("^CPIN", func(modemsim.Command) ([]string, error) {
			return []string{fmt.Sprintf("^CPIN: %s,1,10,1,10,3", sim.SIMState())}, nil
		})
	})
	pinKept(t, r)
}

// pinKept waits for the connector to say it kept the SIM's last PIN
// attempt, and checks that the SIM still wants its PIN (not its PUK).
func pinKept(t *testing.T, r *rig) {
	t.Helper()
	ctx := ctxT(t)
	for !strings.Contains(r.modem.Health().LastError, "attempt") {
		select {
		case <-ctx.Done():
			t.Fatalf("health %+v, SIM %s", r.modem.Health(), r.sim.SIMState())
		case <-time.After(10 * time.Millisecond): // polling: no signal for a session's end
		}
	}
	if st := r.sim.SIMState(); st != modemsim.SIMPIN {
		t.Fatalf("SIM is %s: the last PIN attempt was used", st)
	}
}

// TestOversizedInboundDoesNotStopTheModem: an inbound message the spool
// could not take whole (216 GSM parts of "é", 66,096 bytes of UTF-8) is
// stored cut, with the reason saying so, and deleted from the SIM. It
// used to be refused at every reading, and every session ended in the
// sweep before the modem became ready: no 911 text in or out.
func TestOversizedInboundDoesNotStopTheModem(t *testing.T) {
	r := newRig(t, modemsim.Options{Capacity: 250}, modem.Options{})
	r.waitReady(t, true)
	if _, err := r.sim.DeliverMO(modemsim.MO{Text: strings.Repeat("é", 153*216)}); err != nil {
		t.Fatal(err)
	}
	r.waitInbound(t)
	page, err := r.store.List(spool.Filter{Direction: spool.MO}, "", 10)
	if err != nil || len(page.Messages) != 1 {
		t.Fatalf("inbound %v %v", page.Messages, err)
	}
	if mo := page.Messages[0]; len(mo.Body) != 65536 || !strings.Contains(mo.Reason, "stored cut") {
		t.Fatalf("stored %d bytes, reason %q", len(mo.Body), mo.Reason)
	}
	id := r.enqueue(t, &spool.Message{To: "+13195550123", Body: "shelter in place"})
	r.waitState(t, id, spool.StateSent)
	if h := r.modem.Health(); h.StorageUsed != 0 {
		t.Fatalf("%d messages left on the SIM", h.StorageUsed)
	}
}

// TestPINWhileSIMBusyIsTriedAgain: the SIM answers the PIN with +CME
// ERROR: 14, busy: it did not check it, so it is no refusal. The PIN is
// given again at the next session and the modem becomes ready. Before,
// any error counted as a refused PIN and the PIN was never sent again
// until a restart of the gateway.
func TestPINWhileSIMBusyIsTriedAgain(t *testing.T) {
	var mu sync.Mutex
	tries, unlocked := 0, false
	r := newRigBefore(t, modemsim.Options{}, modem.Options{PIN: "1234"}, func(sim *modemsim.Modem) {
		sim.Handle("+CPIN", func(c modemsim.Command) ([]string, error) {
			mu.Lock()
			defer mu.Unlock()
			if c.Op == modemsim.Read {
				if unlocked {
					return []string{"+CPIN: READY"}, nil
				}
				return []string{"+CPIN: SIM PIN"}, nil
			}
			if tries++; tries == 1 {
				return nil, modemsim.CMEError(14)
			}
			unlocked = c.Args == `"1234"`
			return nil, nil
		})
	})
	r.waitReady(t, true)
	mu.Lock()
	defer mu.Unlock()
	if tries != 2 {
		t.Fatalf("the PIN was given %d times, want 2", tries)
	}
}

// TestStatusReportInNationalForm: the service centre writes the
// recipient of a status report in its national form ("3195550123",
// type of number unknown) for a part sent to +13195550123. The report
// still finds its message; it used to leave it "sent" for ever.
func TestStatusReportInNationalForm(t *testing.T) {
	r := newRig(t, modemsim.Options{ReportDelay: -1}, modem.Options{StatusReports: true})
	r.waitReady(t, true)
	id, sub := r.sendOne(t, "+13195550123", "units on the way")
	national := &pdu.Submit{Destination: pdu.Address{TON: pdu.TONUnknown, NPI: pdu.NPIISDN, Value: "3195550123"}}
	if err := r.sim.Report(modemsim.Submit{MR: sub.MR, Message: national}, 0x00); err != nil {
		t.Fatal(err)
	}
	r.waitState(t, id, spool.StateDelivered)
}
