package modem_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/smsgw/smsgw/modem"
	"github.com/smsgw/smsgw/modem/modemsim"
	"github.com/smsgw/smsgw/spool"
)

// Each test here is a row of CAVEATS.md.

// Status reports as +CDS without the SMSC part (some SIMCom and Huawei
// firmware), on a modem that cannot store them.
func TestQuirkBareCDS(t *testing.T) {
	r := newRig(t, modemsim.Options{DirectOnly: true, BareCDS: true, ReportDelay: 10 * time.Millisecond}, modem.Options{})
	r.waitReady(t, true)
	id := r.enqueue(t, &spool.Message{To: "+13195550123", Body: "bare", ReportReq: true})
	r.waitState(t, id, spool.StateDelivered)
}

// Vendor URCs (Huawei ^RSSI/^HCSQ/^MODE, Quectel +QIND) arriving at any
// time, also inside command answers, do not disturb polling or sending.
func TestQuirkVendorURCs(t *testing.T) {
	r := newRig(t, modemsim.Options{}, modem.Options{PollInterval: 10 * time.Millisecond})
	r.waitReady(t, true)
	r.sim.URCInResponse("+CSQ", "^RSSI: 17")
	r.sim.SendURC("^HCSQ: \"LTE\",60,50,120,30")
	r.sim.SendURC("+QIND: \"csq\",20,99")
	r.sim.URCInResponse("+CMGS", "^MODE: 17,17")
	id := r.enqueue(t, &spool.Message{To: "+13195550123", Body: "noise"})
	r.waitState(t, id, spool.StateSent)
	if h := r.modem.Health(); h.SignalDBm != -73 || !h.Registration.Registered() {
		t.Fatalf("health %+v", h)
	}
}

// Probe reads the ICCID with whichever command the model has (+QCCID on
// Quectel, +CCID on SIMCom, ^ICCID on Huawei).
func TestQuirkProbeICCID(t *testing.T) {
	sim, err := modemsim.New(modemsim.Options{RegistrationDelay: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	r, err := modem.Probe(sim.Path(), 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if r.Model != "EC25" || r.ICCID != "8901260000000000014" || r.SIM != "READY" || r.SignalDBm != -73 ||
		!r.Registration.Registered() || r.SMSC != "+15555550100" || r.IMEI != "867962041234561" {
		t.Fatalf("probe %+v", r)
	}
	info, err := modem.Command(sim.Path(), "AT+CSQ", 2*time.Second)
	if err != nil || len(info) != 1 || info[0] != "+CSQ: 20,99" {
		t.Fatalf("raw command: %q %v", info, err)
	}
	if _, err := modem.Command(sim.Path(), "AT+NOSUCH", 2*time.Second); err == nil {
		t.Fatal("an unknown command answered OK")
	}
}

// A retry of a message whose first part went out sends only the rest,
// with the same concatenation reference.
func TestRetrySendsOnlyTheMissingParts(t *testing.T) {
	r := newRig(t, modemsim.Options{}, modem.Options{})
	r.waitReady(t, true)
	text := strings.Repeat("Evacuate the east wing now. ", 8) // 2 parts
	msg := &spool.Message{ID: "01JD0000000000000000000000", To: "+13195550123", Body: text}
	first, err := r.modem.Send(context.Background(), msg)
	if err != nil || len(first) != 2 {
		t.Fatalf("first send: %v %v", first, err)
	}
	msg.Parts = []spool.Part{{Seq: 1, ProviderID: first[0], State: spool.StateSent}}
	again, err := r.modem.Send(context.Background(), msg)
	if err != nil || len(again) != 1 {
		t.Fatalf("retry: %v %v", again, err)
	}
	subs := r.sim.Submits()
	c1, _ := subs[0].Message.UserData.UDH.Concat()
	c3, _ := subs[2].Message.UserData.UDH.Concat()
	if len(subs) != 3 || c3.Seq != 2 || c3.Ref != c1.Ref {
		t.Fatalf("retry sent %d submits, last %+v (first %+v)", len(subs), c3, c1)
	}
}

// A modem behind ser2net or a terminal server: tcp://host:port.
func TestModemOverTCP(t *testing.T) {
	r := newRig(t, modemsim.Options{TCP: true, NoPTY: true, ReportDelay: 10 * time.Millisecond},
		modem.Options{Port: "tcp"})
	r.waitReady(t, true)
	id := r.enqueue(t, &spool.Message{To: "+13195550123", Body: "over tcp", ReportReq: true})
	r.waitState(t, id, spool.StateDelivered)
}
