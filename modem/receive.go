package modem

import (
	"cmp"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/warthog618/modem/at"

	"github.com/smsgw/smsgw/pdu"
	"github.com/smsgw/smsgw/spool"
	"github.com/smsgw/smsgw/spool/route"
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
		if !m.storedAlready(s.o.Storage, st) {
			if err := m.handleStored(ctx, st); err != nil {
				if err := ctx.Err(); err != nil {
					return err
				}
				m.keptOnModem(err, "index", st.index)
				continue
			}
		}
		if err := m.deleteStored(s, s.o.Storage, st); err != nil {
			return err
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
	if len(stored) == 0 {
		// Read too early (some modems notify before the message can be
		// read, or answer "+CMGR: 0,,0"), already read by a sweep, or an
		// answer it cannot read. What was not read is not deleted: the
		// sweep of the next poll reads it.
		m.log.Warn("notified message not found; left for the next sweep", "mem", mem, "index", index, "err", err)
		return nil
	}
	mem = cmp.Or(mem, s.o.Storage)
	for _, st := range stored {
		if m.storedAlready(mem, st) {
			continue
		}
		if err := m.handleStored(ctx, st); err != nil {
			m.keptOnModem(err, "mem", mem, "index", index) // not deleted: read again at the next sweep
			return ctx.Err()
		}
	}
	return m.deleteStored(s, mem, stored[0])
}

// maxStoredKeys bounds the messages remembered as stored but not deleted.
const maxStoredKeys = 1024

// storedKey names a message in storage: its storage, index and content.
// The same bytes at the same place are the same message (a new one has
// its own service centre time stamp).
func storedKey(mem string, st storedPDU) string {
	return fmt.Sprintf("%s/%d/%x%s", strings.ToUpper(mem), st.index, st.frame, st.raw)
}

// deleteStored deletes a message the sink has (AT+CMGD), trying a failed
// delete once more. A message that stays is remembered as stored, so that
// reading it again deletes it without storing it twice (the caller's text
// came twice, and a long one's parts made a second, "partial", message).
// It returns an error only when the session must end.
func (m *Modem) deleteStored(s *session, mem string, st storedPDU) error {
	key := storedKey(mem, st)
	var err error
	for range 2 {
		if _, err = s.cmd(fmt.Sprintf("+CMGD=%d", st.index)); err == nil {
			m.mu.Lock()
			delete(m.storedKeys, key)
			m.mu.Unlock()
			return nil
		}
		if pollError(err) != nil {
			break
		}
	}
	m.mu.Lock()
	if m.storedKeys == nil || len(m.storedKeys) >= maxStoredKeys {
		m.storedKeys = map[string]bool{}
	}
	m.storedKeys[key] = true
	m.mu.Unlock()
	m.log.Warn("could not delete a message the spool has; it will be deleted, not stored again, when read again",
		"mem", mem, "index", st.index, "err", err)
	return pollError(err)
}

// storedAlready says whether st is a message stored before whose delete
// failed (deleteStored).
func (m *Modem) storedAlready(mem string, st storedPDU) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.storedKeys[storedKey(mem, st)]
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

// handleStored hands over one message read from storage: its PDU, or,
// when the modem printed something that is not hex, that line as
// received (undecodable), so that it is kept and not read, and refused,
// at every sweep.
func (m *Modem) handleStored(ctx context.Context, st storedPDU) error {
	if st.err == nil {
		return m.handleFrame(ctx, st.frame)
	}
	m.log.Warn("stored message unreadable; stored as received", "index", st.index, "line", st.raw, "err", st.err)
	if err := m.sink.Inbound(ctx, m.undecodable([]byte(st.raw), st.err)); err != nil {
		return fmt.Errorf("storing an unreadable inbound message: %w", err)
	}
	return nil
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
	return route.Inbound(r, m.o.Tenant, m.line(), m.o.Name, "modem:"+m.o.Name)
}

// providerID names a sent part for status-report matching: TP-MR wraps
// at 256, so it goes with the recipient; the spool files the newest. The
// recipient is its last 9 digits: a service centre may write it in its
// national form ("3195550123", "017612345678") in the report of a part
// sent to "+13195550123" or "+4917612345678", and the report must still
// find its message.
func providerID(mr int, recipient string) string {
	digits := make([]byte, 0, len(recipient))
	for i := 0; i < len(recipient); i++ {
		if c := recipient[i]; c >= '0' && c <= '9' {
			digits = append(digits, c)
		}
	}
	if len(digits) == 0 {
		return fmt.Sprintf("%d/%s", mr, recipient) // alphanumeric: as it is
	}
	return fmt.Sprintf("%d/%s", mr, digits[max(0, len(digits)-9):])
}
