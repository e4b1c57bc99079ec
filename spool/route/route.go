package route

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/smsgw/smsgw/spool"
)

// Connector is a way out for messages.
type Connector interface {
	// Name is the connector's configured name.
	Name() string
	// Ready reports whether it can take a message now (bound, registered).
	Ready() bool
	// Send sends every segment of m and returns one provider id per
	// segment that went out, in order. On failure it returns the ids of
	// the segments that did go out and an error made with
	// spool.Retryable or spool.Permanent.
	Send(ctx context.Context, m *spool.Message) (providerIDs []string, err error)
}

// Sink is the narrow way back into the spool that connectors get.
type Sink interface {
	// Report records a delivery receipt.
	Report(ctx context.Context, r spool.Report) error
	// Inbound stores an MO message; it returns once it is on disk.
	Inbound(ctx context.Context, mo *spool.Message) error
	// LoadState and SaveState keep a connector's small state across
	// restarts (a modem's reassembly of inbound parts), durably.
	LoadState(key string) ([]byte, error)
	SaveState(ctx context.Context, key string, value []byte) error
}

// Rule sends the messages it matches through its connectors, in order
// (the first usable one). Empty match fields match everything.
type Rule struct {
	Name        string
	Tenant      string
	Prefixes    []string       // recipient prefixes, "+1319"
	Countries   []string       // recipient countries (ISO 3166 alpha-2), by Options.CountryOf
	MinPriority spool.Priority // match this priority and above
	Connectors  []string
	// Balance sends through the usable connector with the fewest sends in
	// flight (a pool of modems) instead of the first usable one in order
	// (failover).
	Balance bool
	// Weights, when set, spreads messages over the usable connectors at
	// random in proportion to their weights (a connector missing from the
	// map weighs 1).
	Weights map[string]int
	// TPS bounds the messages per second through the rule; 0: no limit.
	// Messages past it wait (deferred to their turn), they do not fail;
	// an emergency message does not wait.
	TPS float64

	limit *pacer
}

func (r Rule) match(m *spool.Message, countryOf func(string) string) bool {
	if r.Tenant != "" && r.Tenant != m.Tenant || m.Priority < r.MinPriority {
		return false
	}
	if len(r.Countries) > 0 && (countryOf == nil || !slices.Contains(r.Countries, countryOf(m.To))) {
		return false
	}
	if len(r.Prefixes) == 0 {
		return true
	}
	for _, p := range r.Prefixes {
		if strings.HasPrefix(m.To, p) {
			return true
		}
	}
	return false
}

// Options tunes a Router. Zero values mean the defaults.
type Options struct {
	NoRouteWait time.Duration // how long a message without a usable connector waits before the next look; default 5s
	BusyWait    time.Duration // how long one waits when its connectors are all busy; default 200ms
	Now         func() time.Time
	// CountryOf gives the ISO country of an E.164 number, for rules with
	// Countries (the gateway passes libphonenumber's).
	CountryOf func(e164 string) string
	// Rand returns a number in [0,1) for weighted rules (tests); default
	// math/rand/v2.
	Rand func() float64
	// FailAfter retryable send failures in a row take a connector out of
	// its routes for FailCooldown, doubling while it keeps failing, up to
	// FailCooldownMax (see breaker). Defaults 5, 30s, 5m.
	FailAfter                     int
	FailCooldown, FailCooldownMax time.Duration
	// Logger, default slog.Default().
	Logger *slog.Logger
}

// Router implements spool.Sender. Its rules can be replaced while it
// runs (SetRules, on a configuration reload); its connectors cannot.
type Router struct {
	rules atomic.Pointer[[]Rule]
	conns map[string]*slot
	opts  Options
	log   *slog.Logger
}

var _ spool.Sender = (*Router)(nil)

// New checks the rules against the connectors and builds a Router.
func New(rules []Rule, entries []Entry, opts Options) (*Router, error) {
	if opts.NoRouteWait <= 0 {
		opts.NoRouteWait = 5 * time.Second
	}
	if opts.BusyWait <= 0 {
		opts.BusyWait = 200 * time.Millisecond
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Rand == nil {
		opts.Rand = rand.Float64
	}
	if opts.FailAfter <= 0 {
		opts.FailAfter = defaultFailAfter
	}
	if opts.FailCooldown <= 0 {
		opts.FailCooldown = defaultFailCooldown
	}
	if opts.FailCooldownMax <= 0 {
		opts.FailCooldownMax = defaultFailCooldownMax
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	r := &Router{conns: map[string]*slot{}, opts: opts, log: opts.Logger.With("comp", "route")}
	var errs []error
	for _, e := range entries {
		name := e.Connector.Name()
		if _, dup := r.conns[name]; dup {
			errs = append(errs, fmt.Errorf("route: connector %q defined twice", name))
			continue
		}
		if e.MaxInFlight <= 0 {
			e.MaxInFlight = 4
		}
		sl := &slot{Entry: e, sem: make(chan struct{}, e.MaxInFlight), brk: breaker{now: opts.Now}}
		sl.enabled.Store(e.Enabled)
		r.conns[name] = sl
	}
	if err := r.SetRules(rules); err != nil {
		errs = append(errs, err)
	}
	return r, errors.Join(errs...)
}

// SetRules replaces the rules, atomically; rules naming an unknown
// connector are refused and the old ones stay.
func (r *Router) SetRules(rules []Rule) error {
	var errs []error
	rules = slices.Clone(rules)
	for i, rule := range rules {
		for _, c := range rule.Connectors {
			if _, ok := r.conns[c]; !ok {
				errs = append(errs, fmt.Errorf("route: routes[%d] (%s): unknown connector %q", i, rule.Name, c))
			}
		}
		if rule.TPS > 0 {
			rules[i].limit = newPacer(rule.TPS)
		}
	}
	if len(errs) > 0 && r.rules.Load() != nil {
		return errors.Join(errs...)
	}
	r.rules.Store(&rules)
	return errors.Join(errs...)
}

// Send implements spool.Sender.
func (r *Router) Send(ctx context.Context, m *spool.Message) spool.Result {
	rule, ok := r.match(m)
	if !ok {
		return r.defer_(r.opts.NoRouteWait, "no route matches tenant "+m.Tenant+" to "+m.To)
	}
	res := spool.Result{Route: rule.Name}
	if rule.limit != nil {
		if d := rule.limit.admit(m, r.opts.Now()); d > 0 {
			res = r.defer_(d, "route "+rule.Name+" is at its rate limit")
			res.Route = rule.Name
			return res
		}
	}
	busy := false
	order := rule.Connectors
	switch {
	case len(rule.Weights) > 0:
		order = r.weighted(rule)
	case rule.Balance:
		order = slices.Clone(order)
		slices.SortStableFunc(order, func(a, b string) int { return len(r.conns[a].sem) - len(r.conns[b].sem) })
	}
	var tripped []string // ready, but out for its breaker
	for _, name := range order {
		s := r.conns[name]
		if !s.usable() {
			if s.enabled.Load() && s.Connector.Ready() {
				tripped = append(tripped, name)
			}
			continue
		}
		if !s.acquire(ctx, m) {
			busy = true
			continue
		}
		return r.sendOn(ctx, name, m, res)
	}
	// The breaker moves traffic to the route's other connectors; with
	// none of them ready, the one it took out is still better than
	// nothing (a route with one carrier waited out the whole cooldown).
	if !busy {
		for _, name := range tripped {
			if r.conns[name].acquire(ctx, m) {
				return r.sendOn(ctx, name, m, res)
			}
		}
	}
	if busy {
		res = r.defer_(r.opts.BusyWait, "every usable connector of route "+rule.Name+" is busy")
	} else {
		res = r.defer_(r.opts.NoRouteWait, "no connector of route "+rule.Name+" is enabled and ready")
	}
	res.Route = rule.Name
	return res
}

// sendOn sends m on the connector name, whose slot the caller holds,
// and records the outcome for its breaker.
func (r *Router) sendOn(ctx context.Context, name string, m *spool.Message, res spool.Result) spool.Result {
	s := r.conns[name]
	ids, err := s.Connector.Send(ctx, m)
	<-s.sem
	if d := s.brk.record(err, &r.opts); d > 0 {
		r.log.Warn("connector keeps failing; its routes' other connectors take its traffic for a while",
			"conn", name, "for", d, "err", err)
	}
	res.Connector, res.ProviderIDs, res.Err = name, ids, err
	return res
}

func (r *Router) match(m *spool.Message) (Rule, bool) {
	for _, rule := range *r.rules.Load() {
		if rule.match(m, r.opts.CountryOf) {
			return rule, true
		}
	}
	return Rule{}, false
}

// weighted orders a weighted rule's connectors: one drawn at random in
// proportion to the weights of the usable ones first, then the rest in
// order (used if the first is busy).
func (r *Router) weighted(rule Rule) []string {
	total := 0
	weight := func(name string) int {
		if w, ok := rule.Weights[name]; ok {
			return max(w, 0)
		}
		return 1
	}
	for _, name := range rule.Connectors {
		if s := r.conns[name]; s.usable() {
			total += weight(name)
		}
	}
	if total == 0 {
		return rule.Connectors
	}
	x := int(r.opts.Rand() * float64(total))
	for i, name := range rule.Connectors {
		if s := r.conns[name]; !s.usable() {
			continue
		}
		if x -= weight(name); x < 0 {
			return append([]string{name}, slices.Delete(slices.Clone(rule.Connectors), i, i+1)...)
		}
	}
	return rule.Connectors
}

func (r *Router) defer_(d time.Duration, why string) spool.Result {
	return spool.Result{Defer: r.opts.Now().Add(d), Reason: why}
}

// StoreSink is a Sink over a spool.Store. Targets names the upstream
// applications an inbound message is owed to (nil: none).
type StoreSink struct {
	Store   *spool.Store
	Targets func(mo *spool.Message) []string
}

var _ Sink = StoreSink{}

// Report implements Sink.
func (s StoreSink) Report(ctx context.Context, r spool.Report) error {
	_, err := s.Store.ApplyReport(ctx, r)
	return err
}

// LoadState implements Sink.
func (s StoreSink) LoadState(key string) ([]byte, error) { return s.Store.LoadState(key) }

// SaveState implements Sink.
func (s StoreSink) SaveState(ctx context.Context, key string, value []byte) error {
	return s.Store.SaveState(ctx, key, value)
}

// Inbound implements Sink.
func (s StoreSink) Inbound(ctx context.Context, mo *spool.Message) error {
	var targets []string
	if s.Targets != nil {
		targets = s.Targets(mo)
	}
	_, err := s.Store.Receive(ctx, mo, targets...)
	return err
}
