package configs

import (
	"testing"
)

// exampleEnv sets the variables the example names.
func exampleEnv(t *testing.T) {
	t.Helper()
	t.Setenv("SMSGW_WEBHOOK_SECRET", "whsec-0123456789abcdef")
	t.Setenv("SMSGW_CARRIER_A_PASSWORD", "s3cret")
	t.Setenv("SMSGW_MODEM_1_PIN", "1234")
	t.Setenv("SMSGW_MODEM_2_PIN", "5678")
}

func TestExamplePasses(t *testing.T) {
	exampleEnv(t)
	cfg, err := Parse(Example(), "smsgw.example.yaml")
	if err != nil {
		t.Fatalf("the example does not pass:\n%v", err)
	}
	for _, w := range cfg.Warnings {
		t.Errorf("warning: %s", w)
	}
	if len(cfg.Tenants) != 1 || len(cfg.Connectors) != 3 || len(cfg.Routes) != 3 {
		t.Fatalf("tenants %d, connectors %d, routes %d", len(cfg.Tenants), len(cfg.Connectors), len(cfg.Routes))
	}
	if c := cfg.Connectors[0]; c.SMPP == nil || c.SMPP.Password.Value != "s3cret" || c.SMPP.Password.Source != SourceEnv {
		t.Errorf("carrier-a: %+v", c.SMPP)
	}
	if got := cfg.Tenants[0].OptOut.Keywords; len(got) != 2 || got["en"].Stop[0] != "STOP" || got["es"].Help[0] != "AYUDA" {
		t.Errorf("keywords %v", got)
	}
}

// TestExampleShowsEveryKey checks that the example names every key of the
// schema (uncommented or in a comment), so that it stays the reference.
func TestExampleShowsEveryKey(t *testing.T) {
	text := string(Example())
	for _, k := range schemaKeys() {
		if !mentions(text, k) {
			t.Errorf("the example does not show %q", k)
		}
	}
}
