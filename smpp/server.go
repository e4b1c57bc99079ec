package smpp

import (
	"context"
	"crypto/subtle"
	"fmt"
	"log/slog"
	"net"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/fiorix/go-smpp/smpp/pdu"
	"github.com/fiorix/go-smpp/smpp/pdu/pdufield"
	"github.com/fiorix/go-smpp/smpp/pdu/pdutlv"
	"golang.org/x/crypto/bcrypt"
	"golang.org/x/time/rate"

	"github.com/smsgw/smsgw/spool"
)

// Account is an upstream application allowed to bind.
type Account struct {
	SystemID     string
	PasswordHash string // bcrypt
	Password     string // plain, for tests and demos (config check warns)
	Tenant       string
	MaxBinds     int     // default 4
	TPS          float64 // submits per second over all its binds; past it ESME_RTHROTTLED; 0: no limit
	// DefaultAlphabet is what data_coding 0x00 means in its submits:
	// AlphabetGSM7 (default) or AlphabetLatin1.
	DefaultAlphabet string
	// IA5Alphabet is what data_coding 0x01 means: IA5 (ASCII, default),
	// or AlphabetGSM7 for ESMEs that write GSM 03.38 there (the npm
	// package smpp does).
	IA5Alphabet string
	// AllowedSources limits source_addr: exact addresses, or prefixes
	// ending in "*" ("+1319555*"). Empty allows any (the tenant's sender
	// rules still apply).
	AllowedSources []string
}

// sourceAllowed checks source_addr against AllowedSources.
func (a Account) sourceAllowed(from string) error {
	if len(a.AllowedSources) == 0 || from == "" {
		return nil // empty: the tenant's default_sender, as the policy fills it in
	}
	for _, p := range a.AllowedSources {
		if pre, ok := strings.CutSuffix(p, "*"); ok && strings.HasPrefix(from, pre) || p == from {
			return nil
		}
	}
	return submitError{StatusInvSrcAdr, fmt.Sprintf("source_addr %q is not allowed for %s", from, a.SystemID)}
}

func (a Account) check(password string) bool {
	if a.PasswordHash != "" {
		return bcrypt.CompareHashAndPassword([]byte(a.PasswordHash), []byte(password)) == nil
	}
	return a.Password != "" && subtle.ConstantTimeCompare([]byte(a.Password), []byte(password)) == 1
}

// Submitter takes a message an application submitted: it applies the
// tenant's policy and enqueues it, returning once it is on disk. Its
// errors map to command_status (see statusFor).
type Submitter interface {
	Submit(ctx context.Context, m *spool.Message) (*spool.Message, error)
}

// ServerOptions configures the SMPP server.
type ServerOptions struct {
	Accounts    []Account
	BindTimeout time.Duration // an unbound connection is closed after this; default 10s
	FailedBind  time.Duration // the wait before answering a failed bind; default 1s
	Lookup      Lookup        // for query_sm and cancel_sm (the spool); nil answers them with an error
	// Audit, when set, records binds and refused binds (spool.Store.Audit).
	Audit   func(ctx context.Context, e spool.AuditEntry) error
	Session SessionOptions
	Logger  *slog.Logger

	// Parts, when set, holds the parts of long messages applications
	// submit (UDH or SAR) until the last arrives, so that they become one
	// message; each part is answered with that message's id. Without it
	// each part is a message of its own (binary, its UDH kept).
	Parts PartStore
	// PartsTimeout is how long the parts of a long message wait for the
	// rest; then what came is sent as it is. Default 2 minutes.
	PartsTimeout time.Duration
	// OnReceiver, when set, is called (in its own goroutine) when an
	// account binds as receiver or transceiver: the gateway makes what the
	// spool owes that account due at once (spool.Store.OutboxDueNow).
	OnReceiver func(systemID string)
	// Now is the clock relative validity periods and schedules are read
	// against: the spool's (spool.Store.Now). Default time.Now.
	Now func() time.Time
	// IdleTimeout closes a session that has sent nothing for this long
	// (enquire_link counts). Default 0: never (our enquire_link probes
	// find dead peers).
	IdleTimeout time.Duration
}

// Server accepts binds from upstream applications and takes their
// submits into the spool; receipts and MO go back through Deliver.
type Server struct {
	o      ServerOptions
	sub    Submitter
	log    *slog.Logger
	mu     sync.Mutex
	binds  map[string][]*binding    // system_id → live binds
	limits map[string]*rate.Limiter // system_id → its TPS
	join   *joining                 // nil: parts are not joined
	// accounts: ServerOptions.Accounts until SetAccounts replaces them
	accounts []Account
}

// binding is one bound session.
type binding struct {
	s       *Session
	acct    Account
	mode    pdu.ID // the bind command
	binding bool   // a bind is being checked (guarded by Server.mu)
	canSend bool   // transmitter or transceiver
	canRecv bool   // receiver or transceiver
}

// NewServer makes a server; Serve runs it.
func NewServer(o ServerOptions, sub Submitter) *Server {
	if o.BindTimeout <= 0 {
		o.BindTimeout = 10 * time.Second
	}
	if o.FailedBind <= 0 {
		o.FailedBind = time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Session.Inbound <= 0 {
		// An application keeping a window of 100 full sends its next
		// submit_sm on our response, before the slot that answered it is
		// free: room above the windows applications use.
		o.Session.Inbound = carrierInbound
	}
	srv := &Server{o: o, sub: sub, log: o.Logger.With("comp", "smpp-server"), binds: map[string][]*binding{},
		limits: map[string]*rate.Limiter{}}
	if o.Parts != nil {
		if o.PartsTimeout <= 0 {
			o.PartsTimeout = 2 * time.Minute
		}
		srv.join = &joining{store: o.Parts, timeout: o.PartsTimeout}
		srv.o = o
	}
	srv.SetAccounts(o.Accounts)
	return srv
}

// SetAccounts replaces the accounts (a configuration reload). Sessions
// already bound keep the account they bound with until they unbind; an
// account's TPS limit starts afresh.
func (srv *Server) SetAccounts(accts []Account) {
	limits := map[string]*rate.Limiter{}
	for _, a := range accts {
		if a.TPS > 0 {
			limits[a.SystemID] = rate.NewLimiter(rate.Limit(a.TPS), max(1, int(a.TPS)))
		}
	}
	srv.mu.Lock()
	srv.accounts, srv.limits = slices.Clone(accts), limits
	srv.mu.Unlock()
}

// Serve accepts connections on ln until it fails or ctx ends. For SMPP
// over TLS, pass tls.NewListener(ln, config).
func (srv *Server) Serve(ctx context.Context, ln net.Listener) error {
	stop := context.AfterFunc(ctx, func() { ln.Close() })
	defer stop()
	var wg sync.WaitGroup
	defer wg.Wait()
	if srv.join != nil {
		wg.Go(func() { srv.expireParts(ctx) })
	}
	for {
		c, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("smpp: accept: %w", err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			srv.serveConn(ctx, c)
		}()
	}
}

func (srv *Server) serveConn(ctx context.Context, c net.Conn) {
	b := &binding{}
	so := srv.o.Session
	if srv.o.IdleTimeout > 0 {
		so.IdleTimeout = srv.o.IdleTimeout
	}
	so.Raw = func(_ *Session, hdr pdu.Header, body []byte) bool { return srv.cancelRaw(ctx, b, hdr, body) }
	so.Translate = dataSMAsSubmit
	s := NewSession(c, func(s *Session, req pdu.Body) { srv.handle(ctx, b, req) }, so)
	b.s = s
	timer := time.AfterFunc(srv.o.BindTimeout, func() {
		srv.mu.Lock()
		bound := b.mode != 0
		srv.mu.Unlock()
		if !bound {
			srv.log.Info("closing a connection that never bound", "peer", c.RemoteAddr().String())
			s.Close()
		}
	})
	defer timer.Stop()
	s.Run(ctx)
	srv.unbind(b)
}

func (srv *Server) handle(ctx context.Context, b *binding, req pdu.Body) {
	switch id := req.Header().ID; id {
	case pdu.BindTransmitterID, pdu.BindReceiverID, pdu.BindTransceiverID:
		srv.bind(b, req)
	case pdu.SubmitSMID, pdu.DataSMID: // a data_sm read as a submit_sm (dataSMAsSubmit)
		if srv.mayTransmit(b, req) {
			srv.submit(ctx, b, req)
		}
	case pdu.SubmitMultiID:
		if srv.mayTransmit(b, req) {
			srv.submitMulti(ctx, b, req)
		}
	case pdu.QuerySMID:
		srv.query(b, req)
	default:
		b.s.RespondStatus(req, StatusInvCmdID)
	}
}

// tagSCInterfaceVersion is the sc_interface_version TLV of a bind_resp
// (SMPP 3.4 section 5.3.2.25); go-smpp has no name for it.
const tagSCInterfaceVersion pdutlv.Tag = 0x0210

// canSend says whether b is bound as a transmitter or transceiver.
func (srv *Server) canSend(b *binding) bool {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	return b.canSend
}

// mayTransmit answers a submit that its bind or its account's TPS does
// not allow, and says whether to go on. An emergency submit
// (priority_flag 2 or 3) counts against the TPS but is never throttled
// for it: a chatty application must not hold back its own callback.
func (srv *Server) mayTransmit(b *binding, req pdu.Body) bool {
	srv.mu.Lock()
	ok, l := b.canSend, srv.limits[b.acct.SystemID]
	srv.mu.Unlock()
	if !ok {
		b.s.RespondStatus(req, StatusInvBnd)
		return false
	}
	if l != nil && !l.Allow() && byteField(req.Fields(), pdufield.PriorityFlag) < 2 {
		b.s.RespondStatus(req, StatusThrottled)
		return false
	}
	return true
}

func (srv *Server) bind(b *binding, req pdu.Body) {
	f := req.Fields()
	sysID, pass := strField(f, pdufield.SystemID), strField(f, pdufield.Password)
	// Requests run concurrently: a client that writes several binds at
	// once must get one bind and ESME_RALYBND for the others, not several
	// entries for one connection (which unbind would remove only once).
	srv.mu.Lock()
	already := b.mode != 0 || b.binding
	if !already {
		b.binding = true
	}
	srv.mu.Unlock()
	if already {
		b.s.RespondStatus(req, StatusAlyBnd)
		return
	}
	// refuse ends the attempt before its answer: a client may bind again
	// as soon as it reads it.
	refuse := func(st pdu.Status) {
		srv.mu.Lock()
		b.binding = false
		srv.mu.Unlock()
		b.s.RespondStatus(req, st)
	}
	acct, status := srv.authenticate(sysID, pass)
	srv.audit(b, sysID, status)
	if status != StatusOK {
		srv.log.Warn("bind refused", "system_id", sysID, "peer", b.s.conn.RemoteAddr().String(), "status", status)
		time.Sleep(srv.o.FailedBind) // slows password guessing, by design
		refuse(status)
		return
	}
	srv.mu.Lock()
	if n := len(srv.binds[sysID]); n >= max(acct.MaxBinds, 1) {
		srv.mu.Unlock()
		refuse(StatusBindFail)
		return
	}
	id := req.Header().ID
	b.acct, b.mode, b.binding = acct, id, false
	b.canSend = id == pdu.BindTransmitterID || id == pdu.BindTransceiverID
	b.canRecv = id == pdu.BindReceiverID || id == pdu.BindTransceiverID
	srv.binds[sysID] = append(srv.binds[sysID], b)
	srv.mu.Unlock()
	var resp pdu.Body
	switch id {
	case pdu.BindTransmitterID:
		resp = pdu.NewBindTransmitterResp()
	case pdu.BindReceiverID:
		resp = pdu.NewBindReceiverResp()
	default:
		resp = pdu.NewBindTransceiverResp()
	}
	resp.Fields().Set(pdufield.SystemID, "smsgw")
	resp.TLVFields().Set(tagSCInterfaceVersion, []byte{0x34}) // SMPP 3.4 section 4.1.2
	b.s.Respond(req, resp)
	srv.log.Info("bound", "system_id", sysID, "mode", id.String())
	if b.canRecv && srv.o.OnReceiver != nil {
		go srv.o.OnReceiver(sysID)
	}
}

// audit records a bind attempt.
func (srv *Server) audit(b *binding, sysID string, status pdu.Status) {
	if srv.o.Audit == nil {
		return
	}
	e := spool.AuditEntry{Action: "bind", Actor: "smpp:" + sysID, Addr: hostOf(b.s.conn.RemoteAddr().String())}
	if status != StatusOK {
		e.Action, e.Detail = "bind_refused", status.Error()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.o.Audit(ctx, e); err != nil {
		srv.log.Error("audit failed", "err", err)
	}
}

func (srv *Server) authenticate(sysID, pass string) (Account, pdu.Status) {
	srv.mu.Lock()
	accts := srv.accounts
	srv.mu.Unlock()
	for _, a := range accts {
		if a.SystemID == sysID {
			if !a.check(pass) {
				return a, StatusInvPaswd
			}
			if a.MaxBinds == 0 {
				a.MaxBinds = 4
			}
			return a, StatusOK
		}
	}
	return Account{}, StatusInvSysID
}

func (srv *Server) unbind(b *binding) {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	list := srv.binds[b.acct.SystemID]
	for i, x := range list {
		if x == b {
			srv.binds[b.acct.SystemID] = append(list[:i], list[i+1:]...)
			break
		}
	}
}

// Binds counts the live binds per system_id (status pages, metrics).
func (srv *Server) Binds() map[string]int {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	out := make(map[string]int, len(srv.binds))
	for id, bs := range srv.binds {
		if len(bs) > 0 {
			out[id] = len(bs)
		}
	}
	return out
}

// receivers returns the live binds of systemID that may receive.
func (srv *Server) receivers(systemID string) []*binding {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	var out []*binding
	for _, b := range srv.binds[systemID] {
		if b.canRecv {
			out = append(out, b)
		}
	}
	return out
}

// Deliver implements spool.Deliverer for items whose target is
// "smpp:<system_id>": a receipt or an MO message as deliver_sm to one of
// the account's receiving binds. It returns once deliver_sm_resp came
// back, so the item leaves the spool only then.
func (srv *Server) Deliver(ctx context.Context, it *spool.OutboxItem, m *spool.Message) error {
	sysID, ok := strings.CutPrefix(it.Target, "smpp:")
	if !ok {
		return spool.Permanent("not_smpp", fmt.Errorf("smpp: target %q is not an SMPP account", it.Target))
	}
	rs := srv.receivers(sysID)
	if len(rs) == 0 {
		return spool.Retryable("not_bound", ErrNotBound)
	}
	p := receiptPDU(m)
	if it.Kind == spool.OutboxInbound {
		p = inboundPDU(m)
	}
	b := rs[int(time.Now().UnixNano())%len(rs)]
	if _, err := b.s.Request(ctx, p); err != nil {
		return spool.Retryable("deliver_sm", err)
	}
	return nil
}

var _ spool.Deliverer = (*Server)(nil)
