package route

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// SetEnabled opens or closes the fail-closed gate of connector name, as a
// reloaded configuration says: a disabled connector takes no new send
// (those in flight finish). It reports whether the gate changed.
func (r *Router) SetEnabled(name string, on bool) (bool, error) {
	s := r.conns[name]
	if s == nil {
		return false, fmt.Errorf("route: unknown connector %q", name)
	}
	return s.enabled.Swap(on) != on, nil
}

// Capacity is the sends the enabled connectors take at once: the sum of
// their MaxInFlight.
func (r *Router) Capacity() int {
	n := 0
	for _, s := range r.conns {
		if s.enabled.Load() {
			n += s.MaxInFlight
		}
	}
	return n
}

// Health is one connector's state for status pages.
type Health struct {
	Name     string `json:"name"`
	Enabled  bool   `json:"enabled"`
	Ready    bool   `json:"ready"`
	InFlight int    `json:"in_flight"`
	// FailingUntil is set while the connector is out of its routes for
	// failing every send (LastError the last failure).
	FailingUntil time.Time `json:"failing_until,omitzero"`
	LastError    string    `json:"last_error,omitempty"`
}

// Health lists the connectors.
func (r *Router) Health() []Health {
	out := make([]Health, 0, len(r.conns))
	for name, s := range r.conns {
		h := Health{Name: name, Enabled: s.enabled.Load(), Ready: s.Connector.Ready(), InFlight: len(s.sem)}
		h.FailingUntil, h.LastError = s.brk.state()
		out = append(out, h)
	}
	slices.SortFunc(out, func(a, b Health) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// Usable splits the rules by whether a message they match could be sent
// now: usable when at least one of the rule's connectors is enabled and
// ready. Names are the rules' (routes[i] when unnamed), in rule order.
func (r *Router) Usable() (usable, unusable []string) {
	for i, rule := range *r.rules.Load() {
		name := rule.Name
		if name == "" {
			name = fmt.Sprintf("routes[%d]", i)
		}
		ok := slices.ContainsFunc(rule.Connectors, func(c string) bool {
			s := r.conns[c]
			return s != nil && s.usable()
		})
		if ok {
			usable = append(usable, name)
		} else {
			unusable = append(unusable, name)
		}
	}
	return usable, unusable
}
