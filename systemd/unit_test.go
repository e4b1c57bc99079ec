package systemd_test

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/smsgw/smsgw/configs"
)

// unit is a parsed unit file: section → key → values in order.
type unit map[string]map[string][]string

func readUnit(t *testing.T, path string) unit {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	u := unit{}
	section := ""
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || line[0] == '#' || line[0] == ';':
		case line[0] == '[' && line[len(line)-1] == ']':
			section = line[1 : len(line)-1]
			u[section] = map[string][]string{}
		default:
			key, value, ok := strings.Cut(line, "=")
			if !ok || section == "" {
				t.Fatalf("%s:%d: not a key=value line in a section: %q", path, n, line)
			}
			u[section][key] = append(u[section][key], value)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return u
}

// TestUnitVerifies runs systemd-analyze verify on the unit, its ExecStart
// pointed at a binary that exists. Warnings about the unit fail the test.
func TestUnitVerifies(t *testing.T) {
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze not installed")
	}
	src, err := os.ReadFile("smsgw.service")
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(string(src), "ExecStart=/usr/bin/smsgw ", "ExecStart=/bin/true ", 1)
	if text == string(src) {
		t.Fatal("ExecStart=/usr/bin/smsgw not found")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "smsgw.service")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(analyze, "verify", path).CombinedOutput()
	if err != nil && strings.Contains(string(out), "System has not been booted with systemd") {
		t.Skipf("systemd-analyze cannot run here: %s", out)
	}
	if err != nil || strings.Contains(string(out), path) {
		t.Fatalf("systemd-analyze verify: %v\n%s", err, out)
	}
}

// TestUnitHardening keeps the sandbox from being dropped silently.
func TestUnitHardening(t *testing.T) {
	svc := readUnit(t, "smsgw.service")["Service"]
	want := map[string]string{
		"Type":                    "notify",
		"NotifyAccess":            "main",
		"ExecStart":               "/usr/bin/smsgw serve --config " + configs.DefaultPath + " --data /var/lib/smsgw",
		"ExecReload":              "/bin/kill -HUP $MAINPID",
		"EnvironmentFile":         "-/etc/smsgw/smsgw.env",
		"WatchdogSec":             "30s",
		"Restart":                 "on-failure",
		"RestartSec":              "2s",
		"TimeoutStopSec":          "60s",
		"User":                    "smsgw",
		"Group":                   "smsgw",
		"SupplementaryGroups":     "dialout",
		"StateDirectory":          "smsgw",
		"StateDirectoryMode":      "0750",
		"RuntimeDirectory":        "smsgw",
		"ConfigurationDirectory":  "smsgw",
		"DevicePolicy":            "closed",
		"NoNewPrivileges":         "yes",
		"ProtectSystem":           "strict",
		"ProtectHome":             "yes",
		"PrivateTmp":              "yes",
		"ProtectKernelTunables":   "yes",
		"ProtectKernelModules":    "yes",
		"ProtectKernelLogs":       "yes",
		"ProtectControlGroups":    "yes",
		"ProtectClock":            "yes",
		"ProtectHostname":         "yes",
		"RestrictAddressFamilies": "AF_UNIX AF_INET AF_INET6",
		"RestrictNamespaces":      "yes",
		"RestrictRealtime":        "yes",
		"RestrictSUIDSGID":        "yes",
		"LockPersonality":         "yes",
		"MemoryDenyWriteExecute":  "yes",
		"SystemCallArchitectures": "native",
		"SystemCallFilter":        "@system-service",
		"CapabilityBoundingSet":   "",
		"AmbientCapabilities":     "",
		"LimitNOFILE":             "65536",
	}
	for key, value := range want {
		got, ok := svc[key]
		if !ok {
			t.Errorf("%s= missing, want %s=%s", key, key, value)
			continue
		}
		if len(got) != 1 || got[0] != value {
			t.Errorf("%s=%q, want %q", key, got, value)
		}
	}
	for _, allow := range []string{"char-ttyUSB rw", "char-ttyACM rw"} {
		if !slices.Contains(svc["DeviceAllow"], allow) {
			t.Errorf("DeviceAllow=%s missing", allow)
		}
	}
	// PrivateDevices=yes would hide the modems.
	if v, ok := svc["PrivateDevices"]; ok {
		t.Errorf("PrivateDevices=%s: it hides /dev/ttyUSB*; DevicePolicy= and DeviceAllow= do the job", v)
	}
}

// TestUnitPathsWritable checks that the example configuration keeps its
// spool and control socket where the sandbox (ProtectSystem=strict) lets
// the service write: /var/lib/smsgw or /run/smsgw.
func TestUnitPathsWritable(t *testing.T) {
	src, err := os.ReadFile("../configs/smsgw.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var example struct {
		DataDir string `yaml:"data_dir"`
		Listen  struct {
			Control string `yaml:"control"`
		} `yaml:"listen"`
	}
	if err := yaml.Unmarshal(src, &example); err != nil {
		t.Fatal(err)
	}
	writable := func(path string) bool {
		return strings.HasPrefix(path, "/var/lib/smsgw/") || strings.HasPrefix(path, "/run/smsgw/")
	}
	for name, path := range map[string]string{
		"default data_dir":       configs.Default().DataDir + "/",
		"example data_dir":       example.DataDir + "/",
		"example listen.control": example.Listen.Control,
	} {
		if !writable(path) {
			t.Errorf("%s %q is not under StateDirectory or RuntimeDirectory", name, path)
		}
	}
}
