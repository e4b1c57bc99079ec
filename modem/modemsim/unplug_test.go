package modemsim_test

import (
	"errors"
	"io/fs"
	"net"
	"os"
	"testing"
	"time"

	"go.bug.st/serial"

	"github.com/smsgw/smsgw/modem/modemsim"
)

// TestUnplugReplug: the gateway's port fails, the path goes away, and
// after the replug the same path opens a freshly powered modem.
func TestUnplugReplug(t *testing.T) {
	m := start(t, modemsim.Options{PIN: "1234"})
	c := open(t, m)
	c.init()
	c.must(`AT+CPIN="1234"`)
	path, dev := m.Path(), m.Device()
	if fi, err := os.Lstat(path); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Fatalf("%s: %v %v", path, fi, err)
	}

	m.Unplug()
	select {
	case err := <-c.err:
		t.Logf("read after unplug: %v (%T)", err, err)
	case <-time.After(timeout):
		t.Fatal("the gateway's read did not fail")
	}
	if _, err := c.port.Write([]byte("AT\r")); err == nil {
		t.Error("write after unplug succeeded")
	}
	if m.Device() != "" {
		t.Error("a device while unplugged")
	}
	if _, err := serial.Open(path, &serial.Mode{BaudRate: 115200}); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("open while unplugged: %v", err)
	}
	// MO while unplugged waits at the network.
	if _, err := m.DeliverMO(modemsim.MO{Text: "while unplugged"}); err != nil {
		t.Fatal(err)
	}

	if err := m.Replug(); err != nil {
		t.Fatal(err)
	}
	if err := m.Replug(); !errors.Is(err, modemsim.ErrPlugged) {
		t.Errorf("second replug: %v", err)
	}
	if m.Path() != path {
		t.Fatalf("path %s, was %s", m.Path(), path)
	}
	t.Logf("pty %s, was %s", m.Device(), dev)
	c = open(t, m)
	c.send("AT\r")
	c.expect("AT\r\r\nOK\r\n") // echo on again: a new power-on
	c.init()
	if got := c.must("AT+CPIN?"); got[0] != "+CPIN: SIM PIN" {
		t.Fatalf("CPIN? after replug: %q", got)
	}
	c.must(`AT+CPIN="1234"`)
	c.urc(`+CMTI: "SM",0`)
}

func TestTCP(t *testing.T) {
	m := start(t, modemsim.Options{TCP: true})
	dial := func() *client {
		conn, err := net.Dial("tcp", m.Addr())
		if err != nil {
			t.Fatal(err)
		}
		return newClient(t, conn)
	}
	tc, pc := dial(), open(t, m)
	tc.init()
	pc.init()

	// One modem: a send on TCP is seen by all, MO is notified to both.
	pdus, lens := encode(t, to, "over tcp", false)
	if got := tc.sendPDU(pdus[0], lens[0]); got[0] != "+CMGS: 0" {
		t.Fatalf("send over TCP: %q", got)
	}
	if _, err := m.WaitSubmits(ctx(t), 1); err != nil {
		t.Fatal(err)
	}
	m.DeliverMO(modemsim.MO{Text: "hi"})
	tc.urc(`+CMTI: "SM",0`)
	pc.urc(`+CMTI: "SM",0`)
	if got := pc.must("AT+CMGR=0"); len(got) != 2 {
		t.Fatalf("CMGR on the pty: %q", got)
	}

	// Unplugged, ser2net has no device: connections close.
	m.Unplug()
	select {
	case <-tc.err:
	case <-time.After(timeout):
		t.Fatal("TCP connection open after unplug")
	}
	if err := m.Replug(); err != nil {
		t.Fatal(err)
	}
	tc = dial()
	tc.init()
	tc.must("AT")
}

func TestTCPOnly(t *testing.T) {
	m := start(t, modemsim.Options{TCP: true, NoPTY: true})
	if m.Path() != "" || m.Device() != "" {
		t.Fatalf("path %q device %q", m.Path(), m.Device())
	}
	conn, err := net.Dial("tcp", m.Addr())
	if err != nil {
		t.Fatal(err)
	}
	c := newClient(t, conn)
	c.send("AT\r")
	c.expect("AT\r\r\nOK\r\n")
}
