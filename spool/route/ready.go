package route

import (
	"context"
	"sync"
)

// Readiness is a connector's ready flag that can be waited on (start-up
// ordering, health pages, tests). The zero value is not ready.
type Readiness struct {
	mu      sync.Mutex
	ready   bool
	changed chan struct{} // closed and replaced on every change
}

// Ready reports the flag.
func (r *Readiness) Ready() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.ready
}

// Set changes the flag and reports whether it changed.
func (r *Readiness) Set(ready bool) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ready == ready {
		return false
	}
	r.ready = ready
	if r.changed != nil {
		close(r.changed)
		r.changed = nil
	}
	return true
}

// Wait waits until the flag is want or ctx ends.
func (r *Readiness) Wait(ctx context.Context, want bool) error {
	for {
		r.mu.Lock()
		if r.ready == want {
			r.mu.Unlock()
			return nil
		}
		if r.changed == nil {
			r.changed = make(chan struct{})
		}
		ch := r.changed
		r.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
