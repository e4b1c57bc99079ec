package gateway

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"text/template"
	"time"

	"github.com/smsgw/smsgw/configs"
	"github.com/smsgw/smsgw/httpapi"
	"github.com/smsgw/smsgw/internal/syncbuf"
	"github.com/smsgw/smsgw/modem/modemsim"
	"github.com/smsgw/smsgw/smpp/smscsim"
)

// rig is a whole gateway in-process, over real sockets: its HTTP API and
// SMPP server on loopback, a simulated carrier (smscsim) and a simulated
// modem on a pseudo-terminal (modemsim), and a webhook receiver that
// checks every signature.
type rig struct {
	t      *testing.T
	g      *Gateway
	sim    *smscsim.Server
	modem  *modemsim.Modem
	hooks  chan httpapi.WebhookEvent
	seen   map[string]httpapi.WebhookEvent // events read while waiting for another message's
	url    string                          // the gateway's HTTP API
	dir    string
	cancel context.CancelFunc
	done   chan error
	// hookNow, when set (a func() time.Time), is the webhook receiver's
	// clock for checking signatures; default time.Now.
	hookNow atomic.Value
	// hookDown, while set, makes the webhook receiver answer 503, and
	// tell hookRefused (without waiting).
	hookDown    atomic.Bool
	hookRefused chan struct{}
	logs        syncbuf.Buffer // what the gateway logged
}

type rigOptions struct {
	carrierEnabled bool
	modemEnabled   bool
	sim            smscsim.Options
	modem          modemsim.Options
	quota          int
	extraYAML      string        // appended to the tenants list (more tenants)
	backoff        time.Duration // the spool's retry backoff, if not the rig's 50ms to 200ms
	maxQueued      int           // spool.max_queued, if not the default
	carrierPass    string        // the password the gateway binds with, if not the simulator's
	responseWait   time.Duration // the carrier's response_timeout, if not the default
	maxAttempts    int           // spool.retry.max_attempts, if not the default
}

const (
	testKey      = "key-psap-north-0123456789"
	otherKey     = "key-council-0123456789abcd"
	hookSecret   = "whsec-test"
	testSMPPPass = "cadpass"
)

var rigTmpl = template.Must(template.New("rig").Parse(`data_dir: {{.Dir}}
listen:
  http: 127.0.0.1:1 # replaced by :0 (config check wants a real port)
  smpp: 127.0.0.1:2
  control: {{.Dir}}/smsgw.sock
spool:
  retry: {initial_backoff: 50ms, max_backoff: 200ms}
tenants:
  - id: psap-north
    default_region: US
    allowed_countries: [US, CA]
    senders: ["+13195550100", "PSAPNORTH"]
    default_sender: "+13195550100"
    quota_per_day: {{.Quota}}
    api_keys:
      - {id: cad-1, key: "` + testKey + `"}
    smpp_accounts:
      - {system_id: cad, password: "` + testSMPPPass + `"}
    webhook: {url: "{{.Hook}}", secret: "` + hookSecret + `"}
  - id: council
    default_region: US
    senders: ["+13195550999"]
    default_sender: "+13195550999"
    api_keys:
      - {id: council-1, key: "` + otherKey + `"}
connectors:
  - name: carrier-a
    type: smpp
    enabled: {{.Carrier}}
    host: 127.0.0.1
    port: {{.CarrierPort}}
    system_id: {{.CarrierUser}}
    password: {{.CarrierPass}}
    window: 20
    reconnect: {initial: 20ms, max: 100ms}
  - name: modem-1
    type: modem
    enabled: {{.Modem}}
    port: {{.ModemPort}}
    number: "+13195550100"
    poll_interval: 200ms
    reconnect: {initial: 20ms, max: 100ms}
routes:
  - name: north
    match: {tenant: psap-north}
    connectors: [carrier-a, modem-1]
  - name: council
    match: {tenant: council}
    connectors: [carrier-a, modem-1]
`))

func newRig(t *testing.T, o rigOptions) *rig {
	t.Helper()
	r := &rig{t: t, dir: t.TempDir(), hooks: make(chan httpapi.WebhookEvent, 100000), seen: map[string]httpapi.WebhookEvent{},
		hookRefused: make(chan struct{}, 100)}
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		if r.hookDown.Load() {
			select {
			case r.hookRefused <- struct{}{}:
			default:
			}
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		now := time.Now()
		if f, ok := r.hookNow.Load().(func() time.Time); ok {
			now = f()
		}
		if err := httpapi.VerifySignature(hookSecret, req.Header.Get(httpapi.SignatureHeader), body, now, time.Minute); err != nil {
			t.Errorf("webhook signature: %v", err)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		var ev httpapi.WebhookEvent
		if err := json.Unmarshal(body, &ev); err != nil {
			t.Errorf("webhook body: %v", err)
		}
		r.hooks <- ev
	}))
	t.Cleanup(hook.Close)
	var err error
	if o.sim.Accounts == nil {
		o.sim.Accounts = []smscsim.Account{{SystemID: "smsgw", Password: "carrierpw"}}
	}
	if r.sim, err = smscsim.New(o.sim); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.sim.Close() })
	if o.modem.RegistrationDelay == 0 {
		o.modem.RegistrationDelay = -1
	}
	if o.modem.SendDelay == 0 {
		o.modem.SendDelay = 5 * time.Millisecond
	}
	if o.modem.ReportDelay == 0 {
		o.modem.ReportDelay = 10 * time.Millisecond
	}
	if r.modem, err = modemsim.New(o.modem); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.modem.Close() })
	port := r.sim.Addr()[strings.LastIndex(r.sim.Addr(), ":")+1:]
	pass := o.sim.Accounts[0].Password
	if o.carrierPass != "" {
		pass = o.carrierPass
	}
	var y bytes.Buffer
	if err := rigTmpl.Execute(&y, map[string]any{"Dir": r.dir, "Hook": hook.URL, "Carrier": o.carrierEnabled, "Modem": o.modemEnabled,
		"CarrierPort": port, "CarrierUser": o.sim.Accounts[0].SystemID, "CarrierPass": pass,
		"ModemPort": r.modem.Path(), "Quota": o.quota}); err != nil {
		t.Fatal(err)
	}
	cfg, err := configs.Parse(y.Bytes(), filepath.Join(r.dir, "smsgw.yaml"))
	if err != nil {
		t.Fatalf("config: %v\n%s", err, y.String())
	}
	cfg.Listen.HTTP, cfg.Listen.SMPP = "127.0.0.1:0", "127.0.0.1:0"
	if o.maxQueued > 0 {
		cfg.Spool.MaxQueued = o.maxQueued
	}
	if o.maxAttempts > 0 {
		cfg.Spool.Retry.MaxAttempts = o.maxAttempts
	}
	if o.responseWait > 0 {
		for _, c := range cfg.Connectors {
			if c.SMPP != nil {
				c.SMPP.ResponseTimeout = o.responseWait
			}
		}
	}
	if o.backoff > 0 {
		cfg.Spool.Retry.InitialBackoff, cfg.Spool.Retry.MaxBackoff = o.backoff, o.backoff
	}
	r.start(cfg)
	return r
}

// start runs a gateway over cfg until the test ends (or stop).
func (r *rig) start(cfg *configs.Config) {
	t := r.t
	t.Helper()
	var logw io.Writer = &r.logs
	if testing.Verbose() {
		logw = io.MultiWriter(logw, os.Stderr)
	}
	g, err := New(cfg, Options{Version: "test", Logger: slog.New(slog.NewTextHandler(logw, nil)), StopTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	r.g, r.url = g, "http://"+g.HTTPAddr()
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel, r.done = cancel, make(chan error, 1)
	go func() { r.done <- g.Run(ctx) }()
	t.Cleanup(r.stop)
}

// stop stops the gateway and waits for its orderly end.
func (r *rig) stop() {
	if r.cancel == nil {
		return
	}
	r.cancel()
	r.cancel = nil
	select {
	case err := <-r.done:
		if err != nil {
			r.t.Errorf("gateway stopped with %v", err)
		}
	case <-time.After(15 * time.Second):
		r.t.Error("gateway did not stop in time")
	}
}

// waitReady waits until the named connector is ready.
func (r *rig) waitReady(name string) {
	r.t.Helper()
	for _, c := range r.g.conns {
		if c.name != name {
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		var err error
		if c.carrier != nil {
			err = c.carrier.WaitReady(ctx, true)
		} else {
			err = c.modem.WaitReady(ctx, true)
		}
		if err != nil {
			r.t.Fatalf("%s never ready: %v", name, err)
		}
		return
	}
	r.t.Fatalf("no connector %s", name)
}

// post submits JSON to the API with key and returns the status and the
// decoded body.
func (r *rig) post(key string, body any) (int, map[string]any) {
	r.t.Helper()
	return r.do(http.MethodPost, "/api/v1/messages", key, body)
}

func (r *rig) do(method, path, key string, body any) (int, map[string]any) {
	r.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, r.url+path, rd)
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

// waitHook waits for the webhook event of message id with a final
// status.
func (r *rig) waitHook(id string) httpapi.WebhookEvent {
	r.t.Helper()
	if ev, ok := r.seen[id]; ok {
		return ev
	}
	deadline := time.After(20 * time.Second)
	for {
		select {
		case ev := <-r.hooks:
			if ev.Message.ID == id {
				return ev
			}
			r.seen[ev.Message.ID] = ev // another message's: kept for its own wait
		case <-deadline:
			m, _ := r.g.store.Get(id)
			r.t.Fatalf("no webhook for %s; message %+v", id, m)
		}
	}
}

// sendsms is a GET of the Kannel endpoint: its status, body and the
// first message id.
func (r *rig) sendsms(q url.Values) (int, string, string) {
	r.t.Helper()
	resp, err := http.Get(r.url + "/cgi-bin/sendsms?" + q.Encode())
	if err != nil {
		r.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header.Get("X-Smsgw-Id")
}

// errCode is the code of an API error body.
func errCode(body map[string]any) string {
	e, _ := body["error"].(map[string]any)
	s, _ := e["code"].(string)
	return s
}

var _ = fmt.Sprint
