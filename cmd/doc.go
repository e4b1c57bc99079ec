// Package cmd holds the smsgw command tree (cobra) and the wiring of its
// parts. main only calls Execute, which returns the process exit code.
//
// # Basics
//
// newRootCmd builds a fresh tree for each run (no package-level commands
// or flags, so tests run commands in isolation):
//
//	smsgw serve [--config F] [--data D] [--http A] [--smpp A] [--demo]
//	smsgw send --to N --text T [--data D | --url U] [--key K]
//	smsgw spool stats|list|show|add|retry|cancel|purge|export|compact|check|salvage|backup|clock
//	smsgw spool audit verify|log     (also: smsgw audit verify|log)
//	smsgw modem list|probe|at
//	smsgw pdu encode|plan|decode
//	smsgw config check|example
//	smsgw hash-secret
//	smsgw version
//
// serve runs the gateway (gateway.New, then Run) until SIGINT or SIGTERM,
// reloads the configuration file on SIGHUP (not with --demo), and speaks
// sd_notify: READY once the listeners serve, WATCHDOG only after a real
// spool write succeeded.
//
// The running gateway holds the spool file (bbolt locks it), so the CLI
// reaches it through its control socket, DIR/smsgw.sock, where DIR is
// --data (default /var/lib/smsgw). send posts to the HTTP API over that
// socket, or to --url. The spool and audit commands dial the socket first
// and, when nothing answers there, open the spool file themselves
// (read-only when they only read, waiting at most 500ms for the lock).
//
// Exit codes are the Exit constants: ExitOK (0); ExitFailure (1), the
// command ran and failed; ExitUsage (2), wrong flags or arguments;
// ExitConfig (3), the configuration is invalid (config check, serve);
// ExitFailedStartup (4), the gateway or the demo could not start. The
// error is printed once on standard error, as "smsgw: <error>".
//
// # Caveats
//
//   - The CLI finds the control socket at --control, $SMSGW_CONTROL or
//     DIR/smsgw.sock; it does not read the configuration file for
//     listen.control.
//   - spool add, and the enqueue it makes through the control socket, skip
//     the tenant's policy (senders, countries, opt-outs); send goes
//     through it.
//   - spool compact, spool salvage and spool clock reset always open the file: they need the gateway stopped.
//   - serve sets GOGC to 400 unless GOGC is set, and a soft memory limit
//     (a quarter of RAM, at most 1 GiB) unless GOMEMLIMIT is set.
package cmd
