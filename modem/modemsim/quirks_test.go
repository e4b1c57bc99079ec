package modemsim_test

import (
	"slices"
	"testing"

	"github.com/smsgw/smsgw/modem/modemsim"
)

// TestDirectOnly: a modem that cannot store and notify refuses
// AT+CNMI=2,1,0,2,0, so a gateway falls back to +CMT and +CDS.
func TestDirectOnly(t *testing.T) {
	m := start(t, modemsim.Options{DirectOnly: true})
	c := open(t, m)
	c.init()
	if got := c.cmd("AT+CNMI=2,1,0,2,0"); got[0] != "+CMS ERROR: 303" {
		t.Fatalf("store and notify: %q", got)
	}
	c.must("AT+CNMI=2,2,0,1,0")
	m.DeliverMO(modemsim.MO{Text: "direct"})
	u := c.urc("+CMT:")
	if d := decodeDeliver(t, u[1]); text(t, d.UserData) != "direct" {
		t.Fatalf("+CMT %q", u)
	}
}

// TestHandle: a vendor command and a changed answer.
func TestHandle(t *testing.T) {
	m := start(t, modemsim.Options{})
	c := open(t, m)
	c.init()
	m.Handle("AT+QCSQ", func(modemsim.Command) ([]string, error) {
		return []string{`+QCSQ: "LTE",-52,-81,195,-10`}, nil
	})
	m.Handle("+CSQ", func(cmd modemsim.Command) ([]string, error) {
		return nil, modemsim.CMEError(30)
	})
	if got := c.cmd("AT+QCSQ"); !slices.Equal(got, []string{`+QCSQ: "LTE",-52,-81,195,-10`, "OK"}) {
		t.Errorf("QCSQ: %q", got)
	}
	if got := c.cmd("AT+CSQ"); got[0] != "+CME ERROR: 30" {
		t.Errorf("CSQ: %q", got)
	}
	m.Handle("+CSQ", nil)
	if got := c.cmd("AT+CSQ"); got[0] != "+CSQ: 20,99" {
		t.Errorf("CSQ restored: %q", got)
	}
}

// TestParams: the command line parser's view of parameters.
func TestParams(t *testing.T) {
	c := modemsim.Command{Name: "+CPMS", Op: modemsim.Set, Args: ` "SM", "ME" ,"a,b"`}
	if got := c.Params(); !slices.Equal(got, []string{"SM", "ME", "a,b"}) {
		t.Errorf("%q", got)
	}
}
