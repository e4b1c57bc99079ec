// Package httpapi is smsgw's HTTP face: the JSON REST API under /api/v1
// (submit, list, get, cancel, inbound, status), health and readiness probes,
// Prometheus metrics, the Kannel-compatible /cgi-bin/sendsms endpoint, the
// webhooks that carry delivery reports and inbound messages to applications,
// and a Go client for all of it (the CLI's `smsgw send` and `smsgw spool`
// use it against a running gateway).
//
// # Basics
//
// New takes Options and a Backend (the gateway: policy, planning, the
// spool) and returns an *API whose Handler serves every route. The routes
// are listed once (Routes) and docs/openapi.yaml documents each; a test
// checks that the two agree.
//
// Applications authenticate with `Authorization: Bearer <key>`. Keys are
// bcrypt hashes (or plain keys in tests and demos); a key that verified
// once is remembered by the SHA-256 of what was presented until SetKeys
// replaces the set. A key sees only its tenant's messages: another
// tenant's message id answers 404, exactly as an unknown id does.
//
// Webhooks implements spool.Deliverer: a report or an inbound message owed
// to an HTTP application is POSTed as JSON to the tenant's webhook URL,
// signed with X-Smsgw-Signature (see VerifySignature), or, for a message
// submitted with a Kannel dlr-url, fetched as that URL with its escape codes
// replaced (see ExpandDLRURL).
//
// # Caveats
//
// Whoever builds the http.Server must set ReadHeaderTimeout (10s is a good
// value), and should set IdleTimeout; the handler bounds the body
// (Options.MaxBody; the Kannel endpoint's query string too), and the time
// spent on a request and on reading its body (Options.Timeout, as the
// connection's read deadline), but cannot bound a client that trickles its
// headers.
//
// The client address used for auth throttling and the audit trail is the
// connection's remote address: X-Forwarded-For is not trusted. Put a
// reverse proxy's own address limits in front if there is one.
//
// A failed authentication is answered late (a delay that grows with each
// failure from the same address, up to Options.MaxAuthDelay) and audited.
package httpapi
