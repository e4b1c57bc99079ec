package modemsim

import (
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/smsgw/smsgw/pdu"
)

// inbound is an SMS-DELIVER or SMS-STATUS-REPORT on its way from the
// network to the gateway.
type inbound struct {
	tpdu   []byte
	report bool
	class  pdu.Class
}

// enqueue hands messages to the network side, which delivers them as
// soon as the modem can take them; m.mu is held.
func (m *Modem) enqueue(in ...inbound) {
	m.sms.held = append(m.sms.held, in...)
	m.pump()
	m.notify()
}

// pump delivers what the network holds, in order, until one message
// cannot go yet (no registration, storage full, an acknowledgement
// pending); m.mu is held.
func (m *Modem) pump() {
	for len(m.sms.held) > 0 && m.route(m.sms.held[0]) {
		m.sms.held = m.sms.held[1:]
	}
}

// route delivers one message as AT+CNMI says: <mt> for MO (0 store, 1
// store and +CMTI, 2 +CMT, 3 +CMT for class 3 only), <ds> for status
// reports (0 not routed, 1 +CDS, 2 store and +CDSI). Class 2 (SIM) MO
// are always stored. It returns false if the message must wait.
func (m *Modem) route(in inbound) bool {
	if !m.radioOn() || !m.net.registered {
		return false
	}
	st := &m.sms
	if in.report {
		switch st.cnmi[3] {
		case 1:
			return m.direct(in, fmt.Sprintf("+CDS: %d", len(in.tpdu)))
		case 2:
			return m.storeNotify(in, "+CDSI")
		}
		m.stats.Dropped++
		return true
	}
	mt := st.cnmi[1]
	if in.class != pdu.Class2 && (mt == 2 || (mt == 3 && in.class == pdu.Class3)) {
		return m.direct(in, fmt.Sprintf("+CMT: ,%d", len(in.tpdu)))
	}
	note := ""
	if mt != 0 {
		note = "+CMTI"
	}
	return m.storeNotify(in, note)
}

// frame prefixes a TPDU with the SMSC part.
func (m *Modem) frame(tpdu []byte) []byte {
	f, _ := pdu.AppendFrame(nil, m.smsc, tpdu)
	return f
}

func (m *Modem) count(in inbound) {
	if in.report {
		m.stats.Reports++
	} else {
		m.stats.Delivered++
	}
}

// direct sends +CMT or +CDS with the PDU. After AT+CSMS=1 the gateway
// must acknowledge it with AT+CNMA within AckTimeout, and nothing else
// is delivered directly until it does.
func (m *Modem) direct(in inbound, head string) bool {
	st := &m.sms
	if st.ack != nil {
		return false
	}
	b := m.frame(in.tpdu)
	if in.report && m.o.BareCDS {
		b = in.tpdu
	}
	m.urc(head, strings.ToUpper(hex.EncodeToString(b)))
	m.count(in)
	if st.csms != 1 {
		return true // phase 2: no acknowledgement
	}
	st.ack = &in
	st.ackGen++
	gen := st.ackGen
	m.after(m.o.AckTimeout, func() {
		if st.ackGen != gen || st.ack == nil {
			return
		}
		// TS 27.005 section 3.4.1: the ME gives up, tells the network,
		// and routes nothing more to the TE.
		m.stats.AckTimeouts++
		st.held = append([]inbound{*st.ack}, st.held...)
		st.ack = nil
		st.cnmi[1], st.cnmi[3] = 0, 0
		m.pump()
	})
	return true
}

// storeNotify stores in <mem3> and, when note is set, tells where. A
// class 2 (SIM-specific, TS 23.038) message goes to the SIM ("SM")
// whatever <mem3> says, as modems store it.
func (m *Modem) storeNotify(in inbound, note string) bool {
	mem := m.sms.mem[2]
	if in.class == pdu.Class2 && !in.report {
		mem = "SM"
	}
	i, ok := m.put(mem, &slot{stat: StatUnread, frame: m.frame(in.tpdu), tpdu: len(in.tpdu), report: in.report})
	if !ok {
		return false
	}
	m.count(in)
	if note != "" {
		m.urc(fmt.Sprintf(`%s: "%s",%d`, note, mem, i))
	}
	return true
}

// cmdCNMI is AT+CNMI=<mode>,<mt>,<bm>,<ds>,<bfr>; parameters left out
// keep their values.
func cmdCNMI(s *session, c Command) ([]string, error) {
	m := s.m
	st := &m.sms
	switch c.Op {
	case Read:
		v := st.cnmi
		return []string{fmt.Sprintf("+CNMI: %d,%d,%d,%d,%d", v[0], v[1], v[2], v[3], v[4])}, nil
	case Test:
		if m.o.DirectOnly {
			return []string{"+CNMI: (0-2),(0,2),(0,2),(0,1),(0,1)"}, nil
		}
		return []string{"+CNMI: (0-2),(0-3),(0,2),(0-2),(0,1)"}, nil
	case Set:
		ps, ok := c.intParams(-1)
		if !ok || len(ps) > 5 {
			return nil, CMSOperationNotSupported
		}
		v := st.cnmi
		limit := [5]int{2, 3, 3, 2, 1}
		for i, p := range ps {
			if p == -1 {
				continue
			}
			if p < 0 || p > limit[i] {
				return nil, CMSOperationNotSupported
			}
			v[i] = p
		}
		if m.o.DirectOnly && (v[1] == 1 || v[1] == 3 || v[3] == 2) {
			return nil, CMSOperationNotSupported
		}
		st.cnmi = v
		m.pump()
		return nil, nil
	}
	return nil, errPlain
}

// cmdCNMA is AT+CNMA (or =0, =1: acknowledge) and AT+CNMA=2 (refuse)
// for the +CMT or +CDS delivered last.
func cmdCNMA(s *session, c Command) ([]string, error) {
	m := s.m
	st := &m.sms
	if c.Op == Test {
		return []string{"+CNMA: (0-2)"}, nil
	}
	if c.Op != Exec && c.Op != Set {
		return nil, errPlain
	}
	ps := c.Params()
	if len(ps) > 1 || (len(ps) == 1 && ps[0] != "0" && ps[0] != "1" && ps[0] != "2") {
		return nil, CMSOperationNotSupported
	}
	if st.csms != 1 || st.ack == nil {
		return nil, CMSNoAckExpected
	}
	if len(ps) == 1 && ps[0] == "2" {
		m.stats.Nacks++
	} else {
		m.stats.Acks++
	}
	st.ack = nil
	st.ackGen++
	m.pump()
	return nil, nil
}
