package modemsim_test

import (
	"context"
	"encoding/hex"
	"io"
	"strings"
	"testing"
	"time"

	"go.bug.st/serial"

	"github.com/smsgw/smsgw/internal/syncbuf"
	"github.com/smsgw/smsgw/modem/modemsim"
	"github.com/smsgw/smsgw/pdu"
)

// timeout bounds every wait in these tests.
const timeout = 5 * time.Second

// start runs a modem for the test, fast unless o says otherwise.
func start(t *testing.T, o modemsim.Options) *modemsim.Modem {
	t.Helper()
	if o.RegistrationDelay == 0 {
		o.RegistrationDelay = -1
	}
	if o.SendDelay == 0 {
		o.SendDelay = -1
	}
	tr := &syncbuf.Buffer{}
	o.Trace = tr
	m, err := modemsim.New(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		m.Close()
		if t.Failed() {
			t.Logf("trace:\n%s", tr.String())
		}
	})
	return m
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), timeout)
	t.Cleanup(cancel)
	return c
}

// client is a gateway's side of the line, driven with raw AT commands.
type client struct {
	t    *testing.T
	port io.ReadWriteCloser
	in   chan []byte
	err  chan error
	buf  []byte
	urcs [][]string // set aside by lines, taken by urc
}

// open opens the modem's device as a gateway does (go.bug.st/serial,
// 115200 8N1, no read timeout).
func open(t *testing.T, m *modemsim.Modem) *client {
	t.Helper()
	p, err := serial.Open(m.Path(), &serial.Mode{BaudRate: 115200, DataBits: 8, Parity: serial.NoParity, StopBits: serial.OneStopBit})
	if err != nil {
		t.Fatal(err)
	}
	return newClient(t, p)
}

func newClient(t *testing.T, p io.ReadWriteCloser) *client {
	c := &client{t: t, port: p, in: make(chan []byte, 16), err: make(chan error, 1)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			b := make([]byte, 256)
			n, err := p.Read(b)
			if n > 0 {
				c.in <- b[:n]
			}
			if err != nil {
				c.err <- err
				return
			}
		}
	}()
	t.Cleanup(func() {
		p.Close()
		for {
			select {
			case <-c.in:
			case <-done:
				return
			}
		}
	})
	return c
}

func (c *client) send(s string) {
	c.t.Helper()
	if _, err := c.port.Write([]byte(s)); err != nil {
		c.t.Fatalf("write %q: %v", s, err)
	}
}

// expect reads until want has arrived and returns everything up to it.
func (c *client) expect(want string) string {
	c.t.Helper()
	deadline := time.After(timeout)
	for {
		if i := strings.Index(string(c.buf), want); i >= 0 {
			out := string(c.buf[:i+len(want)])
			c.buf = c.buf[i+len(want):]
			return out
		}
		select {
		case b := <-c.in:
			c.buf = append(c.buf, b...)
		case err := <-c.err:
			c.t.Fatalf("waiting for %q: read: %v (got %q)", want, err, c.buf)
		case <-deadline:
			c.t.Fatalf("waiting for %q: timeout (got %q)", want, c.buf)
		}
	}
}

// isFinal reports a final result code.
func isFinal(l string) bool {
	return l == "OK" || l == "ERROR" || strings.HasPrefix(l, "+CME ERROR:") || strings.HasPrefix(l, "+CMS ERROR:")
}

// urcs are the unsolicited results the client sets aside, with the
// number of lines each takes.
var urcs = map[string]int{"+CREG:": 1, "+CGREG:": 1, "+CEREG:": 1, "+CMTI:": 1, "+CDSI:": 1, "+CMT:": 2, "+CDS:": 2, "RING": 1}

// line returns the next non-empty line.
func (c *client) line() string {
	c.t.Helper()
	for {
		if l := strings.TrimRight(c.expect("\r\n"), "\r\n"); l != "" {
			return l
		}
	}
}

// takeURC sets l aside if it is a URC (and not the answer of the
// command named own), with its trailing lines.
func (c *client) takeURC(l, own string) bool {
	for p, n := range urcs {
		if strings.HasPrefix(l, p) && (own == "" || !strings.HasPrefix(l, own+":")) {
			u := []string{l}
			for len(u) < n {
				u = append(u, c.line())
			}
			c.urcs = append(c.urcs, u)
			return true
		}
	}
	return false
}

// lines reads lines until a final result code and returns the non-empty
// ones, the final one last; URCs are set aside for urc.
func (c *client) lines(own string) []string {
	c.t.Helper()
	var out []string
	for {
		l := c.line()
		if c.takeURC(l, own) {
			continue
		}
		out = append(out, l)
		if isFinal(l) {
			return out
		}
	}
}

// urc waits for a URC whose first line starts with want and returns its
// lines. Any line that is not a URC fails the test.
func (c *client) urc(want string) []string {
	c.t.Helper()
	for {
		for i, u := range c.urcs {
			if strings.HasPrefix(u[0], want) {
				c.urcs = append(c.urcs[:i], c.urcs[i+1:]...)
				return u
			}
		}
		if l := c.line(); !c.takeURC(l, "") {
			c.t.Fatalf("waiting for URC %q: got %q", want, l)
		}
	}
}

// cmd sends a command line (echo off) and returns its answer lines.
func (c *client) cmd(line string) []string {
	c.t.Helper()
	c.send(line + "\r")
	name := strings.ToUpper(strings.TrimPrefix(line, "AT"))
	if i := strings.IndexAny(name, "=?;"); i >= 0 {
		name = name[:i]
	}
	return c.lines(name)
}

// must runs a command that must answer OK and returns its other lines.
func (c *client) must(line string) []string {
	c.t.Helper()
	out := c.cmd(line)
	if out[len(out)-1] != "OK" {
		c.t.Fatalf("%s: %q", line, out)
	}
	return out[:len(out)-1]
}

// init turns echo off and errors numeric, as the connector does.
func (c *client) init() {
	c.t.Helper()
	c.send("ATE0\r")
	c.expect("OK\r\n")
	c.must("AT+CMEE=1")
}

// encode builds the AT+CMGS PDUs (hex, SMSC part "00") of text to to.
func encode(t *testing.T, to, text string, srr bool) (pdus []string, lengths []int) {
	t.Helper()
	a, err := pdu.ParseAddress(to)
	if err != nil {
		t.Fatal(err)
	}
	subs, _, err := pdu.EncodeText(a, text, pdu.SubmitOptions{StatusReportRequest: srr, Ref: 7})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range subs {
		tpdu, err := s.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		frame, _ := pdu.AppendFrame(nil, pdu.Address{}, tpdu)
		pdus = append(pdus, strings.ToUpper(hex.EncodeToString(frame)))
		lengths = append(lengths, len(tpdu))
	}
	return pdus, lengths
}

// decode reads a PDU as AT+CMGR, +CMT and +CDS print it.
func decode(t *testing.T, h string) pdu.Message {
	t.Helper()
	b, err := hex.DecodeString(h)
	if err != nil {
		t.Fatal(err)
	}
	_, msg, err := pdu.Decode(b)
	if err != nil {
		t.Fatalf("decode %s: %v", h, err)
	}
	return msg
}

func text(t *testing.T, u pdu.UserData) string {
	t.Helper()
	s, err := u.Text()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func decodeDeliver(t *testing.T, h string) *pdu.Deliver {
	t.Helper()
	d, ok := decode(t, h).(*pdu.Deliver)
	if !ok {
		t.Fatalf("%s is not an SMS-DELIVER", h)
	}
	return d
}
