#!/bin/sh
# smsgw package: after remove. Forgets the unit and the udev rules. The spool
# (/var/lib/smsgw) and the user smsgw are kept, even on purge: the spool may
# hold acknowledged messages not yet delivered. Remove them by hand.
# Arguments: deb "remove", "purge", "upgrade NEW", ...; rpm "0" or "1".
set -e

case "$1" in
remove | purge | 0) ;;
*) exit 0 ;;
esac

if [ -d /run/systemd/system ]; then
	systemctl daemon-reload || true
fi
if command -v udevadm >/dev/null 2>&1; then
	udevadm control --reload 2>/dev/null || true
fi
if [ "$1" = purge ] && [ -d /var/lib/smsgw ]; then
	echo "smsgw: kept /var/lib/smsgw (the spool) and the user smsgw; remove them by hand if they are no longer needed."
fi
exit 0
