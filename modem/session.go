package modem

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
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
	port io.ReadWriteCloser
	at   *at.AT
	urcs chan urc
	log  *slog.Logger
	o    *Options
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
}

func openSession(o *Options, log *slog.Logger) (*session, error) {
	port, err := OpenPort(o.Port, o.Baud)
	if err != nil {
		return nil, err
	}
	s := &session{port: port, urcs: make(chan urc, 64), log: log, o: o}
	var rw io.ReadWriter = port
	if o.Trace {
		rw = trace.New(port, trace.WithLogger(traceLogger{log}))
	}
	opts := []at.Option{at.WithTimeout(o.CommandTimeout), at.WithCmds("E0", "+CMEE=1")}
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
	if _, err := s.cmd("+CNMI=2,1,0,2,0"); err != nil {
		if _, err2 := s.cmd("+CNMI=2,2,0,1,0"); err2 != nil {
			return false, fmt.Errorf("modem: message routing (AT+CNMI): %w; %w", err, err2)
		}
		direct = true
		s.log.Warn("modem cannot store and notify; using direct delivery with +CNMA")
	}
	return direct, nil
}

func (s *session) unlockSIM(ctx context.Context, pinRefused bool) error {
	for range 10 {
		info, err := s.cmd("+CPIN?")
		if err != nil {
			return fmt.Errorf("modem: SIM state (AT+CPIN?): %w", err)
		}
		f, _ := infoLine(info, "+CPIN:")
		state := strings.Join(f, ",")
		switch {
		case state == "READY":
			return nil
		case state == "SIM PIN" && s.o.PIN != "" && !pinRefused:
			if _, err := s.cmd(fmt.Sprintf(`+CPIN="%s"`, s.o.PIN)); err != nil {
				return fmt.Errorf("%w: %v", ErrPINRefused, err)
			}
			pinRefused = true // one try per start, whatever happens
		case state == "SIM PIN" && pinRefused:
			return ErrPINRefused
		case state == "SIM PIN":
			return fmt.Errorf("%w: it wants a PIN and none is configured", ErrSIMLocked)
		case state == "" || strings.Contains(state, "BUSY"):
			// not ready yet after a reset: ask again
		default:
			return fmt.Errorf("%w: %s", ErrSIMLocked, state)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
	return fmt.Errorf("%w: it never became ready", ErrSIMLocked)
}

// traceLogger writes the AT trace at debug level.
type traceLogger struct{ log *slog.Logger }

func (t traceLogger) Printf(format string, v ...any) {
	t.log.Debug("at", "line", strings.TrimSpace(fmt.Sprintf(format, v...)))
}
