package modem

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// poll reads signal, registration and operator; the connector is ready
// only when registered. It also checks that the modem still routes
// messages as init set (a modem that restarted by itself, or gave up
// waiting for an AT+CNMA, has AT+CNMI back at its defaults: the session
// is then initialised again), and sweeps the storage when it holds
// messages no notification brought.
func (m *Modem) poll(ctx context.Context, s *session) error {
	csq, err := s.cmd("+CSQ")
	if err != nil {
		return pollError(err)
	}
	reg := RegUnknown
	for _, c := range []struct{ cmd, prefix string }{{"+CREG?", "+CREG:"}, {"+CEREG?", "+CEREG:"}} {
		info, err := s.cmd(c.cmd)
		if errors.Is(err, errTimeout) {
			return err
		}
		if r, ok := parseReg(info, c.prefix); ok && (r.Registered() || reg == RegUnknown) {
			reg = r
		}
	}
	cops, _ := s.cmd("+COPS?")
	dBm, _ := parseCSQ(csq)
	m.setHealth(func(h *Health) { h.SignalDBm, h.Registration, h.Operator = dBm, reg, parseCOPS(cops) })
	if err := m.checkRouting(s); err != nil {
		return err
	}
	if err := m.checkStorage(ctx, s); err != nil {
		return err
	}
	m.mu.Lock()
	held := time.Now().Before(m.health.SIMHeldUntil)
	if !held && strings.HasPrefix(m.health.LastError, simRefusedText) {
		m.health.LastError = "" // the hold is over: tried again
	}
	m.mu.Unlock()
	if ready := reg.Registered() && !held; m.Ready() != ready {
		m.log.Info("modem readiness changed", "ready", ready, "registration", reg.String(), "signal_dbm", dBm, "sim_held", held)
		m.setReady(ready)
	}
	return nil
}

// checkRouting ends the session when AT+CNMI? no longer shows the <mt>
// and <ds> init set.
func (m *Modem) checkRouting(s *session) error {
	if s.routing == "" {
		return nil
	}
	info, err := s.cmd("+CNMI?")
	if err != nil {
		return pollError(err)
	}
	f, ok := infoLine(info, "+CNMI:")
	want := strings.Split(s.routing, ",")
	if !ok || len(f) < 4 {
		return nil
	}
	if strings.TrimSpace(f[1]) != want[1] || strings.TrimSpace(f[3]) != want[3] {
		return fmt.Errorf("modem: message routing is %s, not %s (the modem restarted or stopped routing); initialising it again",
			strings.Join(f, ","), s.routing)
	}
	return nil
}

// checkStorage reads how full the read storage is and sweeps it when it
// holds anything: messages whose notification was lost (a modem that
// sends its URCs to another port, a URC lost in a reset, a modem that
// refused AT+CNMI) would otherwise stay there until the storage is full
// and the network holds every new message.
func (m *Modem) checkStorage(ctx context.Context, s *session) error {
	info, err := s.cmd("+CPMS?")
	if err != nil {
		return pollError(err)
	}
	used, total, ok := parseCPMS(info)
	if !ok {
		return nil
	}
	m.setHealth(func(h *Health) { h.StorageUsed, h.StorageTotal = used, total })
	if used == 0 {
		return nil
	}
	if total > 0 && used >= total {
		m.log.Warn("message storage full: the network holds new messages until it is emptied", "used", used, "total", total)
	}
	return m.sweep(ctx, s)
}
