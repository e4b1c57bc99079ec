package modemsim

import (
	"io"
	"strings"
	"sync"
	"time"
)

const (
	maxLine      = 1024 // longest command line kept; the rest is dropped
	writeTimeout = 2 * time.Second
)

// session is one connection to the modem: the pty or a TCP connection.
// Its run goroutine owns the line parsing and is the only writer, so
// URCs never land inside a response unless a fault asks for it; read
// only feeds it.
type session struct {
	m    *Modem
	name string
	conn io.ReadWriteCloser
	in   chan []byte
	done chan struct{}
	once sync.Once

	qmu   sync.Mutex
	queue []byte        // URCs waiting for the session to be idle
	sig   chan struct{} // capacity 1: the queue has something

	// Owned by run.
	echo    bool
	cmee    int
	epoch   int
	line    []byte
	prompt  *prompt
	echoBuf []byte
}

func newSession(m *Modem, name string, conn io.ReadWriteCloser) *session {
	return &session{
		m: m, name: name, conn: conn,
		in:   make(chan []byte, 8),
		done: make(chan struct{}),
		sig:  make(chan struct{}, 1),
		echo: true, epoch: m.epoch,
	}
}

// stop ends the session; it is safe to call more than once.
func (s *session) stop() {
	s.once.Do(func() {
		close(s.done)
		s.conn.Close()
	})
}

func (s *session) read() {
	defer s.m.wg.Done()
	defer close(s.in)
	for {
		buf := make([]byte, 512)
		n, err := s.conn.Read(buf)
		if n > 0 {
			select {
			case s.in <- buf[:n]:
			case <-s.done:
				return
			}
		}
		if err != nil {
			return
		}
	}
}

func (s *session) run() {
	defer s.m.wg.Done()
	defer s.m.dropSession(s)
	defer s.stop()
	for {
		select {
		case <-s.done:
			return
		case b, ok := <-s.in:
			if !ok {
				return
			}
			s.feed(b)
		case <-s.sig:
			s.flush()
		}
	}
}

// post queues a URC; any goroutine may call it. Its lines go as one
// block, as a modem writes them: "\r\n+CMT: ,24\r\n<pdu>\r\n", no empty
// line between the header and the PDU.
func (s *session) post(lines []string) {
	block := "\r\n" + strings.Join(lines, "\r\n") + "\r\n"
	s.qmu.Lock()
	s.queue = append(s.queue, block...)
	s.qmu.Unlock()
	s.kick()
}

func (s *session) kick() {
	select {
	case s.sig <- struct{}{}:
	default:
	}
}

// flush writes the queued URCs unless a command is in progress.
func (s *session) flush() {
	if s.prompt != nil || s.m.isHung() {
		return
	}
	s.qmu.Lock()
	q := s.queue
	s.queue = nil
	s.qmu.Unlock()
	s.write(q)
}

// feed takes bytes from the line: command lines end with CR, and after
// the "> " prompt of AT+CMGS the PDU ends with Ctrl-Z (or ESC cancels).
func (s *session) feed(b []byte) {
	for _, c := range b {
		if s.m.isHung() {
			s.line, s.prompt = s.line[:0], nil
			break
		}
		if s.prompt != nil {
			s.promptByte(c)
			continue
		}
		switch c {
		case '\r':
			line := string(s.line)
			s.line = s.line[:0]
			s.command(line)
		case '\n', 0x1a, 0x1b, 0:
		case 0x08, 0x7f:
			if len(s.line) > 0 {
				s.line = s.line[:len(s.line)-1]
			}
		default:
			if len(s.line) < maxLine {
				s.line = append(s.line, c)
			}
		}
	}
	s.write(nil)
}

// command runs one command line.
func (s *session) command(line string) {
	m := s.m
	m.mu.Lock()
	if s.epoch != m.epoch { // the modem restarted
		s.echo, s.cmee, s.epoch = true, 0, m.epoch
	}
	m.mu.Unlock()
	m.trace(s.name, '<', []byte(line+"\r"))
	if s.echo {
		s.echoBuf = append(s.echoBuf, line+"\r"...)
	}
	text := strings.TrimSpace(line)
	if len(text) < 2 || !strings.EqualFold(text[:2], "AT") {
		return // not a command: a modem waits for "AT"
	}
	cmds, err := parseLine(text[2:])
	if err != nil {
		s.reply(nil, errPlain, nil)
		return
	}
	if len(cmds) == 0 {
		cmds = []Command{{}} // a bare AT
	}
	f := m.faultsFor(cmds)
	var info []string
	var final error
	for i, c := range cmds {
		if f.fail != nil && i == f.failAt && c.Name != "+CMGS" { // a send fails after its PDU
			final = f.fail
			break
		}
		lines, err := s.exec(c)
		info = append(info, lines...)
		if err == errPrompt {
			s.prompt.fault = f
			if !m.takeNoPrompt() {
				s.write([]byte("\r\n> "))
			}
			return
		}
		if err != nil {
			final = err
			break
		}
	}
	if f.hangForever {
		m.setHung()
		return
	}
	if !s.wait(f.hang) {
		return
	}
	s.reply(info, final, f.mid)
}

// reply writes a response: information lines, the URCs a fault puts in
// the middle, the final result code; then the URCs that waited.
func (s *session) reply(info []string, final error, mid []string) {
	var b strings.Builder
	if len(info) > 0 {
		b.WriteString("\r\n" + strings.Join(info, "\r\n") + "\r\n")
	}
	for _, l := range mid {
		b.WriteString("\r\n" + l + "\r\n")
	}
	b.WriteString("\r\n" + finalResult(final, s.cmee) + "\r\n")
	s.write([]byte(b.String()))
	s.flush()
}

// write sends the pending echo, then b. Output nobody reads within
// writeTimeout is dropped, as a port nobody has open drops it.
func (s *session) write(b []byte) {
	if len(s.echoBuf) > 0 {
		b = append(s.echoBuf, b...)
		s.echoBuf = nil
	}
	if len(b) == 0 {
		return
	}
	if d, ok := s.conn.(interface{ SetWriteDeadline(time.Time) error }); ok {
		d.SetWriteDeadline(time.Now().Add(writeTimeout))
	}
	s.m.trace(s.name, '>', b)
	s.conn.Write(b) // a dead connection ends the session through read
}

// wait lets d pass (the modem's own latency, not synchronisation); it
// returns false if the session ended meanwhile.
func (s *session) wait(d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-s.done:
		return false
	}
}
