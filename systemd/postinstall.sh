#!/bin/sh
# smsgw package: after install or upgrade. Creates the smsgw user, reloads
# udev and systemd, restarts a running gateway on upgrade. A fresh install
# does not start the service: the configuration must be edited first.
# Arguments: deb "configure [old-version]"; rpm "1" (install) or "2" (upgrade).
set -e

case "$1" in
configure) upgrade=${2:+yes} ;;
1) upgrade= ;;
2) upgrade=yes ;;
*) exit 0 ;;
esac

# The user and group smsgw, member of dialout (the modems' group).
if command -v systemd-sysusers >/dev/null 2>&1; then
	systemd-sysusers /usr/lib/sysusers.d/smsgw.conf
else
	getent group dialout >/dev/null || addgroup --system dialout
	getent passwd smsgw >/dev/null ||
		adduser --system --group --home /var/lib/smsgw --no-create-home smsgw
	adduser smsgw dialout >/dev/null
fi

# The configuration may hold secrets: readable by the service, not by all.
# Left alone once an administrator has given it another group.
conf=/etc/smsgw/smsgw.yaml
if [ -f "$conf" ] && [ "$(stat -c %G "$conf")" = root ]; then
	chgrp smsgw "$conf"
	chmod 0640 "$conf"
fi

# The modem rules, for modems plugged in already too.
if command -v udevadm >/dev/null 2>&1; then
	udevadm control --reload 2>/dev/null || true
	udevadm trigger --subsystem-match=tty --action=change 2>/dev/null || true
fi

if [ -d /run/systemd/system ]; then
	systemctl daemon-reload || true
	if [ -n "$upgrade" ]; then
		# The orderly stop gives in-flight sends back to the spool; the new
		# version picks them up.
		systemctl try-restart smsgw.service || true
	fi
fi

if [ -z "$upgrade" ]; then
	cat <<'HINT'
smsgw is installed but not started. Edit the configuration, check it, then
start the service:
  $EDITOR /etc/smsgw/smsgw.yaml
  $EDITOR /etc/smsgw/smsgw.env     (the secrets its *_env keys name)
  smsgw config check --env-file /etc/smsgw/smsgw.env /etc/smsgw/smsgw.yaml
  systemctl enable --now smsgw
  systemctl status smsgw
HINT
fi
exit 0
