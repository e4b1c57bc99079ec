package gateway

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/smsgw/smsgw/spool"
	"github.com/smsgw/smsgw/spool/policy"
	"github.com/smsgw/smsgw/spool/route"
)

// sink is the way back in for the connectors: receipts to the spool;
// inbound messages through the tenant's opt-out keywords, then to the
// spool, owed to the tenant's webhook or SMPP receivers.
type sink struct {
	g *Gateway
	route.StoreSink
}

var _ route.Sink = (*sink)(nil)

func (s *sink) Report(ctx context.Context, r spool.Report) error {
	err := s.StoreSink.Report(ctx, r)
	if err == nil || errors.Is(err, spool.ErrReportParked) {
		s.g.metrics.report(r)
	}
	return err
}

// Inbound stores an MO message. A keyword (STOP, START, HELP…) updates
// the suppression list first, and its reply is queued back to the
// handset from the line it wrote to.
func (s *sink) Inbound(ctx context.Context, mo *spool.Message) error {
	g := s.g
	mo.Tenant = g.tenantOfLine(mo.Tenant, mo.To)
	if mo.Body != "" {
		act, err := g.policy.Inbound(ctx, mo.Tenant, mo.From, mo.To, mo.Body)
		if err != nil {
			return err
		}
		if act.Reply != "" && act.Recipient != "" && act.Line != "" {
			reply := &spool.Message{Tenant: mo.Tenant, From: act.Line, To: act.Recipient, Body: act.Reply,
				Source: "optout", Priority: spool.PriorityHigh}
			if err := plan(reply); err == nil {
				if _, _, err := g.store.Enqueue(ctx, reply); err != nil {
					g.log.Error("opt-out reply not queued", "to", act.Recipient, "err", err)
				}
			}
		}
		if act.Action != "" && act.Action != policy.ActionNone {
			mo.Reason = "keyword " + strings.ToUpper(act.Keyword) + ": " + string(act.Action)
		}
	}
	if err := s.StoreSink.Inbound(ctx, mo); err != nil {
		return err
	}
	g.metrics.inbound(mo)
	return nil
}

// tenantOfLine is the tenant of an inbound message written to line,
// which came on a connector of tenant byConnector: the tenant that lists
// line among its senders, when one does (byConnector if it is one of
// several); else byConnector. Carriers are shared: the number a caller
// wrote to says whose the text is, not the connector it came on.
func (g *Gateway) tenantOfLine(byConnector, line string) string {
	if line == "" {
		return byConnector
	}
	found := ""
	for _, t := range g.cfg.Load().Tenants {
		if !slices.ContainsFunc(t.Senders, func(snd string) bool { return isLine(snd, line, t.DefaultRegion) }) {
			continue
		}
		if t.ID == byConnector {
			return t.ID
		}
		if found == "" {
			found = t.ID
		}
	}
	return cmp.Or(found, byConnector)
}

// isLine says whether a tenant's sender (E.164, a short code or an
// alphanumeric id, as the configuration has them) is the line an
// inbound message was written to: the same digits (a carrier may leave
// out the "+" of an international number), or, for a number, the same
// number once line is read in the tenant's region.
func isLine(sender, line, region string) bool {
	switch {
	case sender == "*":
		return false
	case strings.TrimPrefix(sender, "+") == strings.TrimPrefix(line, "+"):
		return true
	case !strings.HasPrefix(sender, "+"):
		return false
	}
	canon, _, err := policy.NormaliseSender(line, region)
	return err == nil && canon == sender
}

// inboundTargets names who gets a tenant's inbound messages: its
// webhook, and its first SMPP account (as deliver_sm to that account's
// receivers), each that it has; with neither, no one (they are kept in
// the spool, listed by GET /inbound). A caller's text must reach the CAD
// system bound over SMPP even when a webhook is set for statuses.
func (g *Gateway) inboundTargets(mo *spool.Message) []string {
	c := g.cfg.Load()
	var out []string
	for _, t := range c.Tenants {
		if t.ID != mo.Tenant {
			continue
		}
		if t.Webhook != nil {
			out = append(out, "webhook:"+t.ID)
		}
		if len(t.SMPPAccounts) > 0 {
			out = append(out, "smpp:"+t.SMPPAccounts[0].SystemID)
		}
	}
	return out
}
