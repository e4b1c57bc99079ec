package pdu

import "fmt"

// Type is the kind of TPDU, from TP-MTI (TS 23.040 section 9.2.3.1) read
// in the direction each kind travels.
type Type uint8

// TPDU types this codec reads and writes.
const (
	TypeDeliver      Type = 0 // SMS-DELIVER, SC to MS
	TypeSubmit       Type = 1 // SMS-SUBMIT, MS to SC
	TypeStatusReport Type = 2 // SMS-STATUS-REPORT, SC to MS
)

var typeNames = [...]string{"SMS-DELIVER", "SMS-SUBMIT", "SMS-STATUS-REPORT"}

// String returns the TS 23.040 name, such as "SMS-DELIVER".
func (t Type) String() string {
	if int(t) < len(typeNames) {
		return typeNames[t]
	}
	return fmt.Sprintf("type(%d)", uint8(t))
}

// Message is a decoded TPDU: *Submit, *Deliver or *StatusReport.
type Message interface {
	Type() Type
	// AppendBinary appends the encoded TPDU (without an SMSC part).
	AppendBinary(dst []byte) ([]byte, error)
	// UnmarshalBinary decodes a TPDU and returns the octets it used.
	UnmarshalBinary(src []byte) (int, error)
}

// DecodeTPDU decodes an SMS-DELIVER, SMS-SUBMIT or SMS-STATUS-REPORT (a
// bare TPDU, without the SMSC part). Octets after the TPDU are ignored.
func DecodeTPDU(tpdu []byte) (Message, error) {
	if len(tpdu) == 0 {
		return nil, &DecodeError{Field: "TP-MTI", Err: ErrShort}
	}
	var m Message
	switch Type(tpdu[0] & 3) {
	case TypeDeliver:
		m = new(Deliver)
	case TypeSubmit:
		m = new(Submit)
	case TypeStatusReport:
		m = new(StatusReport)
	default:
		return nil, &DecodeError{Field: "TP-MTI", Err: fmt.Errorf("reserved message type 3: %w", ErrInvalid)}
	}
	if _, err := m.UnmarshalBinary(tpdu); err != nil {
		return nil, err
	}
	return m, nil
}

// Decode decodes a PDU as AT+CMGR and AT+CMGL print it in PDU mode (TS
// 27.005 section 3.1): the SMSC part, then the TPDU.
func Decode(frame []byte) (smsc Address, m Message, err error) {
	n, err := smsc.unmarshalSMSC(frame)
	if err != nil {
		return smsc, nil, err
	}
	m, err = DecodeTPDU(frame[n:])
	if err != nil {
		return smsc, nil, decodeErr("", n, err)
	}
	return smsc, m, nil
}

// AppendFrame appends the SMSC part (00 for the zero Address: the SIM's
// SMSC) and the TPDU, as AT+CMGS takes it. The length AT+CMGS wants is
// len(tpdu), without the SMSC part.
func AppendFrame(dst []byte, smsc Address, tpdu []byte) ([]byte, error) {
	dst, err := smsc.AppendSMSC(dst)
	if err != nil {
		return dst, err
	}
	return append(dst, tpdu...), nil
}

// field wraps an error from a nested decoder with the field name and the
// offset of the field in the TPDU.
func field(name string, off int, err error) error { return decodeErr(name, off, err) }

// need fails with ErrShort unless src has n octets from off.
func need(src []byte, off, n int, name string) error {
	if len(src) < off+n {
		return &DecodeError{Field: name, Offset: off, Err: ErrShort}
	}
	return nil
}
