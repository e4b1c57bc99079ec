package adminui

import (
	"context"
	"time"

	"github.com/smsgw/smsgw/spool"
	"github.com/smsgw/smsgw/spool/policy"
)

// Backend is what the pages need of the gateway. The gateway implements
// it over its spool, tenant policy and connectors; tests use a fake.
type Backend interface {
	// Connectors reports each configured connector's health, in
	// configuration order.
	Connectors(ctx context.Context) []Connector
	// Stats is the spool's snapshot (queue depth per priority, how long
	// the longest-waiting message has waited).
	Stats() (spool.Stats, error)
	// Ready says whether the gateway can send now (what /readyz says):
	// nil, or why not.
	Ready(ctx context.Context) error
	// Activity is the last hour's messages per minute, oldest first.
	Activity() []MinuteCount
	// List returns a page of messages, newest first.
	List(f spool.Filter, cursor string, limit int) (spool.Page, error)
	// Get returns one message or an error wrapping spool.ErrNotFound.
	Get(id string) (*spool.Message, error)
	// Retry and Cancel act on one message for actor ("ui:<user>").
	Retry(ctx context.Context, id, actor string) (*spool.Message, error)
	Cancel(ctx context.Context, id, actor string) (*spool.Message, error)
	// Submit applies the tenant's policy and enqueues m; it returns once
	// m is on disk. A policy refusal may implement
	// interface{ ErrorField() string }.
	Submit(ctx context.Context, m *spool.Message) (*spool.Message, error)
	// Tenants lists the configured tenant ids.
	Tenants() []string
	// Recipient writes a number as typed ("(319) 555-0123") as the
	// E.164 form messages are stored under, read as the tenant's policy
	// reads it (tenant "": any tenant's); ok false when it is not one.
	Recipient(tenant, raw string) (string, bool)
	// Suppressed lists a tenant's opt-outs; Suppress and Unsuppress
	// change them (audited by the policy).
	Suppressed(tenant string) []policy.Suppression
	Suppress(ctx context.Context, tenant, recipient, line, actor, reason string) error
	Unsuppress(ctx context.Context, tenant, recipient, line, actor string) error
	// Audit appends to the audit trail; AuditLog reads it newest first
	// (entries with Seq < before, 0: from the newest); VerifyAudit checks
	// the chain: the whole of it, or only what was added since it last
	// did (spool.Store.VerifyAuditRecent).
	Audit(ctx context.Context, e spool.AuditEntry) error
	AuditLog(before uint64, limit int) ([]spool.AuditEntry, error)
	VerifyAudit() (spool.AuditSummary, error)
}

// Connector is the health of one carrier bind or modem as the dashboard
// shows it.
type Connector struct {
	Name    string
	Type    string // "smpp" or "modem"
	Enabled bool
	Ready   bool   // usable for sending now
	State   string // bound, connecting, registered, searching, closed…
	Detail  string // the last error, if any
	Since   time.Time

	// Carriers.
	Binds string // "bound/wanted", e.g. "1/1"

	// Modems.
	SignalDBm    int // 0: unknown
	Operator     string
	Registration string // registered, roaming, searching, denied…
	SIM          string // ready, PIN required…
	Port         string
}

// MinuteCount is one minute of the activity chart.
type MinuteCount struct {
	Start    time.Time
	Sent     int
	Failed   int
	Received int
}
