package gateway

import (
	"context"
	"time"

	"github.com/smsgw/smsgw/spool"
)

// purgeLoop applies the retention settings every interval.
func (g *Gateway) purgeLoop(ctx context.Context) {
	for {
		every := g.cfg.Load().Spool.Retention.Interval
		if every <= 0 {
			every = time.Hour
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(every):
		}
		g.purge(ctx)
	}
}

// purge runs the retention of each tenant that has its own, then the
// gateway-wide one for the rest (and the audit trail).
func (g *Gateway) purge(ctx context.Context) {
	c := g.cfg.Load()
	var own []string
	runs := []spool.Retention{}
	for _, t := range c.Tenants {
		if t.Retention != nil {
			own = append(own, t.ID)
			runs = append(runs, spool.Retention{RedactAfter: t.Retention.RedactAfter, DeleteAfter: t.Retention.DeleteAfter,
				Tenant: t.ID, Actor: "retention"})
		}
	}
	r := c.Spool.Retention
	runs = append(runs, spool.Retention{RedactAfter: r.RedactAfter, DeleteAfter: r.DeleteAfter, AuditAfter: r.AuditAfter,
		ExceptTenants: own, Actor: "retention"})
	for _, run := range runs {
		if run.RedactAfter == 0 && run.DeleteAfter == 0 && run.AuditAfter == 0 {
			continue
		}
		res, err := g.store.Purge(ctx, run)
		if err != nil {
			g.log.Error("retention purge failed", "tenant", run.Tenant, "err", err)
		} else if res != (spool.PurgeResult{}) {
			g.log.Info("retention purge", "tenant", run.Tenant, "redacted", res.Redacted, "deleted", res.Deleted, "audit", res.Audit)
		}
	}
}
