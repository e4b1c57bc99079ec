// Package configs is smsgw's configuration: the schema of its one YAML
// file, loading, defaults, validation with key paths and line numbers,
// secrets, the reload check and the embedded example.
//
// # Basics
//
// Load (or Parse) reads a file into a Config with every default applied
// (Default and the element defaults, all in defaults.go) and every secret
// resolved: inline, from an environment variable (*_env) or from a file
// (*_file, its trailing newline removed), or a bcrypt hash (*_hash) for
// credentials smsgw only verifies. A file with problems yields a
// *Diagnostics listing all of them at once, each as
//
//	routes[2].connectors[0]: unknown connector "carrier-b" (line 41)
//
// Problems that do not stop the gateway (inline secrets, routes through
// disabled connectors, tenants without a route) are warnings, in
// Config.Warnings. Unknown keys are errors, with a suggestion when one is
// close.
//
// On SIGHUP the gateway loads the file again and asks Reloadable whether
// the new one can be applied live; a file with errors, or one that needs
// a restart, is refused and the old configuration stays.
//
// The keys are documented in docs/configuration.md and, with a working
// example, in smsgw.example.yaml (Example).
//
// # Caveats
//
// The package sits at the bottom of the import graph: it mirrors the
// options of spool, smpp, modem and spool/route in its own types, and
// `smsgw serve` maps them. Secrets print as "[redacted]" through fmt,
// slog and encoding/json; Secret.Value is still the plain secret.
//
// Country codes are checked against ISO 3166-1; numbers only for their
// E.164 shape (the gateway normalises them with libphonenumber).
package configs
