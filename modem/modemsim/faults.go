package modemsim

import (
	"errors"
	"strings"
	"time"

	"github.com/smsgw/smsgw/pdu"
)

// faults are the failures set to come; m.mu guards them.
type faults struct {
	fails    []failRule
	hangs    []hangRule
	mids     []midRule
	hung     bool // answering nothing until Resume
	full     bool // storage full whatever its use
	lost     []lostRule
	noPrompt int  // AT+CMGS commands left that get no "> " prompt
	stalled  bool // the pty takes no writes (Stall) until Resume
}

type lostRule struct {
	prefix string
	n      int
}

type failRule struct {
	cmd string
	n   int
	err error
}

type hangRule struct {
	cmd string
	d   time.Duration
}

type midRule struct {
	cmd   string
	lines []string
}

// lineFault is what the faults do to one command line.
type lineFault struct {
	fail        error
	failAt      int // index of the command that fails
	hang        time.Duration
	hangForever bool
	mid         []string
}

// matches reports whether a fault set for cmd ("" for any command)
// applies to the command named name.
func matches(cmd, name string) bool {
	cmd = strings.ToUpper(strings.TrimSpace(cmd))
	cmd = strings.TrimPrefix(cmd, "AT")
	return cmd == "" || cmd == name
}

// faultsFor takes the faults that apply to a command line: the first
// command a rule matches consumes it.
func (m *Modem) faultsFor(cmds []Command) lineFault {
	m.mu.Lock()
	defer m.mu.Unlock()
	f := lineFault{failAt: -1}
	hang := false
	for i, c := range cmds {
		if j := findRule(m.faults.fails, func(r failRule) bool { return matches(r.cmd, c.Name) }); j >= 0 && f.fail == nil {
			f.fail, f.failAt = m.faults.fails[j].err, i
			if m.faults.fails[j].n--; m.faults.fails[j].n <= 0 {
				m.faults.fails = append(m.faults.fails[:j], m.faults.fails[j+1:]...)
			}
		}
		if j := findRule(m.faults.hangs, func(r hangRule) bool { return matches(r.cmd, c.Name) }); j >= 0 && !hang {
			hang = true
			f.hang, f.hangForever = m.faults.hangs[j].d, m.faults.hangs[j].d <= 0
			m.faults.hangs = append(m.faults.hangs[:j], m.faults.hangs[j+1:]...)
		}
		if j := findRule(m.faults.mids, func(r midRule) bool { return matches(r.cmd, c.Name) }); j >= 0 && f.mid == nil {
			f.mid = m.faults.mids[j].lines
			m.faults.mids = append(m.faults.mids[:j], m.faults.mids[j+1:]...)
		}
	}
	return f
}

// findRule returns the index of the first rule that ok accepts, or -1.
func findRule[R any](rules []R, ok func(R) bool) int {
	for i, r := range rules {
		if ok(r) {
			return i
		}
	}
	return -1
}

// FailNext makes the next n commands named cmd (such as "+CMGS"; "" for
// any command) answer err: a CMSError or CMEError gives +CMS ERROR or
// +CME ERROR (plain ERROR before AT+CMEE=1), any other error plain
// ERROR. An AT+CMGS fails after its PDU and the send delay, as a
// network refusal does, and is not recorded as a submit.
func (m *Modem) FailNext(cmd string, n int, err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if n <= 0 {
		return
	}
	if err == nil {
		err = errPlain
	}
	m.faults.fails = append(m.faults.fails, failRule{cmd: cmd, n: n, err: err})
}

// Hang makes the next command named cmd ("" for any) go unanswered.
// With d > 0 the answer comes d late (a gateway that timed out meets it
// on its next command). With d <= 0 the modem stops answering anything,
// and drops what it is sent, until Resume. For AT+CMGS the hang comes
// after the PDU: the message goes out (it is recorded) but the answer
// is late or lost, a send whose outcome the gateway cannot know.
func (m *Modem) Hang(cmd string, d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.faults.hangs = append(m.faults.hangs, hangRule{cmd: cmd, d: d})
}

// Resume ends a hang or a stall: the modem reads and answers commands
// again.
func (m *Modem) Resume() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.faults.hung = false
	if m.faults.stalled && m.pty != nil {
		m.pty.flow(true)
	}
	m.faults.stalled = false
	for s := range m.sessions {
		s.kick()
	}
	m.notify()
}

// Stall makes the modem stop taking what is written to its
// pseudo-terminal, as a USB modem whose firmware has stopped reading its
// endpoint does, or a serial adapter held by hardware flow control: the
// port's output is suspended (tcflow TCOOFF), so the gateway's next
// write(2) on it blocks until Resume. TCP sessions are not affected.
func (m *Modem) Stall() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.pty == nil {
		return errors.New("modemsim: stall: no pseudo-terminal (unplugged, or NoPTY)")
	}
	if err := m.pty.flow(false); err != nil {
		return err
	}
	m.faults.stalled = true
	return nil
}

func (m *Modem) setHung() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.faults.hung = true
	m.notify()
}

// Hung reports whether the modem answers nothing (Hang with d <= 0).
func (m *Modem) Hung() bool { return m.isHung() }

func (m *Modem) isHung() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.faults.hung
}

// URCInResponse puts lines (such as `+CMTI: "SM",3`, "+CREG: 0" or
// "RING") in the middle of the answer to the next command named cmd (""
// for any): after its information lines, before its final result code.
// For AT+CMGS they come between the "> " prompt and the +CMGS answer,
// right after the PDU, while the network is busy with it.
func (m *Modem) URCInResponse(cmd string, lines ...string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.faults.mids = append(m.faults.mids, midRule{cmd: cmd, lines: lines})
}

// SendURC sends lines as an unsolicited result now, or after the
// command in progress, to every session.
func (m *Modem) SendURC(lines ...string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.urc(lines...)
}

// LoseURCs makes the next n unsolicited results that start with prefix
// (such as "+CMTI:"; "" for any) never reach the gateway, as a URC is
// lost while the port re-enumerates, or goes to another port of the
// modem (a Quectel routes URCs to its USB modem port unless AT+QURCCFG
// says otherwise). What the URC announced happens all the same: the
// message is stored.
func (m *Modem) LoseURCs(prefix string, n int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if n > 0 {
		m.faults.lost = append(m.faults.lost, lostRule{prefix: prefix, n: n})
	}
}

// lose reports whether a URC whose first line is head is to be lost,
// and counts it; m.mu is held.
func (m *Modem) lose(head string) bool {
	j := findRule(m.faults.lost, func(r lostRule) bool { return strings.HasPrefix(head, r.prefix) })
	if j < 0 {
		return false
	}
	if m.faults.lost[j].n--; m.faults.lost[j].n <= 0 {
		m.faults.lost = append(m.faults.lost[:j], m.faults.lost[j+1:]...)
	}
	return true
}

// NoPrompt makes the next n AT+CMGS commands get no "> " prompt: the
// modem keeps the command open and sends nothing, so the gateway never
// writes its PDU (ESC then cancels the command, which answers OK). The
// message does not go out.
func (m *Modem) NoPrompt(n int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.faults.noPrompt += max(n, 0)
}

// takeNoPrompt consumes one NoPrompt, if any.
func (m *Modem) takeNoPrompt() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.faults.noPrompt <= 0 {
		return false
	}
	m.faults.noPrompt--
	return true
}

// Restart makes the modem restart by itself without leaving the bus, as
// a module on a UART or a crashed firmware does: settings go back to
// their defaults (echo on, AT+CMEE=0, AT+CNMI=2,1,0,0,0), the SIM asks
// for its PIN again, registration starts over, and the modem prints
// "RDY" and its SIM state, as an EC25 does at boot. The port stays open.
func (m *Modem) Restart() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.plugged {
		return
	}
	m.powerOn()
	m.urc("RDY")
	m.urc("+CPIN: " + m.sim.state)
	m.notify()
}

// CNMI returns the message routing AT+CNMI set: <mode>, <mt>, <bm>,
// <ds>, <bfr>.
func (m *Modem) CNMI() [5]int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.sms.cnmi
}

// SetStorageFull makes the message storage full (true) whatever it
// holds, or lifts that (false). While full, new MO and status reports
// to be stored wait at the network (and come once there is room), and
// AT+CMGW answers +CMS ERROR: 322.
func (m *Modem) SetStorageFull(full bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.faults.full = full
	m.pump()
	m.notify()
}

// SetNetworkLost loses the network (true): the modem deregisters
// (+CREG: 0 to a gateway that asked for URCs), AT+CSQ answers 99,99,
// and sends fail with +CMS ERROR: 331. With false the network is back
// and the modem registers after RegistrationDelay.
func (m *Modem) SetNetworkLost(lost bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.lost = lost
	if lost {
		m.net.registered = false
	}
	m.updateRadio()
	m.notify()
}

// SetSignal sets the RSSI AT+CSQ reports, 0 to 31 (99: unknown).
func (m *Modem) SetSignal(rssi int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.rssi = rssi
}

// SetReportStatus sets the TP-ST of the status reports sent for
// submits from now on: 0x00 delivered, 0x20-0x3F still trying,
// 0x40-0x7F failed (see pdu.Status).
func (m *Modem) SetReportStatus(st pdu.Status) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.report = st
}
