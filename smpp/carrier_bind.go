package smpp

import (
	"context"
	"crypto/tls"
	"fmt"
	"math/rand/v2"
	"net"
	"sync"
	"time"

	"github.com/fiorix/go-smpp/smpp/pdu"
	"github.com/fiorix/go-smpp/smpp/pdu/pdufield"
)

// The binds: keeping each one up, and choosing one for a submit.

// Run keeps the binds up until ctx ends, reconnecting each with backoff
// and jitter; at the end it unbinds them.
func (c *Carrier) Run(ctx context.Context) error {
	if err := c.reasm.Restore(); err != nil {
		c.log.Error("inbound reassembly state unreadable; starting empty", "err", err)
	}
	var wg sync.WaitGroup
	for range c.o.Sessions {
		if c.o.Bind == BindTransmitterReceiver {
			wg.Go(func() { c.keep(ctx, pdu.BindTransmitterID) })
			wg.Go(func() { c.keep(ctx, pdu.BindReceiverID) })
		} else {
			wg.Go(func() { c.keep(ctx, pdu.BindTransceiverID) })
		}
	}
	wg.Go(func() { c.reasm.RunExpiry(ctx, c.storeInbound, c.log) })
	wg.Wait()
	return nil
}

// keep keeps one bind of the given kind up until ctx ends.
func (c *Carrier) keep(ctx context.Context, kind pdu.ID) {
	wait := c.o.ReconnectMin
	for {
		if err := c.waitAuth(ctx); err != nil {
			return
		}
		bound, err := c.runSession(ctx, kind)
		if ctx.Err() != nil {
			return
		}
		if bound {
			wait = c.o.ReconnectMin
		}
		// Jitter: binds of many sessions (or many boxes) do not come back
		// in step after a carrier outage.
		d := wait/2 + rand.N(wait/2+1)
		c.log.Warn("carrier session ended; reconnecting", "bind", kind, "err", err, "in", d)
		c.note(func(h *CarrierHealth) { h.LastError = errString(err) })
		select {
		case <-ctx.Done():
			return
		case <-time.After(d):
		}
		wait = min(2*wait, c.o.ReconnectMax)
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// dial connects to the carrier, over TLS when configured.
func (c *Carrier) dial(ctx context.Context) (net.Conn, error) {
	d := net.Dialer{Timeout: 10 * time.Second}
	if c.o.TLS != nil {
		return (&tls.Dialer{NetDialer: &d, Config: c.o.TLS}).DialContext(ctx, "tcp", c.o.Addr)
	}
	return d.DialContext(ctx, "tcp", c.o.Addr)
}

// runSession dials, binds and serves one session until it ends. It says
// whether the bind succeeded.
func (c *Carrier) runSession(ctx context.Context, kind pdu.ID) (bool, error) {
	conn, err := c.dial(ctx)
	if err != nil {
		c.authResult(false, err)
		c.note(func(h *CarrierHealth) { h.BindFailures++ })
		return false, fmt.Errorf("smpp: dial %s: %w", c.o.Addr, err)
	}
	so := c.o.Session
	so.Raw = c.raw(ctx)
	s := NewSession(conn, func(s *Session, req pdu.Body) { c.handle(ctx, s, req) }, so)
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	_, err = s.Request(ctx, c.bindPDU(kind))
	c.authResult(err == nil, err)
	if err != nil {
		s.Close()
		<-done
		c.note(func(h *CarrierHealth) { h.BindFailures++ })
		return false, fmt.Errorf("smpp: bind %s: %w", c.o.Name, err)
	}
	c.note(func(h *CarrierHealth) {
		h.Bound++
		h.Binds++
		h.LastBind = time.Now().UTC()
		if h.Bound >= h.Wanted {
			h.LastError = "" // every bind is up: the error is history (the log keeps it)
		}
	})
	if kind != pdu.BindReceiverID {
		c.addTx(s)
	}
	c.log.Info("bound to the carrier", "addr", c.o.Addr, "bind", kind)
	select {
	case err = <-done:
	case <-ctx.Done():
		// Shutting down: a polite unbind, bounded.
		uctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		s.Unbind(uctx)
		cancel()
		err = <-done
	}
	c.removeTx(s)
	c.note(func(h *CarrierHealth) { h.Bound-- })
	return true, err
}

func (c *Carrier) bindPDU(kind pdu.ID) pdu.Body {
	var bind pdu.Body
	switch kind {
	case pdu.BindTransmitterID:
		bind = pdu.NewBindTransmitter()
	case pdu.BindReceiverID:
		bind = pdu.NewBindReceiver()
	default:
		bind = pdu.NewBindTransceiver()
	}
	f := bind.Fields()
	f.Set(pdufield.SystemID, c.o.SystemID)
	f.Set(pdufield.Password, c.o.Password)
	f.Set(pdufield.SystemType, c.o.SystemType)
	f.Set(pdufield.InterfaceVersion, uint8(0x34))
	f.Set(pdufield.AddressRange, c.o.AddressRange)
	return bind
}

func (c *Carrier) addTx(s *Session) {
	c.mu.Lock()
	c.tx = append(c.tx, s)
	c.mu.Unlock()
	c.ready.Set(true)
}

// removeTx stops new submits on s (its bind ended, or it is being
// recycled after a lost response).
func (c *Carrier) removeTx(s *Session) {
	c.mu.Lock()
	for i, t := range c.tx {
		if t == s {
			c.tx = append(c.tx[:i], c.tx[i+1:]...)
			break
		}
	}
	n := len(c.tx)
	c.mu.Unlock()
	c.ready.Set(n > 0)
}

// pick returns a bound transmitting session, round robin, or nil.
func (c *Carrier) pick() *Session {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.tx) == 0 {
		return nil
	}
	c.next = (c.next + 1) % len(c.tx)
	return c.tx[c.next]
}

// recycle handles a submit whose response never came: the session takes
// no new submits, its window drains, then it is closed and bound again.
// Only then is the part retried (by the spool), so that a late response
// cannot cross the retry.
// It returns once the window has drained.
// Several submits timing out on one session share one recycling.
func (c *Carrier) recycle(s *Session) {
	c.mu.Lock()
	done, busy := c.draining[s]
	if !busy {
		done = make(chan struct{})
		c.draining[s] = done
	}
	c.mu.Unlock()
	if busy {
		<-done
		return
	}
	c.removeTx(s)
	ctx, cancel := context.WithTimeout(context.Background(), 2*c.responseTimeout())
	defer cancel()
	s.Drain(ctx)
	s.Unbind(ctx)
	c.mu.Lock()
	delete(c.draining, s)
	c.mu.Unlock()
	close(done)
}
