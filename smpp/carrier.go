package smpp

import (
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/smsgw/smsgw/spool/route"
)

// Bind modes of a carrier connector.
const (
	BindTransceiver         = "transceiver"          // one bind both ways (default)
	BindTransmitterReceiver = "transmitter_receiver" // a transmitter and a receiver bind per session
)

// CarrierOptions configures a carrier connector (our ESME binds to a
// carrier's SMSC). Zero values mean the defaults.
type CarrierOptions struct {
	Name         string // connector name
	Addr         string // host:port
	SystemID     string
	Password     string
	SystemType   string
	AddressRange string      // address_range of the bind (receivers), usually empty
	TLS          *tls.Config // bind over TLS (SMPP over TLS, usually port 3550)

	// Bind is BindTransceiver (default) or BindTransmitterReceiver.
	Bind string
	// Sessions is how many binds (or transmitter+receiver pairs) are kept
	// up at once; submits are spread over them. Default 1.
	Sessions int

	// TPS is the most submit_sm per second to this carrier over all
	// sessions; 0: no limit of ours (the carrier's throttling still slows
	// us down).
	TPS float64

	// DataCoding is how text goes out: DataCodingGSM7 (default: GSM 7-bit
	// with data_coding 0x00, UCS-2 when the text needs it),
	// DataCodingGSM7IA5 (the same with 0x01), DataCodingLatin1 (ISO-8859-1
	// 0x03, UCS-2 when the text needs it) or DataCodingUCS2 (always 0x08).
	DataCoding string
	// DefaultAlphabet is what data_coding 0x00 means in the carrier's
	// deliver_sm and data_sm (MO): AlphabetGSM7 (GSM 03.38, one septet
	// per octet) or AlphabetLatin1 (ISO-8859-1, as Kannel's alt-charset).
	// Default: Latin-1 with DataCodingGSM7IA5 (carriers whose 0x00 is
	// Latin-1), else GSM 7-bit. Either way a text with an octet above
	// 0x7F, which no septet has, is read as Latin-1.
	DefaultAlphabet string
	// LongMessages is how a message longer than one part goes: "udh"
	// (default: a concatenation header in each short_message), "sar"
	// (the sar_* TLVs, no header) or "payload" (one submit_sm with the
	// whole text in message_payload; the carrier splits it).
	LongMessages string

	// ReceiptIDs says how the carrier spells message ids in receipts
	// against its submit_sm_resp: ReceiptIDsAuto (default: as given,
	// matched across bases only where an id has a hex letter),
	// ReceiptIDsExact (the same spelling), ReceiptIDsHexToDecimal
	// (submit_sm_resp in hex, receipts in decimal) or
	// ReceiptIDsDecimalToHex (the other way round). An all-digit hex id
	// ("10") and its decimal receipt ("16") match only with the setting;
	// with any setting but auto, ids match by their exact spelling only.
	ReceiptIDs string

	// RelativeValidity sends a message's validity as SMPP 3.4's relative
	// time (how long from Now) instead of an absolute UTC time.
	RelativeValidity bool
	// Now is the clock a relative validity is counted from: the spool's
	// (spool.Store.Now), which the validity was stored on. Default
	// time.Now.
	Now func() time.Time

	// Addressing overrides the TON/NPI chosen from each address (E.164:
	// 1/1, short code: 3/0, alphanumeric: 5/0, other: 0/1).
	SourceTON, SourceNPI, DestTON, DestNPI *uint8

	// Tenant owns the MO messages that arrive on this connector unless
	// the Sink assigns them by destination. Default "default".
	Tenant string

	// ReassemblyTimeout is how long an incomplete inbound long message
	// waits for its missing parts before it is stored as partial.
	// Default pdu.Reassembler's 30 minutes; the gateway's config gives 2.
	ReassemblyTimeout time.Duration

	Session      SessionOptions // Window is the send window per session (default 10)
	ReconnectMin time.Duration  // default 1s
	ReconnectMax time.Duration  // default 60s
	Logger       *slog.Logger
}

// Carrier is the connector for one carrier: it keeps its binds up,
// sends through them (route.Connector), and hands receipts and MO to the
// Sink, answering each deliver_sm only after the sink has it.
type Carrier struct {
	o     CarrierOptions
	sink  route.Sink
	log   *slog.Logger
	ready route.Readiness
	pace  *pacer
	reasm *route.Reassembly

	mu   sync.Mutex
	tx   []*Session // bound sessions that can submit
	next int        // round robin over tx
	// draining: sessions being recycled after a lost response
	draining map[*Session]chan struct{}
	health   CarrierHealth
	auth     authGate
}

var _ route.Connector = (*Carrier)(nil)

// CarrierHealth is what the connector knows of its binds, for status
// pages and metrics.
type CarrierHealth struct {
	Name         string    `json:"name"`
	Addr         string    `json:"addr"`
	Bound        int       `json:"bound"`     // binds up now (a pair counts two)
	Wanted       int       `json:"wanted"`    // binds it keeps up when healthy
	InFlight     int       `json:"in_flight"` // requests (submit_sm, and enquire_link, which shares the window) waiting for their response
	Binds        int64     `json:"binds"`     // successful binds since start
	BindFailures int64     `json:"bind_failures"`
	LastError    string    `json:"last_error,omitempty"`
	LastBind     time.Time `json:"last_bind,omitzero"`
	Submitted    int64     `json:"submitted"` // parts accepted by the carrier
	Throttled    int64     `json:"throttled"` // ESME_RTHROTTLED and ESME_RMSGQFUL answers
	// LastAccepted is when the carrier last accepted a part;
	// FirstThrottle the first throttle answer after that (refusingSince).
	LastAccepted  time.Time `json:"last_accepted,omitzero"`
	FirstThrottle time.Time `json:"-"`
	// PossibleDuplicates counts parts whose submit_sm_resp never came
	// (timeout or lost bind): they are sent again and may arrive twice.
	PossibleDuplicates int64   `json:"possible_duplicates"`
	Rate               float64 `json:"rate"` // the submit rate allowed now (0: unlimited)
	// CredentialsRefused: the carrier's last answer to a bind refused our
	// system_id or password; binds wait a growing hold (LastError says
	// which status).
	CredentialsRefused bool `json:"credentials_refused"`
}

// carrierInbound is the default number of the peer's requests a session
// handles at once, on carrier binds and on the server's.
const carrierInbound = 512

// NewCarrier makes a connector; Run binds it.
func NewCarrier(o CarrierOptions, sink route.Sink) *Carrier {
	if o.ReconnectMin <= 0 {
		o.ReconnectMin = time.Second
	}
	if o.ReconnectMax <= 0 {
		o.ReconnectMax = time.Minute
	}
	if o.Sessions <= 0 {
		o.Sessions = 1
	}
	if o.Bind == "" {
		o.Bind = BindTransceiver
	}
	if o.Tenant == "" {
		o.Tenant = "default"
	}
	if o.Session.Inbound <= 0 {
		// The carrier's deliver_sm (receipts, MO) we handle at once. Above
		// its window: an SMSC whose window equals ours would otherwise
		// send the next deliver_sm on our response, before the slot that
		// answered it is free, and get ESME_RTHROTTLED.
		o.Session.Inbound = carrierInbound
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.DefaultAlphabet == "" {
		o.DefaultAlphabet = AlphabetGSM7
		if o.DataCoding == DataCodingGSM7IA5 {
			o.DefaultAlphabet = AlphabetLatin1
		}
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	c := &Carrier{o: o, sink: sink, log: o.Logger.With("comp", "smpp", "conn", o.Name), pace: newPacer(o.TPS, time.Now),
		reasm: route.NewReassembly("smpp/"+o.Name+"/reassembly", sink, o.ReassemblyTimeout)}
	c.draining = map[*Session]chan struct{}{}
	c.health = CarrierHealth{Name: o.Name, Addr: o.Addr, Wanted: o.Sessions}
	if o.Bind == BindTransmitterReceiver {
		c.health.Wanted *= 2
	}
	return c
}

// Name implements route.Connector.
func (c *Carrier) Name() string { return c.o.Name }

// Ready implements route.Connector: at least one bind that can submit.
func (c *Carrier) Ready() bool { return c.ready.Ready() }

// WaitReady waits until Ready() == want or ctx ends.
func (c *Carrier) WaitReady(ctx context.Context, want bool) error { return c.ready.Wait(ctx, want) }

// Health returns a snapshot of the binds' state.
func (c *Carrier) Health() CarrierHealth {
	c.mu.Lock()
	defer c.mu.Unlock()
	h := c.health
	for _, s := range c.tx {
		h.InFlight += s.InFlight()
	}
	h.Rate = c.pace.limit()
	return h
}

func (c *Carrier) note(fn func(h *CarrierHealth)) {
	c.mu.Lock()
	fn(&c.health)
	c.mu.Unlock()
}

func (c *Carrier) responseTimeout() time.Duration {
	o := c.o.Session
	o.defaults()
	return o.ResponseTimeout
}

// Errors of Send.
var errNotBound = errors.New("carrier not bound")
