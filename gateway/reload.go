package gateway

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/smsgw/smsgw/configs"
	"github.com/smsgw/smsgw/spool"
)

// ReloadFile reads the configuration file at path, lets adjust set what
// the command line overrides, and applies it as Reload does. Either way
// the outcome is logged; a refusal leaves the running configuration as
// it was.
func (g *Gateway) ReloadFile(path string, adjust func(*configs.Config)) error {
	next, err := configs.Load(path)
	if err == nil {
		if adjust != nil {
			adjust(next)
		}
		for _, w := range next.Warnings {
			g.log.Warn("configuration warning", "file", path, "warning", w)
		}
		err = g.Reload(next)
	}
	if err != nil {
		g.log.Error("reload refused, the running configuration stays", "file", path, "err", err)
	}
	return err
}

// Reload applies a new configuration if it changes only what can change
// live (tenants, routes, API keys, SMPP accounts, webhooks); otherwise,
// or if any part refuses it, the old configuration stays whole.
func (g *Gateway) Reload(next *configs.Config) error {
	g.reloadMu.Lock()
	defer g.reloadMu.Unlock()
	if err := g.cfg.Load().Reloadable(next); err != nil {
		return err
	}
	if err := g.policy.SetTenants(policyTenants(next)); err != nil {
		return fmt.Errorf("tenants: %w", err)
	}
	if err := g.router.SetRules(rules(next)); err != nil {
		g.policy.SetTenants(policyTenants(g.cfg.Load())) // back to the old whole
		return fmt.Errorf("routes: %w", err)
	}
	g.api.SetKeys(apiKeys(next))
	g.smppSrv.SetAccounts(smppAccounts(next))
	g.webhooks.SetWebhooks(webhooks(next))
	g.webhooks.SetCallbackHosts(callbackHosts(next))
	changed := g.applyEnabled(next)
	g.cfg.Store(next)
	detail := next.File
	if len(changed) > 0 {
		detail += "; " + strings.Join(changed, ", ")
	}
	g.store.Audit(context.Background(), spool.AuditEntry{Action: "config-reloaded", Actor: "sighup", Detail: detail})
	g.log.Info("configuration reloaded", "file", next.File, "connectors", strings.Join(changed, ", "))
	return nil
}

// applyEnabled opens and closes the connectors' fail-closed gates as next
// says (Reloadable has checked that nothing else about them changed). A
// connector disabled live takes no new sends but stays bound or open, so
// that the receipts of what it sent and the texts sent to it still
// arrive; a restart closes it. One enabled live that was not running is
// started. It returns what changed, as "carrier-a disabled".
func (g *Gateway) applyEnabled(next *configs.Config) []string {
	var changed []string
	for _, c := range next.Connectors {
		i := slices.IndexFunc(g.conns, func(k *connector) bool { return k.name == c.Name })
		if i < 0 {
			continue
		}
		conn := g.conns[i]
		if conn.enabled.Swap(c.Enabled) == c.Enabled {
			continue
		}
		what := c.Name + " disabled"
		if c.Enabled {
			what = c.Name + " enabled"
			if !conn.started && g.startConn != nil {
				g.startConn(conn)
				what += " (started)"
			}
		}
		if _, err := g.router.SetEnabled(c.Name, c.Enabled); err != nil {
			g.log.Error("connector gate not changed", "conn", c.Name, "err", err)
			continue
		}
		g.log.Warn("connector "+strings.TrimPrefix(what, c.Name+" ")+" by reload", "conn", c.Name)
		changed = append(changed, what)
	}
	return changed
}
