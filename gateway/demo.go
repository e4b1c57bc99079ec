package gateway

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"text/template"
	"time"

	"github.com/smsgw/smsgw/configs"
	"github.com/smsgw/smsgw/httpapi"
	"github.com/smsgw/smsgw/modem/modemsim"
	"github.com/smsgw/smsgw/smpp/smscsim"
	"github.com/smsgw/smsgw/spool"
)

// DemoInfo is what a script needs to use the demo gateway; `smsgw serve
// --demo` writes it as demo.json in the data directory.
type DemoInfo struct {
	HTTP   string    `json:"http"`
	APIKey string    `json:"api_key"`
	SMPP   DemoSMPP  `json:"smpp"`
	Admin  DemoAdmin `json:"admin"`
}

// DemoAdmin is the demo's admin UI login (role admin).
type DemoAdmin struct {
	URL      string `json:"url"`
	User     string `json:"user"`
	Password string `json:"password"`
}

// DemoSMPP are the demo's SMPP server credentials.
type DemoSMPP struct {
	Host     string `json:"host"`
	Port     int    `json:"port"`
	SystemID string `json:"system_id"`
	Password string `json:"password"`
}

// Demo is a gateway's simulated world: a carrier SMSC (smscsim) that
// delivers every message and returns receipts, and a modem (modemsim) on
// a pseudo-terminal, opened by the same code as /dev/ttyUSB0.
type Demo struct {
	SMSC   *smscsim.Server
	Modem  *modemsim.Modem
	Info   DemoInfo
	Config *configs.Config
	// ConfigPath is the configuration file the demo wrote
	// (smsgw.demo.yaml): edit it and send SIGHUP to reload, as with a
	// real one.
	ConfigPath string
}

// DemoListen are the demo's listen addresses (127.0.0.1 only).
type DemoListen struct {
	HTTP, SMPP string // default 127.0.0.1:8080 and 127.0.0.1:2775
}

// The demo's tenant, accounts and simulated carrier credentials.
const (
	demoTenant    = "demo"
	demoSystemID  = "demo"
	demoModemLine = "+15555550123"
	demoSender    = "+15555550100"
	demoAdminUser = "admin"
)

// StartDemo starts the simulators and writes the demo's configuration
// (smsgw.demo.yaml, for reading) and demo.json into dataDir. Credentials
// are kept from an earlier run in the same directory: the demo is a real
// gateway over a real spool, and a second run finds its messages and keys.
func StartDemo(dataDir string, l DemoListen) (_ *Demo, err error) {
	if l.HTTP == "" {
		l.HTTP = "127.0.0.1:8080"
	}
	if l.SMPP == "" {
		l.SMPP = "127.0.0.1:2775"
	}
	if err := os.MkdirAll(dataDir, 0o750); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	// A demo already running there keeps its files: a second one,
	// refused later for the spool, first rewrote smsgw.demo.yaml with its
	// own simulators' ports, and the running demo's next reload failed.
	if s, err := spool.Open(filepath.Join(dataDir, "spool.db"), spool.Options{ReadOnly: true, LockTimeout: 200 * time.Millisecond}); err == nil {
		s.Close()
	} else if errors.Is(err, spool.ErrInUse) {
		return nil, fmt.Errorf("a gateway already runs on %s: %w", dataDir, err)
	}
	info, err := loadDemoInfo(dataDir)
	if err != nil {
		return nil, err
	}
	d := &Demo{Info: info}
	d.SMSC, err = smscsim.New(smscsim.Options{Accounts: []smscsim.Account{{SystemID: "smsgw", Password: "demo"}},
		IDFormat: smscsim.IDHexLower, ReceiptDelay: 500 * time.Millisecond, RandomIDs: true,
		Window: 10, Redeliver: 5 * time.Second})
	if err != nil {
		return nil, fmt.Errorf("demo carrier: %w", err)
	}
	d.Modem, err = modemsim.New(modemsim.Options{Operator: "DEMO", RegistrationDelay: -1, SendDelay: 200 * time.Millisecond,
		ReportDelay: 700 * time.Millisecond})
	if err != nil {
		d.SMSC.Close()
		return nil, fmt.Errorf("demo modem: %w", err)
	}
	defer func() {
		if err != nil {
			d.Close()
		}
	}()
	host, port, _ := net.SplitHostPort(d.SMSC.Addr())
	var yaml []byte
	if yaml, err = demoYAML(dataDir, l, info, host, port, d.Modem.Path()); err != nil {
		return nil, err
	}
	name := filepath.Join(dataDir, "smsgw.demo.yaml")
	if err = os.WriteFile(name, yaml, 0o600); err != nil {
		return nil, err
	}
	d.ConfigPath = name
	if d.Config, err = configs.Parse(yaml, name); err != nil {
		return nil, fmt.Errorf("the demo's own configuration: %w", err)
	}
	d.Config.Listen.HTTP, d.Config.Listen.SMPP = l.HTTP, l.SMPP // ":0" (tests) is not a port config check takes
	return d, nil
}

// DemoWebhookPath is where the demo's own webhook receiver listens, on
// the gateway's HTTP listener; its secret is the demo's API key.
const DemoWebhookPath = "/demo/webhook"

// WebhookReceiver is the demo tenant's webhook: it checks each event's
// signature and logs it, so that the tour shows webhooks at work.
func (d *Demo) WebhookReceiver(log *slog.Logger) func(mux *http.ServeMux) {
	return func(mux *http.ServeMux) {
		mux.Handle("POST "+DemoWebhookPath, readDeadline(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
			if err == nil {
				err = httpapi.VerifySignature(d.Info.APIKey, r.Header.Get(httpapi.SignatureHeader), body, time.Now(), 5*time.Minute)
			}
			if err != nil {
				http.Error(w, err.Error(), http.StatusUnauthorized)
				return
			}
			var ev httpapi.WebhookEvent
			json.Unmarshal(body, &ev)
			log.Info("demo webhook received", "event", ev.Type, "id", ev.Message.ID, "status", ev.Message.Status,
				"to", ev.Message.To, "from", ev.Message.From, "text", ev.Message.Text)
			w.WriteHeader(http.StatusNoContent)
		}), bodyTimeout))
	}
}

// Started records the listeners' real addresses in demo.json.
func (d *Demo) Started(g *Gateway) error {
	d.Info.HTTP = "http://" + g.HTTPAddr()
	host, port, _ := net.SplitHostPort(g.SMPPAddr())
	d.Info.SMPP.Host = host
	d.Info.SMPP.Port, _ = strconv.Atoi(port)
	d.Info.Admin.URL = d.Info.HTTP + AdminPrefix + "/"
	b, _ := json.MarshalIndent(d.Info, "", "  ")
	return os.WriteFile(filepath.Join(d.Config.DataDir, "demo.json"), append(b, '\n'), 0o600)
}

// Close stops the simulators.
func (d *Demo) Close() {
	if d.Modem != nil {
		d.Modem.Close()
	}
	if d.SMSC != nil {
		d.SMSC.Close()
	}
}

func loadDemoInfo(dir string) (DemoInfo, error) {
	var info DemoInfo
	b, err := os.ReadFile(filepath.Join(dir, "demo.json"))
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return info, err
	default:
		if err := json.Unmarshal(b, &info); err != nil {
			return info, fmt.Errorf("demo.json: %w", err)
		}
	}
	if info.APIKey == "" {
		info.APIKey = "demo_" + rand.Text()
	}
	if info.SMPP.Password == "" {
		info.SMPP.Password = rand.Text()[:8]
	}
	info.SMPP.SystemID = demoSystemID
	if info.Admin.Password == "" {
		info.Admin.Password = rand.Text()[:12]
	}
	info.Admin.User = demoAdminUser
	return info, nil
}

var demoTmpl = template.Must(template.New("demo").Parse(`# smsgw --demo: written at each start; read it to see the shape of a real
# configuration (docs/configuration.md). The simulators' ports change at
# each start; the credentials are kept (demo.json). Edits take effect on
# SIGHUP, as with a real file (set demo-carrier's enabled to false and the
# modem takes the traffic), until the next start rewrites it.
data_dir: {{.Dir}}
listen:
  http: {{.HTTP}}
  smpp: {{.SMPP}}
tenants:
  - id: demo
    name: Demo tenant
    default_region: US
    allowed_countries: ["*"]   # the demo sends anywhere; a real tenant lists its countries
    senders: ["*"]             # and its sender ids
    default_sender: "{{.Sender}}"
    api_keys:
      - {id: demo, key: "{{.Key}}"}
    smpp_accounts:
      - {system_id: demo, password: "{{.Password}}"}
{{- if .Webhook}}
    webhook: {url: "{{.Webhook}}", secret: "{{.Secret}}"}   # the demo's own receiver: it logs each event
{{- end}}
connectors:
  - name: demo-carrier         # the simulated carrier SMSC (smscsim)
    type: smpp
    enabled: true
    host: {{.CarrierHost}}
    port: {{.CarrierPort}}
    system_id: smsgw
    password: demo
    window: 50
  - name: demo-modem           # the simulated modem, on a pseudo-terminal
    type: modem
    enabled: true
    port: {{.ModemPort}}
    number: "{{.ModemLine}}"
    poll_interval: 5s
admin:
  users:
    - {name: {{.AdminUser}}, role: admin, password: "{{.AdminPassword}}"}   # the admin UI (demo.json)
routes:
  - name: demo
    match: {tenant: demo}
    connectors: [demo-carrier, demo-modem]   # failover: the modem when the carrier is down
`))

func demoYAML(dir string, l DemoListen, info DemoInfo, host, port, modemPath string) ([]byte, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	hook := ""
	if _, port, _ := net.SplitHostPort(l.HTTP); port != "0" {
		hook = "http://" + l.HTTP + DemoWebhookPath
	}
	err = demoTmpl.Execute(&buf, map[string]string{"Webhook": hook, "Secret": info.APIKey, "Dir": abs, "HTTP": realPort(l.HTTP, "8080"), "SMPP": realPort(l.SMPP, "2775"), "Sender": demoSender,
		"Key": info.APIKey, "Password": info.SMPP.Password, "CarrierHost": host, "CarrierPort": port,
		"ModemPort": modemPath, "ModemLine": demoModemLine, "AdminUser": demoAdminUser, "AdminPassword": info.Admin.Password})
	return buf.Bytes(), err
}

// realPort replaces port 0 ("any free port") with def in the file
// written for reading; the gateway listens where it was asked.
func realPort(addr, def string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || port != "0" {
		return addr
	}
	return net.JoinHostPort(host, def)
}
