package adminui

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/smsgw/smsgw/spool"
	"github.com/smsgw/smsgw/spool/policy"
)

// fakeBackend keeps messages, opt-outs and audit entries in memory.
type fakeBackend struct {
	mu      sync.Mutex
	msgs    []*spool.Message // oldest first
	supp    []policy.Suppression
	audit   []spool.AuditEntry
	broken  bool
	conns   []Connector
	submitE error
	n       int
	behind  time.Duration // the spool's clock state Stats reports
	unready error         // what Ready says
}

func newFake() *fakeBackend {
	return &fakeBackend{conns: []Connector{
		{Name: "carrier-a", Type: "smpp", Enabled: true, Ready: true, State: "bound", Binds: "1/1"},
		{Name: "modem-1", Type: "modem", Enabled: true, Ready: false, State: "searching", SignalDBm: -85,
			Operator: "ACME", Registration: "searching", SIM: "ready", Detail: "no network"},
	}}
}

func (f *fakeBackend) add(m *spool.Message) *spool.Message {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.n++
	m = m.Clone()
	m.ID = fmt.Sprintf("01HZZZZZZZZZZZZZZZZZZZZ%03d", f.n)
	if m.UpdatedAt.IsZero() {
		m.UpdatedAt = time.Now().UTC()
	}
	if m.State == 0 {
		m.State = spool.StateQueued
	}
	if m.Direction == "" {
		m.Direction = spool.MT
	}
	m.Timeline = append(m.Timeline, spool.Event{At: m.UpdatedAt, State: m.State, Actor: m.Source, Detail: "accepted"})
	f.msgs = append(f.msgs, m)
	return m.Clone()
}

func (f *fakeBackend) Connectors(context.Context) []Connector { return f.conns }

func (f *fakeBackend) Ready(context.Context) error { return f.unready }

// Recipient reads North American numbers as typed, as a US tenant would.
func (f *fakeBackend) Recipient(_, raw string) (string, bool) {
	var d []rune
	for _, c := range raw {
		if c >= '0' && c <= '9' {
			d = append(d, c)
		}
	}
	switch {
	case len(d) == 10:
		return "+1" + string(d), true
	case len(d) == 11 && d[0] == '1':
		return "+" + string(d), true
	}
	return "", false
}

func (f *fakeBackend) Stats() (spool.Stats, error) {
	return spool.Stats{Queued: map[string]int64{"emergency": 1, "high": 0, "normal": 7},
		OldestDue: map[string]int64{"normal": 95_000}, Outbox: 2, FileBytes: 3 << 20, ClockBehindMS: f.behind.Milliseconds()}, nil
}

func (f *fakeBackend) Activity() []MinuteCount {
	var out []MinuteCount
	start := time.Now().UTC().Truncate(time.Minute).Add(-59 * time.Minute)
	for i := range 60 {
		out = append(out, MinuteCount{Start: start.Add(time.Duration(i) * time.Minute), Sent: i % 7, Failed: i % 3, Received: i % 2})
	}
	return out
}

func (f *fakeBackend) List(flt spool.Filter, cursor string, limit int) (spool.Page, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var p spool.Page
	for i := len(f.msgs) - 1; i >= 0; i-- {
		m := f.msgs[i]
		if cursor != "" && m.ID >= cursor {
			continue
		}
		if (flt.State != 0 && m.State != flt.State) || (flt.To != "" && m.To != flt.To) ||
			(flt.Tenant != "" && m.Tenant != flt.Tenant) || (flt.Direction != "" && m.Direction != flt.Direction) {
			continue
		}
		if len(p.Messages) == limit {
			p.Next = p.Messages[limit-1].ID
			break
		}
		p.Messages = append(p.Messages, m.Clone())
	}
	return p, nil
}

func (f *fakeBackend) Get(id string) (*spool.Message, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, m := range f.msgs {
		if m.ID == id {
			return m.Clone(), nil
		}
	}
	return nil, fmt.Errorf("%w: %s", spool.ErrNotFound, id)
}

func (f *fakeBackend) Retry(ctx context.Context, id, actor string) (*spool.Message, error) {
	m, err := f.Get(id)
	if err != nil {
		return nil, err
	}
	if !m.State.Final() {
		return nil, fmt.Errorf("%w: not failed", spool.ErrFinal)
	}
	again := m.Clone()
	again.State, again.RetryOf, again.Source, again.Timeline = spool.StateQueued, m.ID, actor, nil
	return f.add(again), nil
}

func (f *fakeBackend) Cancel(ctx context.Context, id, actor string) (*spool.Message, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, m := range f.msgs {
		if m.ID == id {
			if m.State != spool.StateQueued {
				return nil, fmt.Errorf("%w: %s", spool.ErrNotCancellable, m.State)
			}
			m.State, m.Reason = spool.StateCancelled, "cancelled by "+actor
			return m.Clone(), nil
		}
	}
	return nil, spool.ErrNotFound
}

type fieldErr struct{ field, msg string }

func (e fieldErr) Error() string      { return e.msg }
func (e fieldErr) ErrorField() string { return e.field }

func (f *fakeBackend) Submit(ctx context.Context, m *spool.Message) (*spool.Message, error) {
	if f.submitE != nil {
		return nil, f.submitE
	}
	if m.To == "bad" {
		return nil, fieldErr{"to", "policy: \"bad\" is not a phone number"}
	}
	return f.add(m), nil
}

func (f *fakeBackend) Tenants() []string { return []string{"psap-north", "council"} }

func (f *fakeBackend) Suppressed(tenant string) []policy.Suppression {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []policy.Suppression
	for _, s := range f.supp {
		if s.Tenant == tenant {
			out = append(out, s)
		}
	}
	return out
}

func (f *fakeBackend) Suppress(ctx context.Context, tenant, rcpt, line, actor, reason string) error {
	if rcpt == "" || rcpt[0] != '+' {
		return errors.New("policy: not an E.164 number")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, s := range f.supp {
		if s.Tenant == tenant && s.Recipient == rcpt && s.Line == line {
			return nil // as the policy: the first entry stays
		}
	}
	f.supp = append(f.supp, policy.Suppression{Tenant: tenant, Recipient: rcpt, Line: line, By: actor, Reason: reason, At: time.Now()})
	return nil
}

func (f *fakeBackend) Unsuppress(ctx context.Context, tenant, rcpt, line, actor string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, s := range f.supp {
		if s.Tenant == tenant && s.Recipient == rcpt {
			f.supp = append(f.supp[:i], f.supp[i+1:]...)
			return nil
		}
	}
	return errors.New("not suppressed")
}

func (f *fakeBackend) Audit(ctx context.Context, e spool.AuditEntry) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	e.Seq = uint64(len(f.audit) + 1)
	f.audit = append(f.audit, e)
	return nil
}

func (f *fakeBackend) actions() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, e := range f.audit {
		out = append(out, e.Action+" "+e.Actor)
	}
	return out
}

func (f *fakeBackend) AuditLog(before uint64, limit int) ([]spool.AuditEntry, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []spool.AuditEntry
	for i := len(f.audit) - 1; i >= 0 && len(out) < limit; i-- {
		if before == 0 || f.audit[i].Seq < before {
			out = append(out, f.audit[i])
		}
	}
	return out, nil
}

func (f *fakeBackend) VerifyAudit() (spool.AuditSummary, error) {
	if f.broken {
		return spool.AuditSummary{}, &spool.AuditError{Seq: 3, Reason: "hash does not match the content (edited or moved)"}
	}
	return spool.AuditSummary{Entries: uint64(len(f.audit)), First: 1, Last: uint64(len(f.audit)), Head: "abcdef0123456789abcdef"}, nil
}
