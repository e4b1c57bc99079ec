package modem

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/fnv"
	"strings"
	"time"

	"github.com/warthog618/modem/at"

	"github.com/smsgw/smsgw/pdu"
	"github.com/smsgw/smsgw/spool"
)

// Send implements route.Connector: it encodes the message with pdu and
// sends each part with AT+CMGS, returning one provider id ("<TP-MR>/<to>")
// per part that went out. Parts that went out in an earlier attempt (the
// message's Parts) are not sent again; the concatenation reference comes
// from the message id, so a retried part matches the ones already out.
func (m *Modem) Send(ctx context.Context, msg *spool.Message) ([]string, error) {
	to, err := pdu.ParseAddress(msg.To)
	if err != nil {
		return nil, spool.Permanent("invalid_dest", err)
	}
	o := pdu.SubmitOptions{Options: pdu.Options{Languages: m.o.Languages}, Ref: concatRef(msg.ID),
		StatusReportRequest: m.o.StatusReports || msg.ReportReq}
	if msg.Class0 {
		o.Class = pdu.Class0
	}
	if msg.Encoding == "ucs2" && msg.Binary == nil {
		// UCS-2 for a text the default alphabet has all of: the
		// submitter asked for it (gateway.plan kept it). A text planned
		// UCS-2 because it needs it is left to this modem's plan, which
		// may find a national shift table that fits it in fewer parts.
		if _, err := pdu.PlanText(msg.Body, pdu.Options{Encoding: pdu.GSM7}); err == nil {
			o.Encoding = pdu.UCS2
		}
	}
	if !msg.ValidUntil.IsZero() {
		if vp, err := pdu.RelativeValidity(time.Until(msg.ValidUntil)); err == nil {
			o.Validity = vp
		}
	}
	var parts []pdu.Submit
	if msg.Binary != nil {
		var udh pdu.UDH
		if len(msg.UDH) > 0 {
			if udh, err = pdu.ParseUDH(msg.UDH); err != nil {
				return nil, spool.Permanent("invalid_udh", err)
			}
		}
		parts, _, err = pdu.EncodeBinary(to, msg.Binary, udh, o)
	} else if len(msg.UDH) > 0 { // text after the caller's header: one part
		var udh pdu.UDH
		if udh, err = pdu.ParseUDH(msg.UDH); err != nil {
			return nil, spool.Permanent("invalid_udh", err)
		}
		parts, _, err = pdu.EncodeTextUDH(to, msg.Body, udh, o)
	} else {
		parts, _, err = pdu.EncodeText(to, msg.Body, o)
	}
	if err != nil {
		return nil, spool.Permanent("unencodable", err)
	}
	m.sendMu.Lock()
	defer m.sendMu.Unlock()
	m.mu.Lock()
	s := m.sess
	m.mu.Unlock()
	if s == nil || !m.Ready() {
		return nil, spool.Retryable("not_ready", errors.New("modem not ready"))
	}
	var ids []string
	for i := msg.SentParts(); i < len(parts); i++ {
		if err := ctx.Err(); err != nil {
			return ids, spool.Retryable("shutdown", err)
		}
		tpdu, err := parts[i].MarshalBinary()
		if err != nil {
			return ids, spool.Permanent("unencodable", err)
		}
		s.pduWritten.Store(false)
		info, err := s.at.SMSCommand(fmt.Sprintf("+CMGS=%d", len(tpdu)), m.smscHex+strings.ToUpper(hex.EncodeToString(tpdu)),
			at.WithTimeout(m.o.SendTimeout))
		if err != nil {
			if errors.Is(err, at.ErrDeadlineExceeded) || errors.Is(err, ErrPortBlocked) {
				m.setReady(false)
				s.close() // a late answer would complete the next command
			}
			if code, ok := cmsOf(err); ok && simRefusal[code] {
				m.holdSIM(code)
			}
			return ids, sendError(err, s.pduWritten.Load())
		}
		mr, err := parseMR(info)
		if err != nil {
			return ids, spool.Retryable("modem_error", err)
		}
		ids = append(ids, providerID(mr, to.String()))
		m.setHealth(func(h *Health) { h.Sent++ })
		if m.o.MinGap > 0 && i+1 < len(parts) {
			time.Sleep(m.o.MinGap) // pacing between parts, by design
		}
	}
	return ids, nil
}

// concatRef is the concatenation reference of a message, the same on
// every attempt.
func concatRef(id string) uint16 {
	h := fnv.New32a()
	h.Write([]byte(id))
	return uint16(h.Sum32())
}
