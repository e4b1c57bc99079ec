package policy

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/smsgw/smsgw/spool"
)

// Options configures a Policy. The zero value of each field means its
// default.
type Options struct {
	// StrictNumbers refuses recipients whose length is possible but whose
	// range the phonenumbers metadata does not know (IsValidNumber false).
	// Metadata ages, so a newly opened range is refused until the module
	// is updated; without StrictNumbers such numbers pass with a warning
	// in Decision.Warning. Default false.
	StrictNumbers bool
	// Now is the clock (tests). Default time.Now.
	Now func() time.Time
	// Logger, default slog.Default().
	Logger *slog.Logger
}

// Policy answers "may this be sent?" for both ingresses, and keeps the
// suppression list and the daily quota counters. It is safe for
// concurrent use.
type Policy struct {
	store *spool.Store
	opts  Options
	log   *slog.Logger

	tenants atomic.Pointer[map[string]*rules]
	reload  sync.Mutex // serialises SetTenants

	supp   suppressions
	quotas quotas
}

// Submission is what an ingress asks about: one MT message before it is
// enqueued.
type Submission struct {
	Tenant     string
	From       string // empty: the tenant's default sender
	To         string
	Priority   spool.Priority
	Source     string // who submits: "http:cad-1", "smpp:cad"
	SourceAddr string // the submitter's network address, for the audit trail
	Callback   string // a per-message report URL (Kannel's dlr-url, its escape codes unexpanded), or ""
}

// Decision is what Check allowed: the message as it must be enqueued.
type Decision struct {
	Tenant   string
	To       string // E.164
	From     string // canonical: E.164, short code digits or the configured alphanumeric spelling
	Country  string // ISO 3166 region of To ("001" for non-geographic numbers)
	Bypassed bool   // To opted out, and the emergency bypass let it through (audited)
	Warning  string // e.g. a number outside the known ranges (see Options.StrictNumbers)

	reserved bool  // a quota unit was reserved
	quotaDay int64 // on this UTC day
}

// New returns a Policy over store for tenants, with the suppression list
// loaded from the store and the day's quota counters counted from it.
func New(store *spool.Store, tenants []Tenant, opts Options) (*Policy, error) {
	if store == nil {
		return nil, fmt.Errorf("policy: no store")
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	p := &Policy{store: store, opts: opts, log: opts.Logger.With("comp", "policy")}
	if err := p.supp.load(store); err != nil {
		return nil, err
	}
	if err := p.SetTenants(tenants); err != nil {
		return nil, err
	}
	return p, nil
}

// SetTenants replaces the tenants (a SIGHUP reload). It checks them all
// first: on error nothing changes. Checks in flight finish with the old
// rules; the next ones use the new. Tenants that gain a quota have their
// day counted before the swap.
func (p *Policy) SetTenants(ts []Tenant) error {
	m, err := compileTenants(ts)
	if err != nil {
		return err
	}
	p.reload.Lock()
	defer p.reload.Unlock()
	old := map[string]*rules{}
	if o := p.tenants.Load(); o != nil {
		old = *o
	}
	for id, r := range m {
		if r.QuotaPerDay > 0 && (old[id] == nil || old[id].QuotaPerDay == 0) {
			if err := p.quotas.count(p.store, id, p.opts.Now()); err != nil {
				return err
			}
		}
	}
	p.tenants.Store(&m)
	for id := range old {
		if m[id] == nil || m[id].QuotaPerDay == 0 {
			p.quotas.drop(id)
		}
	}
	return nil
}

// tenant returns a tenant's rules, or an unknown_tenant refusal.
func (p *Policy) tenant(id string) (*rules, error) {
	if m := p.tenants.Load(); m != nil {
		if r := (*m)[id]; r != nil {
			return r, nil
		}
	}
	return nil, refuse(CodeUnknownTenant, "tenant", "tenant %s is not configured", quote(id))
}

// Recipient writes raw as the E.164 number a message to it is stored
// under, read as the tenant's policy reads a recipient (its default
// region; with tenant "", each tenant's in turn, the first that reads it
// as a number in use, else the first that reads it at all).
// It is for searches: "(319) 555-0123" finds +13195550123. ok is false
// when no tenant reads raw as a number.
func (p *Policy) Recipient(tenant, raw string) (string, bool) {
	m := p.tenants.Load()
	if m == nil {
		return "", false
	}
	ids := []string{tenant}
	if tenant == "" {
		ids = ids[:0]
		for id := range *m {
			ids = append(ids, id)
		}
		sort.Strings(ids)
	}
	possible := ""
	for _, id := range ids {
		if r := (*m)[id]; r != nil {
			if n, err := normaliseRecipient(raw, r.DefaultRegion, false); err == nil {
				if n.valid {
					return n.e164, true // a number in a range that is in use
				}
				possible = cmp.Or(possible, n.e164)
			}
		}
	}
	return possible, possible != ""
}

// Check decides whether s may be sent, in this order: tenant, recipient
// (normalised to E.164), country, sender, report URL, suppression, quota. A refusal
// is a *Error. An allowed message reserves one unit of the tenant's
// daily quota: call Release with the Decision if it is then not
// enqueued. Refusals for suppression, and emergency bypasses of it, are
// written to the audit chain.
func (p *Policy) Check(ctx context.Context, s Submission) (Decision, error) {
	r, err := p.tenant(s.Tenant)
	if err != nil {
		return Decision{}, err
	}
	to, rerr := normaliseRecipient(s.To, r.DefaultRegion, p.opts.StrictNumbers)
	if rerr != nil {
		return Decision{}, rerr
	}
	d := Decision{Tenant: r.ID, To: to.e164, Country: to.country}
	if !to.valid {
		d.Warning = "recipient is outside the number ranges known to this build (phonenumbers metadata)"
	}
	if !r.allCountries && !r.countries[to.country] {
		return Decision{}, refuse(CodeCountryNotAllowed, "to",
			"recipient %s is in %s, which tenant %s may not send to", to.e164, to.country, r.ID)
	}
	if d.From, err = r.sender(s.From); err != nil {
		return Decision{}, err
	}
	if err := r.callback(s.Callback); err != nil {
		p.audit(ctx, s, "refused", err.Error())
		return Decision{}, err
	}
	if line, ok := p.supp.blocked(r.ID, d.To, lineKey(d.From)); ok {
		if s.Priority != spool.PriorityEmergency || !r.OptOut.EmergencyBypass {
			p.audit(ctx, s, "refused", fmt.Sprintf("to %s from %s: suppressed (opted out of %s)", d.To, d.From, lineName(line)))
			return Decision{}, refuse(CodeSuppressed, "to", "recipient %s opted out of messages from %s", d.To, lineName(line))
		}
		d.Bypassed = true
		p.audit(ctx, s, "bypass", fmt.Sprintf("to %s from %s: emergency message sent despite opt-out of %s", d.To, d.From, lineName(line)))
	}
	if d.reserved, d.quotaDay, err = p.quotas.reserve(r, s.Priority, p.opts.Now()); err != nil {
		return Decision{}, err
	}
	return d, nil
}

// sender resolves and checks the submission's sender for this tenant.
func (r *rules) sender(from string) (string, error) {
	if from == "" {
		if r.defaultSender == "" {
			return "", refuse(CodeInvalidSender, "from", "no sender given and tenant %s has no default sender", r.ID)
		}
		return r.defaultSender, nil
	}
	n, k, err := NormaliseSender(from, r.DefaultRegion)
	if err != nil {
		return "", err
	}
	if r.anySender {
		return n, nil
	}
	canon, ok := r.senders[senderKey(n, k)]
	switch {
	case !ok && len(r.senders) == 0:
		return "", refuse(CodeSenderNotAllowed, "from", "tenant %s allows no sender ids (its senders list is empty): leave from out", r.ID)
	case !ok:
		return "", refuse(CodeSenderNotAllowed, "from", "sender %s is not one of tenant %s's senders", quote(n), r.ID)
	}
	return canon, nil
}

// audit writes a policy event to the audit chain; a failure is logged,
// not returned (the refusal stands either way).
func (p *Policy) audit(ctx context.Context, s Submission, action, detail string) {
	actor := s.Source
	if actor == "" {
		actor = "policy"
	}
	e := spool.AuditEntry{Action: action, Actor: actor, Addr: s.SourceAddr, Tenant: s.Tenant, Detail: detail}
	if err := p.store.Audit(ctx, e); err != nil {
		p.log.Error("audit write failed", "action", action, "tenant", s.Tenant, "err", err)
	}
}
