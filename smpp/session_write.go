package smpp

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/fiorix/go-smpp/smpp/pdu"
)

// Request sends req (its sequence number is set here) and waits for the
// response. It blocks while the window is full. A response with a
// non-zero command_status returns the body and a pdu.Status error. After
// ErrResponseTimeout the request's outcome is unknown. ctx bounds the
// wait for a window slot; once req is written, the response is awaited
// (up to ResponseTimeout, or the session's end) even if ctx ends, since
// the peer may have acted on it: a shutdown then learns the outcome
// instead of guessing.
func (s *Session) Request(ctx context.Context, req pdu.Body) (pdu.Body, error) {
	select {
	case s.window <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-s.closed:
		return nil, ErrClosed
	}
	defer func() { <-s.window }()
	return s.request(ctx, req)
}

// InFlight is the number of our requests waiting for their response.
func (s *Session) InFlight() int { return len(s.window) }

// Drain takes every window slot, so that no new request starts, and
// returns once the outstanding ones have their responses (or timed out).
// The session is then only good for Unbind or Close.
func (s *Session) Drain(ctx context.Context) error {
	for range cap(s.window) {
		select {
		case s.window <- struct{}{}:
		case <-ctx.Done():
			return ctx.Err()
		case <-s.closed:
			return ErrClosed
		}
	}
	return nil
}

// Unbind sends unbind outside the window, waits for unbind_resp (or ctx)
// and closes the session.
func (s *Session) Unbind(ctx context.Context) error {
	defer s.Close()
	_, err := s.request(ctx, pdu.NewUnbind())
	return err
}

func (s *Session) request(ctx context.Context, req pdu.Body) (pdu.Body, error) {
	seq := s.nextSeq()
	req.Header().Seq = seq
	ch := make(chan pdu.Body, 1)
	s.mu.Lock()
	s.pending[seq] = ch
	s.mu.Unlock()
	forget := func() {
		s.mu.Lock()
		delete(s.pending, seq)
		s.mu.Unlock()
	}
	if err := s.write(req); err != nil {
		forget()
		return nil, err
	}
	t := time.NewTimer(s.o.ResponseTimeout)
	defer t.Stop()
	want := req.Header().ID | 0x80000000
	result := func(resp pdu.Body) (pdu.Body, error) {
		h := resp.Header()
		if h.Status != StatusOK {
			return resp, h.Status // generic_nack too: its status says why
		}
		if h.ID != want {
			// A generic_nack (or another command's response) with
			// command_status 0 is no acceptance: the request was not
			// carried out, and its answer has no message_id.
			return resp, fmt.Errorf("%w: %s with command_status 0 in answer to %s", ErrUnexpectedResponse, h.ID, req.Header().ID)
		}
		return resp, nil
	}
	select {
	case resp := <-ch:
		return result(resp)
	case <-t.C:
		forget()
		return nil, ErrResponseTimeout
	case <-s.closed:
		select {
		case resp := <-ch: // the response came just before the close (unbind_resp)
			return result(resp)
		default:
			return nil, ErrConnLost
		}
	}
}

// Respond sends the response resp to req (sequence copied from req).
func (s *Session) Respond(req pdu.Body, resp pdu.Body) error {
	resp.Header().Seq = req.Header().Seq
	return s.write(resp)
}

// RespondStatus sends a header-only error response to req.
func (s *Session) RespondStatus(req pdu.Body, status pdu.Status) error {
	return s.writeHeader(req.Header().ID|0x80000000, status, req.Header().Seq)
}

func (s *Session) write(p pdu.Body) error {
	var buf bytes.Buffer
	if err := p.SerializeTo(&buf); err != nil {
		return fmt.Errorf("smpp: encode %s: %w", p.Header().ID, err)
	}
	return s.writeRaw(buf.Bytes())
}

func (s *Session) writeHeader(id pdu.ID, status pdu.Status, seq uint32) error {
	b := make([]byte, 16)
	binary.BigEndian.PutUint32(b[0:], 16)
	binary.BigEndian.PutUint32(b[4:], uint32(id))
	binary.BigEndian.PutUint32(b[8:], uint32(status))
	binary.BigEndian.PutUint32(b[12:], seq)
	return s.writeRaw(b)
}

func (s *Session) writeRaw(b []byte) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	select {
	case <-s.closed:
		return ErrClosed
	default:
	}
	_ = s.conn.SetWriteDeadline(time.Now().Add(s.o.WriteTimeout))
	if _, err := s.conn.Write(b); err != nil {
		s.fail(fmt.Errorf("smpp: write: %w", err))
		return s.err
	}
	return nil
}
