package modemsim_test

import (
	"slices"
	"testing"
	"time"

	"github.com/smsgw/smsgw/modem/modemsim"
)

func TestEchoIdentityAndErrors(t *testing.T) {
	m := start(t, modemsim.Options{})
	c := open(t, m)

	// Echo is on until ATE0: the line comes back before the answer.
	c.send("AT\r")
	if got := c.expect("OK\r\n"); got != "AT\r\r\nOK\r\n" {
		t.Fatalf("echoed AT: %q", got)
	}
	c.send("ATE0\r")
	c.expect("ATE0\r\r\nOK\r\n")
	c.send("AT\r")
	if got := c.expect("OK\r\n"); got != "\r\nOK\r\n" {
		t.Fatalf("AT after ATE0: %q", got)
	}

	for cmd, want := range map[string][]string{
		"ATI":         {"Quectel", "EC25", "Revision: EC25EFAR06A06M4G", "OK"},
		"AT+CGMI":     {"Quectel", "OK"},
		"AT+CGMM":     {"EC25", "OK"},
		"AT+CGMR":     {"EC25EFAR06A06M4G", "OK"},
		"AT+CGSN":     {"867962041234561", "OK"},
		"AT+CIMI":     {"310260000000001", "OK"},
		"AT+CCID":     {"+CCID: 8901260000000000014", "OK"},
		"AT+QCCID":    {"+QCCID: 8901260000000000014", "OK"},
		"AT+GCAP":     {"+GCAP: +CGSM,+FCLASS,+DS", "OK"},
		"AT+CMGF=0":   {"OK"},
		"AT+CMGF?":    {"+CMGF: 0", "OK"},
		"AT+CSCA?":    {`+CSCA: "+15555550100",145`, "OK"},
		"AT+CPIN?":    {"+CPIN: READY", "OK"},
		"AT+NOSUCH":   {"ERROR"},
		"ATE0V1Q0":    {"OK"},
		"AT+CSQ;+CSQ": {"+CSQ: 20,99", "+CSQ: 20,99", "OK"},
	} {
		if got := c.cmd(cmd); !slices.Equal(got, want) {
			t.Errorf("%s: %q, want %q", cmd, got, want)
		}
	}

	// Errors are plain until AT+CMEE=1 (numeric) or 2 (verbose).
	for _, step := range []struct{ cmd, want string }{
		{`AT+CPIN="1234"`, "ERROR"},
		{"AT+CMGR=99", "ERROR"},
		{"AT+CMEE=1", "OK"},
		{`AT+CPIN="1234"`, "+CME ERROR: 3"},
		{"AT+CMGR=99", "+CMS ERROR: 321"},
		{"AT+CMGF=1", "+CMS ERROR: 303"},
		{"AT+CMEE=2", "OK"},
		{`AT+CPIN="1234"`, "+CME ERROR: operation not allowed"},
		{"AT+CMGR=99", "+CMS ERROR: invalid memory index"},
		{"AT+NOSUCH", "ERROR"},
	} {
		if got := c.cmd(step.cmd); got[len(got)-1] != step.want {
			t.Errorf("%s: %q, want %q", step.cmd, got, step.want)
		}
	}
}

func TestPIN(t *testing.T) {
	m := start(t, modemsim.Options{PIN: "1234"})
	c := open(t, m)
	c.init()
	if got := c.must("AT+CPIN?"); got[0] != "+CPIN: SIM PIN" {
		t.Fatalf("CPIN? %q", got)
	}
	if got := c.cmd("AT+CIMI"); got[0] != "+CME ERROR: 11" {
		t.Fatalf("CIMI with SIM PIN: %q", got)
	}
	if got := c.cmd("AT+CMGL=4"); got[0] != "+CMS ERROR: 311" {
		t.Fatalf("CMGL with SIM PIN: %q", got)
	}
	if m.Registered() {
		t.Fatal("registered with a locked SIM")
	}
	if got := c.cmd(`AT+CPIN="0000"`); got[0] != "+CME ERROR: 16" {
		t.Fatalf("wrong PIN: %q", got)
	}
	c.must(`AT+CPIN="1234"`)
	if got := c.must("AT+CPIN?"); got[0] != "+CPIN: READY" {
		t.Fatalf("CPIN? after PIN: %q", got)
	}
	if got := c.cmd(`AT+CPIN="1234"`); got[0] != "+CME ERROR: 3" {
		t.Fatalf("PIN when ready: %q", got)
	}
	c.must("AT+CIMI")
	if err := m.Wait(ctx(t), m.Registered); err != nil {
		t.Fatal("no registration after the PIN:", err)
	}

	// A restart locks the SIM again; three wrong PINs lock it into PUK,
	// which only the PUK and a new PIN open.
	c.must("AT+CFUN=1,1")
	c.init()
	for i := range 3 {
		if got := c.cmd(`AT+CPIN="9999"`); got[0] != "+CME ERROR: 16" {
			t.Fatalf("wrong PIN %d: %q", i, got)
		}
	}
	if got := c.must("AT+CPIN?"); got[0] != "+CPIN: SIM PUK" || m.SIMState() != modemsim.SIMPUK {
		t.Fatalf("after 3 wrong PINs: %q", got)
	}
	if got := c.cmd(`AT+CPIN="1234"`); got[0] != "+CME ERROR: 12" {
		t.Fatalf("PIN in PUK state: %q", got)
	}
	if got := c.cmd(`AT+CPIN="00000000","4321"`); got[0] != "+CME ERROR: 16" {
		t.Fatalf("wrong PUK: %q", got)
	}
	c.must(`AT+CPIN="12345678","4321"`)
	c.must("AT+CFUN=1,1")
	c.init()
	c.must(`AT+CPIN="4321"`)
	if m.SIMState() != modemsim.SIMReady {
		t.Fatal(m.SIMState())
	}
}

func TestRegistration(t *testing.T) {
	m := start(t, modemsim.Options{RegistrationDelay: 100 * time.Millisecond, Operator: "TESTNET", Signal: 17})
	c := open(t, m)
	c.init()
	c.must("AT+CREG=1")
	c.must("AT+CEREG=2")
	if err := m.Wait(ctx(t), m.Registered); err != nil {
		t.Fatal(err)
	}
	// Power-on was before the port opened: restart to time it. A reset
	// forgets the URC settings and echo.
	began := time.Now() // before the reset, which starts the delay: never later than it
	c.must("AT+CFUN=1,1")
	c.urcs = nil // those of before the reset
	c.send("AT+CREG?\r")
	if got := c.expect("OK\r\n"); got != "AT+CREG?\r\r\n+CREG: 0,2\r\n\r\nOK\r\n" {
		t.Fatalf("CREG? after reset, searching: %q", got)
	}
	c.init()
	c.must("AT+CREG=1")
	c.must("AT+CEREG=2")
	if got := c.must("AT+COPS?"); got[0] != "+COPS: 0" && !m.Registered() {
		t.Fatalf("COPS? while searching: %q", got)
	}
	c.urc("+CREG: 1")
	if d := time.Since(began); d < 100*time.Millisecond {
		t.Fatalf("registered after %v", d)
	}
	c.urc(`+CEREG: 1,"0D46","0C9E1F03",7`)
	for cmd, want := range map[string]string{
		"AT+CREG?":  "+CREG: 1,1",
		"AT+CEREG?": `+CEREG: 2,1,"0D46","0C9E1F03",7`,
		"AT+CGREG?": "+CGREG: 0,1",
		"AT+COPS?":  `+COPS: 0,0,"TESTNET",7`,
		"AT+CSQ":    "+CSQ: 17,99",
		"AT+CFUN?":  "+CFUN: 1",
	} {
		if got := c.must(cmd); got[0] != want {
			t.Errorf("%s: %q, want %q", cmd, got, want)
		}
	}

	// Radio off deregisters; on again registers after the delay.
	c.must("AT+CFUN=0")
	c.urc("+CREG: 0")
	if got := c.must("AT+CSQ"); got[0] != "+CSQ: 99,99" {
		t.Fatalf("CSQ radio off: %q", got)
	}
	c.must("AT+CFUN=1")
	c.urc("+CREG: 2")
	c.urc("+CREG: 1")
}
