package httpapi

import (
	"errors"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are the HTTP API's and the webhooks' Prometheus collectors.
type metrics struct {
	requests     *prometheus.CounterVec // route, code
	submit       prometheus.Histogram
	authFailures prometheus.Counter
	webhooks     *prometheus.CounterVec // kind (webhook, dlr_url), result (ok, retry, failed)
}

// newMetrics registers the collectors with reg; a collector already
// registered there (a second API on the same registry) is shared.
func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "smsgw_http_requests_total", Help: "HTTP requests by route and status code.",
		}, []string{"route", "code"}),
		submit: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "smsgw_http_submit_duration_seconds", Help: "Time to accept a submitted message (POST /api/v1/messages), through the spool's fsync.",
			Buckets: []float64{.001, .0025, .005, .01, .02, .05, .1, .25, .5, 1, 2.5},
		}),
		authFailures: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "smsgw_http_auth_failures_total", Help: "Failed authentications (API keys and Kannel credentials).",
		}),
		webhooks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "smsgw_webhook_deliveries_total", Help: "Webhook and dlr-url deliveries by kind and result (ok, retry, failed).",
		}, []string{"kind", "result"}),
	}
	m.requests = register(reg, m.requests)
	m.submit = register(reg, m.submit)
	m.authFailures = register(reg, m.authFailures)
	m.webhooks = register(reg, m.webhooks)
	return m
}

// register registers c, or returns the collector of the same name already
// registered.
func register[C prometheus.Collector](reg prometheus.Registerer, c C) C {
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if old, ok := are.ExistingCollector.(C); ok {
				return old
			}
		}
	}
	return c
}

// metricsHandler serves GET /metrics.
func (a *API) metricsHandler(w http.ResponseWriter, r *http.Request, _ *caller) {
	promhttp.HandlerFor(a.gather, promhttp.HandlerOpts{ErrorLog: nil}).ServeHTTP(w, r)
}
