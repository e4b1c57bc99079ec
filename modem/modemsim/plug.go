package modemsim

import (
	"io"
	"os"
)

// Unplug pulls the modem out: the pseudo-terminal's master closes, so a
// gateway's pending Read fails and its writes get EIO; the link at Path
// disappears (opening it fails with ENOENT, as a missing by-id link
// does); TCP connections close and new ones are closed at once, as
// ser2net does without its device. The modem loses power: registration,
// SIM unlock and settings are gone, and the network holds MO and status
// reports until it is back. What is stored on the SIM stays.
func (m *Modem) Unplug() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.unplugLocked()
	m.notify()
}

func (m *Modem) unplugLocked() {
	if !m.plugged {
		return
	}
	m.plugged = false
	m.faults.stalled = false // the new pty of a Replug takes writes
	for s := range m.sessions {
		s.stop()
	}
	if m.pty != nil {
		m.pty.close()
		m.pty = nil
		os.Remove(m.link)
	}
	m.powerOff()
}

// Replug plugs the modem back in: a new pseudo-terminal, the link at
// Path pointed at it (the /dev/pts number may differ, as a ttyUSB number
// may), and a power-on: the SIM asks for its PIN again and registration
// follows after RegistrationDelay. It returns ErrPlugged if the modem is
// plugged in.
func (m *Modem) Replug() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return ErrClosed
	}
	if m.plugged {
		return ErrPlugged
	}
	if !m.o.NoPTY {
		p, err := openPTY()
		if err != nil {
			return err
		}
		if err := pointLink(m.link, p.name); err != nil {
			p.close()
			return err
		}
		m.pty = p
		m.startSession("pty", p.master)
	}
	m.plugged = true
	m.powerOn()
	m.notify()
	return nil
}

// accept serves TCP connections, each a session of its own on the same
// modem (URCs go to every session).
func (m *Modem) accept() {
	defer m.wg.Done()
	for {
		c, err := m.ln.Accept()
		if err != nil {
			return // the listener closed
		}
		m.mu.Lock()
		if m.closed || !m.plugged {
			c.Close()
		} else {
			m.startSession("tcp "+c.RemoteAddr().String(), c)
		}
		m.mu.Unlock()
	}
}

// startSession serves one connection; m.mu is held and the modem not
// closed.
func (m *Modem) startSession(name string, conn io.ReadWriteCloser) {
	s := newSession(m, name, conn)
	m.sessions[s] = struct{}{}
	m.wg.Add(2)
	go s.read()
	go s.run()
}

func (m *Modem) dropSession(s *session) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.sessions, s)
}

// urc sends an unsolicited result to every session; m.mu is held. A
// session busy with a command sends it after the final result code.
func (m *Modem) urc(lines ...string) {
	if len(lines) > 0 && m.lose(lines[0]) {
		return
	}
	for s := range m.sessions {
		s.post(lines)
	}
}
