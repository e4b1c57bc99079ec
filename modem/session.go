package modem

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/warthog618/modem/at"
	"github.com/warthog618/modem/trace"
)

// urc is an unsolicited result the modem sent: its lines.
type urc []string

// session is one open port with its AT engine. A session is never
// reused after a command timed out (a late OK would answer the next
// command): the connector closes it and opens a new one.
type session struct {
	port  io.ReadWriteCloser
	guard *writeGuard
	at    *at.AT
	urcs  chan urc
	log   *slog.Logger
	o     *Options

	// routing is the AT+CNMI setting init made the modem accept, ""
	// if it refused them all; poll checks the modem still has it.
	routing string
	// pduWritten is set when a PDU (ending in Ctrl-Z) was written to
	// the modem: after that a failed AT+CMGS may have sent the part.
	pduWritten atomic.Bool
}

// pduWatch marks the session when a write carries a PDU's Ctrl-Z.
type pduWatch struct {
	io.ReadWriter
	s *session
}

func (w pduWatch) Write(b []byte) (int, error) {
	if len(b) > 0 && b[len(b)-1] == 0x1a {
		w.s.pduWritten.Store(true)
	}
	return w.ReadWriter.Write(b)
}

// restartURCs are what a modem prints when it has restarted by itself
// (Quectel and SIMCom "RDY", Huawei and Cinterion "^SYSSTART"): its
// settings are back to their defaults, so the session is initialised
// again.
var restartURCs = []string{"RDY", "^SYSSTART"}

// routings are the AT+CNMI settings init tries, in order: store and
// notify MO and reports (+CMTI, +CDSI); store MO, reports direct (+CDS);
// both direct (+CMT, +CDS, acknowledged with +CNMA); then without
// status reports. A modem that refuses them all still sends; what it
// stores is read by the sweep of every poll.
var routings = []struct {
	cnmi   string
	direct bool
}{
	{"2,1,0,2,0", false}, {"2,1,0,1,0", false}, {"2,2,0,1,0", true}, {"1,1,0,2,0", false},
	{"1,1,0,1,0", false}, {"2,1,0,0,0", false}, {"1,1,0,0,0", false},
}

// urcPrefixes are the unsolicited results the connector handles, with
// the number of lines that follow each. Registration URCs are switched
// off at init (+CREG=0) and polled instead: a +CREG: indication would
// take the answer of AT+CREG? away from the command.
var urcPrefixes = []struct {
	prefix   string
	trailing int
}{
	{"+CMTI:", 0}, {"+CDSI:", 0}, {"+CMT:", 1}, {"+CDS:", 1}, {"RING", 0}, {"^RSSI:", 0},
	{"+QIND:", 0}, {"^HCSQ:", 0}, {"^MODE:", 0}, {"+CUSD:", 0},
	{"RDY", 0}, {"^SYSSTART", 0}, {"^BOOT:", 0}, {"^SRVST:", 0}, {"^SIMST:", 0}, {"+CGEV:", 0},
}

// isURCLine says whether line is an unsolicited result the session
// watches for.
func isURCLine(line string) bool {
	for _, u := range urcPrefixes {
		if strings.HasPrefix(line, u.prefix) {
			return true
		}
	}
	return false
}

func openSession(o *Options, g *writeGuard, log *slog.Logger) (*session, error) {
	if err := g.ready(); err != nil {
		return nil, err
	}
	raw, err := OpenPort(o.Port, o.Baud)
	if err != nil {
		return nil, err
	}
	port := g.port(raw)
	s := &session{port: port, guard: g, urcs: make(chan urc, 64), log: log, o: o}
	var rw io.ReadWriter = pduWatch{port, s}
	if o.Trace {
		rw = trace.New(rw, trace.WithLogger(traceLogger{log}))
	}
	opts := []at.Option{at.WithTimeout(o.CommandTimeout), at.WithCmds("E0V1Q0", "+CMEE=1")}
	for _, u := range urcPrefixes {
		opts = append(opts, at.WithIndication(u.prefix, s.onURC, at.WithTrailingLines(u.trailing)))
	}
	s.at = at.New(rw, opts...)
	return s, nil
}

// onURC runs in a goroutine of its own per indication (the at package's
// way): it only queues, so the receive loop handles them in order.
func (s *session) onURC(lines []string) {
	select {
	case s.urcs <- urc(lines):
	case <-s.at.Closed():
	}
}

func (s *session) close() { s.port.Close() }

// closedErr is why the port closed under the session: a write given up
// (writeGuard), or the device gone.
func (s *session) closedErr() error {
	if err := s.guard.ready(); err != nil {
		return err
	}
	return errors.New("modem: port closed (unplugged?)")
}

// cmd runs one command with the default timeout.
func (s *session) cmd(c string) ([]string, error) { return s.at.Command(c) }

// init brings a fresh session into the state the connector needs. It
// returns whether reports and MO are stored and notified (+CMTI/+CDSI)
// or delivered directly (+CMT/+CDS, acknowledged with +CNMA).
func (s *session) init(ctx context.Context, pinRefused bool) (direct bool, err error) {
	if err := s.at.Init(); err != nil {
		return false, fmt.Errorf("modem: init: %w", err)
	}
	if err := s.unlockSIM(ctx, pinRefused); err != nil {
		return false, err
	}
	if _, err := s.cmd("+CMGF=0"); err != nil {
		return false, fmt.Errorf("modem: PDU mode (AT+CMGF=0): %w", err)
	}
	_, _ = s.cmd("+CSMS=1") // phase 2+ (needed for +CNMA); not every modem has it
	mem := s.o.Storage
	if _, err := s.cmd(fmt.Sprintf(`+CPMS="%s","%s","%s"`, mem, mem, mem)); err != nil {
		return false, fmt.Errorf("modem: storage (AT+CPMS): %w", err)
	}
	_, _ = s.cmd("+CREG=0")
	_, _ = s.cmd("+CEREG=0")
	// Store and notify, so a message leaves the modem only after the
	// spool has it; direct delivery with +CNMA for modems without.
	var errs []string
	for i, r := range routings {
		_, err := s.cmd("+CNMI=" + r.cnmi)
		if errors.Is(err, at.ErrDeadlineExceeded) || errors.Is(err, at.ErrClosed) {
			return false, fmt.Errorf("modem: message routing (AT+CNMI=%s): %w", r.cnmi, err)
		}
		if err != nil {
			errs = append(errs, fmt.Sprintf("%s: %v", r.cnmi, err))
			continue
		}
		s.routing = r.cnmi
		if i > 0 {
			s.log.Warn("modem refused the preferred message routing", "cnmi", r.cnmi, "refused", errs)
		}
		return r.direct, nil
	}
	// Sending does not need AT+CNMI: a fallback modem that can send is
	// worth keeping. Stored messages are read by the sweep of each poll.
	s.log.Error("modem refused every AT+CNMI setting; receiving by polling its storage only", "refused", errs)
	return false, nil
}

// unlockSIM waits for the SIM (up to SIMWait while it is starting) and
// enters the PIN, once per start, if one is configured and the SIM has
// attempts to spare.
func (s *session) unlockSIM(ctx context.Context, pinRefused bool) error {
	deadline := time.Now().Add(s.o.SIMWait)
	for {
		info, err := s.cmd("+CPIN?")
		if err != nil && !simStarting(err) {
			return fmt.Errorf("modem: SIM state (AT+CPIN?): %w", err)
		}
		f, _ := infoLine(info, "+CPIN:")
		state := strings.Join(f, ",")
		if err != nil {
			state = "BUSY"
		}
		switch {
		case state == "READY":
			return nil
		case state == "SIM PIN" && s.o.PIN != "" && !pinRefused:
			if left, ok := s.pinAttemptsLeft(); ok && left < 2 {
				// One wrong PIN more and the SIM wants its PUK: the
				// fallback would be dead until someone enters it.
				return fmt.Errorf("%w: the SIM has %d PIN attempt(s) left; the gateway does not risk the last one: "+
					"check the PIN, enter it by hand (smsgw modem at), then restart", ErrSIMLocked, left)
			}
			if _, err := s.cmd(fmt.Sprintf(`+CPIN="%s"`, s.o.PIN)); err != nil {
				if simStarting(err) {
					// The SIM did not check it (busy): not a refusal,
					// and not an attempt used.
					return fmt.Errorf("modem: the SIM was busy when given the PIN: %w", err)
				}
				return fmt.Errorf("%w: %v", ErrPINRefused, err)
			}
			pinRefused = true // one try per start, whatever happens
		case state == "SIM PIN" && pinRefused:
			return ErrPINRefused
		case state == "SIM PIN":
			return fmt.Errorf("%w: it wants a PIN and none is configured", ErrSIMLocked)
		case state == "" || strings.Contains(state, "BUSY") || strings.Contains(state, "NOT READY"):
			// Not ready yet (starting, after a power cut or a reset).
			if time.Now().After(deadline) {
				return fmt.Errorf("%w: not ready after %v (%s)", ErrSIMLocked, s.o.SIMWait, cmp.Or(state, "no answer"))
			}
		default:
			return fmt.Errorf("%w: %s", ErrSIMLocked, state)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// simStarting says whether AT+CPIN? failed because the SIM is not ready
// yet: +CME ERROR 10 (not inserted: some modems say so until the SIM is
// read), 13 (SIM failure), 14 (SIM busy, 27.007 9.2), or a modem's own
// words for them.
func simStarting(err error) bool {
	var cme at.CMEError
	if !errors.As(err, &cme) {
		return false
	}
	switch c := strings.ToLower(strings.TrimSpace(string(cme))); c {
	case "10", "13", "14", "sim not inserted", "sim failure", "sim busy":
		return true
	default:
		return strings.Contains(c, "busy") || strings.Contains(c, "not ready")
	}
}

// pinAttempts are the vendor commands that tell how many PIN attempts
// the SIM has left, and the index of that count among the answer's
// fields: Quectel `+QPINC: "SC",<pin>,<puk>`, SIMCom `+SPIC:
// <pin1>,<pin2>,<puk1>,<puk2>`, Huawei `^CPIN:
// <code>,[<times>],<puk_times>,<pin_times>,<puk2_times>,<pin2_times>`
// (pin_times: field 2 is the PUK's count, usually 10).
var pinAttempts = []struct {
	cmd, prefix string
	field       int
}{
	{`+QPINC="SC"`, "+QPINC:", 1}, {"+SPIC", "+SPIC:", 0}, {"^CPIN?", "^CPIN:", 3},
}

// pinAttemptsLeft asks the modem how many PIN attempts the SIM has
// left; ok is false when no command it knows tells.
func (s *session) pinAttemptsLeft() (left int, ok bool) {
	for _, c := range pinAttempts {
		info, err := s.cmd(c.cmd)
		if err != nil {
			continue
		}
		f, found := infoLine(info, c.prefix)
		if !found || len(f) <= c.field {
			continue
		}
		if n, err := strconv.Atoi(strings.TrimSpace(f[c.field])); err == nil && n >= 0 {
			return n, true
		}
	}
	return 0, false
}

// traceLogger writes the AT trace at debug level.
type traceLogger struct{ log *slog.Logger }

func (t traceLogger) Printf(format string, v ...any) {
	t.log.Debug("at", "line", strings.TrimSpace(fmt.Sprintf(format, v...)))
}
