package modemsim_test

import (
	"slices"
	"testing"
	"time"

	"github.com/warthog618/modem/at"
	"github.com/warthog618/modem/gsm"
	"go.bug.st/serial"

	"github.com/smsgw/smsgw/modem/modemsim"
	"github.com/smsgw/smsgw/pdu"
)

// TestWarthogAT drives the simulator with the AT engine the connector
// uses (warthog618/modem at and gsm), as LIBRARIES.md section 2.1 does.
func TestWarthogAT(t *testing.T) {
	m := start(t, modemsim.Options{SendDelay: 20 * time.Millisecond})
	p, err := serial.Open(m.Path(), &serial.Mode{BaudRate: 115200})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	a := at.New(p, at.WithTimeout(2*time.Second), at.WithCmds("E0", "+CMEE=1"))
	g := gsm.New(a)
	if err := g.Init(); err != nil {
		t.Fatal(err)
	}
	info, err := a.Command("+CSQ")
	if err != nil || !slices.Equal(info, []string{"+CSQ: 20,99"}) {
		t.Fatalf("CSQ: %q %v", info, err)
	}
	// gsm.Init sets AT+CMEE=2: verbose errors.
	if _, err := a.Command("+CMGR=99"); err == nil || err.Error() != "CMS Error: invalid memory index" {
		t.Errorf("CMGR=99: %v", err)
	}
	dest, _ := pdu.ParseAddress(to)
	subs, _, err := pdu.EncodeText(dest, "Help is on the way", pdu.SubmitOptions{})
	if err != nil {
		t.Fatal(err)
	}
	tpdu, _ := subs[0].MarshalBinary()
	mr, err := g.SendPDU(tpdu, at.WithTimeout(5*time.Second))
	if err != nil || mr != "0" {
		t.Fatalf("SendPDU: %q %v", mr, err)
	}
	got, err := m.WaitSubmits(ctx(t), 1)
	if err != nil {
		t.Fatal(err)
	}
	if txt, _ := got[0].Text(); txt != "Help is on the way" {
		t.Errorf("sent %q", txt)
	}
	m.Unplug()
	select {
	case <-a.Closed():
	case <-time.After(timeout):
		t.Fatal("the AT engine did not see the unplug")
	}
}
