#!/bin/sh
# smsgw package: before remove. Stops and disables the service when the
# package goes away; on upgrade it keeps running (postinstall restarts it).
# Arguments: deb "remove", "upgrade NEW", ...; rpm "0" (erase) or "1" (upgrade).
set -e

case "$1" in
remove | deconfigure | 0) ;;
*) exit 0 ;;
esac

if [ -d /run/systemd/system ]; then
	systemctl stop smsgw.service || true
fi
if command -v systemctl >/dev/null 2>&1; then
	systemctl disable smsgw.service >/dev/null 2>&1 || true
fi
exit 0
