package modemsim

import (
	"fmt"
	"strings"

	"github.com/smsgw/smsgw/pdu"
)

// handler is a built-in command; it runs with m.mu held, on the
// session's goroutine (so it may change the session's settings).
type handler func(s *session, c Command) ([]string, error)

// Handler answers a command in place of the simulator's own (see
// Handle): the information lines, then nil for OK, or the error whose
// final result code to answer (a CMSError, a CMEError, or any other
// error for plain ERROR). It runs on the session's goroutine and may
// call the Modem's methods.
type Handler func(c Command) ([]string, error)

var builtins map[string]handler

func init() {
	builtins = map[string]handler{
		"": ok, "Q": ok, "X": ok, "&W": ok, "&C": ok, "&D": ok, "H": ok, "L": ok, "M": ok,
		"E": cmdE, "V": cmdV, "Z": cmdZ, "&F": cmdZ,
		"I": cmdIdentity, "+CGMI": cmdIdentity, "+GMI": cmdIdentity, "+CGMM": cmdIdentity,
		"+GMM": cmdIdentity, "+CGMR": cmdIdentity, "+GMR": cmdIdentity, "+CGSN": cmdIdentity,
		"+GSN": cmdIdentity, "+GCAP": cmdIdentity, "+CIMI": cmdIdentity, "+CCID": cmdIdentity,
		"+QCCID": cmdIdentity, "+ICCID": cmdIdentity,
		"+CMEE": cmdCMEE, "+CSCS": cmdCSCS, "+CPIN": cmdCPIN, "+QPINC": cmdQPINC,
		"+CREG": cmdReg, "+CGREG": cmdReg, "+CEREG": cmdReg,
		"+CSQ": cmdCSQ, "+COPS": cmdCOPS, "+CFUN": cmdCFUN,
		"+CMGF": cmdCMGF, "+CSMS": cmdCSMS, "+CPMS": cmdCPMS, "+CSCA": cmdCSCA,
		"+CNMI": cmdCNMI, "+CNMA": cmdCNMA,
		"+CMGS": cmdPrompt, "+CMGW": cmdPrompt, "+CMGR": cmdCMGR, "+CMGL": cmdCMGL, "+CMGD": cmdCMGD,
	}
}

// Handle makes h answer the command called name (such as "+CSQ" or
// "+QCSQ") in place of the built-in one, to simulate a vendor command
// or a quirk; a nil h restores the built-in answer.
func (m *Modem) Handle(name string, h Handler) {
	name = strings.TrimPrefix(strings.ToUpper(strings.TrimSpace(name)), "AT")
	m.mu.Lock()
	defer m.mu.Unlock()
	if h == nil {
		delete(m.handlers, name)
		return
	}
	m.handlers[name] = h
}

// exec runs one command.
func (s *session) exec(c Command) ([]string, error) {
	m := s.m
	m.mu.Lock()
	h, custom := m.handlers[c.Name]
	m.mu.Unlock()
	if custom {
		lines, err := h(c)
		m.mu.Lock()
		m.notify()
		m.mu.Unlock()
		return lines, err
	}
	b, found := builtins[c.Name]
	if !found && len(c.Name) > 1 && c.Name[0] == 'S' {
		b, found = cmdS, true
	}
	if !found {
		return nil, errPlain // an unknown command is a plain ERROR
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	lines, err := b(s, c)
	m.notify()
	return lines, err
}

func ok(*session, Command) ([]string, error) { return nil, nil }

// cmdS accepts S-registers without keeping them.
func cmdS(_ *session, c Command) ([]string, error) {
	if c.Op == Read {
		return []string{"000"}, nil
	}
	return nil, nil
}

// cmdE is ATE0 and ATE1: the modem's own echo.
func cmdE(s *session, c Command) ([]string, error) {
	switch c.Args {
	case "0":
		s.echo = false
	case "", "1":
		s.echo = true
	default:
		return nil, errPlain
	}
	return nil, nil
}

// cmdV only accepts verbose result codes (ATV1).
func cmdV(_ *session, c Command) ([]string, error) {
	if c.Args == "" || c.Args == "1" {
		return nil, nil
	}
	return nil, errPlain
}

// cmdZ is ATZ and AT&F: echo on and plain errors again.
func cmdZ(s *session, _ Command) ([]string, error) {
	s.echo, s.cmee = true, 0
	return nil, nil
}

// cmdCMEE is AT+CMEE: 0 plain ERROR, 1 numeric codes, 2 verbose ones.
func cmdCMEE(s *session, c Command) ([]string, error) {
	switch c.Op {
	case Read:
		return []string{fmt.Sprintf("+CMEE: %d", s.cmee)}, nil
	case Test:
		return []string{"+CMEE: (0-2)"}, nil
	case Set:
		ps, ok := c.intParams(0)
		if !ok || len(ps) != 1 || ps[0] < 0 || ps[0] > 2 {
			return nil, CMEOperationNotAllowed
		}
		s.cmee = ps[0]
		return nil, nil
	}
	return nil, errPlain
}

// cmdCSCS is AT+CSCS: the character set is accepted and ignored (PDU
// mode does not use it).
func cmdCSCS(_ *session, c Command) ([]string, error) {
	switch c.Op {
	case Read:
		return []string{`+CSCS: "GSM"`}, nil
	case Test:
		return []string{`+CSCS: ("GSM","IRA","UCS2")`}, nil
	}
	return nil, nil
}

// cmdCMGF is AT+CMGF: only PDU mode (0); text mode is refused.
func cmdCMGF(s *session, c Command) ([]string, error) {
	switch c.Op {
	case Read:
		return []string{fmt.Sprintf("+CMGF: %d", s.m.sms.cmgf)}, nil
	case Test:
		return []string{"+CMGF: (0)"}, nil
	case Set:
		if p := c.Params(); len(p) == 1 && p[0] == "0" {
			return nil, nil
		}
		return nil, CMSOperationNotSupported
	}
	return nil, errPlain
}

// cmdCSMS is AT+CSMS: service 1 (phase 2+) makes +CMT and +CDS wait
// for AT+CNMA.
func cmdCSMS(s *session, c Command) ([]string, error) {
	st := &s.m.sms
	switch c.Op {
	case Read:
		return []string{fmt.Sprintf("+CSMS: %d,1,1,1", st.csms)}, nil
	case Test:
		return []string{"+CSMS: (0,1)"}, nil
	case Set:
		ps, ok := c.intParams(0)
		if !ok || len(ps) != 1 || ps[0] < 0 || ps[0] > 1 {
			return nil, CMSOperationNotSupported
		}
		st.csms = ps[0]
		return []string{"+CSMS: 1,1,1"}, nil
	}
	return nil, errPlain
}

// cmdCSCA is AT+CSCA: the SMSC address, also the SMSC part of the PDUs
// the modem hands over.
func cmdCSCA(s *session, c Command) ([]string, error) {
	m := s.m
	if c.Op == Test {
		return nil, nil
	}
	if err := m.needSIMForSMS(); err != nil {
		return nil, err
	}
	switch c.Op {
	case Read:
		toa := 129
		if m.smsc.TON == pdu.TONInternational {
			toa = 145
		}
		return []string{fmt.Sprintf(`+CSCA: "%s",%d`, m.smsc, toa)}, nil
	case Set:
		ps := c.Params()
		if len(ps) < 1 || len(ps) > 2 {
			return nil, CMSOperationNotAllowed
		}
		a, err := pdu.ParseAddress(ps[0])
		if err != nil || a.TON == pdu.TONAlphanumeric {
			return nil, CMSOperationNotAllowed
		}
		m.smsc = a
		return nil, nil
	}
	return nil, errPlain
}
