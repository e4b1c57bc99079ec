package systemd_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// nfpmConfig is the part of nfpm.yaml the tests read.
type nfpmConfig struct {
	Name     string `yaml:"name"`
	Contents []struct {
		Src  string `yaml:"src"`
		Dst  string `yaml:"dst"`
		Type string `yaml:"type"`
	} `yaml:"contents"`
	Scripts map[string]string `yaml:"scripts"`
}

func readNfpm(t *testing.T) nfpmConfig {
	t.Helper()
	src, err := os.ReadFile("nfpm.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var c nfpmConfig
	if err := yaml.Unmarshal(src, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestNfpmSources checks that every file the package takes exists (paths
// are relative to the repository root, where make deb runs nfpm), except
// the binary, which make build writes.
func TestNfpmSources(t *testing.T) {
	c := readNfpm(t)
	if c.Name != "smsgw" {
		t.Errorf("package name %q", c.Name)
	}
	dsts := map[string]string{}
	for _, f := range c.Contents {
		dsts[f.Dst] = f.Type
		if f.Src == "./bin/smsgw" {
			continue
		}
		if _, err := os.Stat(filepath.Join("..", f.Src)); err != nil {
			t.Errorf("%s (for %s): %v", f.Src, f.Dst, err)
		}
	}
	for _, dst := range []string{
		"/usr/bin/smsgw",
		"/lib/systemd/system/smsgw.service",
		"/lib/udev/rules.d/60-smsgw-modems.rules",
		"/usr/lib/sysusers.d/smsgw.conf",
		"/etc/smsgw/smsgw.yaml",
		"/etc/smsgw/smsgw.env",
	} {
		if _, ok := dsts[dst]; !ok {
			t.Errorf("the package does not install %s", dst)
		}
	}
	for _, conf := range []string{"/etc/smsgw/smsgw.yaml", "/etc/smsgw/smsgw.env"} {
		if typ := dsts[conf]; typ != "config|noreplace" {
			t.Errorf("%s has type %q, want config|noreplace", conf, typ)
		}
	}
	for name, script := range c.Scripts {
		path := filepath.Join("..", script)
		fi, err := os.Stat(path)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if fi.Mode()&0o111 == 0 {
			t.Errorf("%s is not executable", script)
		}
		if out, err := exec.Command("sh", "-n", path).CombinedOutput(); err != nil {
			t.Errorf("sh -n %s: %v\n%s", script, err, out)
		}
	}
}

// TestPostinstallDoesNotStart keeps a fresh install from starting the
// gateway before its configuration is edited: postinstall.sh runs no
// systemctl that starts or enables (try-restart, which restarts only a
// running gateway on upgrade, is fine). The hint it prints is not code.
func TestPostinstallDoesNotStart(t *testing.T) {
	src, err := os.ReadFile("postinstall.sh")
	if err != nil {
		t.Fatal(err)
	}
	code := string(src)
	if i := strings.Index(code, "<<'HINT'"); i >= 0 {
		j := strings.Index(code[i:], "\nHINT\n")
		if j < 0 {
			t.Fatal("unterminated HINT")
		}
		code = code[:i] + code[i+j:]
	}
	for _, line := range strings.Split(code, "\n") {
		if !strings.Contains(line, "systemctl") {
			continue
		}
		for _, bad := range []string{" start", " enable", " restart", " reload-or-restart", "--now"} {
			if strings.Contains(line, bad) {
				t.Errorf("postinstall.sh: %q", strings.TrimSpace(line))
			}
		}
	}
}

// TestSysusers creates the user in an empty root with systemd-sysusers.
func TestSysusers(t *testing.T) {
	sysusers, err := exec.LookPath("systemd-sysusers")
	if err != nil {
		t.Skip("systemd-sysusers not installed")
	}
	conf, err := filepath.Abs("smsgw.sysusers")
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	if err := os.Mkdir(filepath.Join(root, "etc"), 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(sysusers, "--root="+root, conf).CombinedOutput(); err != nil {
		t.Fatalf("systemd-sysusers: %v\n%s", err, out)
	}
	passwd, _ := os.ReadFile(filepath.Join(root, "etc/passwd"))
	group, _ := os.ReadFile(filepath.Join(root, "etc/group"))
	if !strings.Contains(string(passwd), ":smsgw SMS gateway:/var/lib/smsgw:") {
		t.Errorf("no user smsgw in\n%s", passwd)
	}
	var dialout string
	for _, line := range strings.Split(string(group), "\n") {
		if strings.HasPrefix(line, "dialout:") {
			dialout = line
		}
	}
	if !strings.HasSuffix(dialout, ":smsgw") {
		t.Errorf("smsgw not in dialout: %q", dialout)
	}
}

// TestEnvTemplateNamesTheExample: the packaged /etc/smsgw/smsgw.env lists
// every variable the example configuration's *_env keys name, so that an
// administrator fills in one file.
func TestEnvTemplateNamesTheExample(t *testing.T) {
	tmpl, err := os.ReadFile("smsgw.env")
	if err != nil {
		t.Fatal(err)
	}
	example, err := os.ReadFile("../configs/smsgw.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, m := range regexp.MustCompile(`(?m)^\s*\w+_env:\s*(\w+)`).FindAllSubmatch(example, -1) {
		n++
		if !regexp.MustCompile(`(?m)^#` + string(m[1]) + `=`).Match(tmpl) {
			t.Errorf("smsgw.env does not name %s", m[1])
		}
	}
	if n == 0 {
		t.Fatal("no *_env keys found in the example: the test reads it wrong")
	}
}
