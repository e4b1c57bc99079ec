package gateway

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/fiorix/go-smpp/smpp/pdu"
	"github.com/fiorix/go-smpp/smpp/pdu/pdufield"
	"github.com/fiorix/go-smpp/smpp/pdu/pdutext"

	"github.com/smsgw/smsgw/configs"
	"github.com/smsgw/smsgw/httpapi"
	"github.com/smsgw/smsgw/spool"
)

// TestReload: a new key and a new sender take effect without dropping
// the SMPP bind; a configuration that needs a restart, or has errors, is
// refused and the old one stays.
func TestReload(t *testing.T) {
	r := newRig(t, rigOptions{carrierEnabled: true})
	r.waitReady("carrier-a")
	inbox := make(chan pdu.Body, 10)
	s := esme(t, r.g.SMPPAddr(), inbox)

	old := r.g.cfg.Load()
	raw, err := configYAML(old)
	if err != nil {
		t.Fatal(err)
	}
	// A second key and a sender for psap-north.
	next := strings.Replace(raw, `      - {id: cad-1, key: "`+testKey+`"}`,
		`      - {id: cad-1, key: "`+testKey+`"}
      - {id: cad-2, key: "key-second-0123456789abcd"}`, 1)
	next = strings.Replace(next, `senders: ["+13195550100", "PSAPNORTH"]`, `senders: ["+13195550100", "PSAPNORTH", "PSAPALERT"]`, 1)
	cfg, err := configs.Parse([]byte(next), old.File)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Listen = old.Listen
	if err := r.g.Reload(cfg); err != nil {
		t.Fatal(err)
	}
	if code, body := r.post("key-second-0123456789abcd", map[string]any{"to": "+13195550140", "text": "x", "from": "PSAPALERT"}); code != 202 {
		t.Fatalf("new key and sender after the reload: %d %v", code, body)
	}
	// The bind survived: a submit on the same session.
	p := pdu.NewSubmitSM(nil)
	p.Fields().Set(pdufield.DestinationAddr, "13195550141")
	p.Fields().Set(pdufield.DestAddrTON, uint8(1))
	p.Fields().Set(pdufield.ShortMessage, pdutext.Raw("still bound"))
	if _, err := s.Request(context.Background(), p); err != nil {
		t.Fatalf("the SMPP session after the reload: %v", err)
	}

	// A listen address change needs a restart: refused, nothing changes.
	restart, _ := configs.Parse([]byte(strings.Replace(next, "cad-2", "cad-3", 1)), old.File)
	restart.Listen = old.Listen
	restart.Listen.HTTP = "127.0.0.1:9"
	if err := r.g.Reload(restart); err == nil {
		t.Fatal("a listen change was reloaded live")
	}
	if code, _ := r.post("key-second-0123456789abcd", map[string]any{"to": "+13195550142", "text": "x"}); code != 202 {
		t.Fatal("the refused reload changed the keys")
	}
}

// configYAML is the rig's configuration text (the rig writes none to
// disk; it is rebuilt from the file name's directory).
func configYAML(c *configs.Config) (string, error) {
	var b bytes.Buffer
	err := rigTmpl.Execute(&b, map[string]any{"Dir": c.DataDir, "Hook": c.Tenants[0].Webhook.URL,
		"Carrier": c.Connectors[0].Enabled, "Modem": c.Connectors[1].Enabled,
		"CarrierPort": c.Connectors[0].SMPP.Port, "CarrierUser": c.Connectors[0].SMPP.SystemID,
		"CarrierPass": c.Connectors[0].SMPP.Password.Value, "ModemPort": c.Connectors[1].Modem.Port,
		"Quota": c.Tenants[0].QuotaPerDay})
	return b.String(), err
}

// TestKannelSendsms: a site moving off Kannel changes a URL: the same
// GET /cgi-bin/sendsms reaches the carrier.
func TestKannelSendsms(t *testing.T) {
	r := newRig(t, rigOptions{carrierEnabled: true})
	r.waitReady("carrier-a")
	q := url.Values{"username": {"cad-1"}, "password": {testKey}, "to": {"+13195550150"}, "text": {"Kannel style"},
		"dlr-mask": {"1"}}
	code, body, id := r.sendsms(q)
	if code != http.StatusAccepted {
		t.Fatalf("sendsms: %d %s", code, body)
	}
	if ev := r.waitHook(id); ev.Message.Status != "delivered" {
		t.Fatalf("%+v", ev.Message)
	}
}

// TestReloadFlipsConnectors: enabled is the fail-closed gate, and a
// reload moves it live. Disabling the carrier sends the next message
// through the modem, which the reload started (it was disabled at
// start); the carrier stays bound, so receipts still come back. Enabling
// the carrier again takes traffic back.
func TestReloadFlipsConnectors(t *testing.T) {
	r := newRig(t, rigOptions{carrierEnabled: true})
	r.waitReady("carrier-a")
	send := func(to string) httpapi.WebhookEvent {
		t.Helper()
		code, body := r.post(testKey, map[string]any{"to": to, "text": "x"})
		if code != 202 {
			t.Fatalf("submit: %d %v", code, body)
		}
		return r.waitHook(body["id"].(string))
	}
	if ev := send("+13195550160"); ev.Message.Connector != "carrier-a" {
		t.Fatalf("before the reload: through %q", ev.Message.Connector)
	}
	reload := func(carrier, modem bool) {
		t.Helper()
		old := r.g.cfg.Load()
		next := *old
		next.Connectors = slices.Clone(old.Connectors)
		next.Connectors[0].Enabled, next.Connectors[1].Enabled = carrier, modem
		if err := r.g.Reload(&next); err != nil {
			t.Fatal(err)
		}
	}

	reload(false, true)
	r.waitReady("modem-1")
	if ev := send("+13195550161"); ev.Message.Connector != "modem-1" || ev.Message.Status != "delivered" {
		t.Fatalf("carrier disabled: through %q, %s", ev.Message.Connector, ev.Message.Status)
	}
	if n := r.sim.Bound(); n != 1 {
		t.Errorf("the disabled carrier's binds: %d, want it still bound", n)
	}
	if got := len(r.sim.Submits()); got != 1 {
		t.Errorf("the disabled carrier got %d submits, want only the first", got)
	}
	var st map[string]any
	if code, body := r.do(http.MethodGet, "/api/v1/status", testKey, nil); code != 200 {
		t.Fatalf("status: %d", code)
	} else {
		st = body
	}
	if !strings.Contains(fmt.Sprint(st["connectors"]), "enabled:false") {
		t.Errorf("status does not show the carrier disabled: %v", st["connectors"])
	}

	reload(true, true)
	if ev := send("+13195550162"); ev.Message.Connector != "carrier-a" {
		t.Fatalf("carrier enabled again: through %q", ev.Message.Connector)
	}
	entries, err := r.g.store.AuditLog(0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(entries, func(e spool.AuditEntry) bool {
		return e.Action == "config-reloaded" && strings.Contains(e.Detail, "modem-1 enabled (started)") && strings.Contains(e.Detail, "carrier-a disabled")
	}) {
		t.Errorf("no audit entry names the connectors flipped: %+v", entries)
	}
}

// TestReloadFileLogsTheOutcome: a reload from the file (SIGHUP) is
// logged as a record of the gateway's own log, accepted or refused, so
// that a JSON log has no stray line.
func TestReloadFileLogsTheOutcome(t *testing.T) {
	r := newRig(t, rigOptions{carrierEnabled: true})
	old := r.g.cfg.Load()
	raw, err := configYAML(old)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "smsgw.yaml")
	keep := func(c *configs.Config) { c.Listen = old.Listen }
	if err := os.WriteFile(path, []byte(raw), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := r.g.ReloadFile(path, keep); err != nil {
		t.Fatalf("reload of the running configuration: %v", err)
	}
	if !strings.Contains(r.logs.String(), `level=INFO msg="configuration reloaded" file=`+path) {
		t.Fatalf("accepted reload not logged:\n%s", r.logs.String())
	}
	if err := r.g.ReloadFile(path, func(c *configs.Config) { keep(c); c.Listen.HTTP = "127.0.0.1:9" }); err == nil {
		t.Fatal("a listen change was reloaded live")
	}
	if err := os.WriteFile(path, []byte(raw+"\nnot_a_key: 1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := r.g.ReloadFile(path, keep); err == nil {
		t.Fatal("a file with an unknown key was reloaded")
	}
	log := r.logs.String()
	if n := strings.Count(log, `level=ERROR msg="reload refused, the running configuration stays" file=`+path); n != 2 {
		t.Fatalf("%d refusals logged, want 2:\n%s", n, log)
	}
	for _, want := range []string{"listen.http", "not_a_key: unknown key"} {
		if !strings.Contains(log, want) {
			t.Errorf("the refusals' log does not say %q", want)
		}
	}
}
