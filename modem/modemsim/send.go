package modemsim

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/smsgw/smsgw/pdu"
)

// maxTPDU is the longest SMS-SUBMIT: TS 23.040 with a 12-octet address,
// a 7-octet validity and 140 octets of user data.
const maxTPDU = 164

// errPrompt tells the session to give the "> " prompt and read a PDU.
var errPrompt = errors.New("prompt")

// prompt is an AT+CMGS or AT+CMGW waiting for its PDU.
type prompt struct {
	cmd    string
	length int // the TPDU length the command announced
	stat   int // AT+CMGW
	hex    []byte
	fault  lineFault
}

// Submit is a message the modem sent: an AT+CMGS answered +CMGS.
type Submit struct {
	MR      byte        // the TP-MR the modem gave it, as +CMGS: <mr> reported
	SMSC    pdu.Address // the SMSC part of the PDU (zero: the SIM's)
	Message *pdu.Submit // the SMS-SUBMIT as decoded (its MR is the gateway's)
	PDU     []byte      // the PDU as received, SMSC part first
	Time    time.Time
}

// Text decodes the user data of the part (not reassembled).
func (s Submit) Text() (string, error) { return s.Message.UserData.Text() }

// Submits returns the messages sent so far, in order.
func (m *Modem) Submits() []Submit {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Submit(nil), m.submits...)
}

// WaitSubmits waits until at least n messages were sent and returns
// them all, or fails when ctx ends.
func (m *Modem) WaitSubmits(ctx context.Context, n int) ([]Submit, error) {
	var subs []Submit
	err := m.Wait(ctx, func() bool {
		subs = m.Submits()
		return len(subs) >= n
	})
	if err != nil {
		return subs, fmt.Errorf("modemsim: %d of %d submits: %w", len(subs), n, err)
	}
	return subs, nil
}

// cmdPrompt is AT+CMGS=<length> and AT+CMGW=<length>[,<stat>].
func cmdPrompt(s *session, c Command) ([]string, error) {
	m := s.m
	if c.Op == Test {
		return nil, nil
	}
	if err := m.needSIMForSMS(); err != nil {
		return nil, err
	}
	ps, ok := c.intParams(StatUnsent)
	if c.Op != Set || !ok || len(ps) < 1 || len(ps) > 2 || (c.Name == "+CMGS" && len(ps) != 1) {
		return nil, CMSOperationNotAllowed
	}
	if ps[0] < 7 || ps[0] > maxTPDU {
		return nil, CMSInvalidPDUParameter
	}
	p := &prompt{cmd: c.Name, length: ps[0], stat: StatUnsent}
	if len(ps) == 2 {
		if ps[1] < StatUnread || ps[1] > StatSent {
			return nil, CMSOperationNotAllowed
		}
		p.stat = ps[1]
	}
	s.prompt = p
	return nil, errPrompt
}

// promptByte takes one byte of a PDU: hex digits, Ctrl-Z to send, ESC
// to cancel. With echo on, the digits are echoed as a modem does.
func (s *session) promptByte(c byte) {
	p := s.prompt
	switch c {
	case 0x1a:
		s.prompt = nil
		s.m.trace(s.name, '<', append(p.hex, c))
		s.finishPDU(p)
	case 0x1b:
		s.prompt = nil
		s.m.trace(s.name, '<', append(p.hex, c))
		s.reply(nil, nil, nil) // cancelled
	case '\r', '\n', ' ':
	default:
		if s.echo {
			s.echoBuf = append(s.echoBuf, c)
		}
		if len(p.hex) <= 2*(maxTPDU+12) {
			p.hex = append(p.hex, c)
		}
	}
}

// decodeFrame checks a PDU in hex against the announced TPDU length.
func decodeFrame(h []byte, length int) (frame []byte, smsc pdu.Address, msg pdu.Message, err error) {
	frame = make([]byte, hex.DecodedLen(len(h)))
	if _, err := hex.Decode(frame, h); err != nil || len(frame) < 1 {
		return nil, smsc, nil, CMSInvalidPDUParameter
	}
	if n := 1 + int(frame[0]); n > len(frame) || len(frame)-n != length {
		return nil, smsc, nil, CMSInvalidPDUParameter
	}
	smsc, msg, err = pdu.Decode(frame)
	if err != nil {
		return nil, smsc, nil, CMSInvalidPDUParameter
	}
	return frame, smsc, msg, nil
}

func (s *session) finishPDU(p *prompt) {
	frame, smsc, msg, err := decodeFrame(p.hex, p.length)
	if p.cmd == "+CMGW" {
		s.writeStored(p, frame, err)
		return
	}
	sub, ok := msg.(*pdu.Submit)
	if err == nil && !ok {
		err = CMSInvalidPDUParameter
	}
	if err != nil {
		s.reply(nil, err, nil)
		return
	}
	m := s.m
	var mid []byte
	for _, l := range p.fault.mid {
		mid = append(mid, "\r\n"+l+"\r\n"...)
	}
	s.write(mid)
	m.mu.Lock()
	if !m.radioOn() || !m.net.registered {
		err = CMSNoNetwork
	}
	m.mu.Unlock()
	if err != nil {
		s.reply(nil, err, nil)
		return
	}
	if !s.wait(max(m.o.SendDelay, 0) + p.fault.hang) {
		return
	}
	if p.fault.fail != nil {
		s.reply(nil, p.fault.fail, nil)
		return
	}
	m.mu.Lock()
	mr := m.record(Submit{SMSC: smsc, Message: sub, PDU: frame, Time: time.Now()})
	m.mu.Unlock()
	if p.fault.hangForever {
		m.setHung()
		return
	}
	s.reply([]string{"+CMGS: " + strconv.Itoa(int(mr))}, nil, nil)
}

// record keeps a submit, gives it the next TP-MR and schedules its
// status report; m.mu is held.
func (m *Modem) record(sub Submit) byte {
	sub.MR = m.mr
	m.mr++
	m.submits = append(m.submits, sub)
	m.stats.Submits++
	if sub.Message.StatusReportRequest && m.o.ReportDelay >= 0 {
		st := m.report
		m.after(m.o.ReportDelay, func() {
			if in, err := statusReport(sub, st); err == nil {
				m.enqueue(in)
			}
		})
	}
	m.notify()
	return sub.MR
}

// writeStored finishes AT+CMGW: the PDU goes to <mem2>.
func (s *session) writeStored(p *prompt, frame []byte, err error) {
	if err != nil {
		s.reply(nil, err, nil)
		return
	}
	m := s.m
	m.mu.Lock()
	mem := m.sms.mem[1]
	i, ok := m.put(mem, &slot{stat: p.stat, frame: frame, tpdu: p.length})
	m.notify()
	m.mu.Unlock()
	if !ok {
		s.reply(nil, CMSMemoryFull, nil)
		return
	}
	s.reply([]string{"+CMGW: " + strconv.Itoa(i)}, nil, nil)
}
