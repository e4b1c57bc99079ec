package smscsim

import (
	"errors"

	"github.com/fiorix/go-smpp/smpp/pdu"
)

// Command status values the simulator answers with (SMPP 3.4, 5.1.3).
// The codec has no named constants for them.
const (
	StatusOK               pdu.Status = 0x00
	StatusInvMsgLen        pdu.Status = 0x01 // ESME_RINVMSGLEN: malformed PDU body
	StatusInvCmdID         pdu.Status = 0x03 // ESME_RINVCMDID: unknown command_id
	StatusInvBndSts        pdu.Status = 0x04 // ESME_RINVBNDSTS: wrong bind state
	StatusAlyBnd           pdu.Status = 0x05 // ESME_RALYBND: already bound
	StatusSysErr           pdu.Status = 0x08 // ESME_RSYSERR
	StatusInvPaswd         pdu.Status = 0x0E // ESME_RINVPASWD
	StatusInvSysID         pdu.Status = 0x0F // ESME_RINVSYSID
	StatusMsgQFul          pdu.Status = 0x14 // ESME_RMSGQFUL
	StatusThrottled        pdu.Status = 0x58 // ESME_RTHROTTLED
	StatusUnknownErr       pdu.Status = 0xFF // ESME_RUNKNOWNERR
	maxPDU                            = pdu.MaxSize
	esmClassUDHI                      = 0x40
	esmClassReceipt                   = 0x04
	registeredDeliveryMask            = 0x03
)

// ErrClosed is returned by the methods of a closed Server.
var ErrClosed = errors.New("smscsim: server closed")

// ErrNoAccount is returned by DeliverMO for a system_id that is not one
// of Options.Accounts.
var ErrNoAccount = errors.New("smscsim: no such account")
