package pdu

import "slices"

// Submit is an SMS-SUBMIT TPDU, TS 23.040 section 9.2.2.2.
type Submit struct {
	RejectDuplicates    bool // TP-RD
	StatusReportRequest bool // TP-SRR
	ReplyPath           bool // TP-RP
	MR                  byte // TP-MR, message reference
	Destination         Address
	PID                 byte // TP-PID, 0 for a normal short message
	Validity            Validity
	UserData
}

// Type returns TypeSubmit.
func (*Submit) Type() Type { return TypeSubmit }

// AppendBinary appends the TPDU.
func (s *Submit) AppendBinary(dst []byte) ([]byte, error) {
	dst = slices.Grow(dst, min(2+s.Destination.tpLen()+2+s.Validity.size()+s.UserData.binaryLen(), maxTPDU))
	fo := byte(TypeSubmit) | byte(s.Validity.Format&3)<<3
	if s.RejectDuplicates {
		fo |= 0x04
	}
	if s.StatusReportRequest {
		fo |= 0x20
	}
	if len(s.UDH) > 0 {
		fo |= 0x40
	}
	if s.ReplyPath {
		fo |= 0x80
	}
	dst = append(dst, fo, s.MR)
	dst, err := s.Destination.appendTP(dst)
	if err != nil {
		return dst, err
	}
	dst = append(dst, s.PID, byte(s.DCS))
	if dst, err = s.Validity.appendBinary(dst); err != nil {
		return dst, err
	}
	return s.UserData.appendBinary(dst)
}

// MarshalBinary returns the TPDU.
func (s *Submit) MarshalBinary() ([]byte, error) { return s.AppendBinary(nil) }

// UnmarshalBinary decodes an SMS-SUBMIT and returns the octets used.
func (s *Submit) UnmarshalBinary(src []byte) (int, error) {
	if err := need(src, 0, 2, "TP-MR"); err != nil {
		return 0, err
	}
	fo := src[0]
	if Type(fo&3) != TypeSubmit {
		return 0, &DecodeError{Field: "TP-MTI", Err: ErrInvalid}
	}
	*s = Submit{
		RejectDuplicates:    fo&0x04 != 0,
		StatusReportRequest: fo&0x20 != 0,
		ReplyPath:           fo&0x80 != 0,
		MR:                  src[1],
	}
	off := 2
	n, err := s.Destination.unmarshalTP(src[off:])
	if err != nil {
		return 0, field("TP-DA", off, err)
	}
	off += n
	if err := need(src, off, 2, "TP-PID"); err != nil {
		return 0, err
	}
	s.PID, s.DCS = src[off], DCS(src[off+1])
	off += 2
	s.Validity, n, err = unmarshalValidity(ValidityFormat(fo>>3)&3, src[off:])
	if err != nil {
		return 0, field("TP-VP", off, err)
	}
	off += n
	n, err = s.UserData.unmarshal(src[off:], fo&0x40 != 0)
	if err != nil {
		return 0, field("TP-UD", off, err)
	}
	return off + n, nil
}
