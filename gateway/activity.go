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

// activity keeps per-minute counts for the last hour in memory: the admin
// UI's chart when the audit trail has too much to read (auditActivity).
// A ring of 60 minutes, each stamped with its minute.
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
func (g *Gateway) Activity() []MinuteCount {
	if out, ok := g.auditActivity(); ok {
		return out
	}
	return g.metrics.activity.lastHour()
}

// maxActivityScan bounds the audit entries one chart reads: past it
// (a very busy hour), the in-memory counts serve.
const maxActivityScan = 100_000

// auditActivity counts the last hour from the audit trail, which the
// spool keeps on disk: a restart keeps the chart, and a message the
// spool expires while it waits is a failure of its minute, as in the
// dashboard's list of failures. ok is false when the hour has more than
// maxActivityScan entries, or the trail cannot be read.
func (g *Gateway) auditActivity() ([]MinuteCount, bool) {
	first := g.store.Now().UTC().Truncate(time.Minute).Add(-59 * time.Minute)
	out := make([]MinuteCount, 60)
	for i := range out {
		out[i].Start = first.Add(time.Duration(i) * time.Minute)
	}
	var before uint64
	for read := 0; read < maxActivityScan; {
		page, err := g.store.AuditLog(before, 1000)
		if err != nil {
			return nil, false
		}
		for _, e := range page {
			if e.At.Before(first) {
				return out, true
			}
			i := min(int(e.At.Sub(first)/time.Minute), 59)
			switch e.Action {
			case "sent":
				out[i].Sent++
			case "failed", "expired", "undelivered", "rejected":
				out[i].Failed++
			case "received":
				out[i].Received++
			}
		}
		if len(page) < 1000 || page[len(page)-1].Seq <= 1 {
			return out, true
		}
		read += len(page)
		before = page[len(page)-1].Seq
	}
	return nil, false
}
