package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/smsgw/smsgw/pdu"
	"github.com/smsgw/smsgw/spool"
)

// Test keys: two tenants.
const (
	keyNorth = "north-secret-key"
	keySouth = "south-secret-key"
)

var testKeys = []APIKey{
	{ID: "cad-1", Tenant: "psap-north", Key: keyNorth},
	{ID: "cad-2", Tenant: "psap-south", Key: keySouth},
}

// fakeClock is a clock tests move by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// policyErr is what the gateway's policy returns.
type policyErr struct{ code, field string }

func (e *policyErr) Error() string      { return "policy: " + e.code }
func (e *policyErr) ErrorCode() string  { return e.code }
func (e *policyErr) ErrorField() string { return e.field }

// fakeBackend is the gateway over a real spool, with a toy policy keyed
// on recipient numbers.
type fakeBackend struct {
	s        *spool.Store
	ready    error
	failNext error // returned once by Submit
	mu       sync.Mutex
}

func (b *fakeBackend) Submit(ctx context.Context, m *spool.Message) (*spool.Message, bool, error) {
	b.mu.Lock()
	fail := b.failNext
	b.failNext = nil
	b.mu.Unlock()
	if fail != nil {
		return nil, false, fail
	}
	switch {
	case strings.HasPrefix(m.To, "+999"):
		return nil, false, &policyErr{"invalid_recipient", "to"}
	case strings.HasPrefix(m.To, "+44"):
		return nil, false, &policyErr{"country_not_allowed", "to"}
	case m.To == "+13195550666":
		return nil, false, &policyErr{"suppressed", "to"}
	case m.To == "+13195550777":
		return nil, false, &policyErr{"quota_exceeded", ""}
	case m.From == "EVIL":
		return nil, false, &policyErr{"sender_not_allowed", "from"}
	case m.From == "" && m.To == "+13195550888": // as a tenant without a default sender
		return nil, false, &policyErr{"invalid_sender", "from"}
	}
	if m.From == "" {
		m.From = "+13195550100"
	}
	if m.Binary != nil {
		plan, err := pdu.PlanBinary(m.Binary, nil, false)
		if err != nil {
			return nil, false, err
		}
		m.Encoding, m.Segments = "8bit", plan.Segments
	} else {
		o := pdu.Options{}
		if m.Encoding == "ucs2" {
			o.Encoding = pdu.UCS2
		}
		plan, err := pdu.PlanText(m.Body, o)
		if err != nil {
			return nil, false, &policyErr{"invalid_text", "text"}
		}
		m.Encoding, m.Segments = plan.Encoding.String(), plan.Segments
	}
	return b.s.Enqueue(ctx, m)
}

func (b *fakeBackend) Get(id string) (*spool.Message, error) { return b.s.Get(id) }

// Recipient reads US national numbers ("(319) 555-0123") and E.164.
func (b *fakeBackend) Recipient(_, raw string) (string, bool) {
	d := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, raw)
	switch {
	case strings.HasPrefix(strings.TrimSpace(raw), "+"):
		return "+" + d, len(d) > 6
	case len(d) == 10:
		return "+1" + d, true
	}
	return "", false
}
func (b *fakeBackend) List(f spool.Filter, cursor string, limit int) (spool.Page, error) {
	return b.s.List(f, cursor, limit)
}
func (b *fakeBackend) Cancel(ctx context.Context, id, actor string) (*spool.Message, error) {
	return b.s.Cancel(ctx, id, actor)
}
func (b *fakeBackend) Status(ctx context.Context) Status {
	st, _ := b.s.Stats()
	started := time.Date(2026, 11, 22, 9, 0, 0, 412345678, time.UTC)
	return Status{Version: "test", Started: Time{started}, Queue: st.Queued, OldestDueMS: st.OldestDue, Outbox: st.Outbox,
		Connectors: []ConnectorStatus{{Name: "modem-1", Type: "modem", Enabled: true, Ready: true, State: "registered", Since: Time{started}}}}
}
func (b *fakeBackend) Ready(ctx context.Context) error { return b.ready }

// env is one API over a fresh spool.
type env struct {
	t      testing.TB
	api    *API
	b      *fakeBackend
	clk    *fakeClock
	reg    *prometheus.Registry
	srv    *httptest.Server
	mu     sync.Mutex
	audits []spool.AuditEntry
	sleeps []time.Duration
}

func newEnv(t testing.TB, opts ...func(*Options)) *env {
	t.Helper()
	clk := &fakeClock{t: time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)}
	s, err := spool.Open(filepath.Join(t.TempDir(), "spool.db"), spool.Options{Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	e := &env{t: t, b: &fakeBackend{s: s}, clk: clk, reg: prometheus.NewRegistry()}
	o := Options{
		Keys: testKeys, Now: clk.Now, Registerer: e.reg,
		Audit: func(ctx context.Context, a spool.AuditEntry) error {
			e.mu.Lock()
			e.audits = append(e.audits, a)
			e.mu.Unlock()
			return s.Audit(ctx, a)
		},
		Sleep: func(ctx context.Context, d time.Duration) {
			e.mu.Lock()
			e.sleeps = append(e.sleeps, d)
			e.mu.Unlock()
		},
		Logger: discardLogger(),
	}
	for _, f := range opts {
		f(&o)
	}
	e.api = New(o, e.b)
	e.srv = httptest.NewServer(e.api.Handler())
	t.Cleanup(e.srv.Close)
	return e
}

// do sends a request to the real server and returns the status, the
// headers and the body.
func (e *env) do(method, path, key string, body string, hdr ...string) (int, http.Header, []byte) {
	e.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

// submit posts a message and decodes the answer.
func (e *env) submit(key, body string, hdr ...string) (int, Message) {
	e.t.Helper()
	code, _, b := e.do("POST", "/api/v1/messages", key, body, hdr...)
	var m Message
	if code < 300 {
		if err := json.Unmarshal(b, &m); err != nil {
			e.t.Fatalf("decode %s: %v", b, err)
		}
	}
	return code, m
}

// apiError decodes an error body.
func apiError(t testing.TB, b []byte) *Error {
	t.Helper()
	var eb errorBody
	if err := json.Unmarshal(b, &eb); err != nil || eb.Error == nil {
		t.Fatalf("not an error body: %s (%v)", b, err)
	}
	return eb.Error
}

var errBoom = errors.New("disk on fire at /var/lib/smsgw")
