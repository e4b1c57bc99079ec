package modemsim

import (
	"fmt"
	"strings"
)

// SIM states as AT+CPIN? reports them.
const (
	SIMReady = "READY"
	SIMPIN   = "SIM PIN"
	SIMPUK   = "SIM PUK"
)

// maxPINTries is how many wrong PINs in a row lock the SIM into PUK.
const maxPINTries = 3

// simState is the SIM card: its PIN and how many wrong ones were tried
// survive a power cycle, as on a real card.
type simState struct {
	pin   string // "" when the SIM asks for none
	state string
	wrong int
}

// simPowerOn locks the SIM again, unless it wants its PUK.
func (m *Modem) simPowerOn() {
	switch {
	case m.sim.state == SIMPUK:
	case m.sim.pin != "":
		m.sim.state = SIMPIN
	default:
		m.sim.state = SIMReady
	}
}

// SIMState returns what AT+CPIN? answers: SIMReady, SIMPIN or SIMPUK.
func (m *Modem) SIMState() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.sim.state
}

// needSIM is the +CME ERROR a SIM command gets while the SIM is locked.
func (m *Modem) needSIM() error {
	switch m.sim.state {
	case SIMPIN:
		return CMESIMPINRequired
	case SIMPUK:
		return CMESIMPUKRequired
	}
	return nil
}

// needSIMForSMS is the +CMS ERROR an SMS command gets while the SIM is
// locked.
func (m *Modem) needSIMForSMS() error {
	switch m.sim.state {
	case SIMPIN:
		return CMSSIMPINRequired
	case SIMPUK:
		return CMSSIMPUKRequired
	}
	return nil
}

// cmdCPIN is AT+CPIN? and AT+CPIN="<pin>" (or "<puk>","<new pin>").
func cmdCPIN(s *session, c Command) ([]string, error) {
	m := s.m
	switch c.Op {
	case Read:
		return []string{"+CPIN: " + m.sim.state}, nil
	case Test:
		return nil, nil
	case Exec:
		return nil, errPlain
	}
	ps := c.Params()
	switch m.sim.state {
	case SIMPIN:
		if len(ps) < 1 {
			return nil, errPlain
		}
		if ps[0] != m.sim.pin {
			if m.sim.wrong++; m.sim.wrong >= maxPINTries {
				m.sim.state = SIMPUK
			}
			return nil, CMEIncorrectPassword
		}
	case SIMPUK:
		if len(ps) != 2 || ps[1] == "" {
			return nil, CMESIMPUKRequired
		}
		if ps[0] != m.o.PUK {
			return nil, CMEIncorrectPassword
		}
		m.sim.pin = ps[1]
	default:
		return nil, CMEOperationNotAllowed
	}
	m.sim.state, m.sim.wrong = SIMReady, 0
	m.updateRadio()
	return nil, nil
}

// cmdQPINC is Quectel's AT+QPINC="SC" (or AT+QPINC?): the PIN and PUK
// attempts left, "+QPINC: "SC",<pin>,<puk>".
func cmdQPINC(s *session, c Command) ([]string, error) {
	m := s.m
	line := fmt.Sprintf(`+QPINC: "SC",%d,10`, maxPINTries-m.sim.wrong)
	switch c.Op {
	case Test:
		return []string{`+QPINC: ("SC","P2")`}, nil
	case Read:
		return []string{line, `+QPINC: "P2",3,10`}, nil
	case Set:
		if p := c.Params(); len(p) == 1 && strings.EqualFold(p[0], "SC") {
			return []string{line}, nil
		}
		return nil, CMEOperationNotAllowed
	}
	return nil, errPlain
}

// cmdIdentity answers the identification commands.
func cmdIdentity(s *session, c Command) ([]string, error) {
	if c.Op == Test {
		return nil, nil
	}
	o := &s.m.o
	switch c.Name {
	case "I":
		return []string{o.Manufacturer, o.Model, "Revision: " + o.Revision}, nil
	case "+CGMI", "+GMI":
		return []string{o.Manufacturer}, nil
	case "+CGMM", "+GMM":
		return []string{o.Model}, nil
	case "+CGMR", "+GMR":
		return []string{o.Revision}, nil
	case "+CGSN", "+GSN":
		return []string{o.IMEI}, nil
	case "+GCAP":
		return []string{"+GCAP: +CGSM,+FCLASS,+DS"}, nil
	case "+CIMI":
		if err := s.m.needSIM(); err != nil {
			return nil, err
		}
		return []string{o.IMSI}, nil
	case "+CCID":
		return []string{"+CCID: " + o.ICCID}, nil
	case "+QCCID":
		return []string{"+QCCID: " + o.ICCID}, nil
	case "+ICCID":
		return []string{"ICCID: " + o.ICCID}, nil
	}
	return nil, errPlain
}
