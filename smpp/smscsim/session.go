package smscsim

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"slices"
	"sync"
	"time"

	"github.com/fiorix/go-smpp/smpp/pdu"
)

// bindState is the SMPP session state of one connection (SMPP 3.4, 2.3).
type bindState int

const (
	stateOpen bindState = iota
	stateTX
	stateRX
	stateTRX
	stateUnbinding // unbind sent or received: nothing more is sent to it
	stateClosed
)

var stateNames = [...]string{"open", "bound_tx", "bound_rx", "bound_trx", "unbinding", "closed"}

func (b bindState) String() string { return stateNames[b] }

// transitions lists the legal state changes; setStateLocked refuses others.
var transitions = map[bindState][]bindState{
	stateOpen:      {stateTX, stateRX, stateTRX, stateClosed},
	stateTX:        {stateUnbinding, stateClosed},
	stateRX:        {stateUnbinding, stateClosed},
	stateTRX:       {stateUnbinding, stateClosed},
	stateUnbinding: {stateClosed},
}

// setStateLocked moves the session to state to if that is legal.
// s.srv.mu must be held.
func (ss *session) setStateLocked(to bindState) bool {
	if !slices.Contains(transitions[ss.state], to) {
		return false
	}
	ss.state = to
	ss.srv.notifyLocked()
	return true
}

func (b bindState) bound() bool { return b == stateTX || b == stateRX || b == stateTRX }

// canSubmit says whether the ESME may send submit_sm in this state.
func (b bindState) canSubmit() bool { return b == stateTX || b == stateTRX }

// canReceive says whether the SMSC may send deliver_sm in this state.
func (b bindState) canReceive() bool { return b == stateRX || b == stateTRX }

// session is one ESME connection. One goroutine (serve) reads it; writes
// are serialised by wmu and bounded by Options.WriteTimeout. The fields
// after wmu are guarded by the Server's mu.
type session struct {
	srv  *Server
	conn net.Conn
	once sync.Once
	wmu  sync.Mutex

	state    bindState
	systemID string
	seq      uint32
	inflight map[uint32]*outbound
}

func newSession(s *Server, c net.Conn) *session {
	return &session{srv: s, conn: c, inflight: make(map[uint32]*outbound)}
}

// nextSeqLocked allocates a sequence number for a PDU the server
// originates: 1 to 0x7FFFFFFF, then 1 again. s.srv.mu must be held.
func (ss *session) nextSeqLocked() uint32 {
	ss.seq++
	if ss.seq > 0x7FFFFFFF {
		ss.seq = 1
	}
	return ss.seq
}

func (ss *session) serve() {
	defer ss.close()
	r := bufio.NewReader(ss.conn)
	for {
		f, err := readFrame(r, ss.srv.opts.MaxPDU)
		if err != nil {
			ss.trace("close: %v", err)
			return
		}
		ss.trace("in  %s seq=%d status=%#x len=%d", idName(f.hdr.ID), f.hdr.Seq, uint32(f.hdr.Status), f.hdr.Len)
		if ss.srv.countPDU() {
			ss.trace("close: fault: drop after N PDUs")
			return
		}
		if !ss.handle(f) {
			return
		}
	}
}

// write serialises p and writes it under the write deadline; a failed
// write closes the connection.
func (ss *session) write(p pdu.Body) error {
	ss.wmu.Lock()
	defer ss.wmu.Unlock()
	return ss.writeLocked(p)
}

// writeLocked is write with ss.wmu held. Lock order: Server.mu, then wmu.
func (ss *session) writeLocked(p pdu.Body) error {
	var b bytes.Buffer
	if err := p.SerializeTo(&b); err != nil {
		return fmt.Errorf("smscsim: encode %s: %w", p.Header().ID, err)
	}
	h := p.Header()
	ss.trace("out %s seq=%d status=%#x len=%d", idName(h.ID), h.Seq, uint32(h.Status), h.Len)
	ss.conn.SetWriteDeadline(time.Now().Add(ss.srv.opts.WriteTimeout))
	if _, err := ss.conn.Write(b.Bytes()); err != nil {
		ss.conn.Close() // the reader then ends the session
		return fmt.Errorf("smscsim: write %s: %w", h.ID, err)
	}
	return nil
}

// close ends the session once: the connection is closed and whatever
// was sent to it and not acknowledged is queued again for the next bind.
func (ss *session) close() {
	ss.once.Do(func() {
		s := ss.srv
		s.mu.Lock()
		ss.setStateLocked(stateClosed)
		requeue, sysID := len(ss.inflight) > 0, ss.systemID
		for seq, o := range ss.inflight {
			o.sess = nil
			delete(ss.inflight, seq)
		}
		delete(s.sessions, ss)
		s.notifyLocked()
		s.mu.Unlock()
		ss.conn.Close()
		if requeue {
			s.send(sysID, false) // to another receiver, if one is bound
		}
	})
}

func (ss *session) trace(format string, args ...any) {
	w := ss.srv.opts.Trace
	if w == nil {
		return
	}
	ss.srv.traceMu.Lock() // Trace writers need not be safe for concurrent use
	defer ss.srv.traceMu.Unlock()
	fmt.Fprintf(w, "smscsim %s: "+format+"\n", append([]any{ss.conn.RemoteAddr()}, args...)...)
}

// idName is the command's name, or its hex value when the codec has none.
func idName(id pdu.ID) string {
	if n := id.String(); n != "" {
		return n
	}
	return fmt.Sprintf("%#08x", uint32(id))
}
