package gateway

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/smsgw/smsgw/spool"
)

// TestMetrics: after a message goes out, /metrics has the series the
// operations guide names, for both kinds of connector.
func TestMetrics(t *testing.T) {
	r := newRig(t, rigOptions{carrierEnabled: true, modemEnabled: true})
	r.waitReady("carrier-a")
	r.waitReady("modem-1")
	code, body := r.post(testKey, map[string]any{"to": "+13195550160", "text": "metrics"})
	if code != 202 {
		t.Fatal(code, body)
	}
	r.waitHook(body["id"].(string))
	resp, err := http.Get(r.url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{
		`smsgw_messages_total{direction="mt",priority="normal"} 1`,
		`smsgw_sends_total{connector="carrier-a",result="sent"} 1`,
		`smsgw_receipts_total{connector="carrier-a",state="delivered"} 1`,
		`smsgw_queue_depth{priority="emergency"} 0`,
		`smsgw_connector_ready{connector="modem-1",enabled="true",type="modem"} 1`,
		`smsgw_modem_signal_dbm{connector="modem-1"} -73`,
		`smsgw_modem_registered{connector="modem-1",registration=`,
		`smsgw_smpp_binds{connector="carrier-a",kind="up"} 1`,
		`smsgw_smpp_window_in_use{connector="carrier-a"} 0`,
		`smsgw_spool_bytes `,
		`smsgw_http_submit_duration_seconds_count 1`,
	} {
		if !strings.Contains(string(b), want) {
			t.Errorf("no %s in /metrics", want)
		}
	}
}

// TestActivity: the per-minute ring keeps an hour and forgets older
// minutes.
func TestActivity(t *testing.T) {
	now := time.Date(2026, 11, 22, 10, 0, 30, 0, time.UTC)
	a := newActivity(func() time.Time { return now })
	a.add(kindSent)
	a.add(kindSent)
	a.add(kindFailed)
	now = now.Add(59 * time.Minute)
	a.add(kindReceived)
	h := a.lastHour()
	if len(h) != 60 || h[0].Sent != 2 || h[0].Failed != 1 || h[59].Received != 1 {
		t.Fatalf("hour %+v … %+v", h[0], h[59])
	}
	now = now.Add(time.Minute) // 10:00 falls out of the hour
	if h := a.lastHour(); h[0].Sent != 0 || h[58].Received != 1 {
		t.Fatalf("after a minute: %+v, %+v", h[0], h[58])
	}
}

// TestGrafanaDashboard: every series the example dashboard queries is
// one the gateway exports.
func TestGrafanaDashboard(t *testing.T) {
	b, err := os.ReadFile("../configs/grafana/smsgw-dashboard.json")
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Panels []struct {
			Title   string
			Targets []struct{ Expr string }
		}
	}
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatal(err)
	}
	r := newRig(t, rigOptions{carrierEnabled: true, modemEnabled: true})
	r.waitReady("carrier-a")
	r.waitReady("modem-1")
	code, body := r.post(testKey, map[string]any{"to": "+13195550161", "text": "dashboard"})
	if code != 202 {
		t.Fatal(code, body)
	}
	r.waitHook(body["id"].(string))
	names := map[string]bool{}
	mfs, err := r.g.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		names[mf.GetName()] = true
		names[mf.GetName()+"_bucket"] = true
	}
	// Series that have no sample yet (no SMPP bind, nothing overdue) are
	// still declared by their collectors.
	ch := make(chan *prometheus.Desc, 100)
	m := r.g.metrics
	for _, c := range []prometheus.Collector{m.messages, m.reports, m.outbox, m.sends, m.submit, &spoolCollector{g: r.g}} {
		c.Describe(ch)
	}
	close(ch)
	fq := regexp.MustCompile(`fqName: "([a-z_]+)"`)
	for d := range ch {
		if n := fq.FindStringSubmatch(d.String()); n != nil {
			names[n[1]], names[n[1]+"_bucket"] = true, true
		}
	}
	re := regexp.MustCompile(`smsgw_[a-z_]+`)
	for _, p := range d.Panels {
		for _, tg := range p.Targets {
			for _, n := range re.FindAllString(tg.Expr, -1) {
				if !names[n] {
					t.Errorf("panel %q queries %s, which the gateway does not export", p.Title, n)
				}
			}
		}
	}
}

// TestActivityCountsFailedReceipts: a receipt saying the carrier could not
// deliver counts as a failure of its minute; a delivered one does not.
func TestActivityCountsFailedReceipts(t *testing.T) {
	m := &metrics{reports: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "r"}, []string{"connector", "state"}),
		activity: newActivity(time.Now)}
	for _, st := range []spool.State{spool.StateDelivered, spool.StateUndelivered, spool.StateExpired, spool.StateSent} {
		m.report(spool.Report{Connector: "c", State: st})
	}
	h := m.activity.lastHour()
	if got := h[59].Failed; got != 2 {
		t.Fatalf("%d failures counted, want 2", got)
	}
}

// /readyz answers 200 while a route can send (a connector of it enabled
// and ready) and 503 naming the routes when none can: here the only
// enabled connector, the carrier, loses its SMSC; the modem of both
// routes is disabled.
func TestReadyzFollowsTheRoutes(t *testing.T) {
	r := newRig(t, rigOptions{carrierEnabled: true})
	r.waitReady("carrier-a")
	if code, body := r.do("GET", "/readyz", "", nil); code != 200 || body["status"] != "ready" {
		t.Fatalf("carrier bound: /readyz %d %v; want 200 ready", code, body)
	}
	r.sim.Close()
	for _, c := range r.g.conns {
		if c.name == "carrier-a" {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := c.carrier.WaitReady(ctx, false); err != nil {
				t.Fatalf("the carrier still looks bound after its SMSC closed: %v", err)
			}
		}
	}
	code, body := r.do("GET", "/readyz", "", nil)
	reason, _ := body["reason"].(string)
	if code != 503 || body["status"] != "unready" || !strings.Contains(reason, "north, council") {
		t.Fatalf("carrier gone, modem disabled: /readyz %d %v; want 503 naming routes north and council", code, body)
	}
}

// TestActivityFromTheAuditTrail: the chart is read from the audit trail:
// a restart keeps it (it started at zero), and a message the spool
// expires while it waits is a failure of its minute (the dashboard's
// failures list had it, the chart did not).
func TestActivityFromTheAuditTrail(t *testing.T) {
	r := newRig(t, rigOptions{carrierEnabled: true})
	r.waitReady("carrier-a")
	code, body := r.post(testKey, map[string]any{"to": "+13195550180", "text": "counted"})
	if code != 202 {
		t.Fatalf("submit: %d %v", code, body)
	}
	if ev := r.waitHook(body["id"].(string)); ev.Message.Status != "delivered" {
		t.Fatalf("%+v", ev.Message)
	}
	cfg := r.g.cfg.Load()
	r.stop()
	s, err := spool.Open(filepath.Join(r.dir, "spool.db"), spool.Options{})
	if err != nil {
		t.Fatal(err)
	}
	m, _, err := s.Enqueue(t.Context(), &spool.Message{Tenant: "psap-north", From: "+13195550100", To: "+13195550181",
		Body: "too late", ValidUntil: time.Now().Add(50 * time.Millisecond), Source: "http:cad-1", ReportReq: true})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	time.Sleep(100 * time.Millisecond) // its validity ends: a time to let pass, not an event to wait for
	r.start(cfg)
	if ev := r.waitHook(m.ID); ev.Message.Status != "expired" {
		t.Fatalf("%+v", ev.Message)
	}
	sent, failed := 0, 0
	for _, mc := range r.g.Activity() {
		sent, failed = sent+mc.Sent, failed+mc.Failed
	}
	if sent != 1 || failed != 1 {
		t.Fatalf("after the restart the chart has %d sent and %d failed; want 1 and 1", sent, failed)
	}
}
