package cmd

import (
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
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
	// Another process (here a child holding the pty as its standard
	// input, as the running gateway holds /dev/ttyUSB2) has the port:
	// probe and at refuse it unless --force. They read the gateway's
	// answers and took the fallback modem out of service.
	holder := exec.Command("sleep", "60")
	tty, err := os.OpenFile(sim.Device(), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	holder.Stdin = tty
	if err := holder.Start(); err != nil {
		t.Fatal(err)
	}
	tty.Close()
	defer func() { holder.Process.Kill(); holder.Wait() }()
	for _, args := range [][]string{{"probe", "--port", sim.Path()}, {"at", "--port", sim.Path(), "AT+CSQ"}} {
		code, _, errOut = runCmd(t, "", append([]string{"modem"}, args...)...)
		if code != ExitFailure || !strings.Contains(errOut, "is open by process "+strconv.Itoa(holder.Process.Pid)) {
			t.Fatalf("%v with the port held: exit %d %q", args, code, errOut)
		}
	}
	if code, out, _ = runCmd(t, "", "modem", "at", "--force", "--port", sim.Path(), "AT+CSQ"); code != ExitOK || out != "+CSQ: 20,99\nOK\n" {
		t.Fatalf("at --force: exit %d %q", code, out)
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
