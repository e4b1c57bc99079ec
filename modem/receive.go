package modem

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/warthog618/modem/at"

	"github.com/smsgw/smsgw/pdu"
	"github.com/smsgw/smsgw/spool"
)

var errTimeout = at.ErrDeadlineExceeded

// pollError says whether a failed command ends the session: a timeout
// (a late answer would desynchronise the next command) or a closed port.
func pollError(err error) error {
	if errors.Is(err, at.ErrDeadlineExceeded) || errors.Is(err, at.ErrClosed) {
		return err
	}
	return nil
}

// sweep reads and handles everything already stored (messages that came
// while the gateway was down), deleting each after the spool has it.
func (m *Modem) sweep(ctx context.Context, s *session) error {
	info, err := s.cmd("+CMGL=4")
	if err != nil {
		return pollError(err)
	}
	stored, err := parseStored(info, "+CMGL:", 0)
	if err != nil {
		m.log.Warn("stored messages partly unreadable", "err", err)
	}
	for _, st := range stored {
		if err := m.handleFrame(ctx, st.frame); err != nil {
			if err := ctx.Err(); err != nil {
				return err
			}
			m.keptOnModem(err, "index", st.index)
			continue
		}
		if _, err := s.cmd(fmt.Sprintf("+CMGD=%d", st.index)); err != nil {
			return pollError(err)
		}
	}
	if len(stored) > 0 {
		m.log.Info("stored messages read at start", "count", len(stored))
	}
	return nil
}

// inboundNotStored begins Health.LastError while an inbound message the
// sink refused is on the modem.
const inboundNotStored = "inbound not stored: "

// keptOnModem logs an inbound message or report the sink could not
// store: it stays on the modem (or unacknowledged to the network) and is
// read again at the next poll. The session goes on: a message the spool
// cannot take now must not keep the modem from sending, nor count
// towards resetting it.
func (m *Modem) keptOnModem(err error, where ...any) {
	m.log.Error("inbound message not stored; left on the modem for the next poll", append(where, "err", err)...)
	m.setHealth(func(h *Health) { h.LastError = inboundNotStored + err.Error() })
	m.kept.Store(true)
}

// handleURC handles one unsolicited result, in arrival order.
func (m *Modem) handleURC(ctx context.Context, s *session, u urc, direct bool) error {
	head := u[0]
	switch {
	case isRestart(head):
		return fmt.Errorf("modem: the modem restarted by itself (%s); initialising it again", head)
	case strings.HasPrefix(head, "+CMTI:"), strings.HasPrefix(head, "+CDSI:"):
		prefix := head[:6]
		mem, index, err := parseIndex(head, prefix)
		if err != nil {
			m.log.Warn("unreadable notification", "line", head, "err", err)
			return nil
		}
		return s.inStorage(mem, func() error { return m.readNotified(ctx, s, mem, index) })
	case strings.HasPrefix(head, "+CMT:"), strings.HasPrefix(head, "+CDS:"):
		if len(u) < 2 {
			return nil
		}
		frame, err := hex.DecodeString(strings.TrimSpace(u[1]))
		if err == nil {
			if strings.HasPrefix(head, "+CDS:") {
				// Some modems print +CDS without the SMSC part.
				frame = withSMSC(frame)
			}
			if err := m.handleFrame(ctx, frame); err != nil {
				// No +CNMA: the network sends it again.
				m.keptOnModem(err, "direct", true)
				return ctx.Err()
			}
		} else {
			m.log.Warn("unreadable direct message", "line", u[1], "err", err)
		}
		_, err = s.cmd("+CNMA")
		return pollError(err)
	}
	return nil // RING, ^RSSI and the like
}

// readNotified reads, hands over and deletes the message a +CMTI or
// +CDSI announced, in the storage now selected for reading.
func (m *Modem) readNotified(ctx context.Context, s *session, mem string, index int) error {
	info, err := s.cmd(fmt.Sprintf("+CMGR=%d", index))
	if err != nil {
		return pollError(err)
	}
	stored, err := parseStored(info, "+CMGR:", index)
	switch {
	case err != nil:
		m.log.Warn("stored message unreadable; deleting it", "mem", mem, "index", index, "err", err)
	case len(stored) == 0:
		// Read too early (some modems notify before the message can be
		// read), or already read by a sweep. What was not read is not
		// deleted: the sweep of the next poll reads it.
		m.log.Warn("notified message not found; left for the next sweep", "mem", mem, "index", index)
		return nil
	}
	for _, st := range stored {
		if err := m.handleFrame(ctx, st.frame); err != nil {
			m.keptOnModem(err, "mem", mem, "index", index) // not deleted: read again at the next sweep
			return ctx.Err()
		}
	}
	_, err = s.cmd(fmt.Sprintf("+CMGD=%d", index))
	return pollError(err)
}

// inStorage runs fn with mem selected for reading and deleting
// (<mem1> of AT+CPMS), then selects the configured storage again. A
// notification names the storage it stored in, which is not always the
// configured one: class 2 messages go to the SIM, and some modems store
// status reports apart.
func (s *session) inStorage(mem string, fn func() error) error {
	if mem == "" || strings.EqualFold(mem, s.o.Storage) {
		return fn()
	}
	if _, err := s.cmd(fmt.Sprintf(`+CPMS="%s"`, mem)); err != nil {
		s.log.Warn("cannot select the storage a notification names; reading the configured one", "mem", mem, "err", err)
		if err := pollError(err); err != nil {
			return err
		}
		return fn()
	}
	ferr := fn()
	if _, err := s.cmd(fmt.Sprintf(`+CPMS="%s"`, s.o.Storage)); err != nil {
		return fmt.Errorf("modem: selecting storage %s again: %w", s.o.Storage, err)
	}
	return ferr
}

func isRestart(line string) bool {
	for _, p := range restartURCs {
		if strings.HasPrefix(line, p) {
			return true
		}
	}
	return false
}

// withSMSC makes a bare status-report TPDU look like a frame with an
// empty SMSC part, when it does not decode as one.
func withSMSC(frame []byte) []byte {
	if _, _, err := pdu.Decode(frame); err == nil {
		return frame
	}
	return append([]byte{0}, frame...)
}

// handleFrame decodes one stored or delivered PDU and hands it to the
// sink: an inbound part (joined when whole) or a status report. It
// returns an error only when the sink failed: the caller then keeps the
// message on the modem.
func (m *Modem) handleFrame(ctx context.Context, frame []byte) error {
	_, msg, err := pdu.Decode(frame)
	if err != nil {
		// Someone may have written to an emergency number: keep what
		// came, as received, and say why it could not be read. It is
		// deleted from the modem only once stored.
		m.log.Warn("undecodable PDU from the modem; stored as received", "pdu", hex.EncodeToString(frame), "err", err)
		if err := m.sink.Inbound(ctx, m.undecodable(frame, err)); err != nil {
			return fmt.Errorf("storing an undecodable inbound PDU: %w", err)
		}
		return nil
	}
	switch t := msg.(type) {
	case *pdu.Deliver:
		m.setHealth(func(h *Health) { h.Received++ })
		part, err := pdu.DeliverPart(m.o.Name, t, time.Now())
		if err != nil {
			m.log.Warn("inbound part unusable; dropped", "err", err)
			return nil
		}
		if err := m.reasm.Add(ctx, part, time.Now(), m.storeInbound); err != nil {
			return fmt.Errorf("modem: inbound part: %w", err)
		}
	case *pdu.StatusReport:
		rep := spool.Report{Connector: m.o.Name, ProviderID: providerID(int(t.MR), t.Recipient.String()),
			At: t.Discharge, Detail: "TP-ST " + t.Status.String()}
		switch t.Status.Outcome() {
		case pdu.OutcomeDelivered:
			rep.State = spool.StateDelivered
		case pdu.OutcomeFailed:
			rep.State, rep.Code = spool.StateUndelivered, fmt.Sprintf("%02X", byte(t.Status))
		default:
			rep.State = spool.StateSent
		}
		if err := m.sink.Report(ctx, rep); err != nil && !errors.Is(err, spool.ErrNotFound) {
			return fmt.Errorf("modem: storing a status report: %w", err)
		}
	}
	return nil
}

// storeInbound hands whole (or given up) inbound messages to the sink.
func (m *Modem) storeInbound(ctx context.Context, done []pdu.Reassembled) error {
	for _, r := range done {
		if err := m.sink.Inbound(ctx, m.inbound(r)); err != nil {
			return fmt.Errorf("storing an inbound message: %w", err)
		}
	}
	return nil
}

// line is the recipient recorded for MO: the line's own number, or the
// connector when it has none.
func (m *Modem) line() string {
	if m.o.Number != "" {
		return m.o.Number
	}
	return "modem:" + m.o.Name
}

// undecodable is the spool message for a PDU that could not be read:
// the whole PDU as its binary content, the sender unknown, the reason
// said.
func (m *Modem) undecodable(frame []byte, err error) *spool.Message {
	return &spool.Message{Tenant: m.o.Tenant, To: m.line(), Binary: append([]byte(nil), frame...), Connector: m.o.Name,
		Encoding: pdu.Binary.String(), Segments: 1, Source: "modem:" + m.o.Name,
		Reason: fmt.Sprintf("undecodable PDU (%v): kept as received (the whole PDU, hex in the log), sender unknown", err)}
}

// inbound is the spool message for a whole (or given up) MO message.
func (m *Modem) inbound(r pdu.Reassembled) *spool.Message {
	mo := &spool.Message{Tenant: m.o.Tenant, From: r.From, To: m.line(), Body: r.Text, Connector: m.o.Name,
		Encoding: r.Encoding.String(), Segments: r.Total, Source: "modem:" + m.o.Name}
	if r.Data != nil {
		mo.Binary = r.Data
	}
	if r.Partial {
		mo.Reason = fmt.Sprintf("parts %v never arrived", r.Missing)
	}
	return mo
}

// providerID names a sent part for status-report matching: TP-MR wraps
// at 256, so it goes with the recipient; the spool files the newest.
func providerID(mr int, recipient string) string { return fmt.Sprintf("%d/%s", mr, recipient) }
