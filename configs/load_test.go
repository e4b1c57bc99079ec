package configs

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// testHash is a bcrypt hash (cost 4) of "secret".
const testHash = "$2a$04$5tEHzvxkd4lcXHLAlmemReboNHa7g1Yr1GZXHqLcQJJ.vNKfGPJma"

// parseDiags parses text and returns its errors and warnings as strings.
func parseDiags(t *testing.T, text string) (errs, warns []string) {
	t.Helper()
	cfg, err := Parse([]byte(text), "test.yaml")
	var d *Diagnostics
	switch {
	case errors.As(err, &d):
		for _, e := range d.Errors {
			errs = append(errs, e.String())
		}
		for _, w := range d.Warnings {
			warns = append(warns, w.String())
		}
	case err != nil:
		t.Fatalf("not a *Diagnostics: %v", err)
	default:
		for _, w := range cfg.Warnings {
			warns = append(warns, w.String())
		}
	}
	return errs, warns
}

// okTenant is a valid tenants list, for cases about other keys.
const okTenant = `tenants:
  - id: t1
    default_region: US
    api_keys: [{id: k1, key_hash: "` + testHash + `"}]
`

// okConnector is a valid connectors list and route.
const okConnector = `connectors:
  - {name: c1, type: modem, enabled: true, port: /dev/ttyUSB0}
routes:
  - connectors: [c1]
`

func TestErrors(t *testing.T) {
	tests := []struct {
		name, text, want string
	}{
		{"unknown key, close", "data_dri: /x\n", `data_dri: unknown key (did you mean "data_dir"?) (line 1)`},
		{"unknown key, camel case", "log:\n  Level: info\n", `log.Level: unknown key (did you mean "level"?) (line 2)`},
		{"unknown key, far", "colour: blue\n", `colour: unknown key (line 1)`},
		{"key of the other connector type", okTenant + "connectors:\n  - name: c1\n    type: smpp\n    host: h\n    system_id: s\n    password_env: HOME\n    baud: 9600\nroutes: [{connectors: [c1]}]\n",
			`connectors[0].baud: unknown key: baud is a key of modem connectors (line 11)`},
		{"duplicate key", "data_dir: /a\ndata_dir: /b\n", `data_dir: duplicate key (first on line 1) (line 2)`},
		{"not a number", "spool:\n  max_queued: lots\n", `spool.max_queued: want a whole number, got "lots" (line 2)`},
		{"not a duration", "spool:\n  lease: 5 minutes\n", `spool.lease: want a duration such as 30s, 5m, 48h or 7d, got "5 minutes" (line 2)`},
		{"not a size", "spool:\n  max_file_size: big\n", `spool.max_file_size: want a size such as 512MiB or 4GiB, got "big" (line 2)`},
		{"not a bool", okTenant + okConnector + "  - connectors: [c1]\n    tps: fast\n", `routes[1].tps: want a number, got "fast" (line 10)`},
		{"yes is not a bool", "connectors:\n  - {name: c1, type: modem, enabled: yes, port: /dev/ttyUSB0}\n", `connectors[0].enabled: want true or false, got "yes" (line 2)`},
		{"mapping for a list", "tenants: {id: x}\n", `tenants: want a list, got a mapping (line 1)`},
		{"list for a mapping", "listen: [a, b]\n", `listen: want a mapping, got a list (line 1)`},
		{"not absolute", "data_dir: var/lib/smsgw\n", `data_dir: want an absolute path, got "var/lib/smsgw" (line 1)`},
		{"listen address", "listen:\n  http: localhost\n", `listen.http: "localhost" is not host:port (e.g. 127.0.0.1:8080, [::1]:8080 or :8080) (line 2)`},
		{"listen port", "listen:\n  smpp: :99999\n", `listen.smpp: port "99999" is not in 1 to 65535 (line 2)`},
		{"trusted proxy", "listen:\n  trusted_proxies: [127.0.0.1, proxy.example]\n",
			`listen.trusted_proxies[1]: "proxy.example" is neither an IP address nor a network (10.0.0.0/8) (line 2)`},
		{"enum", "log:\n  format: xml\n", `log.format: "xml" is not one of text, json (line 2)`},
		{"range", "spool:\n  retry:\n    jitter: 2\n", `spool.retry.jitter: want a fraction from 0 to 1, got 2 (line 3)`},
		{"required", "tenants:\n  - id: t1\n    api_keys: [{id: k1, key_hash: \"" + testHash + "\"}]\n" + okConnector,
			`tenants[0].default_region: required (the ISO 3166 country code national numbers belong to, e.g. US) (line 2)`},
		{"region", "tenants:\n  - id: t1\n    default_region: XX\n", `tenants[0].default_region: "XX" is not an ISO 3166 alpha-2 country code (US, GB, DE, …) (line 3)`},
		{"region UK", "tenants:\n  - id: t1\n    default_region: uk\n", `tenants[0].default_region: "UK" is not an ISO 3166 code: the United Kingdom is "GB" (line 3)`},
		{"country", okTenant + "    allowed_countries: [US, USA]\n" + okConnector, `tenants[0].allowed_countries[1]: "USA" is not an ISO 3166 alpha-2 country code (US, GB, DE, …) (line 5)`},
		{"callback host", okTenant + "    callback_hosts: [cad.example, \"http://cad.example\"]\n" + okConnector, `tenants[0].callback_hosts[1]: "http://cad.example": want a host name without scheme, port or path (cad.example), *.domain, an IP address or a range (line 5)`},
		{"sender", okTenant + "    senders: [\"+0123\"]\n" + okConnector, `tenants[0].senders[0]: "+0123" is not an E.164 number (+, country code, up to 15 digits) (line 5)`},
		{"default sender not in senders", okTenant + "    senders: [\"+13195550100\"]\n    default_sender: PSAP\n" + okConnector, `tenants[0].default_sender: "PSAP" is not in senders (line 6)`},
		{"duplicate tenant", okTenant + "  - {id: t1, default_region: US}\n" + okConnector, `tenants[1].id: duplicate tenant id "t1" (first at tenants[0].id) (line 5)`},
		{"duplicate api key id", okTenant + "  - id: t2\n    default_region: US\n    api_keys: [{id: k1, key_hash: \"" + testHash + "\"}]\n" + okConnector,
			`tenants[1].api_keys[0].id: duplicate api key id "k1" (first at tenants[0].api_keys[0].id) (line 7)`},
		{"duplicate system_id across tenants", "tenants:\n  - id: t1\n    default_region: US\n    smpp_accounts: [{system_id: cad, password_hash: \"" + testHash + "\"}]\n  - id: t2\n    default_region: US\n    smpp_accounts: [{system_id: cad, password_hash: \"" + testHash + "\"}]\n" + okConnector,
			`tenants[1].smpp_accounts[0].system_id: duplicate system_id "cad" (first at tenants[0].smpp_accounts[0].system_id) (line 7)`},
		{"duplicate connector", okTenant + "connectors:\n  - {name: c1, type: modem, enabled: true, port: /dev/ttyUSB0}\n  - {name: c1, type: modem, enabled: true, port: /dev/ttyUSB1}\nroutes: [{connectors: [c1]}]\n",
			`connectors[1].name: duplicate connector "c1" (first at connectors[0].name) (line 7)`},
		{"unknown connector", okTenant + okConnector + "  - match: {tenant: t1}\n    connectors: [c1, zzz]\n", `routes[1].connectors[1]: unknown connector "zzz" (line 10)`},
		{"unknown connector, close", okTenant + okConnector + "  - connectors: [c2]\n", `routes[1].connectors[0]: unknown connector "c2" (did you mean "c1"?) (line 9)`},
		{"unknown tenant", okTenant + okConnector + "  - match: {tenant: t9}\n    connectors: [c1]\n", `routes[1].match.tenant: unknown tenant "t9" (did you mean "t1"?) (line 9)`},
		{"connectors and weighted", okTenant + okConnector + "    weighted: [{name: c1}]\n", `routes[0].weighted: give connectors (failover) or weighted, not both (line 9)`},
		{"no connectors", okTenant + okConnector + "  - match: {tenant: t1}\n", `routes[1]: no connectors: give connectors (failover, in order) or weighted (line 9)`},
		{"prefix", okTenant + okConnector + "    match: {prefix: [\"1319\"]}\n", `routes[0].match.prefix[0]: "1319" is not an E.164 prefix (+ and digits, e.g. +1319) (line 9)`},
		{"priority", okTenant + okConnector + "    match: {priority: urgent}\n", `routes[0].match.priority: "urgent" is not one of normal, high, emergency (line 9)`},
		{"connector type missing", okTenant + "connectors:\n  - {name: c1, port: /dev/ttyUSB0}\nroutes: [{connectors: [c1]}]\n", `connectors[0].type: required (smpp or modem) (line 6)`},
		{"connector type wrong", okTenant + "connectors:\n  - {name: c1, type: smtp, port: 25}\nroutes: [{connectors: [c1]}]\n", `connectors[0].type: "smtp" is not one of smpp, modem (line 6)`},
		{"carrier port", okTenant + "connectors:\n  - {name: c1, type: smpp, host: h, port: 70000, system_id: s, password_env: HOME}\nroutes: [{connectors: [c1]}]\n", `connectors[0].port: port "70000" is not in 1 to 65535 (line 6)`},
		{"validity format", okTenant + "connectors:\n  - {name: c1, type: smpp, host: h, system_id: s, password_env: HOME, validity_format: local}\nroutes: [{connectors: [c1]}]\n", `connectors[0].validity_format: "local" is not one of absolute, relative (line 6)`},
		{"default alphabet", okTenant + "connectors:\n  - {name: c1, type: smpp, host: h, system_id: s, password_env: HOME, default_alphabet: ascii}\nroutes: [{connectors: [c1]}]\n", `connectors[0].default_alphabet: "ascii" is not one of gsm7, latin1 (line 6)`},
		{"carrier host with port", okTenant + "connectors:\n  - {name: c1, type: smpp, host: \"h:2775\", system_id: s, password_env: HOME}\nroutes: [{connectors: [c1]}]\n", `connectors[0].host: "h:2775" has a port: give it in port (line 6)`},
		{"system_id too long", okTenant + "connectors:\n  - {name: c1, type: smpp, host: h, system_id: abcdefghijklmnop, password_env: HOME}\nroutes: [{connectors: [c1]}]\n", `connectors[0].system_id: SMPP allows at most 15 characters, got 16 (line 6)`},
		{"modem port", okTenant + "connectors:\n  - {name: c1, type: modem, port: ttyUSB0}\nroutes: [{connectors: [c1]}]\n", `connectors[0].port: "ttyUSB0": want a device path (/dev/…) or tcp://host:port (line 6)`},
		{"two secret sources", "tenants:\n  - id: t1\n    default_region: US\n    api_keys:\n      - id: k1\n        key_env: HOME\n        key_hash: \"" + testHash + "\"\n" + okConnector,
			`tenants[0].api_keys[0].key_hash: give one of key, key_env, key_file, key_hash, not key_env and key_hash (line 7)`},
		{"no secret", "tenants:\n  - id: t1\n    default_region: US\n    api_keys: [{id: k1}]\n" + okConnector, `tenants[0].api_keys[0]: no key: give key_hash, key_env or key_file (line 4)`},
		{"env unset", "tenants:\n  - id: t1\n    default_region: US\n    api_keys: [{id: k1, key_env: SMSGW_TEST_SURELY_UNSET}]\n" + okConnector,
			`tenants[0].api_keys[0].key_env: environment variable SMSGW_TEST_SURELY_UNSET is not set (line 4)`},
		{"env name", "tenants:\n  - id: t1\n    default_region: US\n    api_keys: [{id: k1, key_env: \"$HOME\"}]\n" + okConnector,
			`tenants[0].api_keys[0].key_env: "$HOME" is not an environment variable name (line 4)`},
		{"file unreadable", "tenants:\n  - id: t1\n    default_region: US\n    api_keys: [{id: k1, key_file: /nonexistent/key}]\n" + okConnector,
			`tenants[0].api_keys[0].key_file: open /nonexistent/key: no such file or directory (line 4)`},
		{"not bcrypt", "tenants:\n  - id: t1\n    default_region: US\n    api_keys: [{id: k1, key_hash: \"5f4dcc3b5aa765d61d8327deb882cf99\"}]\n" + okConnector,
			`tenants[0].api_keys[0].key_hash: not a bcrypt hash (make one with smsgw hash-secret) (line 4)`},
		{"no hash for a carrier", okTenant + "connectors:\n  - {name: c1, type: smpp, host: h, system_id: s, password_hash: \"" + testHash + "\"}\nroutes: [{connectors: [c1]}]\n",
			`connectors[0].password_hash: unknown key: smsgw sends this secret, so a hash will not do; give password_env or password_file (line 6)`},
		{"webhook secret", okTenant + "    webhook: {url: \"https://cad.example/hook\"}\n" + okConnector, `tenants[0].webhook: no secret: give secret_env or secret_file (line 5)`},
		{"webhook url", okTenant + "    webhook: {url: \"ftp://cad.example\", secret_env: HOME}\n" + okConnector, `tenants[0].webhook.url: "ftp://cad.example" is not an http or https URL (line 5)`},
		{"keyword in two lists", okTenant + "    optout:\n      keywords:\n        en: {stop: [STOP], start: [stop]}\n" + okConnector, `tenants[0].optout.keywords.en.start[0]: "STOP" is also a stop keyword (line 7)`},
		{"admin role", "admin:\n  users: [{name: a, role: root, password_hash: \"" + testHash + "\"}]\n", `admin.users[0].role: "root" is not one of viewer, operator, admin (line 2)`},
		{"more than one document", "data_dir: /a\n---\ndata_dir: /b\n", `syntax error: more than one document (---): put everything in one (line 2)`},
		{"syntax", "data_dir: /a\n  listen: x\n", `syntax error: mapping values are not allowed in this context (line 2)`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			errs, _ := parseDiags(t, tc.text)
			if len(errs) != 1 || errs[0] != tc.want {
				t.Errorf("got  %q\nwant %q", errs, tc.want)
			}
		})
	}
}

func TestWarnings(t *testing.T) {
	tests := []struct {
		name, text, want string
	}{
		{"inline secret", "tenants:\n  - id: t1\n    default_region: US\n    api_keys: [{id: k1, key: 0123456789abcdef}]\n" + okConnector,
			`tenants[0].api_keys[0].key: inline secret: for tests and demos; use key_hash, key_env or key_file (line 4)`},
		{"short key", "tenants:\n  - id: t1\n    default_region: US\n    api_keys: [{id: k1, key_env: SMSGW_TEST_SHORT}]\n" + okConnector,
			`tenants[0].api_keys[0]: short key (5 characters): use at least 16 (smsgw hash-secret --generate makes one) (line 4)`},
		{"disabled connector", okTenant + "connectors:\n  - {name: c1, type: modem, port: /dev/ttyUSB0}\nroutes: [{connectors: [c1]}]\n",
			`routes[0].connectors[0]: connector "c1" is not enabled: this route will not use it (line 7)`},
		{"no route for a tenant", "tenants:\n  - id: t1\n    default_region: US\n    api_keys: [{id: k1, key_hash: \"" + testHash + "\"}]\n  - id: t2\n    default_region: US\n    api_keys: [{id: k2, key_hash: \"" + testHash + "\"}]\n" +
			"connectors:\n  - {name: c1, type: modem, enabled: true, port: /dev/ttyUSB0}\nroutes: [{match: {tenant: t2}, connectors: [c1]}]\n",
			`tenants[0]: no route for tenant "t1": its messages will wait until they expire (line 2)`},
		{"unreachable route", okTenant + okConnector + "  - match: {tenant: t1}\n    connectors: [c1]\n", `routes[1]: never used: routes[0] (route-1) matches all of its messages first (line 9)`},
		{"insecure tls", okTenant + "connectors:\n  - {name: c1, type: smpp, enabled: true, host: h, system_id: s, password_env: HOME, tls: {enabled: true, insecure_skip_verify: true}}\nroutes: [{connectors: [c1]}]\n",
			`connectors[0].tls.insecure_skip_verify: the carrier's certificate is not checked: for tests only (line 6)`},
		{"plain http webhook", okTenant + "    webhook: {url: \"http://cad.example/hook\", secret_env: HOME}\n" + okConnector, `tenants[0].webhook.url: plain http: message text and numbers cross the network unencrypted (line 5)`},
		{"no senders", okTenant + okConnector, `tenants[0].senders: empty: this tenant may send nothing (no sender id is allowed); list its senders, or "*" for any (line 2)`},
	}
	t.Setenv("SMSGW_TEST_SHORT", "short")
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			errs, warns := parseDiags(t, tc.text)
			if len(errs) != 0 {
				t.Fatalf("errors: %q", errs)
			}
			// The texts leave senders out (a warning of its own) unless
			// that is the case.
			if !strings.Contains(tc.want, ".senders: empty") {
				warns = slices.DeleteFunc(warns, func(w string) bool { return strings.Contains(w, ".senders: empty") })
			}
			if len(warns) != 1 || warns[0] != tc.want {
				t.Errorf("got  %q\nwant %q", warns, tc.want)
			}
		})
	}
}

// TestTLSPathsFromTheConfigDir: a relative cert_file, key_file or
// ca_file is read from the configuration file's directory, and kept
// absolute, so that the gateway (which runs from /) opens the same file.
func TestTLSPathsFromTheConfigDir(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"smpp.crt", "smpp.key", "ca.pem"} {
		if err := os.WriteFile(filepath.Join(dir, f), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	text := okTenant + `listen:
  smpp_tls: {listen: "127.0.0.1:3550", cert_file: smpp.crt, key_file: ./smpp.key}
connectors:
  - {name: c1, type: smpp, enabled: true, host: smsc.example, port: 2775, system_id: s, password_env: HOME,
     tls: {enabled: true, ca_file: ca.pem}}
routes:
  - connectors: [c1]
`
	cfg, err := Parse([]byte(text), filepath.Join(dir, "smsgw.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	got := []string{cfg.Listen.SMPPTLS.CertFile, cfg.Listen.SMPPTLS.KeyFile, cfg.Connectors[0].SMPP.TLS.CAFile}
	want := []string{filepath.Join(dir, "smpp.crt"), filepath.Join(dir, "smpp.key"), filepath.Join(dir, "ca.pem")}
	if !slices.Equal(got, want) {
		t.Errorf("paths %q, want %q", got, want)
	}
}

// TestMaxFileSizeFitsTheAddressSpace: on a 32-bit system (the ARMv7
// appliances) the spool file cannot pass 1 GiB, since bbolt maps it into
// memory; a bigger max_file_size is refused by config check rather than
// failing at 1 GiB with a mapping error. 64-bit systems take it.
func TestMaxFileSizeFitsTheAddressSpace(t *testing.T) {
	errs, _ := parseDiags(t, "spool:\n  max_file_size: 2GiB\n")
	if strconv.IntSize == 64 {
		if len(errs) != 0 {
			t.Fatalf("2GiB refused on a 64-bit system: %q", errs)
		}
		return
	}
	want := `spool.max_file_size: want at most 1GiB on this 32-bit system (the spool file is mapped into memory), got 2GiB (line 2)`
	if len(errs) != 1 || errs[0] != want {
		t.Fatalf("got  %q\nwant %q", errs, want)
	}
}
