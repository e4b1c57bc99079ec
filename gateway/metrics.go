package gateway

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/smsgw/smsgw/spool"
)

// metrics are the gateway's own Prometheus series (the HTTP API and the
// webhooks register theirs on the same registry).
type metrics struct {
	messages *prometheus.CounterVec   // by direction and event
	reports  *prometheus.CounterVec   // receipts by connector and state
	outbox   *prometheus.CounterVec   // upstream deliveries by kind and result
	sends    *prometheus.CounterVec   // send attempts by connector and result
	submit   *prometheus.HistogramVec // time to accept a submit, by ingress
	activity *activity
}

func newMetrics(reg prometheus.Registerer, g *Gateway) *metrics {
	m := &metrics{
		messages: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "smsgw_messages_total",
			Help: "Messages accepted (mt) or received (mo), by direction and priority."}, []string{"direction", "priority"}),
		reports: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "smsgw_receipts_total",
			Help: "Delivery receipts stored, by connector and state."}, []string{"connector", "state"}),
		outbox: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "smsgw_upstream_deliveries_total",
			Help: "Reports and inbound messages handed upstream (deliver_sm, webhooks), by kind and result."}, []string{"kind", "result"}),
		sends: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "smsgw_sends_total",
			Help: "Send attempts, by connector and result (sent, retry, failed, deferred)."}, []string{"connector", "result"}),
		submit: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "smsgw_submit_duration_seconds",
			Help:    "Time from a submit's arrival to its durable acknowledgement, by ingress (the HTTP API has its own too).",
			Buckets: []float64{.001, .0025, .005, .01, .02, .05, .1, .25, .5, 1}}, []string{"ingress"}),
		activity: newActivity(time.Now),
	}
	reg.MustRegister(m.messages, m.reports, m.outbox, m.sends, m.submit, &spoolCollector{g: g})
	return m
}

// recorded counts a send attempt's result (the dispatcher's Recorded).
func (m *metrics) recorded(msg *spool.Message, r spool.Result, err error) {
	result := "sent"
	switch {
	case r.Err != nil && spool.IsPermanent(r.Err):
		result = "failed"
	case r.Err != nil:
		result = "retry"
	case !r.Defer.IsZero() && len(r.ProviderIDs) == 0:
		result = "deferred"
	}
	conn := r.Connector
	if conn == "" {
		conn = "none"
	}
	m.sends.WithLabelValues(conn, result).Inc()
	switch result {
	case "sent":
		m.activity.add(kindSent)
	case "failed":
		m.activity.add(kindFailed)
	}
}

func (m *metrics) accepted(msg *spool.Message) {
	m.messages.WithLabelValues("mt", msg.Priority.String()).Inc()
}

func (m *metrics) inbound(msg *spool.Message) {
	m.messages.WithLabelValues("mo", msg.Priority.String()).Inc()
	m.activity.add(kindReceived)
}

func (m *metrics) report(r spool.Report) {
	m.reports.WithLabelValues(r.Connector, r.State.String()).Inc()
	switch r.State { // the carrier could not deliver it: a failure of this minute
	case spool.StateUndelivered, spool.StateExpired, spool.StateRejected:
		m.activity.add(kindFailed)
	}
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
	descQueue  = prometheus.NewDesc("smsgw_queue_depth", "Messages waiting or being sent, by priority.", []string{"priority"}, nil)
	descDue    = prometheus.NewDesc("smsgw_queue_oldest_due_seconds", "How long the most overdue message has been due, by priority.", []string{"priority"}, nil)
	descState  = prometheus.NewDesc("smsgw_messages", "Messages in the spool, by state.", []string{"state"}, nil)
	descOut    = prometheus.NewDesc("smsgw_outbox_depth", "Reports and inbound messages owed upstream.", nil, nil)
	descSize   = prometheus.NewDesc("smsgw_spool_bytes", "Size of the spool file.", nil, nil)
	descUp     = prometheus.NewDesc("smsgw_connector_ready", "1 when the connector can send now (bound, registered).", []string{"connector", "type", "enabled"}, nil)
	descDBm    = prometheus.NewDesc("smsgw_modem_signal_dbm", "A modem's signal strength.", []string{"connector"}, nil)
	descReg    = prometheus.NewDesc("smsgw_modem_registered", "1 when a modem is registered on the network (home or roaming).", []string{"connector", "registration"}, nil)
	descBinds  = prometheus.NewDesc("smsgw_smpp_binds", "A carrier connector's binds up, and the binds it keeps up when healthy.", []string{"connector", "kind"}, nil)
	descWin    = prometheus.NewDesc("smsgw_smpp_window_in_use", "submit_sm waiting for their response, per carrier connector.", []string{"connector"}, nil)
	descThr    = prometheus.NewDesc("smsgw_smpp_throttled_total", "ESME_RTHROTTLED and ESME_RMSGQFUL answers from a carrier.", []string{"connector"}, nil)
	descDup    = prometheus.NewDesc("smsgw_smpp_possible_duplicates_total", "Parts whose submit_sm_resp never came, sent again.", []string{"connector"}, nil)
	descBF     = prometheus.NewDesc("smsgw_smpp_bind_failures_total", "Failed binds to a carrier.", []string{"connector"}, nil)
	descSrv    = prometheus.NewDesc("smsgw_smpp_server_binds", "Applications' binds to the SMPP server, by system_id.", []string{"system_id"}, nil)
	descBehind = prometheus.NewDesc("smsgw_clock_behind_seconds", "How far the system clock is behind the spool's time (0: they agree); the spool then keeps its own time.", nil, nil)
	descSteps  = prometheus.NewDesc("smsgw_clock_steps", "Jumps ahead of the system clock the spool has recorded.", nil, nil)
)

func (c *spoolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descQueue, descDue, descState, descOut, descSize, descUp, descDBm, descReg,
		descBinds, descWin, descThr, descDup, descBF, descSrv, descBehind, descSteps} {
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
		ch <- prometheus.MustNewConstMetric(descBehind, prometheus.GaugeValue, float64(st.ClockBehindMS)/1000)
		ch <- prometheus.MustNewConstMetric(descSteps, prometheus.GaugeValue, float64(st.ClockSteps))
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
	for _, c := range c.g.conns {
		switch {
		case c.carrier != nil:
			h := c.carrier.Health()
			ch <- prometheus.MustNewConstMetric(descBinds, prometheus.GaugeValue, float64(h.Bound), c.name, "up")
			ch <- prometheus.MustNewConstMetric(descBinds, prometheus.GaugeValue, float64(h.Wanted), c.name, "wanted")
			ch <- prometheus.MustNewConstMetric(descWin, prometheus.GaugeValue, float64(h.InFlight), c.name)
			ch <- prometheus.MustNewConstMetric(descThr, prometheus.CounterValue, float64(h.Throttled), c.name)
			ch <- prometheus.MustNewConstMetric(descDup, prometheus.CounterValue, float64(h.PossibleDuplicates), c.name)
			ch <- prometheus.MustNewConstMetric(descBF, prometheus.CounterValue, float64(h.BindFailures), c.name)
		case c.modem != nil:
			h := c.modem.Health()
			if h.SignalDBm != 0 {
				ch <- prometheus.MustNewConstMetric(descDBm, prometheus.GaugeValue, float64(h.SignalDBm), c.name)
			}
			reg := 0.0
			if h.Registration.Registered() {
				reg = 1
			}
			ch <- prometheus.MustNewConstMetric(descReg, prometheus.GaugeValue, reg, c.name, h.Registration.String())
		}
	}
	for id, n := range c.g.smppSrv.Binds() {
		ch <- prometheus.MustNewConstMetric(descSrv, prometheus.GaugeValue, float64(n), id)
	}
}
