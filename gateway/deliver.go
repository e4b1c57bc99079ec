package gateway

import (
	"context"
	"errors"
	"strings"

	"github.com/smsgw/smsgw/spool"
)

// deliverer hands the spool's outbox (reports and inbound messages owed
// upstream) to the SMPP server (deliver_sm to the account's receivers)
// or to the tenant's webhook (HTTP submitters, the CLI, the admin UI).
type deliverer struct{ g *Gateway }

var _ spool.Deliverer = deliverer{}

var errNoTarget = errors.New("no upstream application takes it: the tenant has no webhook")

func (d deliverer) Deliver(ctx context.Context, it *spool.OutboxItem, m *spool.Message) error {
	g := d.g
	var err error
	switch {
	case strings.HasPrefix(it.Target, "smpp:"):
		err = g.smppSrv.Deliver(ctx, it, m)
	case m.Callback != "" || g.hasWebhook(it.Tenant):
		err = g.webhooks.Deliver(ctx, it, m)
		if m.Callback == "" {
			g.webhookAnswered(it.Tenant, err)
		}
	default:
		err = spool.Permanent("no_webhook", errNoTarget)
	}
	g.metrics.delivered(it, err)
	return err
}

func (g *Gateway) hasWebhook(tenant string) bool {
	for _, t := range g.cfg.Load().Tenants {
		if t.ID == tenant {
			return t.Webhook != nil
		}
	}
	return false
}

// webhookAnswered notes how a tenant's webhook answered. The first
// success after a retryable failure makes the other items the webhook
// is owed due now: each waited for its own backoff (up to spool.retry's
// max_backoff, 10 minutes) after the receiver was back, and the newest,
// with the shortest backoffs, came first.
func (g *Gateway) webhookAnswered(tenant string, err error) {
	switch {
	case err == nil:
		if _, was := g.webhookDown.LoadAndDelete(tenant); was {
			g.dueNow("webhook of "+tenant, func(it *spool.OutboxItem) bool {
				return it.Tenant == tenant && !strings.HasPrefix(it.Target, "smpp:")
			})
		}
	case !spool.IsPermanent(err):
		g.webhookDown.Store(tenant, true)
	}
}
