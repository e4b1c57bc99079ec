package smpp

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"strings"
	"time"

	"github.com/fiorix/go-smpp/smpp/pdu"
	"github.com/fiorix/go-smpp/smpp/pdu/pdufield"
	"github.com/fiorix/go-smpp/smpp/pdu/pdutext"
	"github.com/fiorix/go-smpp/smpp/pdu/pdutlv"

	smspdu "github.com/smsgw/smsgw/pdu"
	"github.com/smsgw/smsgw/spool"
)

// Data codings of a carrier connector (CarrierOptions.DataCoding).
const (
	DataCodingGSM7    = "gsm7_0" // GSM 7-bit, unpacked, data_coding 0x00; UCS-2 when needed
	DataCodingGSM7IA5 = "gsm7_1" // GSM 7-bit, unpacked, data_coding 0x01; UCS-2 when needed
	DataCodingLatin1  = "latin1" // ISO-8859-1, data_coding 0x03; UCS-2 when needed
	DataCodingUCS2    = "ucs2"   // always UCS-2, data_coding 0x08
)

// throttledOut is how long a carrier may answer nothing but throttling
// (no part accepted) before its sends fail as unavailable.
const throttledOut = 10 * time.Second

// refusingSince is when the carrier started answering only throttling:
// the first throttle answer after the last accepted part (zero when it
// accepted one since, or never throttled).
func (c *Carrier) refusingSince() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	h := &c.health
	if h.FirstThrottle.IsZero() || h.LastAccepted.After(h.FirstThrottle) {
		h.FirstThrottle = time.Now() // this answer starts a new run
		return time.Time{}
	}
	return h.FirstThrottle
}

// maxThrottleRetries bounds how often one part is offered again to a
// carrier that answers ESME_RTHROTTLED or ESME_RMSGQFUL before the
// message goes back to the spool.
const maxThrottleRetries = 20

// Send implements route.Connector: one submit_sm per part, through the
// next bound session, paced. Parts already sent (m.SentParts, from an
// earlier attempt) are not sent again.
func (c *Carrier) Send(ctx context.Context, m *spool.Message) ([]string, error) {
	parts, coding, err := c.encode(m)
	if err != nil {
		return nil, spool.Permanent("unencodable", err)
	}
	var ids []string
	for i := m.SentParts(); i < len(parts); i++ {
		p, err := c.submitPDU(m, parts[i], coding)
		if err != nil {
			return ids, spool.Permanent("unencodable", err)
		}
		id, err := c.submit(ctx, p, m.Priority == spool.PriorityEmergency)
		if err != nil {
			return ids, err
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// submit sends one part, waiting out throttling, and returns the
// carrier's message id. An urgent part does not queue for the pacer's
// rate (pacer.wait).
func (c *Carrier) submit(ctx context.Context, p pdu.Body, urgent bool) (string, error) {
	for try := 0; ; try++ {
		s := c.pick()
		if s == nil {
			return "", spool.Retryable("not_bound", errNotBound)
		}
		if err := c.pace.wait(ctx, urgent); err != nil {
			return "", spool.Retryable("shutdown", err)
		}
		resp, err := s.Request(ctx, p)
		var st pdu.Status
		switch {
		case err == nil:
			c.pace.accepted()
			c.note(func(h *CarrierHealth) { h.Submitted++; h.LastAccepted = time.Now() })
			id := strField(resp.Fields(), pdufield.MessageID)
			if id == "" {
				c.log.Warn("carrier accepted a part without a message_id: no receipt can be matched to it")
			}
			return id, nil
		case errors.As(err, &st) && (st == StatusThrottled || st == StatusMsgQFul):
			d := c.pace.throttled(st == StatusMsgQFul)
			c.note(func(h *CarrierHealth) { h.Throttled++ })
			if since := c.refusingSince(); !since.IsZero() && time.Since(since) > throttledOut {
				// Nothing but throttling for a while: a barred account
				// or a carrier that is down behind its front end, not one
				// that takes less than we offer. The route's next
				// connector takes the traffic; the breaker tries this one
				// again later.
				return "", spool.Unavailable(fmt.Sprintf("smpp_%#x", uint32(st)),
					fmt.Errorf("the carrier has accepted nothing, only throttled, for %v: %w", time.Since(since).Round(time.Second), err))
			}
			if try >= maxThrottleRetries {
				// The carrier works, it only takes less than we offer:
				// not a reason to fail over (route's breaker).
				return "", spool.Overloaded(fmt.Sprintf("smpp_%#x", uint32(st)), err)
			}
			c.log.Debug("carrier throttling; slowing down", "status", st, "pause", d, "rate", c.pace.limit())
		case errors.As(err, &st) && st == StatusInvExpiry && strField(p.Fields(), pdufield.ValidityPeriod) != "":
			// The carrier refuses our validity_period: longer than its
			// maximum, or a time it reads as past (our clock and its
			// disagree). Its own default validity is better than no
			// message: the same part again, without one.
			c.log.Warn("carrier refused the validity period (ESME_RINVEXPIRY); sending without one, so the carrier's default applies",
				"validity_period", strField(p.Fields(), pdufield.ValidityPeriod))
			_ = p.Fields().Set(pdufield.ValidityPeriod, "")
		case errors.As(err, &st) && st == StatusInvBnd:
			// The SMSC no longer counts this session as bound (it lost
			// our bind, say after a failover of its own) and would refuse
			// every submit on it until it drops the link: bind again.
			c.log.Warn("carrier says the session is not bound (ESME_RINVBNDSTS); binding again")
			c.recycle(s)
			return "", carrierError(err)
		case errors.Is(err, ErrResponseTimeout):
			c.note(func(h *CarrierHealth) { h.PossibleDuplicates++ })
			c.log.Warn("submit_sm_resp never came; recycling the session", "timeout", c.responseTimeout())
			c.recycle(s)
			return "", carrierError(err)
		case errors.Is(err, ErrConnLost):
			c.note(func(h *CarrierHealth) { h.PossibleDuplicates++ })
			return "", carrierError(err)
		case errors.Is(err, ErrClosed) && try < maxThrottleRetries:
			continue // the session ended before the part went out: another one
		default:
			return "", carrierError(err)
		}
	}
}

// encode splits the message into parts as the carrier takes them.
func (c *Carrier) encode(m *spool.Message) ([]smspdu.UserData, uint8, error) {
	h := fnv.New32a()
	h.Write([]byte(m.ID))
	ref := uint16(h.Sum32()) // the same on every attempt
	if m.Binary != nil {
		var udh smspdu.UDH
		if len(m.UDH) > 0 { // 8-bit data may come with no header of its own
			var err error
			if udh, err = smspdu.ParseUDH(m.UDH); err != nil {
				return nil, 0, err
			}
		}
		parts, err := smspdu.SplitBinary(m.Binary, udh, ref, false, smspdu.NoClass)
		return c.payload(parts), 0x04, err
	}
	var parts []smspdu.UserData
	coding := uint8(0x08)
	ucs2 := m.Encoding == "ucs2" // the submitter asked for it (gateway.plan kept it)
	switch dc := c.o.DataCoding; {
	case dc == DataCodingLatin1 && isLatin1(m.Body) && len(m.UDH) == 0 && !ucs2:
		b := make([]byte, 0, len(m.Body))
		for _, r := range m.Body {
			b = append(b, byte(r))
		}
		var err error
		if parts, err = smspdu.SplitBinary(b, nil, ref, false, smspdu.NoClass); err != nil {
			return nil, 0, err
		}
		coding = 0x03
	default:
		opts := smspdu.Options{}
		if dc == DataCodingUCS2 || dc == DataCodingLatin1 || ucs2 {
			opts.Encoding = smspdu.UCS2
		}
		var enc smspdu.Encoding
		if len(m.UDH) > 0 {
			// Text after the caller's header, in one part (gateway.plan).
			udh, err := smspdu.ParseUDH(m.UDH)
			if err != nil {
				return nil, 0, err
			}
			_, part, err := smspdu.TextWithUDH(m.Body, udh, opts, smspdu.NoClass)
			if err != nil {
				return nil, 0, err
			}
			parts, enc = []smspdu.UserData{part}, part.Encoding()
		} else {
			plan, err := smspdu.PlanText(m.Body, opts)
			if err != nil {
				return nil, 0, err
			}
			if parts, err = plan.Split(m.Body, ref, smspdu.NoClass); err != nil {
				return nil, 0, err
			}
			enc = plan.Encoding
		}
		if enc == smspdu.GSM7 {
			coding = 0x00
			if dc == DataCodingGSM7IA5 {
				coding = 0x01
			}
		}
	}
	if m.Class0 {
		coding = flash(coding)
	}
	return c.payload(parts), coding, nil
}

// flash marks a data_coding as message class 0 (shown at once).
func flash(coding uint8) uint8 {
	switch coding {
	case 0x00, 0x01:
		return 0x10
	case 0x08:
		return 0x18
	}
	return 0x14 // 8-bit data, class 0
}

func isLatin1(s string) bool {
	for _, r := range s {
		if r > 0xFF {
			return false
		}
	}
	return true
}

// payload joins the parts into one for LongMessages "payload".
func (c *Carrier) payload(parts []smspdu.UserData) []smspdu.UserData {
	if c.o.LongMessages != "payload" || len(parts) < 2 {
		return parts
	}
	var all []byte
	for _, p := range parts {
		all = append(all, p.UD...)
	}
	return []smspdu.UserData{{DCS: parts[0].DCS, UD: all}}
}

// submitPDU builds the submit_sm for one part.
func (c *Carrier) submitPDU(m *spool.Message, part smspdu.UserData, coding uint8) (pdu.Body, error) {
	tlvs := pdutlv.Fields{}
	udh, err := part.UDH.MarshalBinary()
	if err != nil {
		return nil, err
	}
	if cc, ok := part.UDH.Concat(); ok && c.o.LongMessages == "sar" {
		udh = nil
		tlvs[pdutlv.TagSarMsgRefNum] = []byte{byte(cc.Ref >> 8), byte(cc.Ref)}
		tlvs[pdutlv.TagSarTotalSegments] = []byte{byte(cc.Total)}
		tlvs[pdutlv.TagSarSegmentSeqnum] = []byte{byte(cc.Seq)}
	}
	body := append(udh, part.UD...)
	if c.o.LongMessages == "payload" && len(body) > 254 {
		tlvs[pdutlv.TagMessagePayload] = body
		body = nil
	}
	p := pdu.NewSubmitSM(tlvs)
	f := p.Fields()
	ston, snpi := addrType(m.From)
	dton, dnpi := addrType(m.To)
	f.Set(pdufield.SourceAddrTON, or(c.o.SourceTON, ston))
	f.Set(pdufield.SourceAddrNPI, or(c.o.SourceNPI, snpi))
	f.Set(pdufield.SourceAddr, strings.TrimPrefix(m.From, "+"))
	f.Set(pdufield.DestAddrTON, or(c.o.DestTON, dton))
	f.Set(pdufield.DestAddrNPI, or(c.o.DestNPI, dnpi))
	f.Set(pdufield.DestinationAddr, strings.TrimPrefix(m.To, "+"))
	if len(udh) > 0 {
		f.Set(pdufield.ESMClass, uint8(0x40))
	}
	switch m.Priority {
	case spool.PriorityEmergency:
		f.Set(pdufield.PriorityFlag, uint8(3))
	case spool.PriorityHigh:
		f.Set(pdufield.PriorityFlag, uint8(1))
	}
	switch {
	case m.ValidUntil.IsZero():
	case c.o.RelativeValidity:
		f.Set(pdufield.ValidityPeriod, relativeTime(m.ValidUntil.Sub(c.o.Now())))
	default:
		f.Set(pdufield.ValidityPeriod, absoluteTime(m.ValidUntil))
	}
	f.Set(pdufield.RegisteredDelivery, uint8(1))
	f.Set(pdufield.ShortMessage, pdutext.Raw(body))
	f.Set(pdufield.DataCoding, coding) // after ShortMessage, which resets it (LIBRARIES 1.2)
	return p, nil
}

// addrType is the TON/NPI for an address as we store it.
func addrType(a string) (ton, npi uint8) {
	digits := strings.TrimPrefix(a, "+")
	allDigits := digits != "" && strings.Trim(digits, "0123456789") == ""
	switch {
	case strings.HasPrefix(a, "+") && allDigits:
		return 1, 1 // international, E.164
	case allDigits && len(digits) <= 8:
		return 3, 0 // network specific: a short code
	case a != "" && !allDigits:
		return 5, 0 // alphanumeric
	}
	return 0, 1
}

func or(v *uint8, def uint8) uint8 {
	if v != nil {
		return *v
	}
	return def
}

// absoluteTime prints t as an SMPP absolute time in UTC
// ("YYMMDDhhmmss000+"). Its two-digit year reads as 2000 to 2099: a time
// past 2099 is sent as the end of 2099 (else 2126 would read as 2026, in
// the past, and the carrier would refuse or expire the message at once),
// and one before 2000 as its start.
func absoluteTime(t time.Time) string {
	t = t.UTC()
	if last := time.Date(2099, 12, 31, 23, 59, 59, 0, time.UTC); t.After(last) {
		t = last
	} else if first := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC); t.Before(first) {
		t = first
	}
	return t.Format("060102150405") + "000+"
}

// relativeTime is SMPP 3.4's relative time format (section 7.1.1,
// YYMMDDhhmmss000R) for d: in days, hours, minutes and seconds (years
// and months have no fixed length), at least a second, at most 99 days.
func relativeTime(d time.Duration) string {
	d = min(max(d, time.Second), 99*24*time.Hour)
	s := int64(d / time.Second)
	return fmt.Sprintf("0000%02d%02d%02d%02d000R", s/86400, s/3600%24, s/60%60, s%60)
}

// carrierError classifies a failed submit_sm (docs/smpp.md has the table).
func carrierError(err error) error {
	var st pdu.Status
	if errors.As(err, &st) {
		code := fmt.Sprintf("smpp_%#x", uint32(st))
		if permanentStatus[st] {
			return spool.Permanent(code, err)
		}
		return spool.Retryable(code, err)
	}
	if errors.Is(err, ErrResponseTimeout) {
		// Unavailable: the rebind that follows succeeds in a second, so
		// the bind's health would call the carrier ready again; the
		// route's breaker takes it out at once instead.
		return spool.Unavailable("timeout", errors.New("no submit_sm_resp in time: the part may have gone out (possible duplicate)"))
	}
	if errors.Is(err, ErrConnLost) {
		return spool.Retryable("conn_lost", errors.New("the bind was lost before submit_sm_resp: the part may have gone out (possible duplicate)"))
	}
	return spool.Retryable("smpp", err)
}

// permanentStatus are the carrier answers that sending again cannot
// fix; every other status is retried (docs/smpp.md has the table).
var permanentStatus = map[pdu.Status]bool{
	StatusInvMsgLen:   true,
	StatusInvDstAdr:   true,
	StatusInvSrcAdr:   true,
	StatusInvDCS:      true,
	0x06:              true, // ESME_RINVPRTFLG: invalid priority flag
	0x07:              true, // ESME_RINVREGDLVFLG
	0x0C:              true, // ESME_RINVMSGID
	0x33:              true, // ESME_RINVNUMDESTS
	0x48:              true, // ESME_RINVSRCTON
	0x49:              true, // ESME_RINVSRCNPI
	0x50:              true, // ESME_RINVDSTTON
	0x51:              true, // ESME_RINVDSTNPI
	StatusInvExpiry:   true,
	StatusInvSchedule: true,
	0xC0:              true, // ESME_ROPTPARNOTALLWD
	0xC1:              true, // ESME_RINVPARLEN
	0xC4:              true, // ESME_RINVOPTPARAMVAL
}
