package configs

import "time"

// Config is one smsgw configuration file: listeners, data directory,
// spool limits, tenants, connectors, routes and admin users. The yaml tags
// are the file's key names (DESIGN.md, "Configuration (YAML)"); they are
// part of the external contract.
//
// Parse and Load return a Config with defaults applied (see Default) and
// every secret resolved.
type Config struct {
	DataDir    string      `yaml:"data_dir"`
	Listen     Listen      `yaml:"listen"`
	Log        Log         `yaml:"log"`
	Spool      Spool       `yaml:"spool"`
	Tenants    []Tenant    `yaml:"tenants"`
	Connectors []Connector `yaml:"connectors"`
	Routes     []Route     `yaml:"routes"`
	Admin      Admin       `yaml:"admin"`

	// File is the name the config was loaded from (not a key).
	File string `yaml:"-"`
	// Warnings are the problems found that do not stop the gateway (not a
	// key): inline secrets, routes through disabled connectors, tenants
	// without a route.
	Warnings []Diagnostic `yaml:"-"`
}

// Listen holds the addresses the gateway listens on. An empty address
// turns that listener off.
type Listen struct {
	HTTP    string       `yaml:"http"`     // REST API, admin UI, metrics; default 127.0.0.1:8080
	SMPP    string       `yaml:"smpp"`     // SMPP server for upstream applications; default 127.0.0.1:2775
	SMPPTLS *TLSListener `yaml:"smpp_tls"` // SMPP over TLS; off unless given
	// Control is the unix socket the CLI uses to reach the running
	// gateway; default <data_dir>/smsgw.sock.
	Control string `yaml:"control"`
	// TrustedProxies are the reverse proxies (addresses, networks such as
	// 10.0.0.0/8) in front of listen.http whose X-Forwarded-For names the
	// client, and whose X-Forwarded-Proto: https makes the admin UI's
	// cookies Secure. Default none: the client is the peer.
	TrustedProxies []string `yaml:"trusted_proxies"`
}

// TLSListener is a listener that terminates TLS.
type TLSListener struct {
	Listen   string `yaml:"listen"`    // host:port, e.g. 0.0.0.0:3550; required
	CertFile string `yaml:"cert_file"` // PEM certificate chain; required
	KeyFile  string `yaml:"key_file"`  // PEM private key; required
}

// Log configures the process log (log/slog).
type Log struct {
	Level  string `yaml:"level"`  // debug, info, warn or error; default info
	Format string `yaml:"format"` // text or json; default text
}

// Spool configures the durable store (spool.Options).
type Spool struct {
	MaxQueued       int            `yaml:"max_queued"`       // messages not yet sent; default 1000000
	MaxFileSize     ByteSize       `yaml:"max_file_size"`    // default 4GiB
	DefaultValidity time.Duration  `yaml:"default_validity"` // for messages without one; default 48h
	Lease           time.Duration  `yaml:"lease"`            // a send's time before it is due again; default 2m
	IdempotencyTTL  time.Duration  `yaml:"idempotency_ttl"`  // how long an Idempotency-Key is remembered; default 24h
	CommitDelay     time.Duration  `yaml:"commit_delay"`     // the most a commit is held for others to share it; default 5ms, 0: never
	Retry           Retry          `yaml:"retry"`
	Retention       SpoolRetention `yaml:"retention"`
}

// Retry is the retry schedule (spool.RetryPolicy): the n-th retry waits
// InitialBackoff·2^(n-1), at most MaxBackoff, spread by ±Jitter.
type Retry struct {
	InitialBackoff time.Duration `yaml:"initial_backoff"` // default 10s
	MaxBackoff     time.Duration `yaml:"max_backoff"`     // default 10m
	Jitter         float64       `yaml:"jitter"`          // fraction, 0 to 1 (0: none); default 0.2
	MaxAttempts    int           `yaml:"max_attempts"`    // default 10
}

// Retention says how long final messages are kept (spool.Retention). A
// zero duration keeps them for ever.
type Retention struct {
	RedactAfter time.Duration `yaml:"redact_after"` // remove the body of final messages accepted this long ago
	DeleteAfter time.Duration `yaml:"delete_after"` // remove final messages accepted this long ago
}

// SpoolRetention is the gateway-wide retention, with the audit trail's.
type SpoolRetention struct {
	Retention  `yaml:",inline"`
	AuditAfter time.Duration `yaml:"audit_after"` // remove audit entries this old; default 0 (keep)
	Interval   time.Duration `yaml:"interval"`    // how often the purge runs; default 1h
}

// Admin configures the admin web UI.
type Admin struct {
	Users      []User        `yaml:"users"`
	SessionTTL time.Duration `yaml:"session_ttl"` // login session lifetime; default 12h
}

// User is one admin UI login.
type User struct {
	Name     string `yaml:"name"`
	Role     string `yaml:"role"`                 // viewer, operator or admin; default viewer
	Password Secret `yaml:"password,secret,hash"` // password, password_env, password_file or password_hash
}

// Roles of admin UI users, from least to most allowed.
const (
	RoleViewer   = "viewer"   // reads every page
	RoleOperator = "operator" // also sends, retries and cancels messages
	RoleAdmin    = "admin"    // also manages opt-outs and runs spool maintenance
)
