package httpapi

import (
	"context"

	"github.com/smsgw/smsgw/spool"
)

// Backend is what the API needs of the gateway. The gateway's wiring
// implements it over the tenant policy, the encoding planner, the spool
// and the connectors.
type Backend interface {
	// Submit applies the tenant's policy, plans encoding and segments and
	// enqueues; it returns once the message is on disk. An error may
	// implement interface{ ErrorCode() string; ErrorField() string } (a
	// policy refusal) or wrap a spool sentinel error.
	Submit(ctx context.Context, m *spool.Message) (stored *spool.Message, replayed bool, err error)
	// Get returns one message or spool.ErrNotFound.
	Get(id string) (*spool.Message, error)
	// List returns a page of messages, newest first.
	List(f spool.Filter, cursor string, limit int) (spool.Page, error)
	// Cancel cancels a message not yet handed to a connector.
	Cancel(ctx context.Context, id, actor string) (*spool.Message, error)
	// Status reports the connectors' health and the queue.
	Status(ctx context.Context) Status
	// Ready is nil when the spool is writable and at least one route is
	// usable; otherwise its error says why not.
	Ready(ctx context.Context) error
	// Recipient writes a number as a client may ("(319) 555-0123") as
	// the tenant's messages have it (E.164); false if it is not one.
	Recipient(tenant, raw string) (string, bool)
}

// Status is the gateway's state as GET /api/v1/status shows it.
type Status struct {
	Version    string            `json:"version,omitempty"`
	Started    Time              `json:"started,omitzero"`
	Connectors []ConnectorStatus `json:"connectors"`
	// Queue counts the messages waiting or being sent, per priority name.
	Queue map[string]int64 `json:"queue"`
	// OldestDueMS is, per priority, how long the most overdue message has
	// been due, in milliseconds.
	OldestDueMS map[string]int64 `json:"oldest_due_ms,omitempty"`
	// Outbox counts the reports and inbound messages owed upstream.
	Outbox int64 `json:"outbox"`
	// Clock is set when the system clock is behind the spool's time or
	// has jumped ahead (spool.Store.Clock).
	Clock *ClockInfo `json:"clock,omitempty"`
}

// ClockInfo is the spool's clock against the system's.
type ClockInfo struct {
	BehindS   float64 `json:"behind_s,omitempty"`
	Steps     int     `json:"steps,omitempty"`
	LastStepS float64 `json:"last_step_s,omitempty"`
}

// ConnectorStatus is the health of one carrier bind or modem.
type ConnectorStatus struct {
	Name    string `json:"name"`
	Type    string `json:"type"` // smpp, modem
	Enabled bool   `json:"enabled"`
	Ready   bool   `json:"ready"`           // usable for sending now
	State   string `json:"state,omitempty"` // bound, connecting, registered, searching…
	Detail  string `json:"detail,omitempty"`
	// Since is when the connector last bound (carriers); modems leave
	// it unset.
	Since Time `json:"since,omitzero"`
	// Info holds connector-specific facts: signal, operator, system_id.
	Info map[string]string `json:"info,omitempty"`
}
