package modemsim_test

import (
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/smsgw/smsgw/modem/modemsim"
	"github.com/smsgw/smsgw/pdu"
)

func mustHex(t *testing.T, h string) []byte {
	t.Helper()
	b, err := hex.DecodeString(h)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestMOStored: <mt> 1 stores and notifies with +CMTI; the gateway
// reads with AT+CMGR and deletes with AT+CMGD. The parts come out of
// order.
func TestMOStored(t *testing.T) {
	m := start(t, modemsim.Options{})
	c := open(t, m)
	c.init()
	c.must(`AT+CPMS="SM","SM","SM"`)
	c.must("AT+CNMI=2,1,0,2,0")
	n, err := m.DeliverMO(modemsim.MO{From: "+13195550123", Text: longText, Order: []int{2, 1}})
	if err != nil || n != 2 {
		t.Fatal(n, err)
	}
	parts := map[int]string{}
	for i := range 2 {
		if u := c.urc("+CMTI:"); u[0] != fmt.Sprintf(`+CMTI: "SM",%d`, i) {
			t.Fatalf("notification %d: %q", i, u)
		}
		got := c.must(fmt.Sprintf("AT+CMGR=%d", i))
		d, ok := decode(t, got[1]).(*pdu.Deliver)
		if !ok || got[0] != fmt.Sprintf("+CMGR: 0,,%d", len(got[1])/2-8) {
			t.Fatalf("CMGR=%d: %q", i, got)
		}
		cc, _ := d.UDH.Concat()
		if cc.Seq != 2-i || d.Originator.String() != "+13195550123" {
			t.Errorf("part %d: seq %d from %s", i, cc.Seq, d.Originator)
		}
		parts[cc.Seq] = text(t, d.UserData)
	}
	if parts[1]+parts[2] != longText {
		t.Errorf("text %q", parts[1]+parts[2])
	}
	if got := c.must("AT+CMGR=0"); !strings.HasPrefix(got[0], "+CMGR: 1,,") {
		t.Errorf("read again: %q", got)
	}
	if got := c.must("AT+CPMS?"); got[0] != `+CPMS: "SM",2,30,"SM",2,30,"SM",2,30` {
		t.Errorf("CPMS? %q", got)
	}
	c.must("AT+CMGD=0")
	c.must("AT+CMGD=1")
	if got := c.must("AT+CMGR=0"); len(got) != 0 {
		t.Errorf("deleted slot: %q", got)
	}
	if s := m.Stored(); len(s) != 0 {
		t.Errorf("left stored: %+v", s)
	}
}

// TestMODirect: <mt> 2 sends +CMT; after AT+CSMS=1 each waits for
// AT+CNMA, the next is held until then, and one never acknowledged
// makes the modem set <mt> and <ds> to 0 and store it instead.
func TestMODirect(t *testing.T) {
	m := start(t, modemsim.Options{AckTimeout: 100 * time.Millisecond})
	c := open(t, m)
	c.init()
	c.must("AT+CSMS=1")
	c.must("AT+CNMI=2,2,0,1,0")
	for _, txt := range []string{"one", "two"} {
		if _, err := m.DeliverMO(modemsim.MO{Text: txt}); err != nil {
			t.Fatal(err)
		}
	}
	u := c.urc("+CMT:")
	d, ok := decode(t, u[1]).(*pdu.Deliver)
	if !ok || text(t, d.UserData) != "one" || u[0] != fmt.Sprintf("+CMT: ,%d", len(u[1])/2-8) {
		t.Fatalf("+CMT %q", u)
	}
	if st := m.Stats(); st.Held != 1 {
		t.Fatalf("held %d while waiting for CNMA", st.Held)
	}
	c.must("AT+CNMA")
	u = c.urc("+CMT:")
	if d := decode(t, u[1]).(*pdu.Deliver); text(t, d.UserData) != "two" {
		t.Fatalf("+CMT %q", u)
	}
	// No acknowledgement this time.
	err := m.Wait(ctx(t), func() bool { return m.Stats().AckTimeouts == 1 })
	if err != nil {
		t.Fatal(err)
	}
	if got := c.must("AT+CNMI?"); got[0] != "+CNMI: 2,0,0,0,0" {
		t.Errorf("CNMI? after the timeout: %q", got)
	}
	if s := m.Stored(); len(s) != 1 || s[0].Stat != modemsim.StatUnread {
		t.Fatalf("stored %+v", s)
	}
	if got := c.cmd("AT+CNMA"); got[0] != "+CMS ERROR: 340" {
		t.Errorf("late CNMA: %q", got)
	}
	if st := m.Stats(); st.Acks != 1 || st.Delivered != 3 {
		t.Errorf("stats %+v", st)
	}
}

// TestPreload: messages left on the SIM are there at start for the
// gateway's sweep with AT+CMGL=4.
func TestPreload(t *testing.T) {
	m := start(t, modemsim.Options{Capacity: 5, Preload: []modemsim.MO{
		{Text: "first"}, {From: "+447700900123", Text: "second"},
	}})
	c := open(t, m)
	c.init()
	got := c.must("AT+CMGL=4")
	if len(got) != 4 || !strings.HasPrefix(got[0], "+CMGL: 0,0,,") || !strings.HasPrefix(got[2], "+CMGL: 1,0,,") {
		t.Fatalf("CMGL=4: %q", got)
	}
	var texts []string
	for _, h := range []string{got[1], got[3]} {
		texts = append(texts, text(t, decode(t, h).(*pdu.Deliver).UserData))
	}
	if !slices.Equal(texts, []string{"first", "second"}) {
		t.Errorf("texts %q", texts)
	}
	if got := c.must("AT+CMGL=0"); len(got) != 0 {
		t.Errorf("unread after listing: %q", got)
	}
	if got := c.must("AT+CPMS?"); got[0] != `+CPMS: "SM",2,5,"SM",2,5,"SM",2,5` {
		t.Errorf("CPMS? %q", got)
	}
	c.must("AT+CMGD=0,4")
	if s := m.Stored(); len(s) != 0 {
		t.Errorf("left stored: %+v", s)
	}
}
