package gateway

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/smsgw/smsgw/adminui"
	"github.com/smsgw/smsgw/configs"
	"github.com/smsgw/smsgw/spool"
	"github.com/smsgw/smsgw/spool/policy"
)

// AdminPrefix is where the admin UI is mounted on the HTTP listener.
const AdminPrefix = "/admin"

// adminHandler is the admin UI over this gateway. Its users and session
// lifetime are read from the current configuration at each request, so
// a reload (SIGHUP) applies them at once; its sessions are kept in the
// spool, so a restart does not log everyone out.
func (g *Gateway) adminHandler() http.Handler {
	return adminui.New(adminBackend{g}, adminui.Options{Prefix: AdminPrefix, Logger: g.log, Version: g.o.Version,
		Admin: func() configs.Admin { return g.cfg.Load().Admin }, Sessions: g.store, Proxies: g.proxies})
}

// adminBackend is the gateway as the admin UI's Backend.
type adminBackend struct{ g *Gateway }

var _ adminui.Backend = adminBackend{}

func (a adminBackend) Connectors(ctx context.Context) []adminui.Connector {
	var out []adminui.Connector
	for _, cs := range a.g.connectorStatus() {
		c := adminui.Connector{Name: cs.Name, Type: cs.Type, Enabled: cs.Enabled, Ready: cs.Ready, State: cs.State,
			Detail: cs.Detail, Since: cs.Since.Time, Binds: cs.Info["binds"], Operator: cs.Info["operator"],
			SIM: cs.Info["sim"], Port: cs.Info["port"]}
		c.SignalDBm, _ = strconv.Atoi(cs.Info["signal_dbm"])
		if cs.Type == "modem" && cs.State != "closed" {
			c.Registration = cs.State
		}
		out = append(out, c)
	}
	return out
}

func (a adminBackend) Stats() (spool.Stats, error) { return a.g.store.Stats() }

func (a adminBackend) Activity() []adminui.MinuteCount {
	var out []adminui.MinuteCount
	for _, m := range a.g.Activity() {
		out = append(out, adminui.MinuteCount{Start: m.Start, Sent: m.Sent, Failed: m.Failed, Received: m.Received})
	}
	return out
}

func (a adminBackend) List(f spool.Filter, cursor string, limit int) (spool.Page, error) {
	return a.g.store.List(f, cursor, limit)
}

func (a adminBackend) Get(id string) (*spool.Message, error) { return a.g.store.Get(id) }

func (a adminBackend) Ready(ctx context.Context) error { return a.g.Ready(ctx) }

func (a adminBackend) Recipient(tenant, raw string) (string, bool) {
	return a.g.Recipient(tenant, raw)
}

func (a adminBackend) Retry(ctx context.Context, id, actor string) (*spool.Message, error) {
	return a.g.Retry(ctx, id, actor)
}

func (a adminBackend) Cancel(ctx context.Context, id, actor string) (*spool.Message, error) {
	return a.g.store.Cancel(ctx, id, actor)
}

func (a adminBackend) Submit(ctx context.Context, m *spool.Message) (*spool.Message, error) {
	stored, _, err := a.g.Submit(ctx, m)
	return stored, err
}

func (a adminBackend) Tenants() []string {
	var ids []string
	for _, t := range a.g.cfg.Load().Tenants {
		ids = append(ids, t.ID)
	}
	return ids
}

func (a adminBackend) Suppressed(tenant string) []policy.Suppression {
	return a.g.policy.Suppressed(tenant)
}

func (a adminBackend) Suppress(ctx context.Context, tenant, recipient, line, actor, reason string) error {
	return a.g.policy.Suppress(ctx, tenant, recipient, line, actor, reason)
}

func (a adminBackend) Unsuppress(ctx context.Context, tenant, recipient, line, actor string) error {
	return a.g.policy.Unsuppress(ctx, tenant, recipient, line, actor)
}

func (a adminBackend) Audit(ctx context.Context, e spool.AuditEntry) error {
	return a.g.store.Audit(ctx, e)
}

func (a adminBackend) AuditLog(before uint64, limit int) ([]spool.AuditEntry, error) {
	return a.g.store.AuditLog(before, limit)
}

// VerifyAudit checks what was added to the chain since the last load and
// walks the whole chain once an hour: a page load stays quick with
// millions of entries (smsgw audit verify always walks everything).
func (a adminBackend) VerifyAudit() (spool.AuditSummary, error) {
	return a.g.store.VerifyAuditRecent(auditWholeEvery)
}

// auditWholeEvery is how often the admin UI's audit page walks the whole
// chain.
const auditWholeEvery = time.Hour
