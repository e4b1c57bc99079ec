package pdu

import (
	"fmt"
	"time"
)

// Status is TP-ST, TS 23.040 section 9.2.3.15.
type Status byte

// Outcome is what a TP-ST means for the message.
type Outcome uint8

// Outcomes of a status report.
const (
	// OutcomeDelivered: the transaction completed (0x00-0x1F).
	OutcomeDelivered Outcome = iota
	// OutcomePending: a temporary error, the SC is still trying (0x20-0x3F).
	OutcomePending
	// OutcomeFailed: a permanent error (0x40-0x5F), or a temporary error
	// after which the SC makes no more attempts (0x60-0x7F), or a reserved
	// value (0x80-0xFF), which the codec cannot read as success.
	OutcomeFailed
)

var outcomeNames = [...]string{"delivered", "pending", "failed"}

func (o Outcome) String() string {
	if int(o) < len(outcomeNames) {
		return outcomeNames[o]
	}
	return fmt.Sprintf("outcome(%d)", uint8(o))
}

// Outcome classifies the status.
func (s Status) Outcome() Outcome {
	switch {
	case s < 0x20:
		return OutcomeDelivered
	case s < 0x40:
		return OutcomePending
	}
	return OutcomeFailed
}

var statusNames = map[Status]string{
	0x00: "received by the SME",
	0x01: "forwarded to the SME, delivery not confirmed",
	0x02: "replaced by the SC",
	0x20: "congestion, still trying",
	0x21: "SME busy, still trying",
	0x22: "no response from SME, still trying",
	0x23: "service rejected, still trying",
	0x24: "quality of service not available, still trying",
	0x25: "error in SME, still trying",
	0x40: "remote procedure error",
	0x41: "incompatible destination",
	0x42: "connection rejected by SME",
	0x43: "not obtainable",
	0x44: "quality of service not available",
	0x45: "no interworking available",
	0x46: "validity period expired",
	0x47: "deleted by originating SME",
	0x48: "deleted by SC administration",
	0x49: "message does not exist",
	0x60: "congestion, SC gave up",
	0x61: "SME busy, SC gave up",
	0x62: "no response from SME, SC gave up",
	0x63: "service rejected, SC gave up",
	0x64: "quality of service not available, SC gave up",
	0x65: "error in SME, SC gave up",
}

// String describes the status in the words of TS 23.040.
func (s Status) String() string {
	if n, ok := statusNames[s]; ok {
		return n
	}
	switch {
	case s >= 0x10 && s < 0x20:
		return fmt.Sprintf("completed (SC specific 0x%02X)", byte(s))
	case s >= 0x30 && s < 0x40, s >= 0x50 && s < 0x60, s >= 0x70 && s < 0x80:
		return fmt.Sprintf("SC specific error 0x%02X", byte(s))
	}
	return fmt.Sprintf("reserved 0x%02X", byte(s))
}

// StatusReport is an SMS-STATUS-REPORT TPDU, TS 23.040 section 9.2.2.3.
// The optional TP-PID, TP-DCS and TP-UD are present when the matching
// Has* field is set (from TP-PI).
type StatusReport struct {
	MoreMessages   bool // TP-MMS clear
	LoopPrevention bool // TP-LP
	// Command is TP-SRQ: the report is the result of an SMS-COMMAND
	// rather than of an SMS-SUBMIT.
	Command   bool
	MR        byte // TP-MR of the SMS-SUBMIT this reports on
	Recipient Address
	SCTS      time.Time // when the SC received the SMS-SUBMIT
	Discharge time.Time // TP-DT: when the status was reached
	Status    Status
	HasPID    bool
	HasDCS    bool
	HasUD     bool
	PID       byte
	UserData
}

// Type returns TypeStatusReport.
func (*StatusReport) Type() Type { return TypeStatusReport }

// AppendBinary appends the TPDU (used by the modem simulator and tests).
func (r *StatusReport) AppendBinary(dst []byte) ([]byte, error) {
	fo := byte(TypeStatusReport)
	if !r.MoreMessages {
		fo |= 0x04
	}
	if r.LoopPrevention {
		fo |= 0x08
	}
	if r.Command {
		fo |= 0x20
	}
	if r.HasUD && len(r.UDH) > 0 {
		fo |= 0x40
	}
	dst = append(dst, fo, r.MR)
	dst, err := r.Recipient.appendTP(dst)
	if err != nil {
		return dst, err
	}
	if dst, err = appendTimestamp(dst, r.SCTS); err != nil {
		return dst, err
	}
	if dst, err = appendTimestamp(dst, r.Discharge); err != nil {
		return dst, err
	}
	dst = append(dst, byte(r.Status))
	if !r.HasPID && !r.HasDCS && !r.HasUD {
		return dst, nil
	}
	var pi byte
	if r.HasPID {
		pi |= 1
	}
	if r.HasDCS {
		pi |= 2
	}
	if r.HasUD {
		pi |= 4
	}
	dst = append(dst, pi)
	if r.HasPID {
		dst = append(dst, r.PID)
	}
	if r.HasDCS {
		dst = append(dst, byte(r.DCS))
	}
	if r.HasUD {
		return r.UserData.appendBinary(dst)
	}
	return dst, nil
}

// MarshalBinary returns the TPDU.
func (r *StatusReport) MarshalBinary() ([]byte, error) { return r.AppendBinary(nil) }

// UnmarshalBinary decodes an SMS-STATUS-REPORT and returns the octets
// used. The mandatory fields must be whole; the optional part after TP-ST
// is read when it is well formed and otherwise ignored, since networks
// are known to pad status reports and the status is what matters.
func (r *StatusReport) UnmarshalBinary(src []byte) (int, error) {
	if err := need(src, 0, 2, "TP-MR"); err != nil {
		return 0, err
	}
	fo := src[0]
	if Type(fo&3) != TypeStatusReport {
		return 0, &DecodeError{Field: "TP-MTI", Err: ErrInvalid}
	}
	*r = StatusReport{
		MoreMessages:   fo&0x04 == 0,
		LoopPrevention: fo&0x08 != 0,
		Command:        fo&0x20 != 0,
		MR:             src[1],
	}
	off := 2
	n, err := r.Recipient.unmarshalTP(src[off:])
	if err != nil {
		return 0, field("TP-RA", off, err)
	}
	off += n
	if r.SCTS, err = decodeTimestamp(src[off:]); err != nil {
		return 0, field("TP-SCTS", off, err)
	}
	off += sctsLen
	if r.Discharge, err = decodeTimestamp(src[off:]); err != nil {
		return 0, field("TP-DT", off, err)
	}
	off += sctsLen
	if err := need(src, off, 1, "TP-ST"); err != nil {
		return 0, err
	}
	r.Status = Status(src[off])
	off++
	if n := r.unmarshalOptional(src[off:], fo&0x40 != 0); n > 0 {
		off += n
	}
	return off, nil
}

// unmarshalOptional reads TP-PI and what it announces, returning the
// octets used or 0 if the optional part is absent or malformed.
func (r *StatusReport) unmarshalOptional(src []byte, udhi bool) int {
	if len(src) == 0 {
		return 0
	}
	pi := src[0]
	if pi&0x78 != 0 || pi&0x80 != 0 { // reserved bits or extension: not a TP-PI we can read
		return 0
	}
	off := 1
	opt := StatusReport{HasPID: pi&1 != 0, HasDCS: pi&2 != 0, HasUD: pi&4 != 0}
	if opt.HasPID {
		if len(src) < off+1 {
			return 0
		}
		opt.PID = src[off]
		off++
	}
	if opt.HasDCS {
		if len(src) < off+1 {
			return 0
		}
		opt.DCS = DCS(src[off])
		off++
	}
	if opt.HasUD {
		n, err := opt.UserData.unmarshal(src[off:], udhi)
		if err != nil {
			return 0
		}
		off += n
	}
	r.HasPID, r.HasDCS, r.HasUD = opt.HasPID, opt.HasDCS, opt.HasUD
	r.PID, r.UserData = opt.PID, opt.UserData
	return off
}
