package systemd_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// udevToken is one KEY[{attr}] OP "value" of a rule line.
var udevToken = regexp.MustCompile(`^([A-Z_]+)(\{[^}]+\})?(==|!=|\+=|-=|:=|=)"([^"]*)"$`)

// Match keys compare (== or !=); assignment keys set (=, +=, -=, :=). ENV,
// TAG and a few others do both.
var (
	udevMatch  = "ACTION DEVPATH KERNEL KERNELS SUBSYSTEM SUBSYSTEMS DRIVER DRIVERS ATTR ATTRS ENV TAG TAGS TEST PROGRAM RESULT CONST SYSCTL NAME SYMLINK"
	udevAssign = "ENV TAG NAME SYMLINK OWNER GROUP MODE SECLABEL ATTR SYSCTL RUN LABEL GOTO IMPORT OPTIONS"
)

// udevRules returns the rule lines of the rules file, including the
// commented-out examples ("#ATTRS..."), which the technician uncomments.
func udevRules(t *testing.T) (active, examples []string) {
	t.Helper()
	src, err := os.ReadFile("60-smsgw-modems.rules")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(src), "\n") {
		switch {
		case strings.HasPrefix(line, "#ATTRS"):
			examples = append(examples, line[1:])
		case line == "" || line[0] == '#':
		default:
			active = append(active, line)
		}
	}
	return active, examples
}

// splitRule splits a rule line at the commas between its tokens.
func splitRule(line string) []string {
	var tokens []string
	quoted, start := false, 0
	for i, c := range line {
		switch {
		case c == '"':
			quoted = !quoted
		case c == ',' && !quoted:
			tokens = append(tokens, strings.TrimSpace(line[start:i]))
			start = i + 1
		}
	}
	return append(tokens, strings.TrimSpace(line[start:]))
}

func TestUdevRulesParse(t *testing.T) {
	active, examples := udevRules(t)
	labels, gotos := map[string]bool{}, map[string]bool{}
	modems := 0
	for _, line := range append(active, examples...) {
		set := map[string]string{}
		matchesModem := false
		for _, tok := range splitRule(line) {
			m := udevToken.FindStringSubmatch(tok)
			if m == nil {
				t.Errorf("bad token %q in %q", tok, line)
				continue
			}
			key, op, value := m[1], m[3], m[4]
			keys := udevAssign
			if op == "==" || op == "!=" {
				keys = udevMatch
			}
			if !strings.Contains(" "+keys+" ", " "+key+" ") {
				t.Errorf("%s%s is not a udev key for %q (in %q)", key, op, op, line)
			}
			set[key+m[2]] = value
			switch {
			case key == "LABEL":
				labels[value] = true
			case key == "GOTO":
				gotos[value] = true
			case key == "ATTRS" && m[2] == "{idVendor}":
				matchesModem = true
			}
		}
		if !matchesModem {
			continue
		}
		modems++
		for key, want := range map[string]string{"ENV{ID_MM_DEVICE_IGNORE}": "1", "GROUP": "dialout", "MODE": "0660"} {
			if set[key] != want {
				t.Errorf("%s=%q, want %q in %q", key, set[key], want, line)
			}
		}
		if set["ATTRS{idProduct}"] == "" || set["ENV{ID_USB_INTERFACE_NUM}"] == "" {
			t.Errorf("no idProduct or interface in %q", line)
		}
		if !strings.HasPrefix(set["SYMLINK"], "smsgw/") {
			t.Errorf("SYMLINK %q not under /dev/smsgw/ in %q", set["SYMLINK"], line)
		}
	}
	for g := range gotos {
		if !labels[g] {
			t.Errorf("GOTO=%q without its LABEL", g)
		}
	}
	if modems != 6 {
		t.Errorf("%d modem lines, want 3 rules and 3 examples", modems)
	}
	if len(examples) != 3 {
		t.Errorf("%d examples, want 3", len(examples))
	}
	for _, line := range examples {
		if !strings.Contains(line, `ATTRS{serial}=="REPLACE-WITH-SERIAL"`) {
			t.Errorf("example without the serial placeholder: %q", line)
		}
	}
}

// TestUdevadmVerify runs udevadm verify (systemd 254 and later) on the
// rules with the examples uncommented.
func TestUdevadmVerify(t *testing.T) {
	udevadm, err := exec.LookPath("udevadm")
	if err != nil {
		t.Skip("udevadm not installed")
	}
	if exec.Command(udevadm, "verify", "--help").Run() != nil {
		t.Skip("this udevadm has no verify (systemd < 254); TestUdevRulesParse checks the syntax")
	}
	active, examples := udevRules(t)
	path := filepath.Join(t.TempDir(), "60-smsgw-modems.rules")
	if err := os.WriteFile(path, []byte(strings.Join(append(active, examples...), "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(udevadm, "verify", path).CombinedOutput(); err != nil {
		t.Fatalf("udevadm verify: %v\n%s", err, out)
	}
}
