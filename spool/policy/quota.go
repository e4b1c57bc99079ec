package policy

import (
	"fmt"
	"sync"
	"time"

	"github.com/smsgw/smsgw/spool"
)

// quotas are the per-tenant counters of MT messages accepted today (UTC).
// They live in memory: at start (and when a tenant gains a quota) the day
// is counted from the spool, so there is no extra write per message.
type quotas struct {
	mu sync.Mutex
	m  map[string]*dayCount
}

type dayCount struct {
	day int64 // days since the Unix epoch, UTC
	n   int
}

func utcDay(t time.Time) int64 { return t.Unix() / 86400 }

// count sets a tenant's counter from the MT messages the spool accepted
// since the start of now's UTC day.
func (q *quotas) count(store *spool.Store, tenant string, now time.Time) error {
	day := utcDay(now)
	f := spool.Filter{Tenant: tenant, Direction: spool.MT, Since: time.Unix(day*86400, 0).UTC()}
	n, cursor := 0, ""
	for {
		page, err := store.List(f, cursor, 1000)
		if err != nil {
			return fmt.Errorf("policy: count today's messages of %s: %w", tenant, err)
		}
		n += len(page.Messages)
		if page.Next == "" {
			break
		}
		cursor = page.Next
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.m == nil {
		q.m = map[string]*dayCount{}
	}
	q.m[tenant] = &dayCount{day: day, n: n}
	return nil
}

// drop forgets a tenant's counter (it has no quota any more).
func (q *quotas) drop(tenant string) {
	q.mu.Lock()
	delete(q.m, tenant)
	q.mu.Unlock()
}

// reserve takes one unit of the tenant's quota for today. Emergency
// messages are counted but never refused.
func (q *quotas) reserve(r *rules, prio spool.Priority, now time.Time) (bool, int64, error) {
	if r.QuotaPerDay <= 0 {
		return false, 0, nil
	}
	day := utcDay(now)
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.m == nil {
		q.m = map[string]*dayCount{}
	}
	c := q.m[r.ID]
	if c == nil {
		c = &dayCount{day: day}
		q.m[r.ID] = c
	}
	if c.day != day {
		c.day, c.n = day, 0
	}
	if c.n >= r.QuotaPerDay && prio != spool.PriorityEmergency {
		e := refuse(CodeQuotaExceeded, "",
			"tenant %s reached its quota of %d messages for today (UTC); it resets at 00:00 UTC", r.ID, r.QuotaPerDay)
		e.Retry = now.UTC().Truncate(24 * time.Hour).Add(24 * time.Hour).Sub(now)
		return false, 0, e
	}
	c.n++
	return true, day, nil
}

// release gives back a unit reserved on day (nothing if the day is over).
func (q *quotas) release(tenant string, day int64) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if c := q.m[tenant]; c != nil && c.day == day && c.n > 0 {
		c.n--
	}
}

// used is a tenant's count for now's day.
func (q *quotas) used(tenant string, now time.Time) int {
	q.mu.Lock()
	defer q.mu.Unlock()
	if c := q.m[tenant]; c != nil && c.day == utcDay(now) {
		return c.n
	}
	return 0
}

// Release gives back the quota unit Check reserved for d, when the
// message was then not enqueued (spool full, idempotent replay, client
// gone). Call it at most once per Decision.
func (p *Policy) Release(d Decision) {
	if d.reserved {
		p.quotas.release(d.Tenant, d.quotaDay)
	}
}

// QuotaUsed returns how many messages count against the tenant's quota
// today (UTC): 0 for a tenant without a quota.
func (p *Policy) QuotaUsed(tenant string) int { return p.quotas.used(tenant, p.opts.Now()) }
