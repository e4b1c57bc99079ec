// Package modem is smsgw's connector for USB GSM/LTE modems. It speaks AT
// commands in PDU mode through github.com/warthog618/modem's at engine,
// over a port it opens itself (OpenPort: a serial device through
// go.bug.st/serial with no read timeout, or tcp://host:port for ser2net).
// A Modem implements route.Connector.
//
// # Basics
//
//	m := modem.New(modem.Options{
//		Name: "modem-1",
//		Port: "/dev/serial/by-id/usb-Quectel_EC25-if02-port0",
//		PIN:  pin,
//	}, sink)                      // a route.Sink: receipts, MO, saved state
//	go m.Run(ctx)                 // until ctx ends
//	err := m.WaitReady(ctx, true) // registered on a network
//	ids, err := m.Send(ctx, msg)  // normally the route.Router calls it
//	h := m.Health()               // a snapshot for status pages
//
// Run opens the port and initialises the modem: echo off, numeric errors,
// the SIM PIN, PDU mode, storage, and AT+CNMI=2,1,0,2,0 so that MO and
// status reports are stored and notified (+CMTI, +CDSI), or, for a modem
// that refuses it, AT+CNMI=2,2,0,1,0 with +CMT/+CDS acknowledged by
// AT+CNMA; then other AT+CNMI settings, and if the modem refuses them all
// it still sends and receives by polling its storage. It reads what the
// SIM already holds (AT+CMGL=4), then polls signal, registration and
// operator every PollInterval; the Modem is Ready only while registered
// (home or roaming). Each poll also checks AT+CNMI? (a modem that
// restarted by itself, or gave up waiting for an AT+CNMA, is back at its
// defaults: the session is initialised again, as on its "RDY") and
// AT+CPMS? (messages whose +CMTI was lost are swept). A +CMTI or +CDSI
// is read in the storage it names. A stored message is
// deleted, and a direct one acknowledged, only after the Sink has it.
// Inbound parts are joined in a route.Reassembly whose state the Sink
// keeps, so a restart loses none.
//
// Send encodes with smsgw's pdu package and sends each part with AT+CMGS,
// one send at a time per modem. Each part's provider id is
// "<TP-MR>/<recipient>", which status reports are matched on. A retry
// skips the parts an earlier attempt sent and keeps the concatenation
// reference. +CMS ERROR codes are classed permanent or retryable
// (cms.go; docs/modems.md prints the table).
//
// A port error, and a timeout of AT+CMGS, of the signal and registration
// polls or of reading and deleting stored messages, end the session: Run
// closes the port, waits (ReopenMin doubling to ReopenMax) and starts
// again. After ResetAfter failed sessions in a row (the port open) it
// sends AT+CFUN=1,1 on the next one whose port opens. ListPorts, Probe and Command serve
// `smsgw modem list`, `probe` and `at`; the last two open the port, so
// stop the gateway first.
//
// # Caveats
//
//   - A part whose AT+CMGS timed out, or whose port closed, after its
//     PDU was written may have gone out: Send returns a retryable error
//     (code "timeout" or "modem_gone") that says "possible duplicate",
//     and the spool sends the part again. Without a "> " prompt the PDU
//     is never written: code "no_prompt", the part was not sent.
//   - A notified message that AT+CMGR finds empty is not deleted; the
//     next poll's sweep reads it.
//   - Some timeouts do not end the session: those of AT+CSMS=1, AT+CREG=0
//     and AT+CEREG=0 at init, of the identity reads (IMEI, IMSI, SMSC,
//     ICCID) and of AT+COPS?. A late answer to one of them can answer the
//     next command (LIBRARIES.md M3).
//   - A refused PIN is never sent again by this Modem (a third wrong PIN
//     locks the SIM into PUK), also when AT+CPIN only failed or timed
//     out: fix the PIN and restart the gateway. When the modem tells
//     (Quectel AT+QPINC, SIMCom AT+SPIC, Huawei AT^CPIN?) that the SIM
//     has one PIN attempt left, the PIN is not sent at all.
//   - TP-MR wraps at 256; the spool files a report against the newest part
//     with that TP-MR and recipient.
//   - An incomplete long MO message is stored as partial when its
//     ReassemblyTimeout (the config's reassembly_timeout, 2 minutes) runs
//     out, checked by a timer beside the session; its reason says which
//     parts are missing.
//   - ResetAfter counts ended sessions whose port opened: a healthy one
//     that ends counts as the first failure; a port that is not there
//     (unplugged, re-enumerating) counts for nothing, and if it does not
//     open on the attempt that should reset, counting starts over without
//     a reset. A SIM that is starting (+CME ERROR 10, 13, 14, SIM BUSY)
//     is waited for, up to SIMWait, within the session.
//   - MinGap is a sleep between parts that ctx does not cut short.
//   - Tested only against modem/modemsim on a pseudo-terminal (it behaves
//     like a Quectel EC25 / SIMCom SIM7600). Most quirks in CAVEATS.md come
//     from field notes; no real modem runs in the tests, and a real USB
//     unplug was not verified, only a pty hang-up.
//   - Not handled: Huawei ^CURC=0 and Quectel AT+QURCCFG (a modem that
//     sends its URCs elsewhere is served by the poll's sweep, one
//     PollInterval late).
package modem
