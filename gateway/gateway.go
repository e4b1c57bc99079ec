package gateway

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/smsgw/smsgw/configs"
	"github.com/smsgw/smsgw/httpapi"
	"github.com/smsgw/smsgw/internal/clientip"
	"github.com/smsgw/smsgw/modem"
	"github.com/smsgw/smsgw/smpp"
	"github.com/smsgw/smsgw/spool"
	"github.com/smsgw/smsgw/spool/policy"
	"github.com/smsgw/smsgw/spool/route"
)

// Options are what the configuration file does not say.
type Options struct {
	Version string
	Logger  *slog.Logger // default: from the config's log settings, on stderr
	// StopTimeout bounds the orderly stop (in-flight sends, unbinds).
	// Default 20s.
	StopTimeout time.Duration
	// ExtraHTTP, when set, is mounted on the HTTP listener next to the API
	// (the demo's webhook receiver). Its handlers bound the time to read
	// a body themselves (readDeadline).
	ExtraHTTP func(mux *http.ServeMux)
	// Ready, when set, is called once every listener serves (systemd's
	// READY=1); Stopping when the orderly stop begins (STOPPING=1).
	Ready, Stopping func()
}

// connector is one configured connector and its running part.
type connector struct {
	name, typ string
	enabled   atomic.Bool // as the current configuration says
	started   bool        // its Run is going (guarded by reloadMu)
	carrier   *smpp.Carrier
	modem     *modem.Modem
}

// run runs the carrier or modem until ctx ends.
func (c *connector) run(ctx context.Context) {
	if c.carrier != nil {
		c.carrier.Run(ctx)
	} else {
		c.modem.Run(ctx)
	}
}

// Gateway is one running smsgw.
type Gateway struct {
	o   Options
	cfg atomic.Pointer[configs.Config]
	// webhookDown holds the tenants whose webhook's last answer was a
	// failure to retry (webhookAnswered).
	webhookDown sync.Map
	log         *slog.Logger
	started     atomic.Pointer[time.Time] // when Run began; nil before

	store    *spool.Store
	proxies  *clientip.Trusted // listen.trusted_proxies
	policy   *policy.Policy
	router   *route.Router
	conns    []*connector
	smppSrv  *smpp.Server
	api      *httpapi.API
	webhooks *httpapi.Webhooks
	reg      *prometheus.Registry
	metrics  *metrics

	// startConn starts a connector's Run while the gateway runs; nil
	// before and after (guarded by reloadMu).
	startConn func(*connector)

	httpLn, smppLn, smppTLSLn, controlLn net.Listener
	reloadMu                             sync.Mutex
}

// New builds the gateway and opens its spool and listeners, so that a
// bad address or a locked spool is reported before Run; on error
// everything opened is closed again.
func New(cfg *configs.Config, o Options) (_ *Gateway, err error) {
	if o.StopTimeout <= 0 {
		o.StopTimeout = 20 * time.Second
	}
	if o.Logger == nil {
		o.Logger = loggerFor(cfg, os.Stderr)
	}
	g := &Gateway{o: o, log: o.Logger, reg: prometheus.NewRegistry()}
	g.cfg.Store(cfg)
	var undo []func()
	defer func() {
		if err != nil {
			for i := len(undo) - 1; i >= 0; i-- {
				undo[i]()
			}
		}
	}()

	if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	g.store, err = spool.Open(filepath.Join(cfg.DataDir, "spool.db"), spoolOptions(cfg, g.log))
	if err != nil {
		return nil, err
	}
	store := g.store
	undo = append(undo, func() { store.Close() })
	if g.policy, err = policy.New(g.store, policyTenants(cfg), policy.Options{Logger: g.log, Now: g.store.Now}); err != nil {
		return nil, fmt.Errorf("tenants: %w", err)
	}
	g.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	g.metrics = newMetrics(g.reg, g)

	sk := &sink{g: g, StoreSink: route.StoreSink{Store: g.store, Targets: g.inboundTargets}}
	var entries []route.Entry
	for _, c := range cfg.Connectors {
		conn := &connector{name: c.Name, typ: c.Type}
		conn.enabled.Store(c.Enabled)
		log := g.log // the connectors name themselves (comp, conn)
		switch {
		case c.SMPP != nil:
			co, err := carrierOptions(cfg, c, log)
			if err != nil {
				return nil, err
			}
			if co.TLS != nil {
				co.TLS.Time = g.store.Now // see spool.Store.Now: not 1970 on a cold board
			}
			co.Now = g.store.Now // validities are stored on the spool's clock
			conn.carrier = smpp.NewCarrier(co, sk)
			window := max(co.Session.Window, 1) * max(co.Sessions, 1)
			entries = append(entries, route.Entry{Connector: conn.carrier, Enabled: c.Enabled, MaxInFlight: window})
		case c.Modem != nil:
			mo, err := modemOptions(cfg, c, log)
			if err != nil {
				return nil, err
			}
			conn.modem = modem.New(mo, sk)
			entries = append(entries, route.Entry{Connector: conn.modem, Enabled: c.Enabled, MaxInFlight: 1})
		}
		g.conns = append(g.conns, conn)
	}
	if g.router, err = route.New(rules(cfg), entries, route.Options{CountryOf: countryOf, Now: g.store.Now, Logger: g.log}); err != nil {
		return nil, err
	}

	g.smppSrv = smpp.NewServer(smpp.ServerOptions{Accounts: smppAccounts(cfg), Lookup: g.store, Audit: g.store.Audit,
		Parts: g.store, Logger: g.log, OnReceiver: g.receiverBound, Now: g.store.Now}, smppIngress{g})
	g.webhooks = httpapi.NewWebhooks(httpapi.WebhookOptions{Logger: g.log, Registerer: g.reg, Now: g.store.Now})
	g.webhooks.SetWebhooks(webhooks(cfg))
	g.webhooks.SetCallbackHosts(callbackHosts(cfg))
	// Checked by configs.Validate: an error here is a bug.
	if g.proxies, err = clientip.Parse(cfg.Listen.TrustedProxies); err != nil {
		return nil, fmt.Errorf("listen.trusted_proxies: %w", err)
	}
	g.api = httpapi.New(httpapi.Options{Keys: apiKeys(cfg), Audit: g.store.Audit, Logger: g.log,
		Registerer: g.reg, Gatherer: g.reg, Now: g.store.Now, Proxies: g.proxies}, g)

	listen := func(network, addr string) (net.Listener, error) {
		if addr == "" {
			return nil, nil
		}
		if network == "unix" {
			os.Remove(addr) // a socket left by a process that died
		}
		ln, err := net.Listen(network, addr)
		if err != nil {
			return nil, fmt.Errorf("listen %s: %w", addr, err)
		}
		if network == "unix" {
			os.Chmod(addr, 0o660)
		}
		undo = append(undo, func() { ln.Close() })
		return ln, nil
	}
	if g.smppLn, err = listen("tcp", cfg.Listen.SMPP); err != nil {
		return nil, err
	}
	if t := cfg.Listen.SMPPTLS; t != nil {
		if g.smppTLSLn, err = listenTLS(t); err != nil {
			return nil, err
		}
		undo = append(undo, func() { g.smppTLSLn.Close() })
	}
	if g.httpLn, err = listen("tcp", cfg.Listen.HTTP); err != nil {
		return nil, err
	}
	if g.controlLn, err = listen("unix", cfg.Listen.Control); err != nil {
		return nil, err
	}
	return g, nil
}

// Store is the gateway's spool (tests, the admin UI).
func (g *Gateway) Store() *spool.Store { return g.store }

// Policy is the gateway's tenant policy (the admin UI).
func (g *Gateway) Policy() *policy.Policy { return g.policy }

// Registry is the gateway's Prometheus registry.
func (g *Gateway) Registry() *prometheus.Registry { return g.reg }

// HTTPAddr and SMPPAddr are where the listeners are (":0" in the config
// picks a free port).
func (g *Gateway) HTTPAddr() string { return addrOf(g.httpLn) }

// SMPPAddr is the SMPP listener's address.
func (g *Gateway) SMPPAddr() string { return addrOf(g.smppLn) }

func addrOf(ln net.Listener) string {
	if ln == nil {
		return ""
	}
	return ln.Addr().String()
}

// Run runs the gateway until ctx ends, then stops it in order within
// Options.StopTimeout. It closes the spool last; the Gateway cannot run
// again.
func (g *Gateway) Run(ctx context.Context) error {
	now := time.Now().UTC()
	g.started.Store(&now)
	// What waited for a retry before a restart goes at the webhook's
	// first success after it, as after an outage seen while running.
	for _, t := range g.cfg.Load().Tenants {
		if t.Webhook != nil {
			g.webhookDown.Store(t.ID, true)
		}
	}
	g.log.Info("smsgw starting", "version", g.o.Version, "data_dir", g.cfg.Load().DataDir)

	// Connectors first, with their own context: they stop after the
	// dispatcher has given back what it holds. A reload that enables one
	// not running starts it here too (startConn).
	connCtx, stopConns := context.WithCancel(context.Background())
	var conns sync.WaitGroup
	g.reloadMu.Lock()
	g.startConn = func(c *connector) {
		c.started = true
		conns.Go(func() { c.run(connCtx) })
	}
	for _, c := range g.conns {
		if c.enabled.Load() {
			g.startConn(c)
		}
	}
	g.reloadMu.Unlock()
	workCtx, stopWork := context.WithCancel(context.Background())
	var work sync.WaitGroup
	work.Go(func() {
		d := &spool.Dispatcher{Store: g.store, Sender: g.router, Limit: g.dispatchLimit, Logger: g.log, Recorded: g.metrics.recorded}
		d.Run(workCtx)
	})
	work.Go(func() {
		(&spool.OutboxDispatcher{Store: g.store, Deliverer: deliverer{g}, Logger: g.log}).Run(workCtx)
	})
	work.Go(func() { g.purgeLoop(workCtx) })

	// Intake last.
	intakeCtx, stopIntake := context.WithCancel(context.Background())
	var intake sync.WaitGroup
	var servers []*http.Server
	if g.smppLn != nil {
		intake.Go(func() { g.smppSrv.Serve(intakeCtx, g.smppLn) })
	}
	if g.smppTLSLn != nil {
		intake.Go(func() { g.smppSrv.Serve(intakeCtx, g.smppTLSLn) })
	}
	for ln, h := range map[net.Listener]http.Handler{g.httpLn: g.handler(), g.controlLn: g.controlHandler()} {
		if ln == nil {
			continue
		}
		srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute,
			ErrorLog: slog.NewLogLogger(g.log.Handler(), slog.LevelWarn)}
		servers = append(servers, srv)
		intake.Go(func() {
			if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				g.log.Error("HTTP listener failed", "addr", ln.Addr(), "err", err)
			}
		})
	}
	g.log.Info("smsgw ready", "http", g.HTTPAddr(), "smpp", g.SMPPAddr(), "control", g.cfg.Load().Listen.Control)
	if g.o.Ready != nil {
		g.o.Ready()
	}

	<-ctx.Done()
	g.log.Info("smsgw stopping: no new intake")
	if g.o.Stopping != nil {
		g.o.Stopping()
	}
	// The grace after the deadline stays within StopTimeout.
	bound := g.o.StopTimeout
	if bound > 2*stopGrace {
		bound -= stopGrace
	}
	deadline, cancel := context.WithTimeout(context.Background(), bound)
	defer cancel()
	stopIntake()
	for _, srv := range servers {
		srv.Shutdown(deadline)
	}
	waitOr(&intake, deadline)
	stopWork() // in-flight sends finish or return to the spool
	if !waitOr(&work, deadline) {
		// Sends still waiting for a carrier's answer past the stop
		// timeout (a response_timeout longer than it): the connectors
		// close under them, and what is not recorded by then is
		// recovered at the next start, as after a crash ("possible
		// duplicate"). The stop stays within its bound.
		g.log.Warn("stop timeout reached with sends in flight; closing the connectors under them",
			"stop_timeout", g.o.StopTimeout)
	}
	g.reloadMu.Lock()
	g.startConn = nil // a reload from now on starts nothing
	g.reloadMu.Unlock()
	stopConns() // carriers unbind, modems close
	grace, cancelGrace := context.WithTimeout(context.Background(), stopGrace)
	defer cancelGrace()
	waitOr(&work, grace)
	waitOr(&conns, deadline)
	waitOr(&conns, grace)
	err := g.store.Close()
	g.log.Info("smsgw stopped", "err", err)
	return err
}

// waitOr waits for wg or ctx; it says whether wg was done.
func waitOr(wg *sync.WaitGroup, ctx context.Context) bool {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
		return true
	case <-ctx.Done():
		return false
	}
}

// stopGrace is how long a stop past its timeout still waits for the
// sends and connectors it has just cut off to record what they know.
const stopGrace = 2 * time.Second

// dispatchLimit is the sends in flight the dispatcher takes: what the
// enabled connectors take at once, and at least 16 (emergency sends have
// their own slots on top).
func (g *Gateway) dispatchLimit() int { return max(g.router.Capacity(), 16) }
