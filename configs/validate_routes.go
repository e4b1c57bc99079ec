package configs

import "slices"

func (d *decoder) validateRoutes(c *Config) {
	connectors := map[string]*Connector{}
	var connectorNames []string
	for i := range c.Connectors {
		connectors[c.Connectors[i].Name] = &c.Connectors[i]
		connectorNames = append(connectorNames, c.Connectors[i].Name)
	}
	tenants := map[string]bool{}
	var tenantIDs []string
	for _, t := range c.Tenants {
		tenants[t.ID] = true
		tenantIDs = append(tenantIDs, t.ID)
	}
	names := map[string]string{}
	for i := range c.Routes {
		r, p := &c.Routes[i], index("routes", i)
		if d.name(join(p, "name"), r.Name) {
			d.unique(names, join(p, "name"), "route", r.Name)
		}
		d.validateMatch(&r.Match, join(p, "match"), tenants, tenantIDs)
		use := func(path, name string) {
			switch k, ok := connectors[name]; {
			case !ok:
				d.errorf(path, "unknown connector %q%s", name, suggest(name, connectorNames))
			case !k.Enabled:
				d.warnf(path, "connector %q is not enabled: this route will not use it", name)
			}
		}
		switch {
		case len(r.Connectors) > 0 && len(r.Weighted) > 0:
			d.errorf(join(p, "weighted"), "give connectors (failover) or weighted, not both")
		case len(r.Connectors) == 0 && len(r.Weighted) == 0:
			d.errorf(p, "no connectors: give connectors (failover, in order) or weighted")
		}
		for j, name := range r.Connectors {
			cp := index(join(p, "connectors"), j)
			if slices.Contains(r.Connectors[:j], name) {
				d.errorf(cp, "connector %q is listed twice", name)
				continue
			}
			use(cp, name)
		}
		for j, w := range r.Weighted {
			wp := index(join(p, "weighted"), j)
			if w.Name == "" {
				d.errorf(join(wp, "name"), "required")
				continue
			}
			use(join(wp, "name"), w.Name)
			d.between(join(wp, "weight"), w.Weight, 1, 1000)
		}
		d.rate(join(p, "tps"), r.TPS)
		if j := shadowedBy(c.Routes[:i], r); j >= 0 {
			d.warnf(p, "never used: routes[%d] (%s) matches all of its messages first", j, c.Routes[j].Name)
		}
	}
	for i, t := range c.Tenants {
		if t.ID != "" && !slices.ContainsFunc(c.Routes, func(r Route) bool { return r.Match.Tenant == "" || r.Match.Tenant == t.ID }) {
			d.warnf(index("tenants", i), "no route for tenant %q: its messages will wait until they expire", t.ID)
		}
	}
}

func (d *decoder) validateMatch(m *Match, p string, tenants map[string]bool, ids []string) {
	if m.Tenant != "" && !tenants[m.Tenant] {
		d.errorf(join(p, "tenant"), "unknown tenant %q%s", m.Tenant, suggest(m.Tenant, ids))
	}
	for j, pre := range m.Prefix {
		if !prefixRE.MatchString(pre) {
			d.errorf(index(join(p, "prefix"), j), "%q is not an E.164 prefix (+ and digits, e.g. +1319)", pre)
		}
	}
	for j, cc := range m.Country {
		if msg := countryProblem(cc); msg != "" {
			d.errorf(index(join(p, "country"), j), "%s", msg)
		}
	}
	if m.Priority != "" {
		d.enum(join(p, "priority"), m.Priority, PriorityNormal, PriorityHigh, PriorityEmergency)
	}
}

// shadowedBy returns the index of an earlier route that matches every
// message r matches, or -1: one for all tenants (or r's) with no other
// condition.
func shadowedBy(earlier []Route, r *Route) int {
	for j, e := range earlier {
		m := e.Match
		if len(m.Prefix) == 0 && len(m.Country) == 0 && (m.Priority == "" || m.Priority == PriorityNormal) &&
			(m.Tenant == "" || m.Tenant == r.Match.Tenant) {
			return j
		}
	}
	return -1
}
