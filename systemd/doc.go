// Package systemd makes smsgw native to systemd: it speaks the sd_notify
// protocol (readiness, reload, stop, status text) and keeps the service
// watchdog fed only while the gateway really works. The directory also holds
// the unit file, the udev rules for modems, the sysusers.d entry and the
// Debian packaging (see README.md).
//
// # Basics
//
// Once the listeners are bound, the gateway calls [Ready]; on SIGHUP it calls
// [Reloading] and then [Ready] again; on SIGTERM it calls [Stopping].
// [Watchdog] runs for the life of the gateway:
//
//	go systemd.Watchdog(ctx, func(ctx context.Context) error {
//		return spool.Probe(ctx) // a real write and fsync
//	}, logger)
//
// It pings systemd (WATCHDOG=1) only after the probe succeeded, so a gateway
// whose spool no longer takes writes misses its pings and is restarted.
//
// Nothing here needs systemd: without $NOTIFY_SOCKET every call is a no-op
// that reports (false, nil), and without $WATCHDOG_USEC [Watchdog] returns at
// once.
//
// # Caveats
//
// The unit must say NotifyAccess=main (or all): with NotifyAccess=none
// systemd drops the datagrams. The probe's deadline is a third of the
// watchdog interval; a probe that ignores its context and hangs is not
// started again until it returns, and the watchdog goes unfed meanwhile.
// Notify does not unset $NOTIFY_SOCKET, so child processes would inherit it;
// smsgw starts none.
package systemd
