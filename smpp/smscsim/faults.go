package smscsim

import (
	"time"

	"github.com/fiorix/go-smpp/smpp/pdu"
)

// faults is the fault injection state, guarded by Server.mu.
type faults struct {
	rate      int         // submits per second before ESME_RTHROTTLED; 0 = no limit
	window    []time.Time // accepted submits within the last second
	queueFull int         // the next queueFull submits get ESME_RMSGQFUL
	delay     time.Duration
	dropAfter int // the PDU that makes it 0 closes its connection; 0 = off
	ignore    func(Submit) bool
	refuse    pdu.Status // answered to every submit_sm; 0 = off
}

// onSubmitLocked applies the submit faults in this order: throttle,
// queue full, then ignore and delay for an accepted submit.
func (f *faults) onSubmitLocked(m Submit, now time.Time) (st pdu.Status, delay time.Duration, ignore bool) {
	if f.rate > 0 {
		cut := now.Add(-time.Second)
		i := 0
		for i < len(f.window) && !f.window[i].After(cut) {
			i++
		}
		f.window = f.window[i:]
		if len(f.window) >= f.rate {
			return StatusThrottled, 0, false
		}
	}
	if f.queueFull > 0 {
		f.queueFull--
		return StatusMsgQFul, 0, false
	}
	if f.refuse != 0 {
		return f.refuse, 0, false
	}
	if f.rate > 0 {
		f.window = append(f.window, now)
	}
	if f.ignore != nil && f.ignore(m) {
		return StatusOK, 0, true
	}
	return StatusOK, f.delay, false
}

// countPDU counts a PDU read for DropAfter; true means close its
// connection without answering.
func (s *Server) countPDU() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.faults.dropAfter == 0 {
		return false
	}
	s.faults.dropAfter--
	return s.faults.dropAfter == 0
}

// SetThrottle answers ESME_RTHROTTLED (0x58) to every submit_sm above
// perSecond accepted submits in any one-second window, across all
// sessions. 0 turns it off.
func (s *Server) SetThrottle(perSecond int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.rate = max(perSecond, 0)
	s.faults.window = nil
}

// SetQueueFull answers ESME_RMSGQFUL (0x14) to the next n submit_sm.
func (s *Server) SetQueueFull(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.queueFull = max(n, 0)
}

// RefuseSubmits answers every submit_sm with st, as a carrier whose
// backend is down while its SMPP front end stays bound (ESME_RSYSERR,
// ESME_RSUBMITFAIL). 0 turns it off.
func (s *Server) RefuseSubmits(st pdu.Status) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.refuse = st
}

// SetResponseDelay delays every submit_sm_resp by d; 0 turns it off.
func (s *Server) SetResponseDelay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.delay = max(d, 0)
}

// DropAfter closes the connection that the n-th PDU from now arrives
// on, without answering that PDU. 0 turns it off.
func (s *Server) DropAfter(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.dropAfter = max(n, 0)
}

// IgnoreSubmits makes the simulator never answer a submit_sm for which
// match returns true; it is recorded with Ignored set and gets no
// receipt. match runs with the server's lock held and must not call the
// Server. nil turns it off.
func (s *Server) IgnoreSubmits(match func(Submit) bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.ignore = match
}

// Unbind sends unbind to every bound session of systemID ("" for all)
// and closes each when it answers or after Options.UnbindTimeout. It
// returns how many sessions it unbound.
func (s *Server) Unbind(systemID string) int {
	s.mu.Lock()
	var targets []*session
	seqs := make(map[*session]uint32)
	for ss := range s.sessions {
		if (systemID == "" || ss.systemID == systemID) && ss.setStateLocked(stateUnbinding) {
			seqs[ss] = ss.nextSeqLocked()
			targets = append(targets, ss)
		}
	}
	s.notifyLocked()
	s.mu.Unlock()
	for _, ss := range targets {
		p := pdu.NewUnbind()
		p.Header().Seq = seqs[ss]
		ss.write(p)
		s.afterFunc(s.opts.UnbindTimeout, ss.close)
	}
	return len(targets)
}
