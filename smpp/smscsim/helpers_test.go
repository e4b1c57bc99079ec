package smscsim_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"github.com/fiorix/go-smpp/smpp/pdu"
	"github.com/fiorix/go-smpp/smpp/pdu/pdufield"
	"github.com/fiorix/go-smpp/smpp/pdu/pdutlv"

	"github.com/smsgw/smsgw/smpp/smscsim"
)

// ioTimeout bounds every read and write of the test client.
const ioTimeout = 5 * time.Second

func newSim(t *testing.T, o smscsim.Options) *smscsim.Server {
	t.Helper()
	s, err := smscsim.New(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), ioTimeout)
	t.Cleanup(cancel)
	return ctx
}

// client is a minimal ESME on the same codec: it reads whole PDUs and
// decodes deliver_sm as the relabelled submit_sm it is laid out like.
type client struct {
	t    *testing.T
	conn net.Conn
	r    *bufio.Reader
	seq  uint32
}

func dial(t *testing.T, s *smscsim.Server) *client {
	t.Helper()
	c, err := net.DialTimeout("tcp", s.Addr(), ioTimeout)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &client{t: t, conn: c, r: bufio.NewReader(c)}
}

// bound dials and binds as a transceiver with the default account.
func bound(t *testing.T, s *smscsim.Server) *client {
	t.Helper()
	return boundAs(t, s, pdu.BindTransceiverID)
}

// boundAs dials and binds with the default account as id says.
func boundAs(t *testing.T, s *smscsim.Server, id pdu.ID) *client {
	t.Helper()
	c := dial(t, s)
	if st := c.bind(id, smscsim.DefaultSystemID, smscsim.DefaultPassword); st != 0 {
		t.Fatalf("bind: %v", st)
	}
	return c
}

func (c *client) send(p pdu.Body) uint32 {
	c.t.Helper()
	c.seq++
	p.Header().Seq = c.seq
	var b bytes.Buffer
	if err := p.SerializeTo(&b); err != nil {
		c.t.Fatal(err)
	}
	c.sendRaw(b.Bytes())
	return c.seq
}

func (c *client) sendRaw(b []byte) {
	c.t.Helper()
	c.conn.SetWriteDeadline(time.Now().Add(ioTimeout))
	if _, err := c.conn.Write(b); err != nil {
		c.t.Fatal(err)
	}
}

func (c *client) readErr() (pdu.Body, error) {
	c.conn.SetReadDeadline(time.Now().Add(ioTimeout))
	var l [4]byte
	if _, err := io.ReadFull(c.r, l[:]); err != nil {
		return nil, err
	}
	n := binary.BigEndian.Uint32(l[:])
	if n < pdu.HeaderLen || n > pdu.MaxSize {
		return nil, errors.New("bad command_length")
	}
	raw := make([]byte, n)
	copy(raw, l[:])
	if _, err := io.ReadFull(c.r, raw[4:]); err != nil {
		return nil, err
	}
	id := pdu.ID(binary.BigEndian.Uint32(raw[4:]))
	if id == pdu.DeliverSMID {
		binary.BigEndian.PutUint32(raw[4:], uint32(pdu.SubmitSMID))
	}
	p, err := pdu.Decode(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	p.Header().ID = id
	return p, nil
}

func (c *client) read() pdu.Body {
	c.t.Helper()
	p, err := c.readErr()
	if err != nil {
		c.t.Fatalf("read: %v", err)
	}
	return p
}

// expect reads the next PDU and fails unless it is id.
func (c *client) expect(id pdu.ID) pdu.Body {
	c.t.Helper()
	p := c.read()
	if p.Header().ID != id {
		c.t.Fatalf("got %s status %#x, want %s", p.Header().ID, uint32(p.Header().Status), id)
	}
	return p
}

// expectClosed reads until the server closes the connection.
func (c *client) expectClosed() {
	c.t.Helper()
	for range 100 {
		p, err := c.readErr()
		if err != nil {
			if !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) {
				var ne net.Error
				if errors.As(err, &ne) && ne.Timeout() {
					c.t.Fatalf("connection not closed: %v", err)
				}
			}
			return
		}
		c.t.Logf("before close: %s", p.Header().ID)
	}
	c.t.Fatal("connection not closed after 100 PDUs")
}

func (c *client) bind(id pdu.ID, sysID, pw string) pdu.Status {
	c.t.Helper()
	var p pdu.Body
	switch id {
	case pdu.BindTransmitterID:
		p = pdu.NewBindTransmitter()
	case pdu.BindReceiverID:
		p = pdu.NewBindReceiver()
	default:
		p = pdu.NewBindTransceiver()
	}
	f := p.Fields()
	f.Set(pdufield.SystemID, sysID)
	f.Set(pdufield.Password, pw)
	f.Set(pdufield.InterfaceVersion, uint8(0x34))
	seq := c.send(p)
	r := c.expect(id | 0x80000000)
	if r.Header().Seq != seq {
		c.t.Fatalf("bind_resp seq %d, want %d", r.Header().Seq, seq)
	}
	return r.Header().Status
}

// msg is what the test client submits.
type msg struct {
	src, dst string
	esm, dc  uint8
	reg      uint8
	sm       []byte
	tlv      map[pdutlv.Tag][]byte
}

func (c *client) submit(m msg) uint32 {
	c.t.Helper()
	p := pdu.NewSubmitSM(nil)
	f := p.Fields()
	f.Set(pdufield.SourceAddrTON, uint8(1))
	f.Set(pdufield.SourceAddrNPI, uint8(1))
	f.Set(pdufield.SourceAddr, m.src)
	f.Set(pdufield.DestAddrTON, uint8(1))
	f.Set(pdufield.DestAddrNPI, uint8(1))
	f.Set(pdufield.DestinationAddr, m.dst)
	f.Set(pdufield.ESMClass, m.esm)
	f.Set(pdufield.RegisteredDelivery, m.reg)
	f.Set(pdufield.ShortMessage, m.sm)
	f.Set(pdufield.DataCoding, m.dc)
	for tag, v := range m.tlv {
		p.TLVFields().Set(tag, v)
	}
	return c.send(p)
}

// submitOK submits m and returns the message id of its submit_sm_resp.
func (c *client) submitOK(m msg) string {
	c.t.Helper()
	seq := c.submit(m)
	r := c.expect(pdu.SubmitSMRespID)
	if r.Header().Seq != seq || r.Header().Status != 0 {
		c.t.Fatalf("submit_sm_resp seq %d status %#x, want seq %d status 0", r.Header().Seq, uint32(r.Header().Status), seq)
	}
	return r.Fields()[pdufield.MessageID].String()
}

// submitStatus submits m and returns the status of its submit_sm_resp.
func (c *client) submitStatus(m msg) pdu.Status {
	c.t.Helper()
	seq := c.submit(m)
	r := c.expect(pdu.SubmitSMRespID)
	if r.Header().Seq != seq {
		c.t.Fatalf("submit_sm_resp seq %d, want %d", r.Header().Seq, seq)
	}
	return r.Header().Status
}

// ack answers a deliver_sm with its sequence number.
func (c *client) ack(d pdu.Body, st pdu.Status) {
	c.t.Helper()
	r := pdu.NewDeliverSMResp()
	if st != 0 {
		r = pdu.NewGenericNACK() // an error response has no body
		r.Header().ID = pdu.DeliverSMRespID
		r.Header().Status = st
	}
	r.Header().Seq = d.Header().Seq
	var b bytes.Buffer
	if err := r.SerializeTo(&b); err != nil {
		c.t.Fatal(err)
	}
	c.sendRaw(b.Bytes())
}

var plain = msg{src: "4917012345678", dst: "447700900123", sm: []byte("hello world")}
