package gateway

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"log/slog"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/smsgw/smsgw/configs"
	"github.com/smsgw/smsgw/httpapi"
	"github.com/smsgw/smsgw/modem"
	smspdu "github.com/smsgw/smsgw/pdu"
	"github.com/smsgw/smsgw/smpp"
	"github.com/smsgw/smsgw/spool"
	"github.com/smsgw/smsgw/spool/policy"
	"github.com/smsgw/smsgw/spool/route"
)

// This file maps the configuration (configs) onto the options of each
// part. configs sits at the bottom of the import graph and mirrors them;
// here is the one place they meet.

func spoolOptions(c *configs.Config, log *slog.Logger) spool.Options {
	s := c.Spool
	return spool.Options{
		MaxQueued:       s.MaxQueued,
		MaxFileSize:     int64(s.MaxFileSize),
		DefaultValidity: s.DefaultValidity,
		Lease:           s.Lease,
		IdempotencyTTL:  s.IdempotencyTTL,
		CommitDelay:     commitDelay(s.CommitDelay),
		Retry: spool.RetryPolicy{Base: s.Retry.InitialBackoff, Max: s.Retry.MaxBackoff, Jitter: zeroMeansNone(s.Retry.Jitter),
			MaxAttempts: s.Retry.MaxAttempts},
		Logger: log,
	}
}

// commitDelay maps spool.commit_delay (0: never hold) to the spool's
// option (0: its default; negative: never).
func commitDelay(d time.Duration) time.Duration {
	if d == 0 {
		return -1
	}
	return d
}

func policyTenants(c *configs.Config) []policy.Tenant {
	out := make([]policy.Tenant, 0, len(c.Tenants))
	for _, t := range c.Tenants {
		pt := policy.Tenant{ID: t.ID, DefaultRegion: t.DefaultRegion, AllowedCountries: t.AllowedCountries,
			Senders: t.Senders, DefaultSender: t.DefaultSender, QuotaPerDay: t.QuotaPerDay, CallbackHosts: t.CallbackHosts}
		pt.OptOut = policy.OptOut{HelpText: t.OptOut.HelpText, StopText: t.OptOut.StopText, StartText: t.OptOut.StartText,
			EmergencyBypass: t.OptOut.EmergencyBypass}
		if len(t.OptOut.Keywords) > 0 {
			pt.OptOut.Keywords = map[string]policy.Keywords{}
			stopAll := policy.DefaultKeywords().StopAll
			for lang, k := range t.OptOut.Keywords {
				pk := policy.Keywords{StopAll: slices.Clone(k.StopAll), Start: k.Start, Help: k.Help,
					HelpText: k.HelpText, StopText: k.StopText, StartText: k.StartText}
				for _, w := range k.Stop { // STOPALL in a stop list stops every line too
					if slices.ContainsFunc(stopAll, func(a string) bool { return strings.EqualFold(a, w) }) {
						pk.StopAll = append(pk.StopAll, w)
					} else {
						pk.Stop = append(pk.Stop, w)
					}
				}
				pt.OptOut.Keywords[lang] = pk
			}
		}
		out = append(out, pt)
	}
	return out
}

func apiKeys(c *configs.Config) []httpapi.APIKey {
	var out []httpapi.APIKey
	for _, t := range c.Tenants {
		for _, k := range t.APIKeys {
			out = append(out, httpapi.APIKey{ID: k.ID, Tenant: t.ID, Hash: k.Key.Hash, Key: k.Key.Value})
		}
	}
	return out
}

func smppAccounts(c *configs.Config) []smpp.Account {
	var out []smpp.Account
	for _, t := range c.Tenants {
		for _, a := range t.SMPPAccounts {
			out = append(out, smpp.Account{SystemID: a.SystemID, PasswordHash: a.Password.Hash, Password: a.Password.Value,
				Tenant: t.ID, MaxBinds: a.MaxBinds, TPS: a.TPS, AllowedSources: a.AllowedSources,
				DefaultAlphabet: a.DefaultAlphabet, IA5Alphabet: a.IA5Alphabet})
		}
	}
	return out
}

func webhooks(c *configs.Config) map[string]httpapi.Webhook {
	out := map[string]httpapi.Webhook{}
	for _, t := range c.Tenants {
		if t.Webhook != nil {
			out[t.ID] = httpapi.Webhook{URL: t.Webhook.URL, Secret: t.Webhook.Secret.Value}
		}
	}
	return out
}

// callbackHosts are the tenants' dlr-url allow-lists, for the webhook
// deliverer's check of the expanded URL.
func callbackHosts(c *configs.Config) map[string]configs.HostList {
	out := map[string]configs.HostList{}
	for _, t := range c.Tenants {
		if len(t.CallbackHosts) > 0 {
			out[t.ID] = t.CallbackHosts
		}
	}
	return out
}

func rules(c *configs.Config) []route.Rule {
	out := make([]route.Rule, 0, len(c.Routes))
	for _, r := range c.Routes {
		rule := route.Rule{Name: r.Name, Tenant: r.Match.Tenant, Prefixes: r.Match.Prefix, Countries: r.Match.Country,
			Connectors: r.Connectors, TPS: r.TPS}
		if r.Match.Priority != "" {
			rule.MinPriority, _ = spool.ParsePriority(r.Match.Priority)
		}
		if len(r.Weighted) > 0 {
			rule.Weights = map[string]int{}
			for _, w := range r.Weighted {
				rule.Connectors = append(rule.Connectors, w.Name)
				rule.Weights[w.Name] = w.Weight
			}
		}
		out = append(out, rule)
	}
	return out
}

// tenantOfConnector is the tenant that owns inbound messages arriving on
// a connector: the tenant of the first route through it that names one,
// else the first tenant.
func tenantOfConnector(c *configs.Config, name string) string {
	for _, r := range c.Routes {
		if r.Match.Tenant == "" {
			continue
		}
		for _, n := range r.Connectors {
			if n == name {
				return r.Match.Tenant
			}
		}
		for _, w := range r.Weighted {
			if w.Name == name {
				return r.Match.Tenant
			}
		}
	}
	if len(c.Tenants) > 0 {
		return c.Tenants[0].ID
	}
	return "default"
}

// zeroMeansNone maps a configured 0 ("never", "none": the file's
// defaults were applied when the key was left out) to the options'
// negative, since their zero means their default.
func zeroMeansNone[T int | float64 | time.Duration](v T) T {
	if v == 0 {
		return -1
	}
	return v
}

func u8(p *int) *uint8 {
	if p == nil {
		return nil
	}
	v := uint8(*p)
	return &v
}

func carrierOptions(c *configs.Config, conn configs.Connector, log *slog.Logger) (smpp.CarrierOptions, error) {
	s := conn.SMPP
	o := smpp.CarrierOptions{
		Name: conn.Name, Addr: net.JoinHostPort(s.Host, strconv.Itoa(s.Port)), SystemID: s.SystemID,
		Password: s.Password.Value, SystemType: s.SystemType, AddressRange: s.AddressRange,
		Bind: s.Bind, Sessions: s.Sessions, TPS: s.TPS, DataCoding: s.DataCoding, LongMessages: s.LongMessages, ReceiptIDs: s.ReceiptIDs,
		DefaultAlphabet: s.DefaultAlphabet, RelativeValidity: s.ValidityFormat == configs.ValidityRelative,
		SourceTON: u8(s.SourceTON), SourceNPI: u8(s.SourceNPI), DestTON: u8(s.DestTON), DestNPI: u8(s.DestNPI),
		Tenant: tenantOfConnector(c, conn.Name),
		Session: smpp.SessionOptions{Window: s.Window, EnquireLink: zeroMeansNone(s.EnquireLink),
			ResponseTimeout: s.ResponseTimeout, Logger: log},
		ReconnectMin: s.Reconnect.Initial, ReconnectMax: s.Reconnect.Max, Logger: log,
		ReassemblyTimeout: s.ReassemblyTimeout,
	}
	if s.TLS.Enabled {
		tc := &tls.Config{ServerName: s.TLS.ServerName, InsecureSkipVerify: s.TLS.InsecureSkipVerify, MinVersion: tls.VersionTLS12}
		if tc.ServerName == "" {
			tc.ServerName = s.Host
		}
		if s.TLS.CAFile != "" {
			pem, err := os.ReadFile(s.TLS.CAFile)
			if err != nil {
				return o, fmt.Errorf("connector %s: tls.ca_file: %w", conn.Name, err)
			}
			tc.RootCAs = x509.NewCertPool()
			if !tc.RootCAs.AppendCertsFromPEM(pem) {
				return o, fmt.Errorf("connector %s: tls.ca_file %s holds no PEM certificate", conn.Name, s.TLS.CAFile)
			}
		}
		o.TLS = tc
	}
	return o, nil
}

func modemOptions(c *configs.Config, conn configs.Connector, log *slog.Logger) (modem.Options, error) {
	m := conn.Modem
	o := modem.Options{
		Name: conn.Name, Port: m.Port, Baud: m.Baud, PIN: m.PIN.Value, Number: m.Number, Storage: m.Storage,
		Tenant:         tenantOfConnector(c, conn.Name),
		CommandTimeout: m.CommandTimeout, SendTimeout: m.SendTimeout, PollInterval: m.PollInterval, MinGap: m.MinGap,
		ReopenMin: m.Reconnect.Initial, ReopenMax: m.Reconnect.Max, ResetAfter: zeroMeansNone(m.ResetAfter),
		StatusReports: m.StatusReports, Trace: m.Trace, Logger: log, SMSC: m.SMSC,
		ReassemblyTimeout: m.ReassemblyTimeout,
	}
	for _, name := range m.Languages {
		l, err := smspdu.ParseLanguage(name)
		if err != nil {
			return o, fmt.Errorf("connector %s: languages: %w", conn.Name, err)
		}
		o.Languages = append(o.Languages, l)
	}
	return o, nil
}

// loggerFor builds the process logger from log.level and log.format.
func loggerFor(c *configs.Config, w *os.File) *slog.Logger {
	var lvl slog.Level
	_ = lvl.UnmarshalText([]byte(strings.ToUpper(c.Log.Level)))
	ho := &slog.HandlerOptions{Level: lvl}
	if c.Log.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, ho))
	}
	return slog.New(slog.NewTextHandler(w, ho))
}
