package configs

import (
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// credentials tracks names and keys that must be unique over all tenants.
type credentials struct {
	tenants, keyIDs, systemIDs, keyValues map[string]string
}

func (d *decoder) validateTenants(c *Config) {
	seen := credentials{map[string]string{}, map[string]string{}, map[string]string{}, map[string]string{}}
	if len(c.Tenants) == 0 {
		d.warnf("tenants", "no tenants: nothing can submit messages")
	}
	for i := range c.Tenants {
		d.validateTenant(&c.Tenants[i], index("tenants", i), &seen)
	}
}

func (d *decoder) validateTenant(t *Tenant, p string, seen *credentials) {
	if d.name(join(p, "id"), t.ID) {
		d.unique(seen.tenants, join(p, "id"), "tenant id", t.ID)
	}
	if t.DefaultRegion == "" {
		d.errorf(join(p, "default_region"), "required (the ISO 3166 country code national numbers belong to, e.g. US)")
	} else if msg := countryProblem(t.DefaultRegion); msg != "" {
		d.errorf(join(p, "default_region"), "%s", msg)
	}
	for j, cc := range t.AllowedCountries {
		if _, given := d.lines[join(p, "allowed_countries")]; given && cc != "*" { // else it is the region, checked above
			if msg := countryProblem(cc); msg != "" {
				d.errorf(index(join(p, "allowed_countries"), j), "%s", msg)
			}
		}
	}
	for j, s := range t.Senders {
		if msg := senderProblem(s); msg != "" {
			d.errorf(index(join(p, "senders"), j), "%s", msg)
		}
	}
	if len(t.Senders) == 0 {
		d.warnf(join(p, "senders"), `empty: this tenant may send nothing (no sender id is allowed); list its senders, or "*" for any`)
	}
	if s := t.DefaultSender; s != "" {
		dp := join(p, "default_sender")
		if s == "*" {
			d.errorf(dp, `want one sender, not "*"`)
		} else if msg := senderProblem(s); msg != "" {
			d.errorf(dp, "%s", msg)
		} else if !slices.Contains(t.Senders, s) && !slices.Contains(t.Senders, "*") {
			d.errorf(dp, "%q is not in senders", s)
		}
	}
	for j := range t.APIKeys {
		d.validateAPIKey(&t.APIKeys[j], index(join(p, "api_keys"), j), seen)
	}
	for j := range t.SMPPAccounts {
		d.validateAccount(&t.SMPPAccounts[j], index(join(p, "smpp_accounts"), j), seen)
	}
	if len(t.APIKeys) == 0 && len(t.SMPPAccounts) == 0 {
		d.warnf(p, "no api_keys or smpp_accounts: nothing can submit for this tenant")
	}
	if t.QuotaPerDay < 0 {
		d.errorf(join(p, "quota_per_day"), "want zero (no limit) or more, got %d", t.QuotaPerDay)
	}
	if t.Retention != nil {
		d.retention(join(p, "retention"), t.Retention)
	}
	if w := t.Webhook; w != nil {
		d.validateWebhook(w, join(p, "webhook"))
	}
	for j, h := range t.CallbackHosts {
		if msg := hostEntryProblem(h); msg != "" {
			d.errorf(index(join(p, "callback_hosts"), j), "%q: %s", h, msg)
		}
	}
	d.validateOptOut(&t.OptOut, join(p, "optout"))
}

func (d *decoder) validateAPIKey(k *APIKey, p string, seen *credentials) {
	if d.name(join(p, "id"), k.ID) {
		d.unique(seen.keyIDs, join(p, "id"), "api key id", k.ID)
	}
	d.required(p, "key", true, k.Key)
	if v := k.Key.Value; v != "" {
		if first, dup := seen.keyValues[v]; dup {
			d.errorf(p, "same key as %s: keys must differ", first)
		} else {
			seen.keyValues[v] = p
		}
		if len(v) < 16 {
			d.warnf(p, "short key (%d characters): use at least 16 (smsgw hash-secret --generate makes one)", len(v))
		}
	}
}

func (d *decoder) validateAccount(a *SMPPAccount, p string, seen *credentials) {
	sp := join(p, "system_id")
	if a.SystemID == "" {
		d.errorf(sp, "required")
	} else {
		d.maxLen(sp, a.SystemID, 15)
		d.unique(seen.systemIDs, sp, "system_id", a.SystemID)
	}
	d.required(p, "password", true, a.Password)
	d.longPassword(p, a.Password)
	d.atLeast(join(p, "max_binds"), a.MaxBinds, 1)
	d.rate(join(p, "tps"), a.TPS)
	for j, s := range a.AllowedSources {
		if msg := sourceProblem(s); msg != "" {
			d.errorf(index(join(p, "allowed_sources"), j), "%s", msg)
		}
	}
	if a.DefaultAlphabet != "" {
		d.enum(join(p, "default_alphabet"), a.DefaultAlphabet, AlphabetGSM7, AlphabetLatin1)
	}
	if a.IA5Alphabet != "" {
		d.enum(join(p, "ia5_alphabet"), a.IA5Alphabet, IA5Ascii, AlphabetGSM7)
	}
}

// sourceProblem says what is wrong with an allowed source_addr: a sender,
// or a prefix of + and digits ending in "*".
func sourceProblem(s string) string {
	prefix, isPrefix := strings.CutSuffix(s, "*")
	switch {
	case s == "*":
		return `"*" would allow any source: leave allowed_sources out to use the tenant's senders`
	case isPrefix && (prefixRE.MatchString(prefix) || digitsRE.MatchString(prefix)):
		return ""
	case isPrefix:
		return strconv.Quote(s) + ": a prefix is + and digits, then *"
	}
	return senderProblem(s)
}

// longPassword warns about an SMPP password SMPP 3.4 does not allow.
func (d *decoder) longPassword(p string, s Secret) {
	if len(s.Value) > 8 {
		d.warnf(p, "password longer than 8 characters: SMPP 3.4 allows 8 and some peers cut or refuse longer ones")
	}
}

func (d *decoder) validateWebhook(w *Webhook, p string) {
	if w.URL == "" {
		d.errorf(join(p, "url"), "required")
	} else if msg := urlProblem(w.URL); msg != "" {
		d.errorf(join(p, "url"), "%s", msg)
	} else if u, _ := url.Parse(w.URL); u.Scheme == "http" && !loopback(u.Hostname()) {
		d.warnf(join(p, "url"), "plain http: message text and numbers cross the network unencrypted")
	}
	d.required(p, "secret", false, w.Secret)
}

func loopback(host string) bool {
	ip := net.ParseIP(host)
	return host == "localhost" || ip != nil && ip.IsLoopback()
}

func (d *decoder) validateOptOut(o *OptOut, p string) {
	for lang, kw := range o.Keywords {
		lp := join(join(p, "keywords"), lang)
		if !languageRE.MatchString(lang) {
			d.errorf(lp, "%q is not an ISO 639 language code (en, es, fr, …)", lang)
		}
		words := map[string]string{}
		for _, list := range []struct {
			name  string
			words []string
		}{{"stop", kw.Stop}, {"stop_all", kw.StopAll}, {"start", kw.Start}, {"help", kw.Help}} {
			for j, w := range list.words {
				wp := index(join(lp, list.name), j)
				w = strings.ToUpper(strings.TrimSpace(w))
				if w == "" {
					d.errorf(wp, "empty keyword")
					continue
				}
				if first, dup := words[w]; dup && first != list.name {
					d.errorf(wp, "%q is also a %s keyword", w, first)
				}
				words[w] = list.name
			}
		}
		d.warnLongReplies(lp, kw.HelpText, kw.StopText, kw.StartText)
	}
	d.warnLongReplies(p, o.HelpText, o.StopText, o.StartText)
}

// warnLongReplies warns of opt-out replies longer than one SMS.
func (d *decoder) warnLongReplies(p, help, stop, start string) {
	for _, r := range []struct{ key, text string }{{"help_text", help}, {"stop_text", stop}, {"start_text", start}} {
		if n := len([]rune(r.text)); n > 160 {
			d.warnf(join(p, r.key), "%d characters: longer than one SMS (160)", n)
		}
	}
}
