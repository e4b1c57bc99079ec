package configs

import (
	"reflect"
	"strings"
)

// RestartError is returned by Reloadable when a new configuration changes
// something the running gateway cannot take live. It matches
// ErrRestartRequired.
type RestartError struct {
	Fields []string // key paths that changed, e.g. "listen.http", "connectors[carrier-a].port"
}

// Error names the changed keys.
func (e *RestartError) Error() string {
	return "configs: these changes need a restart: " + strings.Join(e.Fields, ", ")
}

// Is makes errors.Is(err, ErrRestartRequired) true.
func (e *RestartError) Is(target error) bool { return target == ErrRestartRequired }

// Reloadable reports whether next differs from c only in what a running
// gateway applies on SIGHUP: tenants (with their API keys, SMPP accounts,
// webhooks and opt-out rules), routes, admin users, and whether each
// connector is enabled. Otherwise it returns a *RestartError naming every
// other key that changed: data_dir, listen, log, spool, and connectors
// added, removed or with a changed transport setting.
func (c *Config) Reloadable(next *Config) error {
	var paths []string
	diffPaths(reflect.ValueOf(c.DataDir), reflect.ValueOf(next.DataDir), "data_dir", &paths)
	diffPaths(reflect.ValueOf(c.Listen), reflect.ValueOf(next.Listen), "listen", &paths)
	diffPaths(reflect.ValueOf(c.Log), reflect.ValueOf(next.Log), "log", &paths)
	diffPaths(reflect.ValueOf(c.Spool), reflect.ValueOf(next.Spool), "spool", &paths)
	old := map[string]Connector{}
	for _, k := range c.Connectors {
		old[k.Name] = k
	}
	for _, k := range next.Connectors {
		p := "connectors[" + k.Name + "]"
		o, ok := old[k.Name]
		if !ok {
			paths = append(paths, p+" (added)")
			continue
		}
		delete(old, k.Name)
		o.Enabled, k.Enabled = false, false // the fail-closed gate flips live
		diffPaths(reflect.ValueOf(o), reflect.ValueOf(k), p, &paths)
		diffPaths(reflect.ValueOf(o.SMPP), reflect.ValueOf(k.SMPP), p, &paths)
		diffPaths(reflect.ValueOf(o.Modem), reflect.ValueOf(k.Modem), p, &paths)
	}
	for _, k := range c.Connectors {
		if _, gone := old[k.Name]; gone {
			paths = append(paths, "connectors["+k.Name+"] (removed)")
		}
	}
	if len(paths) > 0 {
		return &RestartError{Fields: paths}
	}
	return nil
}

// diffPaths appends the key paths where a and b (values of the same
// type) differ, down to struct fields; lists, maps and secrets are
// compared whole.
func diffPaths(a, b reflect.Value, path string, out *[]string) {
	switch {
	case a.Kind() == reflect.Pointer:
		if a.IsNil() || b.IsNil() {
			if a.IsNil() != b.IsNil() {
				*out = append(*out, path)
			}
			return
		}
		diffPaths(a.Elem(), b.Elem(), path, out)
	case a.Kind() == reflect.Struct && a.Type() != secretType:
		for i := range a.NumField() {
			f := a.Type().Field(i)
			name, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			if name == "-" || !f.IsExported() {
				continue
			}
			p := join(path, name)
			if strings.Contains(opts, "inline") {
				p = path
			}
			diffPaths(a.Field(i), b.Field(i), p, out)
		}
	case !reflect.DeepEqual(a.Interface(), b.Interface()):
		*out = append(*out, path)
	}
}
