package smpp

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fiorix/go-smpp/smpp/pdu"
	"github.com/fiorix/go-smpp/smpp/pdu/pdufield"
	"github.com/fiorix/go-smpp/smpp/pdu/pdutext"
	"github.com/fiorix/go-smpp/smpp/pdu/pdutlv"
	"golang.org/x/time/rate"

	smspdu "github.com/smsgw/smsgw/pdu"
	"github.com/smsgw/smsgw/spool"
	"github.com/smsgw/smsgw/spool/route"
)

// CarrierOptions configures a carrier connector (our ESME bind to a
// carrier's SMSC). Zero values mean the defaults.
type CarrierOptions struct {
	Name       string // connector name
	Addr       string // host:port
	SystemID   string
	Password   string
	SystemType string
	UCS2Only   bool        // always data_coding 0x08 (some carriers mangle GSM 7-bit)
	TPS        float64     // submit_sm per second to this carrier; 0: no limit
	TLS        *tls.Config // bind over TLS (SMPP over TLS, usually port 3550)
	// LongMessages is how a message longer than one part goes: "udh"
	// (default: a concatenation header in each short_message), "sar"
	// (the sar_* TLVs, no header) or "payload" (one submit_sm with the
	// whole text in message_payload; the carrier splits it).
	LongMessages string

	Session      SessionOptions // Window is the send window (default 10)
	ReconnectMin time.Duration  // default 1s
	ReconnectMax time.Duration  // default 60s
	Logger       *slog.Logger
}

// Carrier is the connector for one carrier bind (transceiver). It
// implements route.Connector; receipts and MO go to the Sink, and each
// deliver_sm is answered only after the sink has it.
type Carrier struct {
	o     CarrierOptions
	sink  route.Sink
	log   *slog.Logger
	mu    sync.Mutex
	sess  *Session
	ready route.Readiness
	binds atomic.Int64
	limit *rate.Limiter
}

var _ route.Connector = (*Carrier)(nil)

// NewCarrier makes a connector; Run binds it.
func NewCarrier(o CarrierOptions, sink route.Sink) *Carrier {
	if o.ReconnectMin <= 0 {
		o.ReconnectMin = time.Second
	}
	if o.ReconnectMax <= 0 {
		o.ReconnectMax = time.Minute
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	c := &Carrier{o: o, sink: sink, log: o.Logger.With("comp", "smpp", "conn", o.Name)}
	if o.TPS > 0 {
		c.limit = rate.NewLimiter(rate.Limit(o.TPS), max(1, int(o.TPS)))
	}
	return c
}

// Name implements route.Connector.
func (c *Carrier) Name() string { return c.o.Name }

// Ready implements route.Connector: bound.
func (c *Carrier) Ready() bool { return c.ready.Ready() }

// WaitReady waits until Ready() == want or ctx ends.
func (c *Carrier) WaitReady(ctx context.Context, want bool) error { return c.ready.Wait(ctx, want) }

// Run keeps the bind up until ctx ends, reconnecting with backoff.
func (c *Carrier) Run(ctx context.Context) error {
	wait := c.o.ReconnectMin
	for {
		bound, err := c.runSession(ctx)
		c.ready.Set(false)
		if ctx.Err() != nil {
			return nil
		}
		if bound {
			wait = c.o.ReconnectMin
		}
		c.log.Warn("carrier session ended; reconnecting", "err", err, "in", wait)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
		wait = min(2*wait, c.o.ReconnectMax)
	}
}

func (c *Carrier) runSession(ctx context.Context) (bool, error) {
	d := net.Dialer{Timeout: 10 * time.Second}
	var conn net.Conn
	var err error
	if c.o.TLS != nil {
		conn, err = (&tls.Dialer{NetDialer: &d, Config: c.o.TLS}).DialContext(ctx, "tcp", c.o.Addr)
	} else {
		conn, err = d.DialContext(ctx, "tcp", c.o.Addr)
	}
	if err != nil {
		return false, fmt.Errorf("smpp: dial %s: %w", c.o.Addr, err)
	}
	s := NewSession(conn, func(s *Session, req pdu.Body) { c.handle(ctx, s, req) }, c.o.Session)
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	bind := pdu.NewBindTransceiver()
	f := bind.Fields()
	f.Set(pdufield.SystemID, c.o.SystemID)
	f.Set(pdufield.Password, c.o.Password)
	f.Set(pdufield.SystemType, c.o.SystemType)
	f.Set(pdufield.InterfaceVersion, uint8(0x34))
	if _, err := s.Request(ctx, bind); err != nil {
		s.Close()
		<-done
		return false, fmt.Errorf("smpp: bind %s: %w", c.o.Name, err)
	}
	c.mu.Lock()
	c.sess = s
	c.mu.Unlock()
	c.binds.Add(1)
	c.ready.Set(true)
	c.log.Info("bound to the carrier", "addr", c.o.Addr)
	err = <-done
	c.mu.Lock()
	c.sess = nil
	c.mu.Unlock()
	return true, err
}

// handle answers the carrier's deliver_sm (receipts and MO) after the
// sink has stored them.
func (c *Carrier) handle(ctx context.Context, s *Session, req pdu.Body) {
	if req.Header().ID != pdu.DeliverSMID {
		s.RespondStatus(req, StatusInvCmdID)
		return
	}
	var err error
	if r, ok := parseReceipt(req); ok {
		r.Connector = c.o.Name
		err = c.sink.Report(ctx, r)
		if errors.Is(err, spool.ErrNotFound) {
			c.log.Warn("receipt for an unknown message", "ext_id", r.ProviderID)
			err = nil // acknowledged: resending it would not help
		}
	} else {
		err = c.sink.Inbound(ctx, c.inbound(req))
	}
	if err != nil {
		c.log.Error("could not store a deliver_sm; not acknowledged", "err", err)
		s.RespondStatus(req, StatusSysErr) // the carrier resends it
		return
	}
	s.Respond(req, pdu.NewDeliverSMResp())
}

func (c *Carrier) inbound(req pdu.Body) *spool.Message {
	m, err := submitMessage(req, time.Now())
	if err != nil {
		m = &spool.Message{To: strField(req.Fields(), pdufield.DestinationAddr), From: strField(req.Fields(), pdufield.SourceAddr)}
	}
	m.Tenant, m.Connector, m.Source = "default", c.o.Name, "smpp:"+c.o.Name
	return m
}

// parseReceipt reads a delivery receipt: the receipted_message_id and
// message_state TLVs when present, else the standard text.
func parseReceipt(req pdu.Body) (spool.Report, bool) {
	f := req.Fields()
	if byteField(f, pdufield.ESMClass)&0x3C != 0x04 {
		return spool.Report{}, false
	}
	text := string(bytesField(f, pdufield.ShortMessage))
	r := spool.Report{Detail: text}
	fields := receiptFields(text)
	r.ProviderID = fields["id"]
	r.State, _ = spool.StateFromStat(fields["stat"])
	r.Code = fields["err"]
	tlv := req.TLVFields()
	if v, ok := tlv[pdutlv.TagReceiptedMessageID]; ok && v != nil {
		r.ProviderID = strings.TrimRight(string(v.Bytes()), "\x00")
	}
	if v, ok := tlv[pdutlv.TagMessageStateOption]; ok && v != nil && len(v.Bytes()) > 0 {
		r.State = stateFromSMPP(v.Bytes()[0])
	}
	return r, r.ProviderID != ""
}

// receiptFields splits "id:1 sub:001 … stat:DELIVRD err:000 text:…".
func receiptFields(text string) map[string]string {
	out := map[string]string{}
	if i := strings.Index(strings.ToLower(text), "text:"); i >= 0 {
		text = text[:i]
	}
	text = strings.ReplaceAll(text, "submit date", "submit_date")
	text = strings.ReplaceAll(text, "done date", "done_date")
	for _, f := range strings.Fields(text) {
		if k, v, ok := strings.Cut(f, ":"); ok {
			out[strings.ToLower(k)] = v
		}
	}
	return out
}

func stateFromSMPP(s byte) spool.State {
	switch s {
	case 2:
		return spool.StateDelivered
	case 3:
		return spool.StateExpired
	case 4:
		return spool.StateCancelled
	case 5:
		return spool.StateUndelivered
	case 8:
		return spool.StateRejected
	}
	return spool.StateSent
}

// Send implements route.Connector: one submit_sm per part (UDH
// concatenation), GSM 7-bit unpacked (data_coding 0x00) or UCS-2 (0x08).
func (c *Carrier) Send(ctx context.Context, m *spool.Message) ([]string, error) {
	c.mu.Lock()
	s := c.sess
	c.mu.Unlock()
	if s == nil || !c.Ready() {
		return nil, spool.Retryable("not_bound", errors.New("carrier not bound"))
	}
	opts := smspdu.Options{}
	if c.o.UCS2Only {
		opts.Encoding = smspdu.UCS2
	}
	plan, err := smspdu.PlanText(m.Body, opts)
	if err != nil {
		return nil, spool.Permanent("unencodable", err)
	}
	h := fnv.New32a()
	h.Write([]byte(m.ID))
	parts, err := plan.Split(m.Body, uint16(h.Sum32()), smspdu.NoClass)
	if err != nil {
		return nil, spool.Permanent("unencodable", err)
	}
	coding := uint8(0x00)
	if plan.Encoding == smspdu.UCS2 {
		coding = 0x08
	}
	if c.o.LongMessages == "payload" && len(parts) > 1 {
		var all []byte
		for _, p := range parts {
			all = append(all, p.UD...)
		}
		parts = []smspdu.UserData{{UD: all}}
	}
	var ids []string
	for i := len(m.Parts); i < len(parts); i++ {
		tlvs := pdutlv.Fields{}
		udh, err := parts[i].UDH.MarshalBinary()
		if err != nil {
			return ids, spool.Permanent("unencodable", err)
		}
		if cc, ok := parts[i].UDH.Concat(); ok && c.o.LongMessages == "sar" {
			udh = nil
			tlvs[pdutlv.TagSarMsgRefNum] = []byte{byte(cc.Ref >> 8), byte(cc.Ref)}
			tlvs[pdutlv.TagSarTotalSegments] = []byte{byte(cc.Total)}
			tlvs[pdutlv.TagSarSegmentSeqnum] = []byte{byte(cc.Seq)}
		}
		body := append(udh, parts[i].UD...)
		if c.o.LongMessages == "payload" && len(body) > 254 {
			tlvs[pdutlv.TagMessagePayload] = body
			body = nil
		}
		p := pdu.NewSubmitSM(tlvs)
		f := p.Fields()
		f.Set(pdufield.SourceAddr, strings.TrimPrefix(m.From, "+"))
		f.Set(pdufield.DestinationAddr, strings.TrimPrefix(m.To, "+"))
		if strings.HasPrefix(m.To, "+") {
			f.Set(pdufield.DestAddrTON, uint8(1))
			f.Set(pdufield.DestAddrNPI, uint8(1))
		}
		if len(udh) > 0 {
			f.Set(pdufield.ESMClass, uint8(0x40))
		}
		f.Set(pdufield.RegisteredDelivery, uint8(1))
		f.Set(pdufield.ShortMessage, pdutext.Raw(body))
		f.Set(pdufield.DataCoding, coding) // after ShortMessage, which resets it (LIBRARIES 1.2)
		if c.limit != nil {
			if err := c.limit.Wait(ctx); err != nil {
				return ids, spool.Retryable("shutdown", err)
			}
		}
		resp, err := s.Request(ctx, p)
		if err != nil {
			return ids, carrierError(err)
		}
		ids = append(ids, strField(resp.Fields(), pdufield.MessageID))
	}
	return ids, nil
}

// carrierError classifies a failed submit_sm (docs/smpp.md has the table).
func carrierError(err error) error {
	var st pdu.Status
	if errors.As(err, &st) {
		switch st {
		case StatusThrottled, StatusMsgQFul, StatusSysErr, StatusBindFail, StatusSubmitFail:
			return spool.Retryable(fmt.Sprintf("smpp_%#x", uint32(st)), err)
		case StatusInvDstAdr, StatusInvSrcAdr, StatusInvMsgLen, StatusInvDCS:
			return spool.Permanent(fmt.Sprintf("smpp_%#x", uint32(st)), err)
		}
		return spool.Retryable(fmt.Sprintf("smpp_%#x", uint32(st)), err)
	}
	if errors.Is(err, ErrResponseTimeout) {
		return spool.Retryable("timeout", errors.New("no submit_sm_resp in time: the part may have gone out (possible duplicate)"))
	}
	if errors.Is(err, ErrConnLost) {
		return spool.Retryable("conn_lost", errors.New("the bind was lost before submit_sm_resp: the part may have gone out (possible duplicate)"))
	}
	return spool.Retryable("smpp", err)
}
