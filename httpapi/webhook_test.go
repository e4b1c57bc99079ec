package httpapi

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/smsgw/smsgw/configs"
	"github.com/smsgw/smsgw/spool"
)

// receiver is a test webhook endpoint that verifies signatures.
type receiver struct {
	mu     sync.Mutex
	status int
	got    []*http.Request
	bodies [][]byte
	srv    *httptest.Server
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{status: 200}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.got, r.bodies = append(r.got, req), append(r.bodies, b)
		st := r.status
		r.mu.Unlock()
		w.WriteHeader(st)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

// reportItem makes a delivered message with a report owed, and leases
// the outbox item.
func reportItem(t *testing.T, e *env, callback string) (*spool.OutboxItem, *spool.Message) {
	t.Helper()
	ctx := t.Context()
	m, _, err := e.b.Submit(ctx, &spool.Message{Tenant: "psap-north", To: "+13195550123", Body: "hi",
		ReportReq: true, Source: "http:cad-1", ClientRef: "inc-7", Callback: callback})
	if err != nil {
		t.Fatal(err)
	}
	leased, err := e.b.s.Lease(ctx, 1, spool.PriorityNormal)
	if err != nil || len(leased) != 1 {
		t.Fatal(err, len(leased))
	}
	if err := e.b.s.Complete(ctx, m.ID, leased[0].Attempts, spool.Result{Connector: "carrier-a", ProviderIDs: []string{"ab12"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.b.s.ApplyReport(ctx, spool.Report{Connector: "carrier-a", ProviderID: "ab12", State: spool.StateDelivered}); err != nil {
		t.Fatal(err)
	}
	items, err := e.b.s.LeaseOutbox(ctx, 10)
	if err != nil || len(items) != 1 {
		t.Fatal(err, len(items))
	}
	got, _ := e.b.s.Get(m.ID)
	return items[0], got
}

func TestWebhookSignedStatus(t *testing.T) {
	e := newEnv(t)
	rcv := newReceiver(t)
	wh := NewWebhooks(WebhookOptions{Now: e.clk.Now, Registerer: e.reg, Logger: discardLogger()})
	wh.SetWebhooks(map[string]Webhook{"psap-north": {URL: rcv.srv.URL + "/hook", Secret: "s3cret"}})
	it, m := reportItem(t, e, "")
	if err := wh.Deliver(t.Context(), it, m); err != nil {
		t.Fatal(err)
	}
	req, body := rcv.got[0], rcv.bodies[0]
	if req.Method != "POST" || req.Header.Get(EventHeader) != it.ID || req.Header.Get("X-Smsgw-Event") != EventStatus {
		t.Errorf("request %s %v", req.Method, req.Header)
	}
	if err := VerifySignature("s3cret", req.Header.Get(SignatureHeader), body, e.clk.Now(), time.Minute); err != nil {
		t.Errorf("signature: %v", err)
	}
	if err := VerifySignature("other", req.Header.Get(SignatureHeader), body, e.clk.Now(), time.Minute); !errors.Is(err, ErrSignatureMismatch) {
		t.Errorf("wrong secret: %v", err)
	}
	if err := VerifySignature("s3cret", req.Header.Get(SignatureHeader), body, e.clk.Now().Add(time.Hour), time.Minute); !errors.Is(err, ErrSignatureExpired) {
		t.Errorf("late: %v", err)
	}
	if err := VerifySignature("s3cret", req.Header.Get(SignatureHeader), append(body, ' '), e.clk.Now(), 0); !errors.Is(err, ErrSignatureMismatch) {
		t.Errorf("tampered: %v", err)
	}
	if err := VerifySignature("s3cret", "v1=abc", body, e.clk.Now(), 0); !errors.Is(err, ErrSignatureMissing) {
		t.Errorf("no t: %v", err)
	}
	var ev WebhookEvent
	if err := json.Unmarshal(body, &ev); err != nil {
		t.Fatal(err)
	}
	if ev.ID != it.ID || ev.Type != EventStatus || ev.Message.ID != m.ID || ev.Message.Status != "delivered" ||
		ev.Message.ClientRef != "inc-7" || ev.Message.Segments != 1 || len(ev.Message.Parts) != 1 ||
		ev.Message.Text != "" || ev.Message.Source != "" {
		t.Errorf("event %s", body)
	}
	if n := counterValue(t, e, "smsgw_webhook_deliveries_total", "result", "ok"); n != 1 {
		t.Errorf("metric ok = %v", n)
	}
}

func TestWebhookOutcomes(t *testing.T) {
	e := newEnv(t)
	rcv := newReceiver(t)
	wh := NewWebhooks(WebhookOptions{Now: e.clk.Now, Logger: discardLogger(), Timeout: 500 * time.Millisecond})
	wh.SetWebhooks(map[string]Webhook{"psap-north": {URL: rcv.srv.URL, Secret: "s"}})
	it, m := reportItem(t, e, "")
	for status, permanent := range map[int]bool{500: false, 503: false, 429: false, 408: false, 401: false, 403: false,
		400: true, 404: true, 410: true} {
		rcv.mu.Lock()
		rcv.status = status
		rcv.mu.Unlock()
		err := wh.Deliver(t.Context(), it, m)
		var se *spool.SendError
		if !errors.As(err, &se) || se.Permanent != permanent {
			t.Errorf("%d: %v, want permanent=%v", status, err, permanent)
		}
	}
	// No webhook for the tenant.
	it2 := *it
	it2.Tenant = "psap-south"
	if err := wh.Deliver(t.Context(), &it2, m); !spool.IsPermanent(err) || !strings.Contains(err.Error(), "no_webhook") {
		t.Errorf("no webhook: %v", err)
	}
	// A dead endpoint is retryable.
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	wh.SetWebhooks(map[string]Webhook{"psap-north": {URL: dead.URL}})
	if err := wh.Deliver(t.Context(), it, m); err == nil || spool.IsPermanent(err) {
		t.Errorf("network error: %v", err)
	}
	// A hanging endpoint times out, retryable.
	release := make(chan struct{})
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer hang.Close()
	defer close(release)
	wh.SetWebhooks(map[string]Webhook{"psap-north": {URL: hang.URL}})
	if err := wh.Deliver(t.Context(), it, m); err == nil || spool.IsPermanent(err) {
		t.Errorf("timeout: %v", err)
	}
}

func TestWebhookRedirects(t *testing.T) {
	e := newEnv(t)
	rcv := newReceiver(t)
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, rcv.srv.URL+"/stolen", http.StatusFound)
	}))
	defer other.Close()
	wh := NewWebhooks(WebhookOptions{Logger: discardLogger()})
	wh.SetWebhooks(map[string]Webhook{"psap-north": {URL: other.URL}})
	it, m := reportItem(t, e, "")
	if err := wh.Deliver(t.Context(), it, m); !spool.IsPermanent(err) {
		t.Errorf("redirect to another host: %v", err)
	}
	if len(rcv.got) != 0 {
		t.Error("redirect to another host was followed")
	}
}

func TestWebhookInbound(t *testing.T) {
	e := newEnv(t)
	rcv := newReceiver(t)
	wh := NewWebhooks(WebhookOptions{Now: e.clk.Now, Logger: discardLogger()})
	wh.SetWebhooks(map[string]Webhook{"psap-north": {URL: rcv.srv.URL, Secret: "s"}})
	if _, err := e.b.s.Receive(t.Context(), &spool.Message{Tenant: "psap-north", From: "+13195550199",
		To: "+13195550100", Body: "need help", Connector: "modem-1"}, "webhook"); err != nil {
		t.Fatal(err)
	}
	items, _ := e.b.s.LeaseOutbox(t.Context(), 1)
	m, _ := e.b.s.Get(items[0].MessageID)
	if err := wh.Deliver(t.Context(), items[0], m); err != nil {
		t.Fatal(err)
	}
	var ev WebhookEvent
	_ = json.Unmarshal(rcv.bodies[0], &ev)
	if ev.Type != EventInbound || ev.Message.Text != "need help" || ev.Message.From != "+13195550199" ||
		ev.Message.Received.IsZero() || ev.ID != items[0].ID {
		t.Errorf("inbound event %s", rcv.bodies[0])
	}
}

func TestDLRURL(t *testing.T) {
	e := newEnv(t)
	rcv := newReceiver(t)
	wh := NewWebhooks(WebhookOptions{Now: e.clk.Now, Logger: discardLogger()})
	it, m := reportItem(t, e, rcv.srv.URL+"/dlr?type=%d&smsc=%i&to=%p&from=%P&q=%q&fid=%F&id=%I&t=%t&T=%T&ans=%A&all=%a&k=%k&user=%n&c=%c"+
		"&b=%b&s=%s&o=%o&O=%O&m=%m&M=%M&B=%B&D=%D&f=%f&u=%u&pct=100%%&x=%z")
	if err := wh.Deliver(t.Context(), it, m); err != nil {
		t.Fatal(err)
	}
	req := rcv.got[0]
	q := req.URL.Query()
	want := map[string]string{"type": "1", "smsc": "carrier-a", "to": "+13195550123", "from": "+13195550100",
		"q": "+13195550123", "fid": "ab12", "id": m.ID, "t": "2026-11-22 10:00:00", "T": "1795341600", "ans": m.Reason,
		"all": "id:" + m.ID + " stat:DELIVRD err:" + m.Reason, "k": "id:" + m.ID, "user": "cad-1", "c": "0",
		"b": "id:" + m.ID + " stat:DELIVRD err:" + m.Reason, "s": "stat:DELIVRD", "o": m.ClientRef, "O": "00",
		"m": "-1", "M": "-1", "B": "", "D": "", "f": "", "u": ""}
	for k, v := range want {
		if q.Get(k) != v {
			t.Errorf("%s = %q, want %q (%s)", k, q.Get(k), v, req.URL.RawQuery)
		}
	}
	if !strings.HasSuffix(req.URL.RawQuery, "&pct=100%&x=%z") {
		t.Errorf("%%%% and unknown codes: %s", req.URL.RawQuery)
	}
	if req.Method != "GET" || req.Header.Get(EventHeader) != it.ID {
		t.Errorf("%s %v", req.Method, req.Header)
	}
	// A dlr-mask of 2 (failures only) skips a delivered report.
	it2, m2 := reportItem(t, e, withMask(rcv.srv.URL+"/only-failures?d=%d", 2))
	if err := wh.Deliver(t.Context(), it2, m2); err != nil {
		t.Fatal(err)
	}
	if len(rcv.got) != 1 {
		t.Errorf("report outside the dlr-mask was sent: %v", rcv.got[1].URL)
	}
	if got := ExpandDLRURL("x?s=%P&n=%Q", &spool.Message{From: "0044123"}, spool.StateFailed, e.clk.Now()); got != "x?s=0044123&n=%2B44123" {
		t.Errorf("%%Q: %s", got)
	}
	// The report of "sent" (%d = 8) fetched after the final receipt
	// arrived says sent, not the final receipt's words.
	done := &spool.Message{ID: "m1", State: spool.StateDelivered, Reason: "part 1 (7f3a): DELIVRD"}
	if got := ExpandDLRURL("d=%d&A=%A&a=%a", done, spool.StateSent, e.clk.Now()); strings.Contains(got, "DELIVRD") || !strings.HasPrefix(got, "d=8&") {
		t.Errorf("an earlier state's report: %s", got)
	}
	if got := ExpandDLRURL("A=%A", done, spool.StateDelivered, e.clk.Now()); !strings.Contains(got, "DELIVRD") {
		t.Errorf("the final report: %s", got)
	}
	if d := dlrValue(spool.StateFailed); d != 16 {
		t.Errorf("failed → %d", d)
	}
}

// counterValue reads a counter from the env's registry by one label.
func counterValue(t *testing.T, e *env, name, label, value string) float64 {
	t.Helper()
	fams, err := e.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	sum := 0.0
	for _, f := range fams {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == label && l.GetValue() == value {
					sum += m.GetCounter().GetValue()
				}
			}
		}
	}
	return sum
}

// The webhook deliverer checks the expanded dlr-url against the tenant's
// callback hosts again: a URL that reached the spool another way (before
// a reload set the list) is not fetched, and the report is dropped as a
// permanent failure.
func TestDLRURLCallbackHostsAtDelivery(t *testing.T) {
	e := newEnv(t)
	rcv := newReceiver(t)
	wh := NewWebhooks(WebhookOptions{Now: e.clk.Now, Logger: discardLogger()})
	wh.SetCallbackHosts(map[string]configs.HostList{"psap-north": {"10.0.0.0/8"}})
	it, m := reportItem(t, e, rcv.srv.URL+"/dlr?s=%d")
	if err := wh.Deliver(t.Context(), it, m); !spool.IsPermanent(err) || !strings.Contains(err.Error(), "callback hosts") {
		t.Fatalf("delivery to an unlisted host: %v", err)
	}
	if len(rcv.got) != 0 {
		t.Fatal("an unlisted host was fetched")
	}
	wh.SetCallbackHosts(map[string]configs.HostList{"psap-north": {"127.0.0.1"}})
	if err := wh.Deliver(t.Context(), it, m); err != nil || len(rcv.got) != 1 {
		t.Fatalf("delivery to a listed host: %v, %d requests", err, len(rcv.got))
	}
}
