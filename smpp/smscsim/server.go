package smscsim

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"sync"
	"time"
)

// Server is a simulated SMSC listening on a loopback TCP port.
type Server struct {
	opts Options
	ln   net.Listener
	wg   sync.WaitGroup

	traceMu sync.Mutex

	mu       sync.Mutex
	changed  chan struct{} // closed and replaced on every change waiters care about
	closed   bool
	done     chan struct{} // closed by Close
	sessions map[*session]struct{}
	rnd      *rand.Rand
	ids      map[uint64]struct{}
	nextID   uint64
	submits  []Submit
	out      []*outbound // receipts and MO, in the order they were queued
	unacked  int         // out[:unacked] are all acknowledged: send looks from here
	acks     int         // how many of out are acknowledged
	timers   map[*time.Timer]struct{}
	faults   faults
}

// New starts a Server on 127.0.0.1 at a free port.
func New(opts Options) (*Server, error) {
	addr := opts.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("smscsim: listen: %w", err)
	}
	o := opts.withDefaults()
	s := &Server{
		opts:     o,
		ln:       ln,
		changed:  make(chan struct{}),
		done:     make(chan struct{}),
		sessions: make(map[*session]struct{}),
		rnd:      rand.New(rand.NewPCG(o.Seed, o.Seed^0x5deece66d)),
		ids:      make(map[uint64]struct{}),
		timers:   make(map[*time.Timer]struct{}),
	}
	s.wg.Add(1)
	go s.accept()
	return s, nil
}

// Closed is closed when Close is called.
func (s *Server) Closed() <-chan struct{} { return s.done }

// Addr is the host:port the Server listens on.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Close stops the listener, closes every connection, cancels pending
// receipts and timers and waits for the goroutines it started to end.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	close(s.done)
	for t := range s.timers {
		t.Stop()
	}
	sessions := make([]*session, 0, len(s.sessions))
	for ss := range s.sessions {
		sessions = append(sessions, ss)
	}
	s.notifyLocked()
	s.mu.Unlock()
	err := s.ln.Close()
	for _, ss := range sessions {
		ss.close()
	}
	s.wg.Wait()
	return err
}

func (s *Server) accept() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue // a transient accept error; Close ends the loop
		}
		ss := newSession(s, c)
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			c.Close()
			return
		}
		s.sessions[ss] = struct{}{}
		s.mu.Unlock()
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			ss.serve()
		}()
	}
}

// notifyLocked wakes every waiter. s.mu must be held.
func (s *Server) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// wait blocks until cond (called with s.mu held) is true, the context
// ends or the Server closes.
func (s *Server) wait(ctx context.Context, cond func() bool) error {
	for {
		s.mu.Lock()
		if cond() {
			s.mu.Unlock()
			return nil
		}
		if s.closed {
			s.mu.Unlock()
			return ErrClosed
		}
		ch := s.changed
		s.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// afterFunc runs f after d unless the Server closes first.
func (s *Server) afterFunc(d time.Duration, f func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	var t *time.Timer
	t = time.AfterFunc(d, func() {
		s.mu.Lock()
		_, live := s.timers[t]
		delete(s.timers, t)
		if live {
			s.wg.Add(1) // under mu while open, so never after Close waits
		}
		s.mu.Unlock()
		if live {
			defer s.wg.Done()
			f()
		}
	})
	s.timers[t] = struct{}{}
}

// Bound reports how many sessions are bound, of any kind.
func (s *Server) Bound() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for ss := range s.sessions {
		if ss.state.bound() {
			n++
		}
	}
	return n
}

// WaitBound waits until at least n sessions are bound.
func (s *Server) WaitBound(ctx context.Context, n int) error {
	return s.wait(ctx, func() bool {
		c := 0
		for ss := range s.sessions {
			if ss.state.bound() {
				c++
			}
		}
		return c >= n
	})
}

// Sessions reports how many connections are open, bound or not.
func (s *Server) Sessions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.sessions)
}

// WaitSessions waits until exactly n connections are open.
func (s *Server) WaitSessions(ctx context.Context, n int) error {
	return s.wait(ctx, func() bool { return len(s.sessions) == n })
}
