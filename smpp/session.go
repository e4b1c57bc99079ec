package smpp

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fiorix/go-smpp/smpp/pdu"
)

// SMPP 3.4 command_status values we use (section 5.1.3); go-smpp has no
// named constants.
const (
	StatusOK        pdu.Status = 0x00
	StatusInvMsgLen pdu.Status = 0x01
	StatusInvCmdLen pdu.Status = 0x02
	StatusInvCmdID  pdu.Status = 0x03
	StatusInvBnd    pdu.Status = 0x04
	StatusAlyBnd    pdu.Status = 0x05
	StatusSysErr    pdu.Status = 0x08
	StatusBindFail  pdu.Status = 0x0D
	StatusInvPaswd  pdu.Status = 0x0E
	StatusInvSysID  pdu.Status = 0x0F
	StatusMsgQFul   pdu.Status = 0x14
	StatusThrottled pdu.Status = 0x58
	// StatusXTAppn (ESME_RX_T_APPN) answers a deliver_sm we could not
	// store: a temporary error of ours, the SMSC delivers it again.
	StatusXTAppn pdu.Status = 0x64
)

// errBadLength is a command_length under 16 or over maxPDU: the stream
// cannot be followed past it.
var errBadLength = errors.New("smpp: command_length out of range")

// decodable are the requests the codec decodes; any other command gets
// generic_nack ESME_RINVCMDID.
var decodable = map[pdu.ID]bool{
	pdu.BindReceiverID: true, pdu.BindTransmitterID: true, pdu.BindTransceiverID: true,
	pdu.SubmitSMID: true, pdu.SubmitMultiID: true, pdu.DeliverSMID: true, pdu.QuerySMID: true,
	pdu.EnquireLinkID: true, pdu.UnbindID: true,
}

// awaitInbound waits, up to d, until no peer request is being handled.
// No new one starts meanwhile: only the read loop starts them.
func (s *Session) awaitInbound(d time.Duration) {
	timer := time.NewTimer(d)
	defer timer.Stop()
	for taken := 0; taken < cap(s.inbound); taken++ {
		select {
		case s.inbound <- struct{}{}:
		case <-timer.C:
			s.log.Warn("unbind: answering it with peer requests still in hand", "in_hand", cap(s.inbound)-taken)
			return
		}
	}
}

// maxPDU is the largest command_length read; longer is a protocol error
// that closes the session (go-smpp decodes at most pdu.MaxSize).
const maxPDU = 64 << 10

// SessionOptions configures a session. Zero values mean the defaults.
type SessionOptions struct {
	Window          int           // requests we have outstanding at once; default 10
	Inbound         int           // peer requests handled at once; past it ESME_RTHROTTLED; default 100
	ResponseTimeout time.Duration // default 10s
	EnquireLink     time.Duration // enquire_link interval (sent on a timer, busy or not); default 30s; negative: never
	WriteTimeout    time.Duration // default 10s
	IdleTimeout     time.Duration // close when the peer sends nothing for this long; default never
	Logger          *slog.Logger
	// Raw, when set, is offered the requests go-smpp cannot decode
	// (cancel_sm, data_sm…) with their body octets; it returns false to
	// let the session answer generic_nack. It runs on the read loop: it
	// must hand long work to a goroutine.
	Raw func(s *Session, hdr pdu.Header, body []byte) bool
	// Translate, when set, is offered the requests go-smpp cannot decode
	// before Raw, to read one as a request it can (the Server reads
	// data_sm as a submit_sm). A nil body and error: not one it reads.
	// An error is the request's response status (a *layoutError), or
	// ESME_RINVCMDLEN.
	Translate func(hdr pdu.Header, body []byte) (pdu.Body, error)
}

func (o *SessionOptions) defaults() {
	if o.Window <= 0 {
		o.Window = 10
	}
	if o.Inbound <= 0 {
		o.Inbound = 100
	}
	if o.ResponseTimeout <= 0 {
		o.ResponseTimeout = 10 * time.Second
	}
	if o.EnquireLink == 0 {
		o.EnquireLink = 30 * time.Second
	}
	if o.WriteTimeout <= 0 {
		o.WriteTimeout = 10 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
}

// Handler answers one request from the peer (submit_sm, deliver_sm, a
// bind…) by calling Respond; it runs in a goroutine of its own, so many
// requests are handled at once. enquire_link and unbind are answered by
// the session itself.
type Handler func(s *Session, req pdu.Body)

// Session is one SMPP connection. One goroutine (Run) reads; writes are
// serialised with a deadline, so a peer that stops reading cannot block
// us forever.
type Session struct {
	conn    net.Conn
	o       SessionOptions
	handler Handler
	log     *slog.Logger

	wmu     sync.Mutex
	seq     atomic.Uint32
	window  chan struct{}
	inbound chan struct{}

	mu      sync.Mutex
	pending map[uint32]chan pdu.Body

	closeOnce sync.Once
	closed    chan struct{}
	err       error // why it closed
}

// NewSession wraps conn; Run starts reading.
func NewSession(conn net.Conn, h Handler, o SessionOptions) *Session {
	o.defaults()
	return &Session{conn: conn, o: o, handler: h, log: o.Logger.With("comp", "smpp", "peer", conn.RemoteAddr().String()),
		window: make(chan struct{}, o.Window), inbound: make(chan struct{}, o.Inbound),
		pending: map[uint32]chan pdu.Body{}, closed: make(chan struct{})}
}

// Closed is closed when the session ends.
func (s *Session) Closed() <-chan struct{} { return s.closed }

// Err says why the session ended.
func (s *Session) Err() error {
	<-s.closed
	return s.err
}

// Close ends the session.
func (s *Session) Close() { s.fail(ErrClosed) }

func (s *Session) fail(err error) {
	s.closeOnce.Do(func() {
		s.err = err
		close(s.closed)
		s.conn.Close()
	})
}

// nextSeq is 1..0x7FFFFFFF, wrapping.
func (s *Session) nextSeq() uint32 {
	for {
		n := s.seq.Add(1) & 0x7FFFFFFF
		if n != 0 {
			return n
		}
	}
}

// Run reads PDUs until the connection ends or ctx does.
func (s *Session) Run(ctx context.Context) error {
	stop := context.AfterFunc(ctx, func() { s.fail(ctx.Err()) })
	defer stop()
	go s.keepAlive()
	r := bufio.NewReader(s.conn)
	for {
		if s.o.IdleTimeout > 0 {
			_ = s.conn.SetReadDeadline(time.Now().Add(s.o.IdleTimeout))
		}
		hdr, body, raw, decErr, err := readPDU(r)
		if err != nil {
			if errors.Is(err, errBadLength) {
				// The stream cannot be followed past it: say why (SMPP 3.4
				// 2.8: generic_nack, ESME_RINVCMDLEN), then close.
				s.log.Warn("closing: protocol error", "err", err)
				s.writeHeader(pdu.GenericNACKID, StatusInvCmdLen, 0)
			}
			s.fail(fmt.Errorf("smpp: read: %w", err))
			return s.err
		}
		if hdr.ID&0x80000000 != 0 {
			s.deliverResponse(hdr, body)
			continue
		}
		if decErr != nil && s.o.Translate != nil {
			if tb, terr := s.o.Translate(hdr, raw[pdu.HeaderLen:]); tb != nil || terr != nil {
				if terr != nil {
					s.log.Debug("malformed request", "id", hdr.ID, "seq", hdr.Seq, "err", terr)
					s.writeHeader(hdr.ID|0x80000000, layoutStatus(terr), hdr.Seq)
					continue
				}
				body, decErr = tb, nil
			}
		}
		if decErr != nil && s.o.Raw != nil && s.o.Raw(s, hdr, raw[pdu.HeaderLen:]) {
			continue
		}
		if decErr != nil {
			s.log.Debug("undecodable request", "id", hdr.ID, "seq", hdr.Seq, "err", decErr)
			if decodable[hdr.ID] {
				// A command we know whose body is malformed: its own
				// response, with an error.
				s.writeHeader(hdr.ID|0x80000000, layoutStatus(decErr), hdr.Seq)
			} else {
				s.writeHeader(pdu.GenericNACKID, StatusInvCmdID, hdr.Seq)
			}
			continue
		}
		switch hdr.ID {
		case pdu.EnquireLinkID:
			s.writeHeader(pdu.EnquireLinkRespID, StatusOK, hdr.Seq)
			continue
		case pdu.UnbindID:
			// The requests in hand get their responses first: an
			// unanswered submit_sm was stored all the same, and a client
			// that sends it again on its next bind sends it twice.
			s.awaitInbound(s.o.ResponseTimeout)
			s.writeHeader(pdu.UnbindRespID, StatusOK, hdr.Seq)
			s.fail(ErrClosed)
			return s.err
		}
		select {
		case s.inbound <- struct{}{}:
			go func() {
				defer func() { <-s.inbound }()
				defer s.recoverRequest(hdr)
				s.handler(s, body)
			}()
		default:
			s.log.Warn("peer request refused with ESME_RTHROTTLED: too many in hand", "id", hdr.ID, "seq", hdr.Seq, "inbound", cap(s.inbound))
			s.writeHeader(hdr.ID|0x80000000, StatusThrottled, hdr.Seq)
		}
	}
}

// recoverRequest, deferred in a goroutine serving a peer's request, keeps
// a panic there (a bug met by odd input) from ending the gateway: it is
// logged with its stack and the request is answered ESME_RSYSERR, so that
// the peer may try again. Without it one malformed receipt from a carrier
// took every message of the box down with it.
func (s *Session) recoverRequest(hdr pdu.Header) {
	if v := recover(); v != nil {
		s.log.Error("panic serving a peer's request; answered ESME_RSYSERR", "id", hdr.ID, "seq", hdr.Seq,
			"panic", fmt.Sprint(v), "stack", string(debug.Stack()))
		s.writeHeader(hdr.ID|0x80000000, StatusSysErr, hdr.Seq)
	}
}

func (s *Session) deliverResponse(hdr pdu.Header, body pdu.Body) {
	s.mu.Lock()
	ch, ok := s.pending[hdr.Seq]
	delete(s.pending, hdr.Seq)
	s.mu.Unlock()
	if !ok {
		s.log.Warn("response to no outstanding request (late or unknown)", "id", hdr.ID, "seq", hdr.Seq)
		return
	}
	if body == nil { // header only (an error response) or undecodable
		g := pdu.NewGenericNACK()
		*g.Header() = hdr
		body = g
	}
	ch <- body
}

// keepAlive sends enquire_link every EnquireLink; no answer closes the
// session.
func (s *Session) keepAlive() {
	if s.o.EnquireLink < 0 {
		return
	}
	t := time.NewTicker(s.o.EnquireLink)
	defer t.Stop()
	for {
		select {
		case <-s.closed:
			return
		case <-t.C:
			ctx, cancel := context.WithTimeout(context.Background(), s.o.ResponseTimeout)
			_, err := s.Request(ctx, pdu.NewEnquireLink())
			cancel()
			if err != nil && !errors.Is(err, ErrClosed) {
				s.log.Warn("enquire_link unanswered; closing", "err", err)
				s.fail(fmt.Errorf("smpp: enquire_link: %w", err))
				return
			}
		}
	}
}
