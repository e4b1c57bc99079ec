// Package gateway assembles smsgw from its configuration: the spool, the
// tenant policy, the connectors (SMPP carriers and modems) behind the
// router, the SMPP server and the HTTP API for applications, the outbox
// that returns receipts and inbound messages to them, the admin UI, and
// the control socket the CLI uses. `smsgw serve` is New, then Run.
//
// # Basics
//
//	g, err := gateway.New(cfg, gateway.Options{Version: "1.0"})
//	if err != nil { … }            // nothing is left open
//	err = g.Run(ctx)               // until ctx ends: then an orderly stop
//	err = g.Reload(newCfg)         // SIGHUP
//
// New opens the spool, builds the policy, the connectors, the router, the
// SMPP server and the API, and binds the listeners (SMPP, SMPP over TLS,
// HTTP, the control socket), so that a bad address or a locked spool is
// reported before Run; on error it closes what it opened, in reverse.
//
// Start order (Run): the enabled connectors, the dispatcher, the outbox
// and the retention loop, then the listeners serve and Options.Ready is
// called, so that nothing is accepted before it can be stored and sent.
// Stop order is the reverse: the listeners close (no new intake), the
// dispatcher waits for the sends in flight (they finish or go back to the
// spool), carriers unbind, modems close, and the spool closes last. Run
// cannot be called again.
//
// Reload applies a configuration that differs only in what can change
// live (configs.Config.Reloadable): tenants with their API keys, SMPP
// accounts, webhooks and opt-out rules, the routes, the admin users, and
// each connector's enabled flag, which opens or closes its gate in the
// router (one enabled that was not running is started). A change to
// data_dir, listen, log or spool, or a connector added, removed or
// otherwise changed, is refused with a *configs.RestartError; a refused
// reload leaves the running configuration whole.
//
// Check makes the checks New makes beyond configs.Load (tenant rules as
// the policy compiles them, TLS files, modem languages) without opening
// anything; `smsgw config check` calls it, so a file it passes does not
// stop `smsgw serve`. StartDemo starts a simulated carrier
// (smpp/smscsim) and modem (modem/modemsim on a pseudo-terminal) and
// writes the configuration that `smsgw serve --demo` runs.
//
// # Caveats
//
//   - Options.StopTimeout (default 20s) bounds the HTTP shutdown and the
//     wait for connectors to stop, not the dispatcher's wait for sends in
//     flight: a modem's AT+CMGS is not interrupted (up to its send
//     timeout, 60s by default), and an SMPP submit already written waits
//     for its response (up to the response timeout, 10s by default).
//   - The spool closes when StopTimeout runs out even if a connector has
//     not stopped; that connector's later writes fail.
//   - A connector disabled by a reload takes no new sends but stays bound
//     or open, so that receipts for what it sent and texts sent to it
//     still arrive; only a restart closes it.
//   - The listeners are bound in New: connections made before Run serves
//     them wait in the kernel's backlog.
//   - The demo's tenant may send to any country and use any sender; it
//     listens on 127.0.0.1 unless told otherwise, and keeps its
//     credentials in demo.json in its data directory.
package gateway
