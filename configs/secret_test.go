package configs

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSecretsFromEnvAndFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "key"), []byte("file-key-0123456789\r\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "pin"), []byte("4321\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SMSGW_TEST_KEY", "env-key-0123456789")
	text := `tenants:
  - id: t1
    default_region: US
    api_keys:
      - {id: from-env, key_env: SMSGW_TEST_KEY}
      - {id: from-file, key_file: key}
      - {id: from-hash, key_hash: "` + testHash + `"}
connectors:
  - {name: m1, type: modem, enabled: true, port: /dev/ttyUSB0, pin_file: ` + filepath.Join(dir, "pin") + `}
routes: [{connectors: [m1]}]
`
	cfg, err := Parse([]byte(text), filepath.Join(dir, "smsgw.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	keys := cfg.Tenants[0].APIKeys
	want := []Secret{
		{Value: "env-key-0123456789", Source: SourceEnv, Ref: "SMSGW_TEST_KEY"},
		{Value: "file-key-0123456789", Source: SourceFile, Ref: filepath.Join(dir, "key")},
		{Hash: testHash, Source: SourceHash},
	}
	for i, w := range want {
		if keys[i].Key != w {
			t.Errorf("api_keys[%d]: got %#v (value %q), want %#v", i, keys[i].Key, keys[i].Key.Value, w)
		}
	}
	if pin := cfg.Connectors[0].Modem.PIN; pin.Value != "4321" {
		t.Errorf("pin %q", pin.Value)
	}
	if !keys[0].Key.Verify("env-key-0123456789") || keys[0].Key.Verify("env-key") {
		t.Error("Verify of a value")
	}
	if !keys[2].Key.Verify("secret") || keys[2].Key.Verify("Secret") {
		t.Error("Verify of a hash")
	}
	if (Secret{}).Verify("") {
		t.Error("an unset secret verified")
	}

	// The values never print.
	var logged bytes.Buffer
	slog.New(slog.NewTextHandler(&logged, nil)).Info("cfg", "key", keys[0].Key, "cfg", cfg)
	js, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{fmt.Sprint(cfg), fmt.Sprintf("%+v", *cfg), fmt.Sprintf("%#v", keys[0].Key), fmt.Sprintf("%v", keys), logged.String(), string(js)} {
		for _, secret := range []string{"env-key-0123456789", "file-key-0123456789", "4321"} {
			if strings.Contains(out, secret) {
				t.Errorf("%q printed in %s", secret, out)
			}
		}
	}
}

func TestSecretFileEmpty(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "key"), []byte("\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	errs, _ := parseDiags(t, "tenants:\n  - id: t1\n    default_region: US\n    api_keys: [{id: k1, key_file: "+filepath.Join(dir, "key")+"}]\n"+okConnector)
	want := "tenants[0].api_keys[0].key_file: read " + filepath.Join(dir, "key") + ": secret file is empty (line 4)"
	if len(errs) != 1 || errs[0] != want {
		t.Errorf("got %q, want %q", errs, want)
	}
}
