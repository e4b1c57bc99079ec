package modemsim

import (
	"io"
	"time"

	"github.com/smsgw/smsgw/pdu"
)

// Options configure a simulated modem. The zero value of every field
// means its default, so Options{} is a registered EC25 with a SIM
// without PIN.
type Options struct {
	Manufacturer string // AT+CGMI, default "Quectel"
	Model        string // AT+CGMM, default "EC25"
	Revision     string // AT+CGMR, default "EC25EFAR06A06M4G"
	IMEI         string // AT+CGSN, default "867962041234561"
	IMSI         string // AT+CIMI, default "310260000000001"
	ICCID        string // AT+CCID and AT+QCCID, default "8901260000000000014"
	Operator     string // AT+COPS?, default "SIMNET"
	SMSC         string // AT+CSCA?, default "+15555550100"

	// PIN is the SIM PIN. Empty: the SIM asks for none (AT+CPIN? answers
	// READY at once). Three wrong PINs lock the SIM into PUK.
	PIN string
	// PUK unblocks the SIM with AT+CPIN="<puk>","<new pin>"; default
	// "12345678".
	PUK string

	// Signal is the RSSI that AT+CSQ reports, 0 to 31 (default 20, about
	// -73 dBm). SetSignal changes it, to 0 as well.
	Signal int
	// Roaming registers as roaming (stat 5) instead of home (stat 1).
	Roaming bool

	// RegistrationDelay is how long after power-on (and SIM unlock, and
	// a network that comes back) the modem takes to register; it answers
	// "searching" (stat 2) meanwhile. Default 1s; negative: at once.
	RegistrationDelay time.Duration
	// SendDelay is how long the network takes to accept an AT+CMGS before
	// +CMGS: <mr> comes. Default 300ms; negative: no delay (benchmarks).
	SendDelay time.Duration
	// ReportDelay is how long after a submit that asked for a status
	// report (TP-SRR) the report comes. Default 1s; negative: no report
	// is sent by itself (send one with Report).
	ReportDelay time.Duration
	// ReportStatus is the TP-ST of the reports sent by themselves;
	// default 0x00, "received by the SME" (delivered). SetReportStatus
	// changes it.
	ReportStatus pdu.Status
	// AckTimeout is how long an MO or a status report delivered directly
	// (+CMT, +CDS) waits for AT+CNMA before the modem gives up and, as
	// TS 27.005 says, sets the <mt> and <ds> of AT+CNMI to 0. Default 15s.
	AckTimeout time.Duration
	// FirstMR is the TP-MR of the first submit; it counts up and wraps.
	FirstMR byte

	// Capacity is how many messages each storage ("SM" and "ME") holds;
	// default 30.
	Capacity int
	// Preload are messages on the SIM ("SM") at start, stored unread,
	// as left there while the gateway was away (a long one takes a slot
	// per part).
	Preload []MO
	// DirectOnly makes the modem unable to store and notify: AT+CNMI
	// with <mt> 1 or <ds> 2 answers +CMS ERROR: 303, as some modems do.
	DirectOnly bool
	// BareCDS prints the PDU of +CDS without the SMSC part, as some
	// modems do (AT+CMGR still prints it).
	BareCDS bool

	// TCP also serves the modem on 127.0.0.1 (an ephemeral port, see
	// Addr), as ser2net would: open it as "tcp://" + Addr().
	TCP bool
	// NoPTY serves the modem on TCP only (for systems without /dev/ptmx).
	NoPTY bool
	// Link is the path of the stable symlink to the pseudo-terminal that
	// Path returns, like a /dev/serial/by-id link; default a file in a
	// new temporary directory, removed by Close.
	Link string

	// Trace, if set, gets every line in and out, one per line, as
	// `pty < "AT+CSQ\r"` and `pty > "\r\n+CSQ: 20,99\r\n"`.
	Trace io.Writer
}

func (o *Options) defaults() {
	def := func(s *string, v string) {
		if *s == "" {
			*s = v
		}
	}
	def(&o.Manufacturer, "Quectel")
	def(&o.Model, "EC25")
	def(&o.Revision, "EC25EFAR06A06M4G")
	def(&o.IMEI, "867962041234561")
	def(&o.IMSI, "310260000000001")
	def(&o.ICCID, "8901260000000000014")
	def(&o.Operator, "SIMNET")
	def(&o.SMSC, "+15555550100")
	def(&o.PUK, "12345678")
	if o.Signal <= 0 || o.Signal > 31 {
		o.Signal = 20
	}
	dur := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	dur(&o.RegistrationDelay, time.Second)
	dur(&o.SendDelay, 300*time.Millisecond)
	dur(&o.ReportDelay, time.Second)
	if o.AckTimeout <= 0 {
		o.AckTimeout = 15 * time.Second
	}
	if o.Capacity <= 0 {
		o.Capacity = 30
	}
}
