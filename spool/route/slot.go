package route

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/smsgw/smsgw/spool"
)

// Entry is a connector with its gates.
type Entry struct {
	Connector Connector
	Enabled   bool // fail closed: false means never used
	// MaxInFlight bounds the sends in flight through it, so that one slow
	// connector cannot take every dispatcher slot. Default 4.
	MaxInFlight int
}

type slot struct {
	Entry
	enabled atomic.Bool // Entry.Enabled, then SetEnabled
	sem     chan struct{}
	// urgent counts emergency sends waiting for a free slot: while one
	// waits, other sends take no slot, so the next free one is its.
	urgent atomic.Int32
	brk    breaker
}

// usable is the fail-closed gate: enabled in the configuration, ready
// (bound, registered), and not failing every send (breaker).
func (s *slot) usable() bool { return s.enabled.Load() && s.Connector.Ready() && !s.brk.open() }

// emergencyWait bounds how long an emergency send waits for a busy
// connector's slot before it is deferred like any other.
const emergencyWait = 30 * time.Second

// acquire takes a slot for m: at once, or for an emergency message by
// waiting for one (ahead of everything else).
func (s *slot) acquire(ctx context.Context, m *spool.Message) bool {
	if m.Priority < spool.PriorityEmergency && s.urgent.Load() > 0 {
		return false
	}
	select {
	case s.sem <- struct{}{}:
		return true
	default:
	}
	if m.Priority < spool.PriorityEmergency {
		return false
	}
	s.urgent.Add(1)
	defer s.urgent.Add(-1)
	t := time.NewTimer(emergencyWait)
	defer t.Stop()
	select {
	case s.sem <- struct{}{}:
		return true
	case <-ctx.Done():
	case <-t.C:
	}
	return false
}
