package cmd

import (
	"strings"
	"testing"

	"github.com/smsgw/smsgw/modem/modemsim"
)

// The modem commands against the simulator's pty, as against /dev/ttyUSB2.
func TestModemCommandsAgainstTheSimulator(t *testing.T) {
	sim, err := modemsim.New(modemsim.Options{RegistrationDelay: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	code, out, errOut := runCmd(t, "", "modem", "probe", "--port", sim.Path())
	if code != ExitOK {
		t.Fatalf("probe: exit %d %s", code, errOut)
	}
	for _, want := range []string{"model:         EC25", "sim:           READY", "signal:        -73 dBm",
		"registration:  registered (home)", "operator:      SIMNET", "smsc:          +15555550100"} {
		if !strings.Contains(out, want) {
			t.Errorf("probe output lacks %q:\n%s", want, out)
		}
	}
	code, out, _ = runCmd(t, "", "modem", "at", "--port", sim.Path(), "AT+CSQ")
	if code != ExitOK || out != "+CSQ: 20,99\nOK\n" {
		t.Fatalf("at: exit %d %q", code, out)
	}
	code, _, errOut = runCmd(t, "", "modem", "at", "--port", sim.Path(), "AT+NOSUCH")
	if code != ExitFailure || !strings.Contains(errOut, "ERROR") {
		t.Fatalf("unknown command: exit %d %q", code, errOut)
	}
	code, _, errOut = runCmd(t, "", "modem", "probe", "--port", "/dev/does-not-exist")
	if code != ExitFailure || !strings.Contains(errOut, "no such file") {
		t.Fatalf("missing port: exit %d %q", code, errOut)
	}
	// The machine's own ports vary (a container may have none, or an
	// unreadable sysfs): list must print a JSON array or fail cleanly.
	if code, out, errOut := runCmd(t, "", "modem", "list", "--json"); (code == ExitOK) != strings.HasPrefix(out, "[") ||
		code != ExitOK && !strings.Contains(errOut, "list ports") {
		t.Fatalf("list: exit %d %q %q", code, out, errOut)
	}
}
