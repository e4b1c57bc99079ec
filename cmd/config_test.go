package cmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/smsgw/smsgw/configs"
)

func writeFile(t *testing.T, name, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestConfigCheckExample(t *testing.T) {
	t.Setenv("SMSGW_WEBHOOK_SECRET", "whsec-0123456789abcdef")
	t.Setenv("SMSGW_CARRIER_A_PASSWORD", "s3cret")
	t.Setenv("SMSGW_MODEM_1_PIN", "1234")
	t.Setenv("SMSGW_MODEM_2_PIN", "5678")
	code, out, errOut := runCmd(t, "", "config", "example")
	if code != ExitOK || out != string(configs.Example()) {
		t.Fatalf("config example: exit %d, %d bytes, %s", code, len(out), errOut)
	}
	path := writeFile(t, "smsgw.yaml", out)
	code, out, errOut = runCmd(t, "", "config", "check", path)
	if code != ExitOK || out != "ok\n" || errOut != "" {
		t.Fatalf("config check: exit %d, out %q, err %q", code, out, errOut)
	}
}

// TestConfigCheckEnvFile: the example's *_env secrets come from an
// environment file, as the packaged unit's EnvironmentFile= gives them.
func TestConfigCheckEnvFile(t *testing.T) {
	names := []string{"SMSGW_WEBHOOK_SECRET", "SMSGW_CARRIER_A_PASSWORD", "SMSGW_MODEM_1_PIN", "SMSGW_MODEM_2_PIN"}
	for _, n := range names {
		t.Setenv(n, "") // restored (unset) after the test, and the command's Setenv with it
		os.Unsetenv(n)
	}
	path := writeFile(t, "smsgw.yaml", string(configs.Example()))
	code, _, errOut := runCmd(t, "", "config", "check", path)
	if code != ExitConfig || !strings.Contains(errOut, "SMSGW_CARRIER_A_PASSWORD is not set") {
		t.Fatalf("without the file: exit %d, %s", code, errOut)
	}
	env := writeFile(t, "smsgw.env", `# secrets for smsgw.service
SMSGW_WEBHOOK_SECRET="whsec-0123456789abcdef"
SMSGW_CARRIER_A_PASSWORD='pa$$word'
SMSGW_MODEM_1_PIN=1234
SMSGW_MODEM_2_PIN=5678
`)
	code, out, errOut := runCmd(t, "", "config", "check", "--env-file", env, path)
	if code != ExitOK || out != "ok\n" || errOut != "" {
		t.Fatalf("with --env-file: exit %d, out %q, err %q", code, out, errOut)
	}
	if got := os.Getenv("SMSGW_CARRIER_A_PASSWORD"); got != "pa$$word" {
		t.Errorf("password read as %q", got)
	}
	bad := writeFile(t, "bad.env", "SMSGW_MODEM_1_PIN='1234\n")
	code, _, errOut = runCmd(t, "", "config", "check", "--env-file", bad, path)
	if code != ExitConfig || !strings.Contains(errOut, "bad.env: line 1: the quote opened here is never closed") {
		t.Fatalf("an unclosed quote: exit %d, %s", code, errOut)
	}
}

// TestConfigCheckServeChecks: what smsgw serve would refuse when it
// builds the gateway (a country without a numbering plan in the phone
// number library, a keyword of two words) fails config check too.
func TestConfigCheckServeChecks(t *testing.T) {
	path := writeFile(t, "smsgw.yaml", `tenants:
  - id: t1
    default_region: US
    allowed_countries: [US, AQ]
    api_keys: [{id: k1, key_hash: "$2a$04$5tEHzvxkd4lcXHLAlmemReboNHa7g1Yr1GZXHqLcQJJ.vNKfGPJma"}]
    optout:
      keywords:
        en: {stop: ["STOP NOW"]}
connectors:
  - {name: c1, type: modem, enabled: true, port: /dev/ttyUSB0}
routes:
  - connectors: [c1]
`)
	code, out, errOut := runCmd(t, "", "config", "check", path)
	if code != ExitConfig || out != "" || !strings.Contains(errOut, "smsgw serve would refuse it") ||
		!strings.Contains(errOut, `"AQ"`) || !strings.Contains(errOut, `"STOP NOW" is not one word`) {
		t.Fatalf("exit %d, out %q, err %q", code, out, errOut)
	}
}

func TestConfigCheckWarnings(t *testing.T) {
	path := writeFile(t, "smsgw.yaml", `tenants:
  - id: demo
    default_region: US
    api_keys: [{id: k1, key: "0123456789abcdef0123"}]
    senders: ["*"]
connectors:
  - {name: sim, type: modem, enabled: true, port: "tcp://127.0.0.1:7000"}
routes:
  - connectors: [sim]
`)
	code, out, errOut := runCmd(t, "", "config", "check", path)
	want := "warning: tenants[0].api_keys[0].key: inline secret: for tests and demos; use key_hash, key_env or key_file (line 4)\n"
	if code != ExitOK || out != "ok\n" || errOut != want {
		t.Fatalf("exit %d, out %q, err %q", code, out, errOut)
	}
}

func TestConfigCheckErrors(t *testing.T) {
	path := writeFile(t, "bad.yaml", `listen:
  http: 127.0.0.1:80800
tenants:
  - id: psap-north
    default_region: US
    api_keys: [{id: k1, key_env: SMSGW_TEST_UNSET_VARIABLE}]
    senders: ["+13195550100"]
connectors:
  - {name: carrier-a, type: smpp, host: smsc.example, system_id: x, password: pw}
routes:
  - match: {tenant: psap-north}
    connectors: [carrier-b]
`)
	code, out, errOut := runCmd(t, "", "config", "check", path)
	want := "smsgw: " + path + `: 3 errors
listen.http: port "80800" is not in 1 to 65535 (line 2)
tenants[0].api_keys[0].key_env: environment variable SMSGW_TEST_UNSET_VARIABLE is not set (line 6)
routes[0].connectors[0]: unknown connector "carrier-b" (did you mean "carrier-a"?) (line 12)
warning: connectors[0].password: inline secret: for tests and demos; use password_env or password_file (line 9)
`
	if code != ExitConfig || out != "" || errOut != want {
		t.Fatalf("exit %d, out %q, err:\n%s\nwant:\n%s", code, out, errOut, want)
	}
}

func TestConfigCheckMissingFile(t *testing.T) {
	code, _, errOut := runCmd(t, "", "config", "check", filepath.Join(t.TempDir(), "none.yaml"))
	if code != ExitConfig || !strings.Contains(errOut, "no such file") {
		t.Fatalf("exit %d, %q", code, errOut)
	}
	if code, _, _ := runCmd(t, "", "config", "check"); code != ExitUsage {
		t.Fatalf("no file: exit %d", code)
	}
	// serve says how to write one, whether the path was given or not.
	missing := filepath.Join(t.TempDir(), "smsgw.yaml")
	code, _, errOut = runCmd(t, "", "serve", "--config", missing)
	if code != ExitConfig || !strings.Contains(errOut, "no configuration at "+missing) || !strings.Contains(errOut, "smsgw config example > "+missing) {
		t.Fatalf("serve --config with no file: exit %d %q", code, errOut)
	}
}

func TestHashSecret(t *testing.T) {
	verify := func(hash, secret string, cost int) {
		t.Helper()
		hash = strings.TrimSuffix(hash, "\n")
		if err := bcrypt.CompareHashAndPassword([]byte(hash), []byte(secret)); err != nil {
			t.Fatalf("%q does not verify %q: %v", hash, secret, err)
		}
		if c, _ := bcrypt.Cost([]byte(hash)); c != cost {
			t.Fatalf("cost %d, want %d", c, cost)
		}
	}
	code, out, errOut := runCmd(t, "correct horse battery staple\n", "hash-secret")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	verify(out, "correct horse battery staple", bcrypt.DefaultCost)

	code, out, _ = runCmd(t, "", "hash-secret", "--secret", "s3cret", "--cost", "4")
	if code != ExitOK {
		t.Fatalf("--secret: exit %d", code)
	}
	verify(out, "s3cret", 4)

	code, out, _ = runCmd(t, "", "hash-secret", "--generate", "--cost", "4")
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if code != ExitOK || len(lines) != 2 || len(lines[0]) != 43 {
		t.Fatalf("--generate: exit %d, %q", code, out)
	}
	verify(lines[1], lines[0], 4)

	// The hash is one configs accepts.
	path := writeFile(t, "smsgw.yaml", "admin:\n  users: [{name: a, password_hash: \""+lines[1]+"\"}]\n")
	if code, _, errOut := runCmd(t, "", "config", "check", path); code != ExitOK {
		t.Fatalf("config check of the hash: exit %d: %s", code, errOut)
	}

	for _, args := range [][]string{{"hash-secret"}, {"hash-secret", "--cost", "3", "--secret", "x"}, {"hash-secret", "--generate", "--secret", "x"}} {
		if code, _, _ := runCmd(t, "", args...); code != ExitUsage {
			t.Errorf("%v: exit %d, want %d", args, code, ExitUsage)
		}
	}
}

// TestOverridesOnReload: the serve flags that replace keys apply to each
// reload too, so a reload of an unchanged file is not refused for
// "changing" data_dir or listen.http; a default control socket moves
// with --data.
func TestOverridesOnReload(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "smsgw.yaml")
	text := "data_dir: " + dir + "/file\n" + `tenants:
  - id: t1
    default_region: US
    api_keys: [{id: k1, key_hash: "$2a$04$5tEHzvxkd4lcXHLAlmemReboNHa7g1Yr1GZXHqLcQJJ.vNKfGPJma"}]
connectors:
  - {name: c1, type: modem, enabled: true, port: /dev/ttyUSB0}
routes:
  - connectors: [c1]
`
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	over := overrides{data: dir + "/flag", http: "127.0.0.1:18080"}
	load := func() *configs.Config {
		cfg, err := configs.Load(path)
		if err != nil {
			t.Fatal(err)
		}
		over.apply(cfg)
		return cfg
	}
	running := load()
	if running.DataDir != dir+"/flag" || running.Listen.Control != dir+"/flag/smsgw.sock" || running.Listen.HTTP != "127.0.0.1:18080" {
		t.Fatalf("overridden: data %s, control %s, http %s", running.DataDir, running.Listen.Control, running.Listen.HTTP)
	}
	if err := running.Reloadable(load()); err != nil {
		t.Fatalf("reloading the same file: %v", err)
	}
	// A control socket the file sets stays where the file says.
	if err := os.WriteFile(path, []byte(text+"listen:\n  control: /run/smsgw/smsgw.sock\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if c := load().Listen.Control; c != "/run/smsgw/smsgw.sock" {
		t.Errorf("control %s, want the file's", c)
	}
}

// TestUsageExitCode: an unknown command or subcommand, and a wrong
// argument count, exit with ExitUsage; a group alone prints its help.
func TestUsageExitCode(t *testing.T) {
	for _, args := range [][]string{{"nosuch"}, {"spool", "nosuch"}, {"spool", "audit", "nosuch"}, {"spool", "show"},
		{"spool", "cancel"}, {"spool", "retry"}, {"modem", "at"}, {"config", "check"}} {
		if code, _, errOut := runCmd(t, "", args...); code != ExitUsage {
			t.Errorf("%v: exit %d, want %d (%s)", args, code, ExitUsage, errOut)
		}
	}
	if code, out, _ := runCmd(t, "", "spool"); code != ExitOK || !strings.Contains(out, "Available Commands") {
		t.Errorf("spool alone: exit %d, %q", code, out)
	}
}
