// Package modemsim is a simulated GSM/LTE modem for tests and the demo:
// a Quectel EC25 (or SIMCom SIM7600) in PDU mode on a real
// pseudo-terminal, so the gateway opens it with go.bug.st/serial exactly
// as it opens /dev/ttyUSB2, and optionally on TCP, as ser2net serves a
// modem. It is shaped like net/http/httptest: New starts it, Close stops
// it, and the methods in between inspect it and inject faults.
//
// # Basics
//
//	m, err := modemsim.New(modemsim.Options{PIN: "1234", TCP: true})
//	defer m.Close()
//	// the gateway opens m.Path() (a by-id style symlink to /dev/pts/N)
//	// or "tcp://" + m.Addr()
//	subs, err := m.WaitSubmits(ctx, 2)     // what AT+CMGS sent, decoded
//	m.DeliverMO(modemsim.MO{Text: long, Order: []int{2, 1}})
//	m.FailNext("+CMGS", 1, modemsim.CMSError(38))
//	m.Unplug(); m.Replug()
//
// The modem answers as a real one does, in verbose format: "\r\nOK\r\n",
// "\r\nERROR\r\n", "\r\n+CME ERROR: <n>\r\n", "\r\n+CMS ERROR: <n>\r\n"
// (plain ERROR until AT+CMEE=1, texts with AT+CMEE=2). It echoes command
// lines until ATE0. It knows the identification commands (ATI, +CGMI,
// +CGMM, +CGMR, +CGSN, +CIMI, +CCID, +QCCID, +GCAP), the SIM PIN
// (+CPIN, three wrong PINs lock it into PUK), registration after
// RegistrationDelay (+CREG, +CGREG, +CEREG with their URCs, +CSQ, +COPS,
// +CFUN including the reset 1,1), and SMS in PDU mode: +CMGF=0, +CSMS,
// +CPMS ("SM" and "ME"), +CSCA, +CNMI, +CMGS, +CMGW, +CMGR, +CMGL,
// +CMGD, +CNMA.
//
// Each AT+CMGS PDU is checked against the announced length and decoded
// with the pdu package; the modem gives it the next TP-MR and records it
// (Submits, WaitSubmits). A submit that asks for a status report gets
// one after ReportDelay, with ReportStatus, matching its TP-MR and
// recipient. MO (DeliverMO, DeliverTPDU) and status reports are routed
// as AT+CNMI says: stored with +CMTI/+CDSI, or sent as +CMT/+CDS and,
// after AT+CSMS=1, acknowledged with AT+CNMA within AckTimeout. While
// the modem cannot take them (not registered, storage full, an
// acknowledgement pending, unplugged) the network holds them, in order.
//
// Faults can be set at any time: FailNext (error codes), Hang (late or
// no answers), NoPrompt (AT+CMGS without "> "), URCInResponse and
// SendURC (URCs in awkward places), LoseURCs, Restart (a reset that
// keeps the port), Stall (a port that takes no writes),
// SetStorageFull, SetNetworkLost, SetSignal, SetReportStatus, Unplug and
// Replug. Handle replaces or adds a command, for vendor commands and
// quirks. Wait and WaitSubmits let a test wait for the simulator without
// sleeping. Options.Trace writes every line in and out.
//
// # Caveats
//
//   - A pseudo-terminal cannot come back at the same /dev/pts number
//     after an unplug: the kernel hands out the lowest free number, and
//     the gateway may still hold the old one. Path is therefore a symlink
//     the simulator owns (in a temporary directory unless Options.Link
//     names one), removed on Unplug and pointed at the new pty on Replug,
//     as udev manages /dev/serial/by-id links. Open Path, not Device.
//   - The simulator keeps a descriptor of the pty's slave open, in raw
//     mode, so a gateway that closes and reopens the port meets neither
//     the tty's own echo nor CR/NL translation. The cost: what the modem
//     writes while no program has the port open (a late answer, a URC)
//     waits in the pty and is read by the next open, where a real USB
//     port drops it. Output nobody reads for 2 s is dropped.
//   - The pty's master is never passed to (*os.File).Fd, which would make
//     it blocking so that closing it no longer hung up the slave; for the
//     same reason github.com/creack/pty is not used (its Open calls Fd).
//   - TCP connections and the pty are sessions of one modem: each has its
//     own echo and AT+CMEE, and every URC goes to all of them. Unplug
//     closes the TCP connections and refuses new ones until Replug.
//   - A class 2 message is stored on the SIM ("SM") whatever <mem3>
//     says, and its +CMTI names "SM".
//   - AT+QPINC="SC" tells the PIN attempts left, as on a Quectel.
//   - Storage indexes count from 0, as on an EC25; reading an empty index
//     answers OK alone, an index past the capacity +CMS ERROR: 321.
//   - Text mode is not simulated: AT+CMGF=1 answers +CMS ERROR: 303.
//   - AT+CNMI starts at 2,1,0,0,0 (the EC25 default), so status reports
//     are not routed until <ds> is set. +CNMA is expected only after
//     AT+CSMS=1, as TS 27.005 says; a +CMT or +CDS not acknowledged in
//     time makes the modem set <mt> and <ds> to 0 and the network
//     deliver the message again (stored, since <mt> is then 0).
//   - Unplug and AT+CFUN=1,1 restart the modem: echo on, AT+CMEE=0,
//     URCs off, AT+CNMI and AT+CPMS at their defaults, the SIM locked
//     again (a PUK lock stays). The storage and the recorded submits stay.
//     A real EC25 re-enumerates its USB ports on AT+CFUN=1,1; the
//     simulator keeps the port open.
//   - The delays are real time. Tests set RegistrationDelay and
//     SendDelay negative for no delay; status reports for several submits
//     scheduled at once may come in any order, as from a real network.
//   - Linux only (/dev/ptmx and its ioctls); NoPTY serves TCP alone.
package modemsim
