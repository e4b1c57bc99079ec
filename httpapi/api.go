package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/smsgw/smsgw/internal/clientip"
	"github.com/smsgw/smsgw/spool"
	"github.com/smsgw/smsgw/spool/policy"
)

// Options configures the API. The zero value of each field means its
// default.
type Options struct {
	// Keys are the API keys; SetKeys replaces them at runtime.
	Keys []APIKey

	// MaxBody is the largest request body in bytes; a larger one is
	// answered 413 body_too_large. Default 64 KiB.
	MaxBody int64

	// Timeout bounds the time spent on one request (its context ends)
	// and the time to read its body (the connection's read deadline; a
	// body not read by then is 408 request_timeout). Default 30s.
	Timeout time.Duration

	// Audit records failed authentications (spool.Store.Audit). Nil: not
	// audited, only logged.
	Audit func(ctx context.Context, e spool.AuditEntry) error

	// AuthDelay is the delay before answering the first failed
	// authentication from an address; it doubles with each further
	// failure up to MaxAuthDelay and is forgotten after 15 minutes
	// without failures. Defaults 250ms and 8s.
	AuthDelay    time.Duration
	MaxAuthDelay time.Duration

	// Sleep waits d or until ctx ends (tests count the delays). Default:
	// a timer.
	Sleep func(ctx context.Context, d time.Duration)

	// Logger, default slog.Default().
	Logger *slog.Logger

	// Registerer receives the HTTP metrics; Gatherer is what GET /metrics
	// serves. Default: one new registry for both; when only Registerer is
	// set and it is a *prometheus.Registry, it serves as Gatherer too.
	Registerer prometheus.Registerer
	Gatherer   prometheus.Gatherer

	// Now is the clock. Default time.Now.
	Now func() time.Time

	// Proxies are the reverse proxies whose X-Forwarded-For names the
	// client (throttling and auditing failed authentications, a
	// message's source address). Nil: the client is the peer.
	Proxies *clientip.Trusted
}

// API serves the HTTP API. It is safe for concurrent use.
type API struct {
	o       Options
	b       Backend
	log     *slog.Logger
	keysMu  sync.RWMutex
	keys    *keyring
	guard   *policy.Guard
	gate    addrGate            // one unverified authentication per client address at a time
	audits  *policy.AuditBudget // failed authentications audited
	met     *metrics
	gather  prometheus.Gatherer
	handler http.Handler
}

// New makes the API over b.
func New(o Options, b Backend) *API {
	if o.MaxBody <= 0 {
		o.MaxBody = 64 << 10
	}
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	if o.AuthDelay <= 0 {
		o.AuthDelay = 250 * time.Millisecond
	}
	if o.MaxAuthDelay <= 0 {
		o.MaxAuthDelay = 8 * time.Second
	}
	if o.Sleep == nil {
		o.Sleep = sleep
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Registerer == nil {
		reg := prometheus.NewRegistry()
		o.Registerer, o.Gatherer = reg, reg
	}
	if o.Gatherer == nil {
		if g, ok := o.Registerer.(prometheus.Gatherer); ok {
			o.Gatherer = g
		} else {
			o.Gatherer = prometheus.DefaultGatherer
		}
	}
	a := &API{o: o, b: b, log: o.Logger.With("comp", "httpapi"), gather: o.Gatherer,
		met: newMetrics(o.Registerer)}
	a.keys = newKeyring(o.Keys)
	a.guard = policy.NewGuard(o.AuthDelay, o.MaxAuthDelay)
	a.audits = policy.NewAuditBudget(policy.AuditEvery, policy.AuditBurst)
	a.handler = a.buildMux()
	return a
}

// Handler returns the handler for every route.
func (a *API) Handler() http.Handler { return a.handler }

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}
