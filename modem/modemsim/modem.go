package modemsim

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/smsgw/smsgw/pdu"
)

// Modem is a running simulated modem. Its methods are safe for
// concurrent use.
type Modem struct {
	o    Options
	smsc pdu.Address // the SMSC part of the PDUs the modem hands over

	link   string // Path: the symlink to the current pty
	tmpDir string // removed by Close when the link is ours
	ln     net.Listener

	traceMu sync.Mutex
	wg      sync.WaitGroup // sessions, their readers, the accept loop

	mu       sync.Mutex
	closed   bool
	plugged  bool
	pty      *pty // nil while unplugged or with NoPTY
	sessions map[*session]struct{}
	handlers map[string]Handler // Handle's overrides
	changed  chan struct{}      // closed and replaced at every change
	timers   map[*time.Timer]struct{}

	epoch   int // bumped at each power-on: sessions reset echo and CMEE
	sim     simState
	net     netState
	sms     smsState
	faults  faults
	rssi    int
	lost    bool // network loss, outlasts resets
	report  pdu.Status
	mr      byte
	ref     uint16 // next concatenation reference of DeliverMO
	submits []Submit
	stats   Stats
}

// New starts a simulated modem: a pseudo-terminal whose slave Path
// opens (unless NoPTY), and a TCP listener at Addr if TCP is set. The
// modem is powered on: registration follows after RegistrationDelay.
func New(o Options) (*Modem, error) {
	o.defaults()
	smsc, err := pdu.ParseAddress(o.SMSC)
	if err != nil {
		return nil, fmt.Errorf("modemsim: SMSC %q: %w", o.SMSC, err)
	}
	m := &Modem{
		o: o, smsc: smsc,
		sessions: map[*session]struct{}{},
		handlers: map[string]Handler{},
		changed:  make(chan struct{}),
		timers:   map[*time.Timer]struct{}{},
		rssi:     o.Signal, report: o.ReportStatus, mr: o.FirstMR,
		sim: simState{pin: o.PIN},
		sms: newSMSState(o.Capacity),
	}
	for _, mo := range o.Preload {
		if err := m.preload(mo); err != nil {
			return nil, err
		}
	}
	if !o.NoPTY {
		m.link = o.Link
		if m.link == "" {
			if m.tmpDir, err = os.MkdirTemp("", "modemsim-"); err != nil {
				return nil, fmt.Errorf("modemsim: %w", err)
			}
			m.link = filepath.Join(m.tmpDir, "usb-"+o.Manufacturer+"_"+o.Model+"-if02-port0")
		}
	}
	if o.TCP {
		if m.ln, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
			m.cleanup()
			return nil, fmt.Errorf("modemsim: %w", err)
		}
		m.wg.Add(1)
		go m.accept()
	}
	if err := m.Replug(); err != nil {
		m.Close()
		return nil, err
	}
	return m, nil
}

// Path returns the device path to open, as a gateway opens
// /dev/serial/by-id/...: a symlink to the current pseudo-terminal that
// the simulator repoints on Replug. It is "" with NoPTY.
func (m *Modem) Path() string { return m.link }

// Device returns the pseudo-terminal the link points to now
// (/dev/pts/N), or "" while unplugged.
func (m *Modem) Device() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.pty == nil {
		return ""
	}
	return m.pty.name
}

// Addr returns the TCP address ("127.0.0.1:port") when Options.TCP is
// set, else "". A gateway opens it as "tcp://" + Addr().
func (m *Modem) Addr() string {
	if m.ln == nil {
		return ""
	}
	return m.ln.Addr().String()
}

// Close stops the modem: the pty hangs up, TCP connections close, and
// Close returns once every goroutine of the simulator has ended.
func (m *Modem) Close() error {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return nil
	}
	m.closed = true
	m.unplugLocked()
	for t := range m.timers {
		t.Stop()
	}
	m.timers = nil
	m.mu.Unlock()
	if m.ln != nil {
		m.ln.Close()
	}
	m.wg.Wait()
	m.cleanup()
	return nil
}

func (m *Modem) cleanup() {
	if m.tmpDir != "" {
		os.RemoveAll(m.tmpDir)
	}
}

// Wait calls cond each time the simulator's state changes (a command
// answered, a submit, a message stored, delivered or deleted, an
// acknowledgement, a registration change) until it returns true or ctx
// ends. cond may call the Modem's methods.
func (m *Modem) Wait(ctx context.Context, cond func() bool) error {
	for {
		m.mu.Lock()
		ch := m.changed
		m.mu.Unlock()
		if cond() {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// notify wakes the waiters of Wait; m.mu is held.
func (m *Modem) notify() {
	close(m.changed)
	m.changed = make(chan struct{})
}

// after runs f with m.mu held after d, unless the modem closed first.
func (m *Modem) after(d time.Duration, f func()) {
	if m.closed {
		return
	}
	var t *time.Timer
	t = time.AfterFunc(d, func() {
		m.mu.Lock()
		defer m.mu.Unlock()
		if m.closed {
			return
		}
		delete(m.timers, t)
		f()
		m.notify()
	})
	m.timers[t] = struct{}{}
}

// trace writes one line of the trace.
func (m *Modem) trace(name string, dir byte, b []byte) {
	if m.o.Trace == nil || len(b) == 0 {
		return
	}
	m.traceMu.Lock()
	defer m.traceMu.Unlock()
	fmt.Fprintf(m.o.Trace, "%s %c %q\n", name, dir, b)
}

// Stats counts what the modem did.
type Stats struct {
	Submits     int // messages sent (AT+CMGS answered +CMGS)
	Delivered   int // MO parts handed over (+CMT, or stored)
	Reports     int // status reports handed over (+CDS, or stored)
	Dropped     int // status reports not routed (<ds> 0)
	Acks        int // AT+CNMA acknowledging a +CMT or +CDS
	Nacks       int // AT+CNMA=2 (negative)
	AckTimeouts int // a +CMT or +CDS never acknowledged: <mt> and <ds> set to 0
	Held        int // messages the network holds now: not registered, storage full, or an acknowledgement pending
}

// Stats returns the counters.
func (m *Modem) Stats() Stats {
	m.mu.Lock()
	defer m.mu.Unlock()
	st := m.stats
	st.Held = len(m.sms.held)
	return st
}
