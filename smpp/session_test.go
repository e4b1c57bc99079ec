package smpp

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"github.com/fiorix/go-smpp/smpp/pdu"
	"github.com/fiorix/go-smpp/smpp/pdu/pdufield"
	"github.com/fiorix/go-smpp/smpp/pdu/pdutext"
)

// pair connects two sessions over TCP on loopback: client (ESME role)
// and server (SMSC role).
func pair(t *testing.T, server Handler, co, so SessionOptions) (client *Session, srv *Session) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err == nil {
			accepted <- c
		}
	}()
	cc, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	sc := <-accepted
	client = NewSession(cc, func(s *Session, req pdu.Body) { s.RespondStatus(req, StatusInvCmdID) }, co)
	srv = NewSession(sc, server, so)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{}, 2)
	go func() { client.Run(ctx); done <- struct{}{} }()
	go func() { srv.Run(ctx); done <- struct{}{} }()
	t.Cleanup(func() { cancel(); <-done; <-done })
	return client, srv
}

func submit(to, text string) pdu.Body {
	p := pdu.NewSubmitSM(nil)
	f := p.Fields()
	f.Set(pdufield.DestinationAddr, to)
	f.Set(pdufield.ShortMessage, pdutext.Raw(text))
	return p
}

func ackWith(id string) Handler {
	return func(s *Session, req pdu.Body) {
		resp := pdu.NewSubmitSMResp()
		resp.Fields().Set(pdufield.MessageID, id)
		s.Respond(req, resp)
	}
}

func TestRequestResponse(t *testing.T) {
	client, _ := pair(t, ackWith("1A2B"), SessionOptions{}, SessionOptions{})
	resp, err := client.Request(context.Background(), submit("13195550123", "hello"))
	if err != nil {
		t.Fatal(err)
	}
	if id := resp.Fields()[pdufield.MessageID].String(); id != "1A2B" || resp.Header().ID != pdu.SubmitSMRespID {
		t.Fatalf("resp %s id %q", resp.Header().ID, id)
	}
}

// TestRequestOutlivesItsContext: once a request is written, the
// response is awaited even if ctx ends (a shutdown): the peer may have
// acted on it, and its answer says whether it did.
func TestRequestOutlivesItsContext(t *testing.T) {
	got, release := make(chan struct{}), make(chan struct{})
	client, _ := pair(t, func(s *Session, req pdu.Body) {
		close(got)
		<-release
		ackWith("77")(s, req)
	}, SessionOptions{}, SessionOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	var resp pdu.Body
	go func() {
		var err error
		resp, err = client.Request(ctx, submit("13195550123", "x"))
		done <- err
	}()
	<-got // written and read by the peer
	cancel()
	close(release)
	if err := <-done; err != nil || resp.Fields()[pdufield.MessageID].String() != "77" {
		t.Fatalf("after ctx ended: %v %v, want the response", resp, err)
	}
}

// TestHandlerPanicIsContained: a handler that panics on a request (a bug
// met by odd input) gets that request answered ESME_RSYSERR, and the
// session and the process go on.
func TestHandlerPanicIsContained(t *testing.T) {
	client, _ := pair(t, func(s *Session, req pdu.Body) {
		if req.Fields()[pdufield.ShortMessage].String() == "boom" {
			panic("odd input")
		}
		ackWith("1")(s, req)
	}, SessionOptions{}, SessionOptions{})
	_, err := client.Request(context.Background(), submit("1", "boom"))
	var st pdu.Status
	if !errors.As(err, &st) || st != StatusSysErr {
		t.Fatalf("the panicking request: %v, want ESME_RSYSERR", err)
	}
	if _, err := client.Request(context.Background(), submit("1", "fine")); err != nil {
		t.Fatalf("the next request: %v", err)
	}
}

func TestErrorStatusResponse(t *testing.T) {
	client, _ := pair(t, func(s *Session, req pdu.Body) { s.RespondStatus(req, StatusThrottled) }, SessionOptions{}, SessionOptions{})
	_, err := client.Request(context.Background(), submit("1", "x"))
	var st pdu.Status
	if !errors.As(err, &st) || st != StatusThrottled {
		t.Fatalf("err = %v", err)
	}
}

// The window blocks: with 2 requests outstanding a third waits.
func TestWindowBlocks(t *testing.T) {
	release := make(chan struct{})
	got := make(chan struct{}, 10)
	client, _ := pair(t, func(s *Session, req pdu.Body) {
		got <- struct{}{}
		<-release
		ackWith("1")(s, req)
	}, SessionOptions{Window: 2}, SessionOptions{})
	results := make(chan error, 3)
	for range 3 {
		go func() {
			_, err := client.Request(context.Background(), submit("1", "x"))
			results <- err
		}()
	}
	<-got
	<-got
	select {
	case <-got:
		t.Fatal("a third request went out with a window of 2")
	case <-time.After(100 * time.Millisecond): // proving an absence: nothing to wait on
	}
	close(release)
	for range 3 {
		if err := <-results; err != nil {
			t.Fatal(err)
		}
	}
}

func TestResponseTimeout(t *testing.T) {
	client, _ := pair(t, func(*Session, pdu.Body) {}, SessionOptions{ResponseTimeout: 50 * time.Millisecond}, SessionOptions{})
	if _, err := client.Request(context.Background(), submit("1", "x")); !errors.Is(err, ErrResponseTimeout) {
		t.Fatalf("err = %v", err)
	}
}

// Raw bytes at the server: unknown commands get generic_nack with their
// sequence, enquire_link is answered, and a bad length closes.
func TestProtocolErrors(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	defer ln.Close()
	srvDone := make(chan error, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		s := NewSession(c, ackWith("1"), SessionOptions{EnquireLink: -1})
		srvDone <- s.Run(context.Background())
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	send := func(id, seq uint32, body []byte) {
		b := make([]byte, 16+len(body))
		binary.BigEndian.PutUint32(b, uint32(len(b)))
		binary.BigEndian.PutUint32(b[4:], id)
		binary.BigEndian.PutUint32(b[12:], seq)
		copy(b[16:], body)
		c.Write(b)
	}
	read := func() (id, status, seq uint32) {
		var h [16]byte
		if _, err := io.ReadFull(c, h[:]); err != nil {
			t.Fatal(err)
		}
		n := binary.BigEndian.Uint32(h[:])
		io.CopyN(io.Discard, c, int64(n-16))
		return binary.BigEndian.Uint32(h[4:]), binary.BigEndian.Uint32(h[8:]), binary.BigEndian.Uint32(h[12:])
	}
	send(0x00000999, 7, nil) // unknown command
	if id, st, seq := read(); id != uint32(pdu.GenericNACKID) || st != uint32(StatusInvCmdID) || seq != 7 {
		t.Fatalf("unknown command: %#x %#x %d", id, st, seq)
	}
	send(uint32(pdu.EnquireLinkID), 8, nil)
	if id, st, seq := read(); id != uint32(pdu.EnquireLinkRespID) || st != 0 || seq != 8 {
		t.Fatalf("enquire_link: %#x %#x %d", id, st, seq)
	}
	// go-smpp decodes a truncated submit_sm body without error (missing
	// fields come out empty): the handler must validate; see CAVEATS.md.
	send(uint32(pdu.SubmitSMID), 9, []byte{1, 2, 3})
	if id, _, seq := read(); id != uint32(pdu.SubmitSMRespID) || seq != 9 {
		t.Fatalf("truncated submit_sm: %#x %d", id, seq)
	}
	c.Write([]byte{0, 0, 0, 3, 0, 0, 0, 4}) // command_length 3
	if id, st, _ := read(); id != uint32(pdu.GenericNACKID) || st != uint32(StatusInvCmdLen) {
		t.Fatalf("bad command_length: %#x %#x, want generic_nack ESME_RINVCMDLEN", id, st)
	}
	select {
	case err := <-srvDone:
		if !errors.Is(err, errBadLength) {
			t.Fatalf("server ended with %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a bad command_length did not close the session")
	}
}

func TestUnbindClosesBothSides(t *testing.T) {
	client, srv := pair(t, ackWith("1"), SessionOptions{}, SessionOptions{})
	if _, err := client.Request(context.Background(), pdu.NewUnbind()); err != nil {
		t.Fatal(err)
	}
	<-srv.Closed()
	client.Close()
}
