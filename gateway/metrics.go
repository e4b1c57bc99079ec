package gateway

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/smsgw/smsgw/spool"
)

// metrics are the gateway's own Prometheus series (the HTTP API and the
// webhooks register theirs on the same registry).
type metrics struct {
	messages *prometheus.CounterVec // by direction and event
	reports  *prometheus.CounterVec // receipts by connector and state
	outbox   *prometheus.CounterVec // upstream deliveries by kind and result
}

func newMetrics(reg prometheus.Registerer, g *Gateway) *metrics {
	m := &metrics{
		messages: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "smsgw_messages_total",
			Help: "Messages accepted (mt) or received (mo), by direction and priority."}, []string{"direction", "priority"}),
		reports: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "smsgw_receipts_total",
			Help: "Delivery receipts stored, by connector and state."}, []string{"connector", "state"}),
		outbox: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "smsgw_upstream_deliveries_total",
			Help: "Reports and inbound messages handed upstream (deliver_sm, webhooks), by kind and result."}, []string{"kind", "result"}),
	}
	reg.MustRegister(m.messages, m.reports, m.outbox, &spoolCollector{g: g})
	return m
}

func (m *metrics) accepted(msg *spool.Message) {
	m.messages.WithLabelValues("mt", msg.Priority.String()).Inc()
}

func (m *metrics) inbound(msg *spool.Message) {
	m.messages.WithLabelValues("mo", msg.Priority.String()).Inc()
}

func (m *metrics) report(r spool.Report) {
	m.reports.WithLabelValues(r.Connector, r.State.String()).Inc()
}

func (m *metrics) delivered(it *spool.OutboxItem, err error) {
	result := "ok"
	switch {
	case err != nil && spool.IsPermanent(err):
		result = "abandoned"
	case err != nil:
		result = "retry"
	}
	m.outbox.WithLabelValues(string(it.Kind), result).Inc()
}

// spoolCollector reads the spool's and the connectors' state at scrape
// time.
type spoolCollector struct{ g *Gateway }

var (
	descQueue = prometheus.NewDesc("smsgw_queue_depth", "Messages waiting or being sent, by priority.", []string{"priority"}, nil)
	descDue   = prometheus.NewDesc("smsgw_queue_oldest_due_seconds", "How long the most overdue message has been due, by priority.", []string{"priority"}, nil)
	descState = prometheus.NewDesc("smsgw_messages", "Messages in the spool, by state.", []string{"state"}, nil)
	descOut   = prometheus.NewDesc("smsgw_outbox_depth", "Reports and inbound messages owed upstream.", nil, nil)
	descSize  = prometheus.NewDesc("smsgw_spool_bytes", "Size of the spool file.", nil, nil)
	descUp    = prometheus.NewDesc("smsgw_connector_ready", "1 when the connector can send now (bound, registered).", []string{"connector", "type", "enabled"}, nil)
)

func (c *spoolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descQueue, descDue, descState, descOut, descSize, descUp} {
		ch <- d
	}
}

func (c *spoolCollector) Collect(ch chan<- prometheus.Metric) {
	st, err := c.g.store.Stats()
	if err == nil {
		for p, n := range st.Queued {
			ch <- prometheus.MustNewConstMetric(descQueue, prometheus.GaugeValue, float64(n), p)
		}
		for p, ms := range st.OldestDue {
			ch <- prometheus.MustNewConstMetric(descDue, prometheus.GaugeValue, float64(ms)/1000, p)
		}
		for s, n := range st.States {
			ch <- prometheus.MustNewConstMetric(descState, prometheus.GaugeValue, float64(n), s)
		}
		ch <- prometheus.MustNewConstMetric(descOut, prometheus.GaugeValue, float64(st.Outbox))
		ch <- prometheus.MustNewConstMetric(descSize, prometheus.GaugeValue, float64(st.FileBytes))
	}
	for _, cs := range c.g.connectorStatus() {
		v := 0.0
		if cs.Ready {
			v = 1
		}
		en := "false"
		if cs.Enabled {
			en = "true"
		}
		ch <- prometheus.MustNewConstMetric(descUp, prometheus.GaugeValue, v, cs.Name, cs.Type, en)
	}
}
