package configs

// Route sends the messages it matches through its connectors. Routes are
// tried in order; the first that matches wins (spool/route.Rule).
type Route struct {
	Name  string `yaml:"name"` // for logs and metrics; default "route-N" (N from 1)
	Match Match  `yaml:"match"`
	// Connectors are tried in order: the first enabled and ready one is
	// used (failover). Give either Connectors or Weighted.
	Connectors []string `yaml:"connectors"`
	// Weighted spreads messages over its connectors in proportion to
	// their weights (a pool of modems).
	Weighted []WeightedConnector `yaml:"weighted"`
	TPS      float64             `yaml:"tps"` // messages per second through this route; 0: no limit
}

// Match says which messages a route takes. Empty fields match everything.
type Match struct {
	Tenant   string   `yaml:"tenant"`   // tenant id
	Prefix   []string `yaml:"prefix"`   // recipient E.164 prefixes, e.g. "+1319"
	Country  []string `yaml:"country"`  // recipient countries, ISO 3166 alpha-2
	Priority string   `yaml:"priority"` // normal, high or emergency: this priority and above
}

// WeightedConnector is a connector and its share of a weighted route.
type WeightedConnector struct {
	Name   string `yaml:"name"`
	Weight int    `yaml:"weight"` // 1 to 1000; default 1
}

// Priorities a route may match, lowest first (spool.Priority).
const (
	PriorityNormal    = "normal"
	PriorityHigh      = "high"
	PriorityEmergency = "emergency"
)
