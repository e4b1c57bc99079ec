package modem

import (
	"cmp"
	"context"
	"encoding/hex"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/smsgw/smsgw/pdu"
	"github.com/smsgw/smsgw/spool/route"
)

// Options configures one modem connector. Zero values mean the defaults.
type Options struct {
	Name    string // connector name (config), e.g. "modem-1"
	Port    string // device path or tcp://host:port
	Baud    int    // default 115200
	PIN     string // SIM PIN, if the SIM has one
	Number  string // the line's own number (E.164), recorded as the recipient of MO
	Tenant  string // the tenant MO is stored under until routing assigns it; default "default"
	Storage string // SMS storage, default "SM"

	CommandTimeout time.Duration // per AT command, default 10s
	SendTimeout    time.Duration // per AT+CMGS, default 60s
	PollInterval   time.Duration // signal and registration, default 30s
	MinGap         time.Duration // pacing between two parts sent, default 0
	ReopenMin      time.Duration // first wait before reopening, default 1s
	ReopenMax      time.Duration // longest wait, default 60s
	ResetAfter     int           // failed sessions (the port open) before AT+CFUN=1,1 on the next, default 5; negative: never
	// SIMWait is how long a session waits for a SIM that is not ready
	// yet (+CME ERROR 10, 13, 14, "SIM BUSY", "NOT READY": a modem
	// starting, after a power cut or a reset) before it gives up; default
	// 60 s. Modems take 10 to 30 s.
	SIMWait time.Duration
	SMSC    string // the SMSC number (E.164) in every PDU sent; default the SIM's (AT+CSCA?)
	// SIMHold is how long the modem stays unready after the network
	// refused a send for reasons of our SIM (+CMS ERROR 8, 28, 50:
	// barred, unknown, no SMS subscription), so that routes fail over to
	// their next connector; then it is tried again. Default 2 minutes.
	SIMHold time.Duration
	// ReassemblyTimeout is how long an incomplete inbound long message
	// waits for its missing parts before it is stored as partial;
	// default pdu.Reassembler's 30 minutes; the gateway's config gives 2.
	ReassemblyTimeout time.Duration
	Languages         []pdu.Language // national shift tables the operator accepts
	StatusReports     bool           // ask for a status report (TP-SRR) on every part
	Trace             bool           // log every AT line at debug level
	Logger            *slog.Logger
}

func (o *Options) defaults() {
	if o.Baud <= 0 {
		o.Baud = 115200
	}
	if o.Tenant == "" {
		o.Tenant = "default"
	}
	if o.Storage == "" {
		o.Storage = "SM"
	}
	if o.CommandTimeout <= 0 {
		o.CommandTimeout = 10 * time.Second
	}
	if o.SendTimeout <= 0 {
		o.SendTimeout = 60 * time.Second
	}
	if o.PollInterval <= 0 {
		o.PollInterval = 30 * time.Second
	}
	if o.ReopenMin <= 0 {
		o.ReopenMin = time.Second
	}
	if o.ReopenMax <= 0 {
		o.ReopenMax = time.Minute
	}
	if o.SIMHold <= 0 {
		o.SIMHold = 2 * time.Minute
	}
	if o.ResetAfter == 0 {
		o.ResetAfter = 5
	}
	if o.SIMWait <= 0 {
		o.SIMWait = time.Minute
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
}

// Health is what the connector knows of its modem, for status pages.
type Health struct {
	Name         string       `json:"name"`
	Port         string       `json:"port"`
	Open         bool         `json:"open"`
	Ready        bool         `json:"ready"`
	Registration Registration `json:"registration"`
	SignalDBm    int          `json:"signal_dbm"` // 0 when unknown
	Operator     string       `json:"operator,omitempty"`
	IMEI         string       `json:"imei,omitempty"`
	IMSI         string       `json:"imsi,omitempty"`
	ICCID        string       `json:"iccid,omitempty"`
	SIM          string       `json:"sim,omitempty"` // READY once unlocked
	SMSC         string       `json:"smsc,omitempty"`
	Direct       bool         `json:"direct_delivery"`   // +CMT/+CDS with +CNMA instead of store and notify
	Routing      string       `json:"routing,omitempty"` // the AT+CNMI setting in use; "none" if the modem refused them all
	StorageUsed  int          `json:"storage_used"`      // messages in the read storage at the last poll (AT+CPMS?)
	StorageTotal int          `json:"storage_total"`     // its capacity; 0 when unknown
	LastError    string       `json:"last_error,omitempty"`
	Reopens      int          `json:"reopens"`
	// SIMRefused counts sends the network refused for reasons of our SIM;
	// SIMHeldUntil is when the modem is ready again after the last one.
	SIMRefused   int64     `json:"sim_refused"`
	SIMHeldUntil time.Time `json:"sim_held_until,omitzero"`
	Since        time.Time `json:"since,omitzero"` // when Ready last changed
	Sent         int64     `json:"sent_parts"`
	Received     int64     `json:"received_parts"`
}

// Modem is the connector for one modem: it keeps the port open (reopening
// with backoff after any failure), sends messages with AT+CMGS, and hands
// inbound messages and status reports to the Sink. It implements
// route.Connector.
type Modem struct {
	o    Options
	sink route.Sink
	log  *slog.Logger

	sendMu sync.Mutex // one send at a time on the port
	mu     sync.Mutex
	sess   *session // nil while closed
	health Health
	ready  route.Readiness

	pinRefused bool            // set once: never send a refused PIN again
	kept       atomic.Bool     // an inbound message the sink refused is still on the modem (keptOnModem)
	storedKeys map[string]bool // guarded by mu: messages stored whose delete failed (deleteStored)
	reasm      *route.Reassembly
	smscHex    string // the SMSC part of every PDU sent: "00" for the SIM's
	writes     *writeGuard
}

var _ route.Connector = (*Modem)(nil)

// New makes a connector; Run opens the port.
func New(o Options, sink route.Sink) *Modem {
	o.defaults()
	m := &Modem{o: o, sink: sink, log: o.Logger.With("comp", "modem", "conn", o.Name), smscHex: "00",
		writes: &writeGuard{timeout: o.CommandTimeout}}
	if o.SMSC != "" {
		b, err := smscPart(o.SMSC)
		if err != nil {
			m.log.Error("SMSC number refused; using the SIM's", "smsc", o.SMSC, "err", err)
		} else {
			m.smscHex = strings.ToUpper(hex.EncodeToString(b))
		}
	}
	m.health = Health{Name: o.Name, Port: o.Port}
	m.reasm = route.NewReassembly(o.Name+"/reassembly", sink, o.ReassemblyTimeout)
	return m
}

// smscPart is the SMSC part of a PDU for an E.164 number.
func smscPart(e164 string) ([]byte, error) {
	a, err := pdu.ParseAddress(e164)
	if err != nil {
		return nil, err
	}
	return a.AppendSMSC(nil)
}

// Name implements route.Connector.
func (m *Modem) Name() string { return m.o.Name }

// Ready implements route.Connector: the port is open, the modem is
// initialised and registered on a network.
func (m *Modem) Ready() bool { return m.ready.Ready() }

func (m *Modem) setReady(ready bool) {
	if m.ready.Ready() != ready {
		m.setHealth(func(h *Health) { h.Since = time.Now() })
	}
	m.ready.Set(ready)
}

// WaitReady waits until Ready() == want or ctx ends.
func (m *Modem) WaitReady(ctx context.Context, want bool) error { return m.ready.Wait(ctx, want) }

// Health returns a snapshot of the modem's state.
func (m *Modem) Health() Health {
	m.mu.Lock()
	defer m.mu.Unlock()
	h := m.health
	h.Ready = m.ready.Ready()
	return h
}

func (m *Modem) setHealth(fn func(h *Health)) {
	m.mu.Lock()
	fn(&m.health)
	m.mu.Unlock()
}

// Run keeps the modem connected until ctx ends: open, init, sweep the
// SIM, then serve (poll health, handle URCs) until the session fails;
// then close, wait with backoff and start again. After ResetAfter
// failures in a row it resets the modem (AT+CFUN=1,1) once it answers.
func (m *Modem) Run(ctx context.Context) error {
	if err := m.reasm.Restore(); err != nil {
		m.log.Error("reassembly state unreadable; starting empty", "err", err)
	}
	// Texts whose missing parts never come are stored as partial when
	// their time runs out, not only when another part arrives.
	var expiry sync.WaitGroup
	defer expiry.Wait()
	expiryCtx, stopExpiry := context.WithCancel(ctx)
	defer stopExpiry()
	expiry.Go(func() { m.reasm.RunExpiry(expiryCtx, m.storeInbound, m.log) })
	wait, failures := m.o.ReopenMin, 0
	for {
		reset := m.o.ResetAfter > 0 && failures >= m.o.ResetAfter
		healthy, opened, err := m.runSession(ctx, reset)
		m.setReady(false)
		if ctx.Err() != nil {
			return nil
		}
		if healthy || reset { // start the backoff over
			wait, failures = m.o.ReopenMin, 0
		}
		if opened || healthy {
			// A port that is not there (unplugged, re-enumerating after
			// a reset) is not a modem a reset would help: resetting it
			// the moment it is back only starts its boot over.
			failures++
		}
		m.setHealth(func(h *Health) { h.Open, h.LastError, h.Reopens = false, errString(err), h.Reopens+1 })
		m.log.Warn("modem session ended; reopening", "err", err, "in", wait)
		if errors.Is(err, ErrPINRefused) {
			m.pinRefused = true
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
		wait = min(wait*2, m.o.ReopenMax)
	}
}

// runSession runs one session to its end; opened says the port opened,
// healthy that it got as far as serving traffic.
func (m *Modem) runSession(ctx context.Context, reset bool) (healthy, opened bool, err error) {
	s, err := openSession(&m.o, m.writes, m.log)
	if err != nil {
		return false, false, err
	}
	defer func() {
		m.mu.Lock()
		m.sess = nil
		m.mu.Unlock()
		s.close()
	}()
	if reset {
		m.log.Warn("resetting the modem after repeated failures (AT+CFUN=1,1)")
		_, _ = s.cmd("+CFUN=1,1")
		return false, true, errors.New("modem: reset sent; reopening")
	}
	direct, err := s.init(ctx, m.pinRefused)
	if err != nil {
		return false, true, err
	}
	m.identify(s)
	m.mu.Lock()
	m.sess = s
	m.health.Open, m.health.Direct, m.health.LastError = true, direct, ""
	m.health.Routing = cmp.Or(s.routing, "none")
	m.mu.Unlock()
	m.log.Info("modem initialised", "port", m.o.Port, "direct", direct)
	if err := m.sweep(ctx, s); err != nil {
		return false, true, err
	}
	return true, true, m.serve(ctx, s, direct)
}

// serve polls health and handles URCs until the session fails.
func (m *Modem) serve(ctx context.Context, s *session, direct bool) error {
	poll := time.NewTicker(m.o.PollInterval)
	defer poll.Stop()
	// An inbound message the sink refused (keptOnModem) is read again
	// soon, a second later and then less often, up to the poll's
	// interval, rather than at the next poll only.
	again := time.NewTimer(time.Hour)
	again.Stop()
	defer again.Stop()
	backoff := time.Second
	rearm := func() {
		if m.kept.Swap(false) {
			again.Reset(backoff)
			backoff = min(2*backoff, m.o.PollInterval)
		}
	}
	if err := m.poll(ctx, s); err != nil {
		return err
	}
	for {
		rearm()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-s.at.Closed():
			return s.closedErr()
		case u := <-s.urcs:
			if err := m.handleURC(ctx, s, u, direct); err != nil {
				return err
			}
		case <-again.C:
			if err := m.sweep(ctx, s); err != nil {
				return err
			}
			if !m.kept.Load() {
				backoff = time.Second
				m.setHealth(func(h *Health) {
					if strings.HasPrefix(h.LastError, inboundNotStored) {
						h.LastError = ""
					}
				})
			}
		case <-poll.C:
			if err := m.poll(ctx, s); err != nil {
				return err
			}
		}
	}
}

// identify reads what does not change while the session lasts.
func (m *Modem) identify(s *session) {
	imei, _ := s.cmd("+CGSN")
	imsi, _ := s.cmd("+CIMI")
	csca, _ := s.cmd("+CSCA?")
	smsc := ""
	if f, ok := infoLine(csca, "+CSCA:"); ok && len(f) > 0 {
		smsc = f[0]
	}
	if smsc == "" && m.o.SMSC == "" {
		m.log.Warn("the SIM has no SMSC number (AT+CSCA?); sends will likely fail with +CMS ERROR: 330")
	}
	iccid := ""
	for _, c := range iccidCommands {
		if info, err := s.cmd(c.cmd); err == nil {
			if f, ok := infoLine(info, c.prefix); ok && len(f) > 0 {
				iccid = f[0]
				break
			}
		}
	}
	m.setHealth(func(h *Health) {
		h.IMEI, h.IMSI, h.ICCID, h.SMSC, h.SIM = firstLine(imei), firstLine(imsi), iccid, smsc, "READY"
	})
}

// firstLine is the first line of an answer that is not an unsolicited
// result (the AT library passes a URC that arrives during a command to
// it as well): "+CGSN" could be answered "+CMTI: "SM",3" and the IMEI.
// A vendor's "+CGSN: <imei>" form keeps its value.
func firstLine(info []string) string {
	for _, l := range info {
		l = strings.TrimSpace(l)
		if l == "" || isURCLine(l) {
			continue
		}
		if i := strings.Index(l, ": "); i > 0 && (l[0] == '+' || l[0] == '^') {
			return strings.Trim(l[i+2:], `"`)
		}
		return l
	}
	return ""
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
