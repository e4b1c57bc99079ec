package configs

import (
	"errors"
	"slices"
	"testing"
)

func TestReloadable(t *testing.T) {
	exampleEnv(t)
	load := func() *Config {
		t.Helper()
		cfg, err := Parse(Example(), "smsgw.example.yaml")
		if err != nil {
			t.Fatal(err)
		}
		return cfg
	}
	old := load()
	if err := old.Reloadable(load()); err != nil {
		t.Fatalf("same file: %v", err)
	}

	live := load()
	live.Tenants[0].Senders = append(live.Tenants[0].Senders, "+13195550199")
	live.Tenants[0].APIKeys = nil
	live.Tenants[0].SMPPAccounts[0].TPS = 5
	live.Tenants[0].Webhook.URL = "https://cad2.example/hook"
	live.Routes = live.Routes[:1]
	live.Admin.Users = nil
	live.Connectors[1].Enabled = false
	if err := old.Reloadable(live); err != nil {
		t.Fatalf("reloadable changes: %v", err)
	}

	restart := load()
	restart.Listen.HTTP = "0.0.0.0:8080"
	restart.DataDir = "/srv/smsgw"
	restart.Spool.Retry.MaxAttempts = 3
	restart.Connectors[0].SMPP.Port = 3550
	restart.Connectors[0].SMPP.Password.Value = "rotated"
	restart.Connectors[1].Modem.Baud = 9600
	restart.Connectors = append(restart.Connectors[:2], Connector{Name: "modem-3", Type: TypeModem, Modem: &ModemConnector{}})
	err := old.Reloadable(restart)
	var re *RestartError
	if !errors.As(err, &re) || !errors.Is(err, ErrRestartRequired) {
		t.Fatalf("want a *RestartError, got %v", err)
	}
	want := []string{"data_dir", "listen.http", "spool.retry.max_attempts", "connectors[carrier-a].port", "connectors[carrier-a].password",
		"connectors[modem-1].baud", "connectors[modem-3] (added)", "connectors[modem-2] (removed)"}
	if !slices.Equal(re.Fields, want) {
		t.Errorf("fields\n got %q\nwant %q", re.Fields, want)
	}
	if got := err.Error(); got != "configs: these changes need a restart: data_dir, listen.http, spool.retry.max_attempts, connectors[carrier-a].port, connectors[carrier-a].password, connectors[modem-1].baud, connectors[modem-3] (added), connectors[modem-2] (removed)" {
		t.Errorf("message %q", got)
	}
}
