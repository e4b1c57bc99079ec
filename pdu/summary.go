package pdu

import (
	"encoding/hex"
	"time"
)

// Summary is a decoded PDU in the shape `smsgw pdu decode --json` prints:
// what a technician or a script needs to read a message.
type Summary struct {
	Type           string          `json:"type"`
	SMSC           string          `json:"smsc,omitempty"`
	Address        string          `json:"address"`           // originator, destination or recipient
	TON            string          `json:"ton"`               // type of number of Address
	Text           *string         `json:"text"`              // nil for 8-bit or compressed data
	Data           string          `json:"data,omitempty"`    // hex user data when Text is nil
	Encoding       string          `json:"encoding"`          // gsm7, ucs2, 8bit
	Locking        string          `json:"locking,omitempty"` // national locking-shift table
	Single         string          `json:"single,omitempty"`  // national single-shift table
	Class          *int            `json:"class"`
	Concat         *ConcatSummary  `json:"concat"`
	Ports          *PortSummary    `json:"ports,omitempty"`
	UDH            []IESummary     `json:"udh,omitempty"`
	MR             *int            `json:"mr"`
	Status         *StatusSummary  `json:"status,omitempty"`
	SCTS           string          `json:"scts,omitempty"`      // RFC 3339
	Discharge      string          `json:"discharge,omitempty"` // RFC 3339, status reports
	Validity       string          `json:"validity,omitempty"`  // SMS-SUBMIT: relative duration or RFC 3339
	SRR            bool            `json:"srr,omitempty"`       // SMS-SUBMIT: status report requested
	PID            int             `json:"pid"`
	DCS            int             `json:"dcs"`
	MessageWaiting *MessageWaiting `json:"message_waiting,omitempty"`
	TPDULength     int             `json:"tpdu_length"`
	Warning        string          `json:"warning,omitempty"`
}

// ConcatSummary is the concatenation element of a part.
type ConcatSummary struct {
	Ref   int  `json:"ref"`
	Total int  `json:"total"`
	Seq   int  `json:"seq"`
	Ref16 bool `json:"ref16,omitempty"`
}

// PortSummary is the application port addressing element.
type PortSummary struct {
	Dst int `json:"dst"`
	Src int `json:"src"`
}

// IESummary is one header element, in hex.
type IESummary struct {
	ID   int    `json:"id"`
	Data string `json:"data"`
}

// StatusSummary is the TP-ST of a status report.
type StatusSummary struct {
	Code    int    `json:"code"`
	Outcome string `json:"outcome"` // delivered, pending, failed
	Text    string `json:"text"`
}

// Summarize describes a decoded message; smsc is the SMSC part (zero for
// a bare TPDU) and tpduLen the length of the TPDU.
func Summarize(smsc Address, m Message, tpduLen int) Summary {
	s := Summary{Type: m.Type().String(), SMSC: smsc.String(), TPDULength: tpduLen}
	var ud *UserData
	var addr Address
	switch v := m.(type) {
	case *Submit:
		addr, ud = v.Destination, &v.UserData
		s.MR, s.PID, s.SRR = intp(int(v.MR)), int(v.PID), v.StatusReportRequest
		switch v.Validity.Format {
		case ValidityRelative:
			s.Validity = v.Validity.Relative.String()
		case ValidityAbsolute:
			s.Validity = v.Validity.Absolute.Format(time.RFC3339)
		case ValidityEnhanced:
			s.Validity = "enhanced:" + hex.EncodeToString(v.Validity.Enhanced[:])
		}
	case *Deliver:
		addr, ud = v.Originator, &v.UserData
		s.PID, s.SCTS = int(v.PID), v.SCTS.Format(time.RFC3339)
	case *StatusReport:
		addr = v.Recipient
		s.MR = intp(int(v.MR))
		s.SCTS, s.Discharge = v.SCTS.Format(time.RFC3339), v.Discharge.Format(time.RFC3339)
		s.Status = &StatusSummary{Code: int(v.Status), Outcome: v.Status.Outcome().String(), Text: v.Status.String()}
		s.PID = int(v.PID)
		if v.HasUD || v.HasDCS {
			ud = &v.UserData
		}
	}
	s.Address, s.TON = addr.String(), addr.TON.String()
	if ud == nil {
		s.Encoding = GSM7.String()
		return s
	}
	s.Encoding, s.DCS = ud.Encoding().String(), int(ud.DCS)
	if n := ud.DCS.Class().Number(); n >= 0 {
		s.Class = intp(n)
	}
	if mw, ok := ud.DCS.MessageWaiting(); ok {
		s.MessageWaiting = &mw
	}
	if c, ok := ud.UDH.Concat(); ok {
		s.Concat = &ConcatSummary{Ref: int(c.Ref), Total: c.Total, Seq: c.Seq, Ref16: c.Ref16}
	}
	if dst, src, ok := ud.UDH.Ports(); ok {
		s.Ports = &PortSummary{Dst: dst, Src: src}
	}
	for _, ie := range ud.UDH {
		s.UDH = append(s.UDH, IESummary{ID: int(ie.ID), Data: hex.EncodeToString(ie.Data)})
	}
	if ud.Encoding() == GSM7 {
		if l, sg := ud.UDH.Shift(); l != LangDefault || sg != LangDefault {
			s.Locking, s.Single = l.String(), sg.String()
		}
	}
	if ud.Truncated {
		s.Warning = "user data shorter than TP-UDL announced: decoded what is there"
	}
	if text, err := ud.Text(); err == nil {
		s.Text = &text
	} else {
		s.Data = hex.EncodeToString(ud.UD)
		if ud.DCS.Compressed() {
			s.Warning = err.Error()
		}
	}
	return s
}

func intp(v int) *int { return &v }
