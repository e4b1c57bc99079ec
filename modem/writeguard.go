package modem

import (
	"bytes"
	"fmt"
	"io"
	"sync"
	"time"
)

// writeGuard bounds the writes to a modem's port (LIBRARIES.md P6).
// write(2) on a serial device blocks while the device does not drain
// it, and the AT engine (warthog618/modem at) starts a command's timeout
// only once its write has returned: one blocked write would hold the
// connector, and every send queued behind it, for ever, with the modem
// still counted ready. A write not done within the timeout is given up:
// the port is closed, which ends the session as an unplug does, and the
// write fails with ErrPortBlocked. The write itself stays in the kernel
// until the device drains or leaves the bus (closing the descriptor
// does not end it); until then ready refuses a new session, so a
// stalled modem costs one goroutine, not one per reopen.
type writeGuard struct {
	timeout time.Duration

	mu      sync.Mutex
	blocked chan struct{} // closed when the write given up returns; nil if none
}

// ready returns ErrPortBlocked while a write given up is still blocked.
func (g *writeGuard) ready() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.blocked == nil {
		return nil
	}
	select {
	case <-g.blocked:
		g.blocked = nil
		return nil
	default:
		return fmt.Errorf("%w (a write given up after %v has not returned yet)", ErrPortBlocked, g.timeout)
	}
}

// port wraps p so that its writes are bounded.
func (g *writeGuard) port(p io.ReadWriteCloser) io.ReadWriteCloser { return guardedPort{p, g} }

type guardedPort struct {
	io.ReadWriteCloser
	g *writeGuard
}

func (p guardedPort) Write(b []byte) (int, error) {
	if err := p.g.ready(); err != nil {
		return 0, err
	}
	type result struct {
		n   int
		err error
	}
	done := make(chan result, 1)
	returned := make(chan struct{})
	buf := bytes.Clone(b) // the caller may reuse b once we return
	go func() {
		defer close(returned)
		n, err := p.ReadWriteCloser.Write(buf)
		done <- result{n, err}
	}()
	t := time.NewTimer(p.g.timeout)
	defer t.Stop()
	select {
	case r := <-done:
		return r.n, r.err
	case <-t.C:
	}
	p.g.mu.Lock()
	p.g.blocked = returned
	p.g.mu.Unlock()
	p.ReadWriteCloser.Close()
	return 0, fmt.Errorf("%w: %d bytes not taken in %v", ErrPortBlocked, len(b), p.g.timeout)
}
