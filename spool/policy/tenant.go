package policy

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/nyaruka/phonenumbers"

	"github.com/smsgw/smsgw/configs"
)

// Tenant is one tenant's sending rules, as the wiring converts them from
// the configuration (tenants[] in smsgw.yaml).
type Tenant struct {
	// ID names the tenant (messages carry it).
	ID string
	// DefaultRegion is the ISO 3166 alpha-2 region national numbers are
	// read in ("US"). Empty: only international forms are accepted.
	DefaultRegion string
	// AllowedCountries are the ISO regions recipients may be in. Empty:
	// DefaultRegion only. "*" allows every country.
	AllowedCountries []string
	// Senders are the sender ids the tenant may use (E.164, short code or
	// alphanumeric); "*" allows any valid one (the demo). Empty: none
	// but DefaultSender (fail closed).
	Senders []string
	// DefaultSender is used when a submission has no sender.
	DefaultSender string
	// QuotaPerDay is the most MT messages accepted per UTC day; 0: no quota.
	QuotaPerDay int
	// OptOut are the opt-out keywords, replies and bypass.
	OptOut OptOut
	// CallbackHosts, when set, are the hosts a per-message report URL
	// may name. Empty: any.
	CallbackHosts configs.HostList
}

// OptOut configures how handsets opt out and in (tenants[].optout).
type OptOut struct {
	// Keywords per language ("en", "es"). English always has the
	// defaults (DefaultKeywords) for the lists it leaves empty; other
	// languages have only what is listed.
	Keywords map[string]Keywords
	// HelpText answers HELP when the keyword's language has none.
	HelpText string
	// StopText and StartText, when set, confirm STOP and START (again,
	// unless the keyword's language has its own).
	StopText, StartText string
	// EmergencyBypass lets emergency-priority messages reach recipients
	// who opted out. Off by default.
	EmergencyBypass bool
}

// Keywords are one language's opt-out words (matched as the first word
// of an inbound message, case-insensitive) and replies.
type Keywords struct {
	Stop    []string // stop messages from the line written to
	StopAll []string // stop messages from every line of the tenant
	Start   []string // lift the stop on the line written to (and any stop-all)
	Help    []string // answer with the help text

	HelpText, StopText, StartText string // replies in this language; empty: the tenant's
}

// DefaultKeywords are the English keywords every tenant has.
func DefaultKeywords() Keywords {
	return Keywords{
		Stop:    []string{"STOP", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"},
		StopAll: []string{"STOPALL"},
		Start:   []string{"START", "YES", "UNSTOP"},
		Help:    []string{"HELP", "INFO"},
	}
}

// rules is a tenant compiled for fast checks.
type rules struct {
	Tenant
	allCountries  bool
	countries     map[string]bool
	senders       map[string]string // senderKey → configured canonical spelling
	anySender     bool              // "*" in Senders
	defaultSender string            // canonical; "" none
	keywords      map[string]keyword
}

// keyword is what an inbound word means.
type keyword struct {
	action Action
	lang   string
}

// compileTenants checks and compiles tenants, reporting every problem.
// CheckTenants reports what SetTenants would refuse in ts, changing
// nothing: for smsgw config check.
func CheckTenants(ts []Tenant) error {
	_, err := compileTenants(ts)
	return err
}

func compileTenants(ts []Tenant) (map[string]*rules, error) {
	out := make(map[string]*rules, len(ts))
	var errs []error
	for i, t := range ts {
		r, err := compile(t)
		if err == nil && out[t.ID] != nil {
			err = errors.New("duplicate tenant id")
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("policy: tenants[%d] (%s): %w", i, t.ID, err))
			continue
		}
		out[t.ID] = r
	}
	return out, errors.Join(errs...)
}

func compile(t Tenant) (*rules, error) {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if t.ID == "" || strings.ContainsFunc(t.ID, func(r rune) bool { return r < ' ' }) {
		bad("id is empty or has control characters")
	}
	supported := phonenumbers.GetSupportedRegions()
	t.DefaultRegion = strings.ToUpper(strings.TrimSpace(t.DefaultRegion))
	if t.DefaultRegion != "" && !supported[t.DefaultRegion] {
		bad("default_region %q is not an ISO 3166 region phonenumbers knows", t.DefaultRegion)
	}
	r := &rules{Tenant: t, countries: map[string]bool{}, senders: map[string]string{}}
	for _, c := range t.AllowedCountries {
		c = strings.ToUpper(strings.TrimSpace(c))
		switch {
		case c == "*":
			r.allCountries = true
		case supported[c] || c == "001": // 001: non-geographic (+800, +882…)
			r.countries[c] = true
		default:
			bad("allowed_countries: %q is not an ISO 3166 region phonenumbers knows", c)
		}
	}
	if len(t.AllowedCountries) == 0 {
		if t.DefaultRegion == "" {
			bad("allowed_countries is empty and default_region is not set: no recipient would be allowed")
		}
		r.countries[t.DefaultRegion] = true
	}
	for _, s := range t.Senders {
		if s == "*" {
			r.anySender = true
			continue
		}
		n, k, err := NormaliseSender(s, t.DefaultRegion)
		if err != nil {
			bad("senders: %v", err)
			continue
		}
		r.senders[senderKey(n, k)] = n
	}
	if t.DefaultSender != "" {
		n, k, err := NormaliseSender(t.DefaultSender, t.DefaultRegion)
		switch {
		case err != nil:
			bad("default_sender: %v", err)
		case len(r.senders) > 0 && !r.anySender && r.senders[senderKey(n, k)] == "":
			bad("default_sender %q is not one of senders", t.DefaultSender)
		default:
			r.defaultSender = n
			if !r.anySender {
				r.senders[senderKey(n, k)] = n // given explicitly, it is allowed too
			}
		}
	}
	if t.QuotaPerDay < 0 {
		bad("quota_per_day is negative")
	}
	var err error
	if r.keywords, err = compileKeywords(t.OptOut.Keywords); err != nil {
		errs = append(errs, err)
	}
	return r, errors.Join(errs...)
}

// compileKeywords merges the English defaults and indexes every word.
func compileKeywords(langs map[string]Keywords) (map[string]keyword, error) {
	all := make(map[string]Keywords, len(langs)+1)
	for l, k := range langs {
		all[strings.ToLower(strings.TrimSpace(l))] = k
	}
	en, def := all["en"], DefaultKeywords()
	for _, f := range []struct{ have, def *[]string }{
		{&en.Stop, &def.Stop}, {&en.StopAll, &def.StopAll}, {&en.Start, &def.Start}, {&en.Help, &def.Help},
	} {
		if len(*f.have) == 0 {
			*f.have = *f.def
		}
	}
	all["en"] = en
	out := map[string]keyword{}
	var errs []error
	for _, lang := range slices.Sorted(maps.Keys(all)) {
		k := all[lang]
		for _, list := range []struct {
			a     Action
			words []string
		}{{ActionStop, k.Stop}, {ActionStopAll, k.StopAll}, {ActionStart, k.Start}, {ActionHelp, k.Help}} {
			for _, w := range list.words {
				word := strings.ToUpper(strings.TrimSpace(w))
				if word == "" || strings.ContainsFunc(word, isSpace) {
					errs = append(errs, fmt.Errorf("optout.keywords.%s: %q is not one word", lang, w))
					continue
				}
				if prev, ok := out[word]; ok && prev.action != list.a {
					errs = append(errs, fmt.Errorf("optout.keywords.%s: %q means both %s and %s", lang, w, prev.action, list.a))
				}
				if _, ok := out[word]; ok {
					continue // the first language (sorted) answers
				}
				out[word] = keyword{action: list.a, lang: lang}
			}
		}
	}
	return out, errors.Join(errs...)
}
