package configs

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/smsgw/smsgw/spool"
)

// Every default lives in this file: Default for the top level, the
// setDefaults methods for list and map elements (given before an element
// is decoded, so that a key present in the file always wins), and derive
// for the defaults computed from other keys.

// DefaultPath is where smsgw looks for its configuration.
const DefaultPath = "/etc/smsgw/smsgw.yaml"

// Default returns the configuration of a file that sets nothing.
func Default() *Config {
	maxFile := ByteSize(min(4<<30, spool.MaxMappable)) // 1 GiB on 32-bit systems
	return &Config{
		DataDir: "/var/lib/smsgw",
		Listen:  Listen{HTTP: "127.0.0.1:8080", SMPP: "127.0.0.1:2775"},
		Log:     Log{Level: "info", Format: "text"},
		Spool: Spool{
			MaxQueued:       1_000_000,
			MaxFileSize:     maxFile,
			DefaultValidity: 48 * time.Hour,
			Lease:           2 * time.Minute,
			IdempotencyTTL:  24 * time.Hour,
			CommitDelay:     5 * time.Millisecond,
			Retry:           Retry{InitialBackoff: 10 * time.Second, MaxBackoff: 10 * time.Minute, Jitter: 0.2, MaxAttempts: 10},
			Retention:       SpoolRetention{Interval: time.Hour},
		},
		Admin: Admin{SessionTTL: 12 * time.Hour},
	}
}

// DefaultKeywords are the opt-out keywords of language "en" (CTIA).
func DefaultKeywords() Keywords {
	return Keywords{
		Stop:  []string{"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"},
		Start: []string{"START", "YES", "UNSTOP"},
		Help:  []string{"HELP", "INFO"},
	}
}

// DefaultHelpText answers a help keyword when the tenant sets none.
const DefaultHelpText = "Reply STOP to opt out, START to opt back in."

func (t *Tenant) setDefaults() {
	t.OptOut = OptOut{Keywords: map[string]Keywords{"en": DefaultKeywords()}, HelpText: DefaultHelpText}
}

func (a *SMPPAccount) setDefaults() { a.MaxBinds = 4 }

func (u *User) setDefaults() { u.Role = RoleViewer }

func (w *WeightedConnector) setDefaults() { w.Weight = 1 }

func (s *SMPPConnector) setDefaults() {
	*s = SMPPConnector{
		Port:              2775,
		Bind:              BindTransceiver,
		Sessions:          1,
		Window:            10,
		EnquireLink:       30 * time.Second,
		ResponseTimeout:   10 * time.Second,
		Reconnect:         Backoff{Initial: time.Second, Max: time.Minute},
		ReassemblyTimeout: DefaultReassemblyTimeout,
		LongMessages:      LongUDH,
		DataCoding:        CodingGSM7Default,
		ReceiptIDs:        ReceiptIDsAuto,
		ValidityFormat:    ValidityAbsolute,
	}
}

// DefaultReassemblyTimeout is how long an inbound long message waits for
// a missing part by default: parts come within seconds, and a caller's
// text must not stay hidden for Kannel's 30 minutes because one never
// does.
const DefaultReassemblyTimeout = 2 * time.Minute

func (m *ModemConnector) setDefaults() {
	*m = ModemConnector{
		Baud:              115200,
		Storage:           "SM",
		CommandTimeout:    10 * time.Second,
		SendTimeout:       time.Minute,
		PollInterval:      30 * time.Second,
		Reconnect:         Backoff{Initial: time.Second, Max: time.Minute},
		ResetAfter:        5,
		ReassemblyTimeout: DefaultReassemblyTimeout,
		StatusReports:     true,
	}
}

// derive fills the defaults that depend on other keys, and normalises
// country codes to upper case.
func (c *Config) derive() {
	if c.Listen.Control == "" && filepath.IsAbs(c.DataDir) {
		c.Listen.Control = filepath.Join(c.DataDir, "smsgw.sock")
	}
	for i := range c.Tenants {
		t := &c.Tenants[i]
		if t.Name == "" {
			t.Name = t.ID
		}
		t.DefaultRegion = strings.ToUpper(t.DefaultRegion)
		upperAll(t.AllowedCountries)
		if len(t.AllowedCountries) == 0 && t.DefaultRegion != "" {
			t.AllowedCountries = []string{t.DefaultRegion}
		}
	}
	for i := range c.Routes {
		r := &c.Routes[i]
		if r.Name == "" {
			r.Name = fmt.Sprintf("route-%d", i+1)
		}
		upperAll(r.Match.Country)
	}
}

func upperAll(list []string) {
	for i, s := range list {
		list[i] = strings.ToUpper(s)
	}
}

// ParseDuration reads a Go duration ("90s", "1h30m") or a whole number
// of days ("7d") or weeks ("2w"): the durations of the configuration,
// which the CLI and the HTTP API take too.
func ParseDuration(s string) (time.Duration, error) {
	if n, ok := strings.CutSuffix(s, "d"); ok {
		return wholeDays(n, 1)
	}
	if n, ok := strings.CutSuffix(s, "w"); ok {
		return wholeDays(n, 7)
	}
	return time.ParseDuration(s)
}

func wholeDays(s string, mult int64) (time.Duration, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || n > 100*365 {
		return 0, fmt.Errorf("%q: want a whole number of days or weeks", s)
	}
	return time.Duration(n*mult) * 24 * time.Hour, nil
}
