package configs

// Tenant is one organisation or application using the gateway: its
// credentials, senders, destinations and rules.
type Tenant struct {
	ID   string `yaml:"id"`   // required; letters, digits, '.', '_', '-'
	Name string `yaml:"name"` // display name; default the id
	// DefaultRegion is the ISO 3166 alpha-2 code used to read national
	// numbers (E.164 normalisation). Required.
	DefaultRegion string `yaml:"default_region"`
	// AllowedCountries are the ISO 3166 alpha-2 codes a message may go
	// to; "*" allows every country. Default: the default region only.
	AllowedCountries []string `yaml:"allowed_countries"`
	// Senders are the source addresses the tenant may use: E.164
	// ("+13195550100"), short codes ("911"), alphanumeric (up to 11
	// characters), or "*" for any.
	Senders       []string      `yaml:"senders"`
	DefaultSender string        `yaml:"default_sender"` // used when a submit gives none; must be in Senders
	APIKeys       []APIKey      `yaml:"api_keys"`
	SMPPAccounts  []SMPPAccount `yaml:"smpp_accounts"`
	QuotaPerDay   int           `yaml:"quota_per_day"` // messages per UTC day; 0: no limit
	Retention     *Retention    `yaml:"retention"`     // overrides spool.retention for this tenant's messages
	Webhook       *Webhook      `yaml:"webhook"`       // status and inbound callbacks; none unless given
	// CallbackHosts, when set, are the only hosts a per-message report
	// URL (Kannel's dlr-url) may name: a submit naming another is
	// refused (callback_not_allowed). Empty: any host, as Kannel does.
	CallbackHosts HostList `yaml:"callback_hosts"`
	OptOut        OptOut   `yaml:"optout"`
}

// APIKey is one HTTP API credential (Authorization: Bearer KEY).
type APIKey struct {
	ID  string `yaml:"id"`              // recorded as the message source "http:<id>"; unique over all tenants
	Key Secret `yaml:"key,secret,hash"` // key, key_env, key_file or key_hash
}

// SMPPAccount is an upstream application allowed to bind to the SMPP
// server (smpp.Account).
type SMPPAccount struct {
	SystemID string  `yaml:"system_id"`            // unique over all tenants; up to 15 characters
	Password Secret  `yaml:"password,secret,hash"` // password, password_env, password_file or password_hash
	MaxBinds int     `yaml:"max_binds"`            // binds at once; default 4
	TPS      float64 `yaml:"tps"`                  // submits per second over all binds; 0: no limit
	// AllowedSources are the source_addr values the account may use: an
	// address, or a prefix ending in "*" ("+1319555*"). Empty: the
	// tenant's senders.
	AllowedSources []string `yaml:"allowed_sources"`
	// DefaultAlphabet is what data_coding 0x00 means in the account's
	// submits: AlphabetGSM7 (default) or AlphabetLatin1 (ESMEs that
	// write ASCII or Latin-1 bytes there).
	DefaultAlphabet string `yaml:"default_alphabet"`
	// IA5Alphabet is what data_coding 0x01 means: IA5Ascii (default) or
	// AlphabetGSM7 (the npm package smpp writes GSM 03.38 there).
	IA5Alphabet string `yaml:"ia5_alphabet"`
}

// IA5Ascii: data_coding 0x01 is IA5, ASCII (SMPP 3.4).
const IA5Ascii = "ascii"

// Webhook is where status changes and inbound messages are posted,
// signed with the secret (X-Smsgw-Signature).
type Webhook struct {
	URL    string `yaml:"url"`           // http or https; required
	Secret Secret `yaml:"secret,secret"` // secret, secret_env or secret_file; required
}

// OptOut is the tenant's opt-out handling: inbound keywords that
// suppress, restore and help, per language.
type OptOut struct {
	// Keywords per language (ISO 639-1 code, e.g. "en", "es"). The
	// default has "en" with the CTIA words; languages given are added to
	// it, and a language given replaces that language's defaults.
	Keywords map[string]Keywords `yaml:"keywords"`
	// HelpText answers a help keyword. Default DefaultHelpText.
	HelpText string `yaml:"help_text"`
	// StopText and StartText, when set, confirm a stop and a start to
	// the handset. Default none: no reply.
	StopText  string `yaml:"stop_text"`
	StartText string `yaml:"start_text"`
	// EmergencyBypass lets emergency-priority messages reach suppressed
	// numbers. Default false.
	EmergencyBypass bool `yaml:"emergency_bypass"`
}

// Keywords are one language's opt-out words, matched case-insensitively
// against an inbound text that is the keyword alone ("Stop." opts out,
// "STOP please" does not).
type Keywords struct {
	Stop    []string `yaml:"stop"`     // suppress the sender for the line it wrote to
	StopAll []string `yaml:"stop_all"` // suppress the sender for every line of the tenant
	Start   []string `yaml:"start"`    // lift the suppression
	Help    []string `yaml:"help"`     // answer with the help text
	// The replies to this language's keywords; empty: the tenant's.
	HelpText  string `yaml:"help_text"`
	StopText  string `yaml:"stop_text"`
	StartText string `yaml:"start_text"`
}
