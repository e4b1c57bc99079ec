package gateway

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/smsgw/smsgw/configs"
	"github.com/smsgw/smsgw/spool"
	"github.com/smsgw/smsgw/spool/policy"
)

// TestOptOutConfigReachesThePolicy: the opt-out keys of a tenant
// (per-language stop_all and replies, the tenant's stop and start
// replies) act on inbound keywords as configured.
func TestOptOutConfigReachesThePolicy(t *testing.T) {
	cfg, err := configs.Parse([]byte(`tenants:
  - id: t1
    default_region: US
    api_keys: [{id: k1, key: "key-0123456789abcdef0123"}]
    optout:
      keywords:
        es:
          stop: [BAJA]
          stop_all: [BAJATODO]
          start: [ALTA]
          help: [AYUDA]
          help_text: "Ayuda en español"
          stop_text: "Baja confirmada"
      help_text: "Help in English"
      stop_text: "Stopped"
      start_text: "Resumed"
connectors:
  - {name: c1, type: modem, enabled: true, port: /dev/ttyUSB0}
routes:
  - connectors: [c1]
`), "smsgw.yaml")
	if err != nil {
		t.Fatal(err)
	}
	store, err := spool.Open(filepath.Join(t.TempDir(), "spool.db"), spool.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	p, err := policy.New(store, policyTenants(cfg), policy.Options{})
	if err != nil {
		t.Fatal(err)
	}
	const handset, line = "+13195550130", "+13195550100"
	for _, c := range []struct {
		text   string
		action policy.Action
		reply  string
	}{
		{"AYUDA", policy.ActionHelp, "Ayuda en español"},
		{"HELP", policy.ActionHelp, "Help in English"},
		{"BAJATODO", policy.ActionStopAll, "Baja confirmada"},
		{"ALTA", policy.ActionStart, "Resumed"}, // no Spanish start_text: the tenant's
		{"STOP", policy.ActionStop, "Stopped"},
		{"START", policy.ActionStart, "Resumed"},
		{"BAJA", policy.ActionStop, "Baja confirmada"},
	} {
		a, err := p.Inbound(context.Background(), "t1", handset, line, c.text)
		if err != nil || a.Action != c.action || a.Reply != c.reply {
			t.Fatalf("%s: %+v, %v; want %s replying %q", c.text, a, err, c.action, c.reply)
		}
		if c.text == "BAJATODO" {
			if s := p.Suppressed("t1"); len(s) != 1 || s[0].Recipient != handset || s[0].Line != "" {
				t.Fatalf("after BAJATODO: %+v; want the handset stopped for every line", s)
			}
		}
	}
}

// Binary without a user data header is binary too (SMPP data_coding 4
// or Kannel coding=1 with no udh); it was refused as an invalid UDH.
func TestPlanBinaryWithoutUDH(t *testing.T) {
	for _, udh := range [][]byte{nil, {}} {
		m := &spool.Message{Binary: []byte{0x01, 0x02, 0x03, 0xff}, UDH: udh}
		if err := plan(m); err != nil || m.Encoding != "8bit" || m.Segments != 1 {
			t.Fatalf("udh %v: %v, %s, %d segment(s)", udh, err, m.Encoding, m.Segments)
		}
	}
	if err := plan(&spool.Message{Binary: []byte{1}, UDH: []byte{0x05, 0x00}}); err == nil {
		t.Fatal("a short UDH was taken")
	}
}
