package modemsim

import (
	"fmt"
	"strconv"
)

// Registration states (<stat> of +CREG, TS 27.007 section 7.2).
const (
	regNone      = 0 // not registered, not searching
	regHome      = 1
	regSearching = 2
	regRoaming   = 5
)

// Cell identity reported with <n> = 2.
const (
	lac    = "0D46"
	cellID = "0C9E1F03"
)

// netState is the radio: reset at every power-on.
type netState struct {
	cfun               int
	creg, cgreg, cereg int // <n> of +CREG, +CGREG, +CEREG
	registered         bool
	searching          bool // a registration timer runs
	gen                int  // bumped to cancel that timer
	last               int  // <stat> last reported
}

// powerOn (re)starts the modem, as at plug-in and on AT+CFUN=1,1:
// session settings, radio, SIM lock and SMS settings are reset; the
// storage on the SIM stays.
func (m *Modem) powerOn() {
	m.epoch++
	m.net = netState{cfun: 1, gen: m.net.gen + 1}
	m.faults.hung = false
	m.simPowerOn()
	m.sms.reset()
	m.updateRadio()
}

// powerOff is the modem losing power (unplug).
func (m *Modem) powerOff() {
	m.net.registered, m.net.searching = false, false
	m.net.gen++
	m.sms.reset()
	m.updateRadio()
}

func (m *Modem) radioOn() bool {
	return m.plugged && m.net.cfun == 1 && !m.lost && m.sim.state == SIMReady
}

func (m *Modem) regStat() int {
	switch {
	case !m.radioOn():
		return regNone
	case !m.net.registered:
		return regSearching
	case m.o.Roaming:
		return regRoaming
	}
	return regHome
}

// updateRadio follows a change of power, SIM or network: it starts or
// cancels registration, sends the registration URCs the gateway asked
// for, and lets the network deliver what it held once registered.
func (m *Modem) updateRadio() {
	switch {
	case !m.radioOn():
		m.net.registered, m.net.searching = false, false
		m.net.gen++
	case !m.net.registered && !m.net.searching:
		if m.o.RegistrationDelay < 0 {
			m.net.registered = true
			break
		}
		m.net.searching = true
		m.net.gen++
		gen := m.net.gen
		m.after(m.o.RegistrationDelay, func() {
			if m.net.gen == gen {
				m.net.searching, m.net.registered = false, true
				m.updateRadio()
			}
		})
	}
	if st := m.regStat(); st != m.net.last {
		m.net.last = st
		for _, r := range []struct {
			name string
			n    int
		}{{"+CREG", m.net.creg}, {"+CGREG", m.net.cgreg}, {"+CEREG", m.net.cereg}} {
			if r.n > 0 {
				m.urc(r.name + ": " + regFields(r.name, r.n, st))
			}
		}
	}
	if m.net.registered {
		m.pump()
	}
}

// regFields are the fields after <n> (or in place of it, in a URC):
// <stat>, and the location with <n> = 2 when registered.
func regFields(name string, n, st int) string {
	s := strconv.Itoa(st)
	if n == 2 && (st == regHome || st == regRoaming) {
		s += fmt.Sprintf(`,"%s","%s"`, lac, cellID)
		if name == "+CEREG" {
			s += ",7" // E-UTRAN
		}
	}
	return s
}

// Registered reports whether the modem is registered on the network.
func (m *Modem) Registered() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	st := m.regStat()
	return st == regHome || st == regRoaming
}

// cmdReg is AT+CREG, AT+CGREG and AT+CEREG.
func cmdReg(s *session, c Command) ([]string, error) {
	m := s.m
	n := map[string]*int{"+CREG": &m.net.creg, "+CGREG": &m.net.cgreg, "+CEREG": &m.net.cereg}[c.Name]
	switch c.Op {
	case Read:
		return []string{fmt.Sprintf("%s: %d,%s", c.Name, *n, regFields(c.Name, *n, m.regStat()))}, nil
	case Test:
		return []string{c.Name + ": (0-2)"}, nil
	case Set:
		ps, ok := c.intParams(0)
		if !ok || len(ps) != 1 || ps[0] < 0 || ps[0] > 2 {
			return nil, CMEOperationNotAllowed
		}
		*n = ps[0]
		return nil, nil
	}
	return nil, errPlain
}

// cmdCSQ is AT+CSQ: the RSSI while the radio is up, else 99 (unknown).
func cmdCSQ(s *session, c Command) ([]string, error) {
	m := s.m
	switch c.Op {
	case Test:
		return []string{"+CSQ: (0-31,99),(0-7,99)"}, nil
	case Exec:
		if m.plugged && m.net.cfun == 1 && !m.lost {
			return []string{fmt.Sprintf("+CSQ: %d,99", m.rssi)}, nil
		}
		return []string{"+CSQ: 99,99"}, nil
	}
	return nil, errPlain
}

// cmdCOPS is AT+COPS: automatic selection of the one operator.
func cmdCOPS(s *session, c Command) ([]string, error) {
	m := s.m
	switch c.Op {
	case Read:
		if st := m.regStat(); st == regHome || st == regRoaming {
			return []string{fmt.Sprintf(`+COPS: 0,0,"%s",7`, m.o.Operator)}, nil
		}
		return []string{"+COPS: 0"}, nil
	case Test:
		return []string{fmt.Sprintf(`+COPS: (2,"%s","%s","%s",7),,(0-4),(0-2)`, m.o.Operator, m.o.Operator, m.o.IMSI[:min(6, len(m.o.IMSI))])}, nil
	case Set:
		return nil, nil
	}
	return nil, errPlain
}

// cmdCFUN is AT+CFUN: 0 and 4 switch the radio off, 1 on, and 1,1
// restarts the modem (it answers OK first).
func cmdCFUN(s *session, c Command) ([]string, error) {
	m := s.m
	switch c.Op {
	case Read:
		return []string{fmt.Sprintf("+CFUN: %d", m.net.cfun)}, nil
	case Test:
		return []string{"+CFUN: (0,1,4),(0,1)"}, nil
	case Set:
		ps, ok := c.intParams(0)
		if !ok || len(ps) < 1 || len(ps) > 2 || (ps[0] != 0 && ps[0] != 1 && ps[0] != 4) {
			return nil, CMEOperationNotAllowed
		}
		if len(ps) == 2 && ps[1] == 1 {
			if ps[0] != 1 {
				return nil, CMEOperationNotAllowed
			}
			m.powerOn()
			return nil, nil
		}
		m.net.cfun = ps[0]
		m.updateRadio()
		return nil, nil
	}
	return nil, errPlain
}
