package gateway

import (
	"sync"
	"time"
)

// What the activity ring counts.
type activityKind int

const (
	kindSent activityKind = iota
	kindFailed
	kindReceived
	kinds
)

// MinuteCount is one minute of the last hour's activity.
type MinuteCount struct {
	Start    time.Time `json:"start"`
	Sent     int       `json:"sent"`
	Failed   int       `json:"failed"`
	Received int       `json:"received"`
}

// activity keeps per-minute counts for the last hour (the admin UI's
// chart): a ring of 60 minutes, each stamped with its minute.
type activity struct {
	now  func() time.Time
	mu   sync.Mutex
	ring [60]struct {
		min int64 // unix minute
		n   [kinds]int
	}
}

func newActivity(now func() time.Time) *activity { return &activity{now: now} }

func (a *activity) add(k activityKind) {
	m := a.now().Unix() / 60
	a.mu.Lock()
	defer a.mu.Unlock()
	slot := &a.ring[m%60]
	if slot.min != m {
		slot.min, slot.n = m, [kinds]int{}
	}
	slot.n[k]++
}

// lastHour is the 60 minutes up to now, oldest first (zero minutes
// included).
func (a *activity) lastHour() []MinuteCount {
	now := a.now().Unix() / 60
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make([]MinuteCount, 0, 60)
	for m := now - 59; m <= now; m++ {
		mc := MinuteCount{Start: time.Unix(m*60, 0).UTC()}
		if slot := a.ring[m%60]; slot.min == m {
			mc.Sent, mc.Failed, mc.Received = slot.n[kindSent], slot.n[kindFailed], slot.n[kindReceived]
		}
		out = append(out, mc)
	}
	return out
}

// Activity is the last hour's messages per minute (the admin UI's chart).
func (g *Gateway) Activity() []MinuteCount { return g.metrics.activity.lastHour() }
