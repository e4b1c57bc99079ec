package modemsim_test

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/smsgw/smsgw/modem/modemsim"
)

func TestFailNext(t *testing.T) {
	m := start(t, modemsim.Options{})
	c := open(t, m)
	c.init()
	m.FailNext("+CSQ", 2, modemsim.CMEError(100))
	m.FailNext("AT+CMGS", 1, modemsim.CMSError(38))
	for _, want := range []string{"+CME ERROR: 100", "+CME ERROR: 100", "+CSQ: 20,99"} {
		if got := c.cmd("AT+CSQ"); got[0] != want {
			t.Errorf("CSQ: %q, want %q", got, want)
		}
	}
	// A send fails after its PDU, as the network refuses it; the next
	// one goes.
	pdus, lens := encode(t, to, "Help", false)
	if got := c.sendPDU(pdus[0], lens[0]); got[0] != "+CMS ERROR: 38" {
		t.Errorf("refused send: %q", got)
	}
	if got := c.sendPDU(pdus[0], lens[0]); got[0] != "+CMGS: 0" {
		t.Errorf("next send: %q", got)
	}
	if n := len(m.Submits()); n != 1 {
		t.Errorf("%d submits", n)
	}
	m.FailNext("", 1, errors.New("any"))
	if got := c.cmd("AT"); !slices.Equal(got, []string{"ERROR"}) {
		t.Errorf("any command: %q", got)
	}
	c.must("AT")
}

// TestHangLate: the answer comes late, before the next command's: what
// a gateway that timed out meets (LIBRARIES.md M3).
func TestHangLate(t *testing.T) {
	m := start(t, modemsim.Options{})
	c := open(t, m)
	c.init()
	m.Hang("+CSQ", 100*time.Millisecond)
	began := time.Now()
	c.send("AT+CSQ\rATI\r")
	if got := c.expect("OK\r\n"); got != "\r\n+CSQ: 20,99\r\n\r\nOK\r\n" {
		t.Fatalf("late answer: %q", got)
	}
	if d := time.Since(began); d < 100*time.Millisecond {
		t.Errorf("answered after %v", d)
	}
	if got := c.lines("I"); got[0] != "Quectel" {
		t.Errorf("next answer: %q", got)
	}
}

// TestHangForever: nothing is answered until Resume.
func TestHangForever(t *testing.T) {
	m := start(t, modemsim.Options{})
	c := open(t, m)
	c.init()
	m.Hang("", 0)
	c.send("AT\r")
	if err := m.Wait(ctx(t), m.Hung); err != nil {
		t.Fatal(err)
	}
	m.Resume()
	c.send("AT+CGMI\r")
	if got := c.expect("OK\r\n"); got != "\r\nQuectel\r\n\r\nOK\r\n" {
		t.Fatalf("after resume: %q (the hung AT must get no OK)", got)
	}

	// A hung send: the message goes, the answer never comes.
	m.Hang("+CMGS", 0)
	pdus, lens := encode(t, to, "Help", false)
	c.send(fmt.Sprintf("AT+CMGS=%d\r", lens[0]))
	c.expect("> ")
	c.send(pdus[0] + "\x1a")
	if _, err := m.WaitSubmits(ctx(t), 1); err != nil {
		t.Fatal(err)
	}
	if err := m.Wait(ctx(t), m.Hung); err != nil {
		t.Fatal(err)
	}
	m.Resume()
	c.send("AT\r")
	if got := c.expect("OK\r\n"); got != "\r\nOK\r\n" {
		t.Fatalf("after resume: %q (no +CMGS may come)", got)
	}
}

func TestURCInResponse(t *testing.T) {
	m := start(t, modemsim.Options{})
	c := open(t, m)
	c.init()
	m.URCInResponse("+CSQ", `+CMTI: "SM",5`)
	c.send("AT+CSQ\r")
	if got := c.expect("OK\r\n"); got != "\r\n+CSQ: 20,99\r\n\r\n+CMTI: \"SM\",5\r\n\r\nOK\r\n" {
		t.Errorf("CSQ: %q", got)
	}
	m.URCInResponse("+CMGS", "RING")
	pdus, lens := encode(t, to, "Help", false)
	c.send(fmt.Sprintf("AT+CMGS=%d\r", lens[0]))
	c.expect("\r\n> ")
	c.send(pdus[0] + "\x1a")
	if got := c.expect("OK\r\n"); got != "\r\nRING\r\n\r\n+CMGS: 0\r\n\r\nOK\r\n" {
		t.Errorf("CMGS: %q", got)
	}
	m.SendURC("+CREG: 2")
	c.urc("+CREG: 2")
}

// TestStorageFull: MO waits at the network while the storage is full,
// and comes once there is room; writes are refused.
func TestStorageFull(t *testing.T) {
	m := start(t, modemsim.Options{Capacity: 2})
	c := open(t, m)
	c.init()
	m.SetStorageFull(true)
	pdus, lens := encode(t, to, "draft", false)
	c.send(fmt.Sprintf("AT+CMGW=%d\r", lens[0]))
	c.expect("> ")
	c.send(pdus[0] + "\x1a")
	if got := c.lines("+CMGW"); got[0] != "+CMS ERROR: 322" {
		t.Errorf("CMGW when full: %q", got)
	}
	if _, err := m.DeliverMO(modemsim.MO{Text: "a"}); err != nil {
		t.Fatal(err)
	}
	if st := m.Stats(); st.Held != 1 || st.Delivered != 0 {
		t.Fatalf("stats while full %+v", st)
	}
	m.SetStorageFull(false)
	c.urc(`+CMTI: "SM",0`)

	// Full for real: the third waits for a delete.
	for _, txt := range []string{"b", "c"} {
		m.DeliverMO(modemsim.MO{Text: txt})
	}
	c.urc(`+CMTI: "SM",1`)
	if st := m.Stats(); st.Held != 1 {
		t.Fatalf("held %d", st.Held)
	}
	c.must("AT+CMGD=0")
	c.urc(`+CMTI: "SM",0`)
	got := c.must("AT+CMGR=0")
	if txt := text(t, decodeDeliver(t, got[1]).UserData); txt != "c" {
		t.Errorf("text %q", txt)
	}
}

// TestNetworkLoss: deregistration, no signal, sends refused, MO held
// until the network is back.
func TestNetworkLoss(t *testing.T) {
	m := start(t, modemsim.Options{})
	c := open(t, m)
	c.init()
	c.must("AT+CREG=1")
	m.SetNetworkLost(true)
	c.urc("+CREG: 0")
	for cmd, want := range map[string]string{"AT+CSQ": "+CSQ: 99,99", "AT+COPS?": "+COPS: 0", "AT+CREG?": "+CREG: 1,0"} {
		if got := c.must(cmd); got[0] != want {
			t.Errorf("%s: %q, want %q", cmd, got, want)
		}
	}
	pdus, lens := encode(t, to, "Help", false)
	if got := c.sendPDU(pdus[0], lens[0]); got[0] != "+CMS ERROR: 331" {
		t.Errorf("send without network: %q", got)
	}
	m.DeliverMO(modemsim.MO{Text: "while away"})
	m.SetNetworkLost(false)
	c.urc("+CREG: 1")
	c.urc(`+CMTI: "SM",0`)
	if got := c.sendPDU(pdus[0], lens[0]); !strings.HasPrefix(got[0], "+CMGS: ") {
		t.Errorf("send with network: %q", got)
	}
}

// TestStall: a stalled modem reads nothing, so a write to the port that
// would block gets EAGAIN (the test writes without blocking); after
// Resume the modem answers again.
func TestStall(t *testing.T) {
	m := start(t, modemsim.Options{})
	c := open(t, m)
	c.init()
	if err := m.Stall(); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(m.Device(), os.O_WRONLY|syscall.O_NOCTTY|syscall.O_NONBLOCK, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rc, err := f.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var werr error
	rc.Write(func(fd uintptr) bool { _, werr = syscall.Write(int(fd), []byte("AT\r")); return true })
	if !errors.Is(werr, syscall.EAGAIN) {
		t.Fatalf("write to a stalled modem: %v, want EAGAIN", werr)
	}
	m.Resume()
	c.send("AT+CGMI\r")
	if got := c.expect("OK\r\n"); got != "\r\nQuectel\r\n\r\nOK\r\n" {
		t.Fatalf("after resume: %q", got)
	}
}
