// Package adminui is smsgw's admin web UI: server-rendered pages
// (html/template, embedded CSS, no JavaScript, no CDN) for the
// technician at the box. The dashboard shows at a glance whether the
// gateway can send: each connector's state (carrier binds; modem
// signal, operator, registration and SIM), the queue per priority and
// how long its oldest message is overdue, the last hour's messages per
// minute, and the last hour's failures with their reasons. Other pages
// search messages (with each one's timeline and segments), list inbound
// messages, the opt-out lists and the audit trail with its chain
// verification, and send a message.
//
// # Basics
//
//	ui := adminui.New(backend, adminui.Options{
//		Admin: func() configs.Admin { return cfg.Load().Admin }, // users, session TTL
//	})
//	mux.Handle("/admin/", ui)
//
// The Backend is the gateway (gateway/admin.go). Users come from the
// configuration's admin.users, asked again at every request, so that a
// reload adds, removes or changes users at once. Roles: viewer (reads
// everything), operator (also sends, retries and cancels), admin (also
// manages opt-outs).
//
// Security: sessions are kept server-side (the cookie holds a random
// token; the store keeps its SHA-256) and end at the session TTL or on
// logout. Cookies are HttpOnly, SameSite=Strict, limited to the UI's
// path, and Secure when the request came over TLS. Every POST form
// carries a per-session CSRF token, compared in constant time; a POST
// without it, or from another Origin, is refused with 403; a form's body
// is read up to 256 KiB within Options.ReadTimeout. Failed logins make
// the user name and the client address wait (1 s, doubling, at most
// 5 min), one attempt of each checked at a time, and are audited, as are
// logins and logouts; a login ends the browser's previous session; retries,
// cancels, sends and opt-out changes are audited by the spool and the
// policy with actor ui:<user>.
//
// # Caveats
//
// The dashboard's failures are the newest 50 messages of each failed
// state whose last change was in the last hour; on a spool with a very
// large backlog of failures some may be missing from the list (the
// messages page finds them all). The chart is the backend's Activity:
// the gateway reads it from the audit trail, up to 100,000 entries in
// the hour. The audit page verifies what was added to the chain
// since its last load, and the whole chain once an hour. Times are shown
// in UTC, and the search's date inputs are read as UTC.
package adminui
