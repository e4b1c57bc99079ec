package configs

import (
	"reflect"
	"testing"
	"time"
)

func TestDefaults(t *testing.T) {
	cfg, err := Parse([]byte(okTenant+okConnector+"data_dir: /srv/smsgw\n"), "smsgw.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Listen.Control != "/srv/smsgw/smsgw.sock" || cfg.Listen.HTTP != "127.0.0.1:8080" || cfg.Listen.SMPP != "127.0.0.1:2775" {
		t.Errorf("listen %+v", cfg.Listen)
	}
	if cfg.Spool.DefaultValidity != 48*time.Hour || cfg.Spool.Retry.MaxAttempts != 10 || cfg.Spool.MaxQueued != 1_000_000 {
		t.Errorf("spool %+v", cfg.Spool)
	}
	ten := cfg.Tenants[0]
	if ten.Name != "t1" || !reflect.DeepEqual(ten.AllowedCountries, []string{"US"}) || ten.OptOut.EmergencyBypass ||
		!reflect.DeepEqual(ten.OptOut.Keywords, map[string]Keywords{"en": DefaultKeywords()}) || ten.OptOut.HelpText != DefaultHelpText {
		t.Errorf("tenant %+v", ten)
	}
	m := cfg.Connectors[0].Modem
	if m.Baud != 115200 || !m.StatusReports || m.Reconnect != (Backoff{time.Second, time.Minute}) || m.Storage != "SM" ||
		m.ReassemblyTimeout != 2*time.Minute {
		t.Errorf("modem %+v", m)
	}
	if cfg.Routes[0].Name != "route-1" {
		t.Errorf("route name %q", cfg.Routes[0].Name)
	}
	if cfg.Admin.SessionTTL != 12*time.Hour {
		t.Errorf("admin %+v", cfg.Admin)
	}

	// An empty file is the defaults, with warnings that nothing can be sent.
	empty, err := Parse(nil, "empty.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if empty.DataDir != Default().DataDir || len(empty.Warnings) != 2 {
		t.Errorf("empty file: %+v", empty)
	}
}

func TestKeysPresentWin(t *testing.T) {
	cfg, err := Parse([]byte(okTenant+`    optout:
      keywords:
        en: {stop: [ARRET]}
        fr: {stop: [ARRET2]}
connectors:
  - {name: c1, type: modem, enabled: true, port: /dev/ttyUSB0, status_reports: false, baud: 9600}
  - name: c2
    type: smpp
    enabled: true
    host: 10.0.0.1
    system_id: s
    password_env: HOME
    source_ton: 0
    enquire_link: 0s
routes:
  - connectors: [c1, c2]
`), "smsgw.yaml")
	if err != nil {
		t.Fatal(err)
	}
	kw := cfg.Tenants[0].OptOut.Keywords
	if len(kw) != 2 || !reflect.DeepEqual(kw["en"], Keywords{Stop: []string{"ARRET"}}) {
		t.Errorf("keywords %+v", kw)
	}
	if m := cfg.Connectors[0].Modem; m.StatusReports || m.Baud != 9600 {
		t.Errorf("modem %+v", m)
	}
	if s := cfg.Connectors[1].SMPP; s.SourceTON == nil || *s.SourceTON != 0 || s.SourceNPI != nil || s.EnquireLink != 0 || s.Port != 2775 {
		t.Errorf("smpp %+v", s)
	}
}

func TestAnchorsAndMerges(t *testing.T) {
	cfg, err := Parse([]byte(`x-modem: &modem
  type: modem
  enabled: true
  baud: 9600
`+okTenant+`connectors:
  - <<: *modem
    name: m1
    port: /dev/ttyUSB0
  - <<: *modem
    name: m2
    port: /dev/ttyUSB1
    baud: 57600
routes:
  - connectors: [m1, m2]
`), "smsgw.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if m := cfg.Connectors[1]; m.Name != "m2" || !m.Enabled || m.Modem.Baud != 57600 || m.Modem.Port != "/dev/ttyUSB1" {
		t.Errorf("merged %+v %+v", m, m.Modem)
	}
	cfg, err = Parse([]byte(okTenant+`connectors:
  - &modem {name: m1, type: modem, enabled: true, baud: 9600, port: /dev/ttyUSB0}
  - <<: [*modem]
    name: m2
    port: /dev/ttyUSB1
routes:
  - connectors: [m1, m2]
`), "smsgw.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if m := cfg.Connectors[1]; m.Name != "m2" || !m.Enabled || m.Modem.Baud != 9600 || m.Modem.Port != "/dev/ttyUSB1" {
		t.Errorf("merged %+v %+v", m, m.Modem)
	}
}

func TestByteSize(t *testing.T) {
	for in, want := range map[string]ByteSize{"1048576": 1 << 20, "512MiB": 512 << 20, "4GiB": 4 << 30, "1GB": 1e9, "1.5 KiB": 1536} {
		if got, err := ParseByteSize(in); err != nil || got != want {
			t.Errorf("%q: %d, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "-1", "4XB", "NaN", "1e30GiB"} {
		if _, err := ParseByteSize(in); err == nil {
			t.Errorf("%q: no error", in)
		}
	}
	if s := ByteSize(4 << 30).String(); s != "4GiB" {
		t.Errorf("String %q", s)
	}
	for n, want := range map[ByteSize]string{512: "512 B", 1536: "1.5 KiB", 320 << 20: "320.0 MiB",
		3 << 29: "1.5 GiB", 2 << 40: "2.0 TiB"} {
		if got := n.Human(); got != want {
			t.Errorf("Human(%d) = %q, want %q", n, got, want)
		}
	}
}
