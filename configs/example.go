package configs

import _ "embed"

//go:embed smsgw.example.yaml
var example []byte

// Example returns the documented example configuration
// (configs/smsgw.example.yaml): a PSAP with one tenant, one SMPP carrier,
// two modems, failover routes and an emergency route.
func Example() []byte { return append([]byte(nil), example...) }
