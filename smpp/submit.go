package smpp

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/fiorix/go-smpp/smpp/pdu"
	"github.com/fiorix/go-smpp/smpp/pdu/pdufield"
	"github.com/fiorix/go-smpp/smpp/pdu/pdutlv"

	"github.com/smsgw/smsgw/spool"
)

// More command_status values (SMPP 3.4 5.1.3).
const (
	StatusInvPrtFlg   pdu.Status = 0x06
	StatusInvSrcAdr   pdu.Status = 0x0A
	StatusInvESMClass pdu.Status = 0x43
	StatusInvDstAdr   pdu.Status = 0x0B
	StatusSubmitFail  pdu.Status = 0x45
	StatusInvSchedule pdu.Status = 0x61
	StatusInvExpiry   pdu.Status = 0x62
	StatusInvDCS      pdu.Status = 0x104
	StatusInvOptParam pdu.Status = 0xC4 // ESME_RINVOPTPARAMVAL
)

// statusFor maps a submit error to command_status. A Submitter may also
// return an error with an SMPPStatus() method for its own causes.
func statusFor(err error) pdu.Status {
	var se interface{ SMPPStatus() pdu.Status }
	switch {
	case errors.As(err, &se):
		return se.SMPPStatus()
	case errors.Is(err, spool.ErrSpoolFull):
		return StatusMsgQFul
	case errors.Is(err, spool.ErrInvalid) && strings.Contains(err.Error(), "to:"):
		return StatusInvDstAdr
	case errors.Is(err, spool.ErrInvalid) && strings.Contains(err.Error(), "from:"):
		return StatusInvSrcAdr
	case errors.Is(err, spool.ErrInvalid):
		return StatusSubmitFail
	}
	return StatusSysErr
}

// submitError is a submit_sm refused before it reached the Submitter.
type submitError struct {
	status pdu.Status
	msg    string
}

func (e submitError) Error() string          { return e.msg }
func (e submitError) SMPPStatus() pdu.Status { return e.status }

func (srv *Server) submit(ctx context.Context, b *binding, req pdu.Body) {
	m, err := submitMessage(req, srv.o.Now(), b.acct.DefaultAlphabet, b.acct.IA5Alphabet)
	if err == nil {
		m.Tenant, m.Source, m.SourceAddr = b.acct.Tenant, "smpp:"+b.acct.SystemID, hostOf(b.s.conn.RemoteAddr().String())
		err = b.acct.sourceAllowed(m.From)
	}
	if err == nil && srv.join != nil {
		if cc, ok := concatOf(req, m); ok {
			srv.submitPart(ctx, b, req, m, cc, byteField(req.Fields(), pdufield.DataCoding))
			return
		}
	}
	if err == nil {
		m, err = srv.sub.Submit(ctx, m)
	}
	if err != nil {
		srv.log.Info("submit_sm refused", "system_id", b.acct.SystemID, "err", err)
		b.s.RespondStatus(req, statusFor(err))
		return
	}
	srv.respondID(b, req, m.ID) // only now: the message is on disk
}

// submitMessage reads a submit_sm into a message (without tenant and
// source). go-smpp decodes truncated bodies without error, so every
// mandatory field is checked here.
func submitMessage(req pdu.Body, now time.Time, dc0, dc1 string) (*spool.Message, error) {
	f := req.Fields()
	to := strField(f, pdufield.DestinationAddr)
	if to == "" {
		return nil, submitError{StatusInvDstAdr, "destination_addr is empty"}
	}
	if ton := byteField(f, pdufield.DestAddrTON); ton == 1 && !strings.HasPrefix(to, "+") {
		to = "+" + to
	}
	from := strField(f, pdufield.SourceAddr)
	if ton := byteField(f, pdufield.SourceAddrTON); ton == 1 && from != "" && !strings.HasPrefix(from, "+") {
		from = "+" + from
	}
	if t := byteField(f, pdufield.ESMClass) & 0x3C; t != 0 {
		// A receipt or an acknowledgement type (SMPP 3.4 5.2.12) is the
		// SMSC's to send, not an ESME's to submit.
		return nil, submitError{StatusInvESMClass, fmt.Sprintf("esm_class message type %#02x in a submit", t)}
	}
	m := &spool.Message{To: to, From: from}
	body := bytesField(f, pdufield.ShortMessage)
	if p, ok := req.TLVFields()[pdutlv.TagMessagePayload]; ok && p != nil {
		if len(body) > 0 {
			// SMPP 3.4 5.3.2.32: one or the other; sending either alone
			// would not be what the client sent.
			return nil, submitError{StatusInvOptParam, "short_message and message_payload both given"}
		}
		body = p.Bytes()
	}
	if byteField(f, pdufield.ESMClass)&0x40 != 0 {
		if len(body) == 0 || int(body[0])+1 > len(body) {
			return nil, submitError{StatusInvMsgLen, "esm_class says UDH but short_message has none"}
		}
		m.UDH, body = append([]byte(nil), body[:body[0]+1]...), body[body[0]+1:]
	}
	dc := byteField(f, pdufield.DataCoding)
	if dc == 0x01 && dc1 == AlphabetGSM7 { // the account's ESME writes GSM there
		dc, dc0 = 0x00, AlphabetGSM7
	}
	ct, err := readContent(dc, body, dc0)
	if err != nil {
		if strings.Contains(err.Error(), "not supported") {
			return nil, submitError{StatusInvDCS, err.Error()}
		}
		return nil, submitError{StatusInvMsgLen, err.Error()}
	}
	m.Body, m.Binary = ct.text, ct.binary
	m.Class0 = class0(byteField(f, pdufield.DataCoding))
	if m.Body == "" && m.Binary == nil {
		return nil, submitError{StatusInvMsgLen, "empty message"}
	}
	// registered_delivery bits 0-1: 1 a receipt for success or failure,
	// 2 for failure only (3 is reserved: taken as 1).
	rd := byteField(f, pdufield.RegisteredDelivery) & 0x03
	m.ReportReq, m.ReportFailOnly = rd != 0, rd == 2
	switch p := byteField(f, pdufield.PriorityFlag); {
	case p > 3:
		// Not a level: an emergency past every limit is not what a
		// client that sent garbage gets.
		return nil, submitError{StatusInvPrtFlg, fmt.Sprintf("priority_flag %d is not 0 to 3", p)}
	case p >= 2:
		m.Priority = spool.PriorityEmergency
	case p == 1:
		m.Priority = spool.PriorityHigh
	}
	if m.ValidUntil, err = smppTime(strField(f, pdufield.ValidityPeriod), now); err != nil {
		return nil, submitError{StatusInvExpiry, err.Error()}
	}
	if !m.ValidUntil.IsZero() && !m.ValidUntil.After(now) {
		return nil, submitError{StatusInvExpiry, "validity_period is over already"}
	}
	if m.SendAt, err = smppTime(strField(f, pdufield.ScheduleDeliveryTime), now); err != nil {
		return nil, submitError{StatusInvSchedule, err.Error()}
	}
	if !m.ValidUntil.IsZero() && !m.SendAt.IsZero() && !m.SendAt.Before(m.ValidUntil) {
		return nil, submitError{StatusInvExpiry, "validity_period ends before schedule_delivery_time"}
	}
	return m, nil
}

// class0 says whether data_coding asks for a class 0 (flash) message:
// 0xF0-0xF7 with class bits 00 (GSM 03.38 coding group 1111), or the
// general data coding group (00xx) with its class bits in use (bit 4)
// and set to 00.
func class0(dc uint8) bool {
	switch {
	case dc&0xF0 == 0xF0:
		return dc&0x03 == 0
	case dc&0xC0 == 0x00:
		return dc&0x10 != 0 && dc&0x03 == 0
	}
	return false
}

// strField and bytesField read a field that go-smpp's lenient decoder
// may have left out of a malformed PDU (a nil Body: calling it panics).
func strField(f pdufield.Map, name pdufield.Name) string {
	if v, ok := f[name]; ok && v != nil {
		return v.String()
	}
	return ""
}

func bytesField(f pdufield.Map, name pdufield.Name) []byte {
	if v, ok := f[name]; ok && v != nil {
		return v.Bytes()
	}
	return nil
}

func byteField(f pdufield.Map, name pdufield.Name) uint8 {
	if v, ok := f[name]; ok && v != nil {
		if b := v.Bytes(); len(b) > 0 {
			return b[0]
		}
	}
	return 0
}

// smppTime reads an SMPP 3.4 time (section 7.1.1): "" is none;
// "YYMMDDhhmmsstnnp" with p "+"/"-" an absolute time with its offset in
// quarter hours, or "R" a relative one.
func smppTime(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if len(s) != 16 {
		return time.Time{}, fmt.Errorf("time %q is not 16 characters", s)
	}
	n := func(i int) int { v, _ := strconv.Atoi(s[i : i+2]); return v }
	for _, c := range s[:15] {
		if c < '0' || c > '9' {
			return time.Time{}, fmt.Errorf("time %q has a non-digit", s)
		}
	}
	switch s[15] {
	case 'R':
		d := time.Duration(n(0))*365*24*time.Hour + time.Duration(n(2))*30*24*time.Hour +
			time.Duration(n(4))*24*time.Hour + time.Duration(n(6))*time.Hour +
			time.Duration(n(8))*time.Minute + time.Duration(n(10))*time.Second
		return now.Add(d), nil
	case '+', '-':
		// SMPP 3.4 7.1.1: the offset is in quarter hours, at most 48
		// (12 hours); the fields name a real date and time of day.
		if n(13) > 48 {
			return time.Time{}, fmt.Errorf("time %q has a UTC offset of %d quarter hours, more than 48", s, n(13))
		}
		off := time.Duration(n(13)) * 15 * time.Minute
		if s[15] == '-' {
			off = -off
		}
		t := time.Date(2000+n(0), time.Month(n(2)), n(4), n(6), n(8), n(10), int(s[12]-'0')*100_000_000, time.UTC)
		if t.Month() != time.Month(n(2)) || t.Day() != n(4) || t.Hour() != n(6) || t.Minute() != n(8) || t.Second() != n(10) {
			return time.Time{}, fmt.Errorf("time %q is not a real date and time", s)
		}
		return t.Add(-off), nil
	}
	return time.Time{}, fmt.Errorf("time %q ends in %q, not +, - or R", s, s[15])
}

func hostOf(addr string) string {
	if i := strings.LastIndex(addr, ":"); i > 0 {
		return strings.Trim(addr[:i], "[]")
	}
	return addr
}
