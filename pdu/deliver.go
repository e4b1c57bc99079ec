package pdu

import (
	"slices"
	"time"
)

// Deliver is an SMS-DELIVER TPDU, TS 23.040 section 9.2.2.1: a mobile
// originated message as the receiving modem gets it.
type Deliver struct {
	MoreMessages           bool // TP-MMS clear: the SC has more messages waiting
	LoopPrevention         bool // TP-LP
	StatusReportIndication bool // TP-SRI
	ReplyPath              bool // TP-RP
	Originator             Address
	PID                    byte
	SCTS                   time.Time // service centre time stamp, with its zone
	UserData
}

// Type returns TypeDeliver.
func (*Deliver) Type() Type { return TypeDeliver }

// AppendBinary appends the TPDU (used by the modem simulator and tests).
func (d *Deliver) AppendBinary(dst []byte) ([]byte, error) {
	dst = slices.Grow(dst, min(1+d.Originator.tpLen()+2+sctsLen+d.UserData.binaryLen(), maxTPDU))
	fo := byte(TypeDeliver)
	if !d.MoreMessages {
		fo |= 0x04
	}
	if d.LoopPrevention {
		fo |= 0x08
	}
	if d.StatusReportIndication {
		fo |= 0x20
	}
	if len(d.UDH) > 0 {
		fo |= 0x40
	}
	if d.ReplyPath {
		fo |= 0x80
	}
	dst = append(dst, fo)
	dst, err := d.Originator.appendTP(dst)
	if err != nil {
		return dst, err
	}
	dst = append(dst, d.PID, byte(d.DCS))
	if dst, err = appendTimestamp(dst, d.SCTS); err != nil {
		return dst, err
	}
	return d.UserData.appendBinary(dst)
}

// MarshalBinary returns the TPDU.
func (d *Deliver) MarshalBinary() ([]byte, error) { return d.AppendBinary(nil) }

// UnmarshalBinary decodes an SMS-DELIVER and returns the octets used.
func (d *Deliver) UnmarshalBinary(src []byte) (int, error) {
	if err := need(src, 0, 1, "TP-MTI"); err != nil {
		return 0, err
	}
	fo := src[0]
	if Type(fo&3) != TypeDeliver {
		return 0, &DecodeError{Field: "TP-MTI", Err: ErrInvalid}
	}
	*d = Deliver{
		MoreMessages:           fo&0x04 == 0,
		LoopPrevention:         fo&0x08 != 0,
		StatusReportIndication: fo&0x20 != 0,
		ReplyPath:              fo&0x80 != 0,
	}
	off := 1
	n, err := d.Originator.unmarshalTP(src[off:])
	if err != nil {
		return 0, field("TP-OA", off, err)
	}
	off += n
	if err := need(src, off, 2, "TP-PID"); err != nil {
		return 0, err
	}
	d.PID, d.DCS = src[off], DCS(src[off+1])
	off += 2
	if d.SCTS, err = decodeTimestamp(src[off:]); err != nil {
		return 0, field("TP-SCTS", off, err)
	}
	off += sctsLen
	n, err = d.UserData.unmarshal(src[off:], fo&0x40 != 0)
	if err != nil {
		return 0, field("TP-UD", off, err)
	}
	return off + n, nil
}
