#!/bin/sh
# systemd/bootcheck/check.sh: runs inside the booted VM (see run.sh), once,
# as the unit smsgw-bootcheck.service. It installs the package as an
# administrator would, then checks the unit under real systemd: the user,
# the files' modes, Type=notify start, the watchdog, reload, the demo's
# whole path under the unit's sandbox, the CLI over the control socket and
# the orderly stop. Every check prints "ok - ..." or "not ok - ..."; the
# last line is "BOOTCHECK PASS" or "BOOTCHECK FAIL (N)". Then it powers off.
set -u
fails=0
ok() { echo "ok - $*"; }
bad() {
	echo "not ok - $*"
	fails=$((fails + 1))
}
check() { # check DESCRIPTION CMD...: ok if CMD succeeds
	d=$1
	shift
	if out=$("$@" 2>&1); then ok "$d"; else bad "$d: $out"; fi
}
show() { systemctl show -p "$1" --value smsgw.service; }
# wait_active N: up to N s for smsgw to be active (Type=notify: READY=1 sent)
wait_active() {
	i=0
	while [ $i -lt "$1" ]; do
		case $(show ActiveState) in
		active) return 0 ;;
		failed) return 1 ;;
		esac
		sleep 1
		i=$((i + 1))
	done
	return 1
}
# wait_status ID STATE N: up to N s for message ID to reach STATE
wait_status() {
	i=0
	while [ $i -lt "$3" ]; do
		smsgw spool show --data /var/lib/smsgw "$1" 2>/dev/null | grep -q "$2" && return 0
		sleep 1
		i=$((i + 1))
	done
	return 1
}

arch=$(dpkg --print-architecture)
echo "BOOTCHECK START $(uname -r) $(uname -m) $arch $(systemctl --version | head -1)"

# 1. The package, installed as an administrator would.
check "dpkg -i installs the package" dpkg -i /root/smsgw.deb
check "the package is for this machine ($arch)" sh -c '[ "$(dpkg-query -W -f "\${Architecture}" smsgw)" = "$(dpkg --print-architecture)" ]'
# The binary's ELF class (byte 4) and e_machine (bytes 18-19, little-endian)
# are this machine's: an ARM package once held the host's amd64 binary.
case $arch in
amd64) elf="2 62" ;;
arm64) elf="2 183" ;;
armhf) elf="1 40" ;;
*) elf="unknown architecture $arch" ;;
esac
check "/usr/bin/smsgw is an ELF binary for $arch ($elf)" sh -c '[ "$(od -An -tu1 -j4 -N1 /usr/bin/smsgw | tr -d " ") $(od -An -tu2 -j18 -N2 /usr/bin/smsgw | tr -d " ")" = "$1" ]' sh "$elf"
check "the smsgw user exists, in group dialout" sh -c 'id -nG smsgw | grep -qw dialout'
check "the configuration is 0640 root:smsgw" sh -c '[ "$(stat -c %a:%U:%G /etc/smsgw/smsgw.yaml)" = 640:root:smsgw ]'
check "the secrets file is 0600 root:root" sh -c '[ "$(stat -c %a:%U:%G /etc/smsgw/smsgw.env)" = 600:root:root ]'
check "the smsgw user cannot read the secrets file" sh -c '! setpriv --reuid=smsgw --regid=smsgw --init-groups cat /etc/smsgw/smsgw.env'
check "a fresh install is not started" sh -c '! systemctl is-active --quiet smsgw'
check "systemd-analyze verify accepts the unit" systemd-analyze verify /lib/systemd/system/smsgw.service
if udevadm verify --help >/dev/null 2>&1; then
	check "udevadm verify accepts the modem rules" udevadm verify /lib/udev/rules.d/60-smsgw-modems.rules
else
	check "udev reloads with the modem rules (no udevadm verify before systemd 254)" udevadm control --reload
	if journalctl -u systemd-udevd --no-pager -o cat | grep -i 'smsgw-modems' >/dev/null; then
		bad "udevd complains about the rules: $(journalctl -u systemd-udevd --no-pager -o cat | grep -i smsgw-modems | head -3)"
	fi
fi

# The administrator's part: the secrets the example names, then the check.
if out=$(smsgw config check /etc/smsgw/smsgw.yaml 2>&1); then
	bad "config check passes without the secrets set: $out"
else
	ok "config check names the missing secrets: $(echo "$out" | grep -c 'is not set') of 4"
fi
cat >>/etc/smsgw/smsgw.env <<'ENV'
SMSGW_WEBHOOK_SECRET='whsec-b00tcheck-0123456789'
SMSGW_CARRIER_A_PASSWORD='pa$$w0rd'
SMSGW_MODEM_1_PIN=1234
SMSGW_MODEM_2_PIN=5678
ENV
check "config check --env-file passes" smsgw config check --env-file /etc/smsgw/smsgw.env /etc/smsgw/smsgw.yaml

# 2. The shipped configuration, under the unit.
check "systemctl enable --now smsgw" systemctl enable --now smsgw
if wait_active 60; then
	ok "active (READY=1) with the shipped configuration"
else
	bad "not active: $(show ActiveState)/$(show SubState) $(show Result)"
	journalctl -u smsgw --no-pager -o cat | tail -20
fi
check "runs as user smsgw" sh -c '[ "$(ps -o user= -p "$(systemctl show -p MainPID --value smsgw)")" = smsgw ]'
check "the spool is in /var/lib/smsgw, owned by smsgw" sh -c '[ "$(stat -c %U /var/lib/smsgw/spool.db)" = smsgw ]'
check "/healthz answers" curl -sf http://127.0.0.1:8080/healthz
# Nothing to send through here (no carrier, no modems): not ready, saying why.
code=$(curl -s -o /tmp/readyz -w '%{http_code}' http://127.0.0.1:8080/readyz)
if [ "$code" = 503 ]; then ok "/readyz 503 without a carrier or modems: $(head -c 200 /tmp/readyz)"; else bad "/readyz answered $code: $(head -c 200 /tmp/readyz)"; fi
check "smsgw spool stats over the control socket" smsgw spool stats --data /var/lib/smsgw

# 3. The watchdog: still running, not restarted, past WatchdogSec (30 s).
pid=$(show MainPID)
sleep 40
if [ "$(show MainPID)" = "$pid" ] && [ "$(show NRestarts)" = 0 ] && [ "$(show ActiveState)" = active ]; then
	ok "past WatchdogSec with the same process (watchdog pinged)"
else
	bad "watchdog: pid $pid -> $(show MainPID), restarts $(show NRestarts), $(show ActiveState)"
fi

# 4. Reload with SIGHUP.
check "systemctl reload smsgw" systemctl reload smsgw
i=0
while [ $i -lt 20 ] && ! journalctl -u smsgw --no-pager -o cat | grep -q 'configuration reloaded'; do sleep 1; i=$((i + 1)); done
check "the gateway logged the reload" sh -c "journalctl -u smsgw --no-pager -o cat | grep 'configuration reloaded'"
check "still active after reload, same process" sh -c "[ $pid != 0 ] && [ \"\$(systemctl show -p MainPID --value smsgw)\" = $pid ]"

# 5. The demo under the same sandbox: a pty modem and a simulated carrier,
# a message sent with the CLI over the control socket, delivered.
mkdir -p /etc/systemd/system/smsgw.service.d
cat >/etc/systemd/system/smsgw.service.d/demo.conf <<'CONF'
[Service]
ExecStart=
ExecStart=/usr/bin/smsgw serve --demo --data /var/lib/smsgw
CONF
systemctl daemon-reload
check "restart with the demo drop-in" systemctl restart smsgw
if wait_active 60; then ok "demo active"; else bad "demo not active: $(show ActiveState)/$(show SubState)"; fi
i=0
while [ $i -lt 60 ] && ! curl -sf http://127.0.0.1:8080/readyz >/dev/null; do sleep 1; i=$((i + 1)); done
check "demo /readyz answers ready" curl -sf http://127.0.0.1:8080/readyz
if out=$(smsgw send --data /var/lib/smsgw --to +15555550199 --text "bootcheck" 2>&1); then
	ok "smsgw send over the control socket: $(echo "$out" | head -1)"
	id=$(echo "$out" | grep -o '01[0-9A-HJKMNP-TV-Z]\{24\}' | head -1)
	if [ -n "$id" ] && wait_status "$id" delivered 60; then ok "message $id delivered"; else bad "message ${id:-?} not delivered: $(smsgw spool show --data /var/lib/smsgw "$id" 2>&1 | head -20)"; fi
else
	bad "smsgw send: $out"
fi
if out=$(smsgw send --data /var/lib/smsgw --to +15555550198 --text "bootcheck modem" --priority emergency 2>&1); then
	id=$(echo "$out" | grep -o '01[0-9A-HJKMNP-TV-Z]\{24\}' | head -1)
	if [ -n "$id" ] && wait_status "$id" delivered 60; then ok "emergency message $id delivered"; else bad "emergency message ${id:-?} not delivered"; fi
else
	bad "smsgw send (emergency): $out"
fi

# 6. An upgrade (the same package again) restarts the running gateway and
# keeps the administrator's files.
pid=$(show MainPID)
check "dpkg -i again (upgrade)" dpkg -i /root/smsgw.deb
if wait_active 60 && [ "$(show MainPID)" != "$pid" ]; then ok "the upgrade restarted the gateway"; else bad "after the upgrade: $(show ActiveState), pid $pid -> $(show MainPID)"; fi
check "the upgrade kept the secrets" grep -q "^SMSGW_CARRIER_A_PASSWORD='pa\$\$w0rd'" /etc/smsgw/smsgw.env
check "the upgrade kept the modes" sh -c '[ "$(stat -c %a:%G /etc/smsgw/smsgw.env):$(stat -c %a:%G /etc/smsgw/smsgw.yaml)" = 600:root:640:smsgw ]'

# 7. The orderly stop.
check "systemctl stop smsgw" systemctl stop smsgw
check "stopped cleanly (Result=success)" sh -c '[ "$(systemctl show -p Result --value smsgw)" = success ]'
check "the spool is intact after the stop" smsgw spool check --data /var/lib/smsgw

# What the journal says: sandbox denials show as errors from the gateway.
echo "--- journalctl -u smsgw (errors and warnings)"
journalctl -u smsgw --no-pager -o cat -p warning | tail -40
if journalctl -u smsgw --no-pager -o cat | grep -Ei 'operation not permitted|permission denied|seccomp|bad system call' >/dev/null; then
	bad "the journal shows a permission error (above)"
else
	ok "no permission errors in the journal"
fi
echo "--- systemd-analyze security smsgw"
systemd-analyze security smsgw --no-pager 2>/dev/null | tail -1

# 8. Removal stops and disables the service; purge keeps the spool and
# the user.
check "systemctl start smsgw (to be removed running)" systemctl start smsgw
check "dpkg -r smsgw" dpkg -r smsgw
check "removed: not running" sh -c '! systemctl is-active --quiet smsgw'
check "removed: the binary is gone, the configuration stays" sh -c '[ ! -e /usr/bin/smsgw ] && [ -e /etc/smsgw/smsgw.yaml ]'
check "dpkg -P smsgw" dpkg -P smsgw
check "purged: the spool and the user stay" sh -c '[ -s /var/lib/smsgw/spool.db ] && id smsgw'

if [ $fails -eq 0 ]; then echo "BOOTCHECK PASS"; else echo "BOOTCHECK FAIL ($fails)"; fi
sync
systemctl poweroff --no-block
