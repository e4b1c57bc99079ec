package policy

import (
	"fmt"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// AuditBudget bounds how many failed authentications are written to the
// audit trail: each entry is a durable spool write, and without a bound
// anyone who can reach the port could fill the spool with them (from
// many addresses, which the Guard's per-address delay does not stop) and
// compete with emergency submits for its commits. Failures past the
// budget are still counted and logged; the next entry written says how
// many were not.
type AuditBudget struct {
	mu      sync.Mutex
	lim     *rate.Limiter
	skipped int
	since   time.Time // the first failure skipped
}

// The budget the HTTP API and the admin UI each keep: 20 entries at
// once, then one per 5 seconds (at most 17,280 a day, about 5 MB).
const (
	AuditBurst = 20
	AuditEvery = 5 * time.Second
)

// NewAuditBudget allows burst entries at once and one per every after.
func NewAuditBudget(every time.Duration, burst int) *AuditBudget {
	return &AuditBudget{lim: rate.NewLimiter(rate.Every(every), burst)}
}

// Take says whether the failure at now is audited. If it is, note is
// what its entry's detail should add about the failures not audited
// before it ("" if none).
func (b *AuditBudget) Take(now time.Time) (ok bool, note string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.lim.AllowN(now, 1) {
		if b.skipped == 0 {
			b.since = now
		}
		b.skipped++
		return false, ""
	}
	if b.skipped > 0 {
		note = fmt.Sprintf("; %d more failed since %s, not audited one by one (each is in the log)",
			b.skipped, b.since.UTC().Format(time.RFC3339))
		b.skipped = 0
	}
	return true, note
}
