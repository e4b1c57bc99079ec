package configs

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/smsgw/smsgw/internal/clientip"
	"github.com/smsgw/smsgw/spool"
)

// validate checks what decoding cannot: required keys, formats, ranges,
// duplicates and references. It records every problem and stops at none.
func (d *decoder) validate(c *Config) {
	d.validateTop(c)
	d.validateSpool(&c.Spool)
	d.validateTenants(c)
	d.validateConnectors(c)
	d.validateRoutes(c)
	d.validateAdmin(&c.Admin)
}

func (d *decoder) validateTop(c *Config) {
	switch {
	case c.DataDir == "":
		d.errorf("data_dir", "required")
	case !filepath.IsAbs(c.DataDir):
		d.errorf("data_dir", "want an absolute path, got %q", c.DataDir)
	}
	l := &c.Listen
	d.listenAddr("listen.http", l.HTTP)
	d.listenAddr("listen.smpp", l.SMPP)
	if l.HTTP == "" {
		d.warnf("listen.http", "the HTTP listener is off: no API, admin UI or metrics")
	}
	if l.HTTP != "" && l.HTTP == l.SMPP {
		d.errorf("listen.smpp", "same address as listen.http")
	}
	if t := l.SMPPTLS; t != nil {
		p := "listen.smpp_tls"
		if t.Listen == "" {
			d.errorf(join(p, "listen"), "required (host:port, e.g. 0.0.0.0:3550)")
		} else {
			d.listenAddr(join(p, "listen"), t.Listen)
		}
		if t.Listen != "" && (t.Listen == l.SMPP || t.Listen == l.HTTP) {
			d.errorf(join(p, "listen"), "same address as another listener")
		}
		d.readableFile(join(p, "cert_file"), &t.CertFile, true)
		d.readableFile(join(p, "key_file"), &t.KeyFile, true)
	}
	for i, p := range l.TrustedProxies {
		if _, err := clientip.Parse([]string{p}); err != nil {
			d.errorf(fmt.Sprintf("listen.trusted_proxies[%d]", i), "%v", err)
		}
	}
	switch {
	case l.Control == "": // data_dir is wrong, and its error says so
	case !filepath.IsAbs(l.Control):
		d.errorf("listen.control", "want an absolute path, got %q", l.Control)
	case len(l.Control) > 107:
		d.errorf("listen.control", "a unix socket path may have at most 107 bytes, this has %d", len(l.Control))
	}
	d.enum("log.level", c.Log.Level, "debug", "info", "warn", "error")
	d.enum("log.format", c.Log.Format, "text", "json")
}

func (d *decoder) validateSpool(s *Spool) {
	d.atLeast("spool.max_queued", s.MaxQueued, 1)
	switch {
	case s.MaxFileSize < 32<<20:
		d.errorf("spool.max_file_size", "want at least 32MiB, got %s", s.MaxFileSize)
	case int64(s.MaxFileSize) > spool.MaxMappable:
		d.errorf("spool.max_file_size", "want at most %s on this 32-bit system (the spool file is mapped into memory), got %s",
			ByteSize(spool.MaxMappable), s.MaxFileSize)
	}
	d.positive("spool.default_validity", s.DefaultValidity)
	d.positive("spool.lease", s.Lease)
	d.positive("spool.idempotency_ttl", s.IdempotencyTTL)
	if s.CommitDelay < 0 || s.CommitDelay > 50*time.Millisecond {
		d.errorf("spool.commit_delay", "want 0 (never hold a commit) to 50ms, got %s", s.CommitDelay)
	}
	r := &s.Retry
	d.positive("spool.retry.initial_backoff", r.InitialBackoff)
	if r.MaxBackoff < r.InitialBackoff {
		d.errorf("spool.retry.max_backoff", "shorter than initial_backoff (%s)", r.InitialBackoff)
	}
	if r.Jitter < 0 || r.Jitter > 1 {
		d.errorf("spool.retry.jitter", "want a fraction from 0 to 1, got %g", r.Jitter)
	}
	d.atLeast("spool.retry.max_attempts", r.MaxAttempts, 1)
	d.retention("spool.retention", &s.Retention.Retention)
	d.notNegative("spool.retention.audit_after", s.Retention.AuditAfter)
	d.positive("spool.retention.interval", s.Retention.Interval)
	if a, del := s.Retention.AuditAfter, s.Retention.DeleteAfter; a > 0 && (del == 0 || a < del) {
		d.warnf("spool.retention.audit_after", "audit entries go before the messages they describe (delete_after %s)", del)
	}
}

func (d *decoder) retention(path string, r *Retention) {
	d.notNegative(join(path, "redact_after"), r.RedactAfter)
	d.notNegative(join(path, "delete_after"), r.DeleteAfter)
}

func (d *decoder) validateAdmin(a *Admin) {
	seen := map[string]string{}
	for i := range a.Users {
		u, p := &a.Users[i], index("admin.users", i)
		if d.name(join(p, "name"), u.Name) {
			d.unique(seen, join(p, "name"), "user", u.Name)
		}
		d.enum(join(p, "role"), u.Role, RoleViewer, RoleOperator, RoleAdmin)
		d.required(p, "password", true, u.Password)
	}
	d.positive("admin.session_ttl", a.SessionTTL)
}

// listenAddr checks an optional listen address.
func (d *decoder) listenAddr(path, addr string) {
	if addr == "" {
		return
	}
	if p := addrProblem(addr); p != "" {
		d.errorf(path, "%s", p)
	}
}

// readableFile checks that a file can be opened, and makes a relative
// path absolute, from the configuration file's directory.
func (d *decoder) readableFile(path string, file *string, required bool) {
	if *file == "" {
		if required {
			d.errorf(path, "required")
		}
		return
	}
	// A relative path is from the configuration file's directory, for
	// the gateway too (which runs from /): it is kept absolute.
	if !filepath.IsAbs(*file) {
		*file = filepath.Join(d.baseDir, *file)
	}
	f, err := os.Open(*file)
	if err != nil {
		d.errorf(path, "%v", err)
		return
	}
	f.Close()
}

// required checks that a secret was given.
func (d *decoder) required(path, base string, hash bool, s Secret) {
	if s.IsSet() || d.failed[join(path, base)] {
		return
	}
	alt := base + "_env or " + base + "_file"
	if hash {
		alt = base + "_hash, " + alt
	}
	d.errorf(path, "no %s: give %s", base, alt)
}

// name checks a required name's format; it reports whether the name is
// usable for duplicate and reference checks.
func (d *decoder) name(path, val string) bool {
	switch {
	case val == "":
		d.errorf(path, "required")
		return false
	case !nameRE.MatchString(val):
		d.errorf(path, "%q: want %s", val, nameHint)
	}
	return true
}

// unique records val and reports a duplicate.
func (d *decoder) unique(seen map[string]string, path, what, val string) {
	if first, dup := seen[val]; dup {
		d.errorf(path, "duplicate %s %q (first at %s)", what, val, first)
		return
	}
	seen[val] = path
}

func (d *decoder) enum(path, val string, list ...string) {
	if ok, want := oneOf(val, list...); !ok {
		d.errorf(path, "%q is not one of %s", val, want)
	}
}

func (d *decoder) atLeast(path string, v, low int) {
	if v < low {
		d.errorf(path, "want at least %d, got %d", low, v)
	}
}

func (d *decoder) between(path string, v, low, high int) {
	if v < low || v > high {
		d.errorf(path, "want %d to %d, got %d", low, high, v)
	}
}

func (d *decoder) positive(path string, v time.Duration) {
	if v <= 0 {
		d.errorf(path, "want a duration above zero, got %s", v)
	}
}

func (d *decoder) notNegative(path string, v time.Duration) {
	if v < 0 {
		d.errorf(path, "want zero or more, got %s", v)
	}
}

func (d *decoder) rate(path string, v float64) {
	if v < 0 {
		d.errorf(path, "want zero (no limit) or more, got %s", strconv.FormatFloat(v, 'g', -1, 64))
	}
}

// maxLen checks an SMPP C-octet string's length.
func (d *decoder) maxLen(path, val string, n int) {
	if len(val) > n {
		d.errorf(path, "%s", fmt.Sprintf("SMPP allows at most %d characters, got %d", n, len(val)))
	}
}
