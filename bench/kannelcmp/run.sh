#!/usr/bin/env bash
# bench/kannelcmp/run.sh: smsgw against Kannel 1.4.5, side by side in one
# run (issue 6). HTTP submit -> gateway -> SMPP -> the simulated carrier
# (smscd), with durable acks on smsgw's side, for three scenarios:
#   max        closed loop, CONC requests in flight: Kannel tuned
#              (max-pending-submits 100), Kannel default (10), smsgw
#   paced      RATE requests/s for PACED_SECS: the accept latency
#   throttled  the SMSC answers ESME_RTHROTTLED above THROTTLE submits/s:
#              what reaches it in the first WINDOW seconds
# Each gateway run gets a fresh smscd (and a fresh store or spool). Every
# process started here is stopped by PID on exit; all traffic is on
# 127.0.0.1. It prints a Markdown table; the raw results stay in
# $OUT (JSON lines). Nothing is installed: Kannel comes from
# `apt-get install -y kannel` (Debian's 1.4.5).
#
# Knobs (environment): N_MAX=20000 N_DEFAULT=5000 CONC=64 RATE=1000
# PACED_SECS=12 THROTTLE=200 N_THR=3000 WINDOW=15 KANNEL_STORE=file|spool
# RECEIPTS=on|off (smscd sends delivery receipts, which both gateways
# pass back to the application: Kannel's dlr-url, smsgw's webhook)
# COMMIT_DELAY=DURATION (smsgw's spool.commit_delay; unset: its default)
# ONLY=smsgw (skip Kannel) SCENARIOS="max paced throttled" KEEP=1 (keep
# the temp dir) OUT=FILE PERF=FILE (perf record -g of smsgw during each
# of its runs, into FILE.SCENARIO) PERF_STAT=FILE (instead: perf stat of
# smsgw's fdatasync, pwrite64 and write calls and context switches).
# SMSGW_ENV="VAR=value ..." (environment for smsgw only, e.g. GOGC=200).
set -euo pipefail
cd "$(dirname "$0")/../.."

N_MAX=${N_MAX:-20000}
N_DEFAULT=${N_DEFAULT:-5000}
CONC=${CONC:-64}
RATE=${RATE:-1000}
PACED_SECS=${PACED_SECS:-12}
THROTTLE=${THROTTLE:-200}
N_THR=${N_THR:-3000}
WINDOW=${WINDOW:-15}
KANNEL_STORE=${KANNEL_STORE:-file}
RECEIPTS=${RECEIPTS:-on}
ONLY=${ONLY:-}
SCENARIOS=${SCENARIOS:-max paced throttled}

GO=$(command -v go || echo /usr/local/go/bin/go)
TMP=$(mktemp -d /tmp/kannelcmp.XXXXXX)
OUT=${OUT:-$TMP/results.jsonl}
PIDS=()

stop_pid() { # stop_pid PID: TERM, up to 10 s, then KILL
	local pid=$1 i
	kill -TERM "$pid" 2>/dev/null || return 0
	for i in $(seq 1 100); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

stop_all() {
	local pid
	for pid in "${PIDS[@]}"; do
		stop_pid "$pid"
	done
	PIDS=()
}

cleanup() {
	stop_all
	if [[ -z ${KEEP:-} ]]; then
		rm -rf "$TMP/data" "$TMP/kannel" "$TMP/smsgw" "$TMP/smscd" "$TMP/httpload"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

KANNEL_VERSION=
if [[ -z $ONLY ]]; then
	if ! command -v bearerbox >/dev/null || ! command -v smsbox >/dev/null; then
		echo "Kannel is missing (bearerbox, smsbox). Install Debian's package:" >&2
		echo "  apt-get install -y kannel" >&2
		echo "(or run ONLY=smsgw $0 for smsgw alone)" >&2
		exit 2
	fi
	KANNEL_VERSION=$(dpkg-query -W -f='${Version}' kannel 2>/dev/null || echo unknown)
fi

echo "building into $TMP" >&2
"$GO" build -o "$TMP/smsgw" ./cmd/smsgw
"$GO" build -o "$TMP/smscd" ./bench/kannelcmp/smscd
"$GO" build -o "$TMP/httpload" ./bench/kannelcmp/httpload
freeport() { "$TMP/httpload" -freeport; }

# wait_for CMD...: up to 20 s for CMD to succeed.
wait_for() {
	local i
	for i in $(seq 1 100); do
		if "$@" >/dev/null 2>&1; then return 0; fi
		sleep 0.2
	done
	echo "timed out waiting for: $*" >&2
	return 1
}
bound() { curl -sf "http://$STATS_ADDR/stats" | grep -q '"bound":[1-9]'; }

start_smscd() { # start_smscd THROTTLE
	"$TMP/smscd" -throttle "$1" -receipts "$RECEIPTS" -lifetime 20m >"$TMP/smscd.out" 2>>"$TMP/smscd.err" &
	SMSCD_PID=$!
	PIDS+=("$SMSCD_PID")
	wait_for grep -q stats_addr= "$TMP/smscd.out"
	SMSC_ADDR=$(sed -n 's/^smsc_addr=//p' "$TMP/smscd.out")
	STATS_ADDR=$(sed -n 's/^stats_addr=//p' "$TMP/smscd.out")
}

start_kannel() { # start_kannel MAX_PENDING ("" = Kannel's default)
	local dir=$TMP/kannel bbport admport sendport store pending=""
	rm -rf "$dir" && mkdir -p "$dir"
	bbport=$(freeport) admport=$(freeport) sendport=$(freeport)
	if [[ $KANNEL_STORE == spool ]]; then
		mkdir -p "$dir/spool"
		store="store-type = spool
store-location = \"$dir/spool\""
	else
		store="store-type = file
store-location = \"$dir/store\""
	fi
	[[ -n $1 ]] && pending="max-pending-submits = $1"
	cat >"$dir/kannel.conf" <<EOF
group = core
admin-port = $admport
admin-password = bench
admin-allow-ip = "127.0.0.1"
smsbox-port = $bbport
box-allow-ip = "127.0.0.1"
log-file = "$dir/bearerbox.log"
log-level = 2
$store
sms-outgoing-queue-limit = 1000000
dlr-storage = internal

group = smsc
smsc = smpp
smsc-id = sim
host = ${SMSC_ADDR%:*}
port = ${SMSC_ADDR##*:}
transceiver-mode = true
smsc-username = bench
smsc-password = bench
system-type = ""
msg-id-type = 0x00
source-addr-ton = 1
source-addr-npi = 1
dest-addr-ton = 1
dest-addr-npi = 1
enquire-link-interval = 30
log-level = 2
$pending

group = smsbox
bearerbox-host = 127.0.0.1
bearerbox-port = $bbport
sendsms-port = $sendport
global-sender = 14155550100
log-file = "$dir/smsbox.log"
log-level = 2

group = sendsms-user
username = bench
password = bench
concatenation = false
max-messages = 1

group = sms-service
keyword = default
text = "ok"
EOF
	bearerbox "$dir/kannel.conf" >"$dir/bearerbox.out" 2>&1 &
	BB_PID=$!
	PIDS+=("$BB_PID")
	wait_for bound
	smsbox "$dir/kannel.conf" >"$dir/smsbox.out" 2>&1 &
	SB_PID=$!
	PIDS+=("$SB_PID")
	KANNEL_URL=http://127.0.0.1:$sendport
	wait_for curl -s -o /dev/null "$KANNEL_URL/cgi-bin/sendsms"
}

SMSGW_KEY=bench-key-0123456789abcdef0123456789abcdef
start_smsgw() {
	local port
	port=$(freeport)
	rm -rf "$TMP/data" && mkdir -p "$TMP/data"
	cat >"$TMP/smsgw.yaml" <<EOF
data_dir: $TMP/data
listen:
  http: 127.0.0.1:$port
  smpp: ""
log:
  level: warn
${COMMIT_DELAY:+spool:
  commit_delay: $COMMIT_DELAY
}tenants:
  - id: bench
    default_region: US
    allowed_countries: [US]
    senders: ["+14155550100"]
    default_sender: "+14155550100"
    api_keys:
      - id: bench
        key: "$SMSGW_KEY"
    webhook:
      url: "http://$STATS_ADDR/webhook"
      secret: "bench-webhook-secret-0123456789"
connectors:
  - name: smsc
    type: smpp
    enabled: true
    host: ${SMSC_ADDR%:*}
    port: ${SMSC_ADDR##*:}
    system_id: bench
    password: bench
    window: 100
    tps: 0
    receipt_ids: exact   # smscd gives and reports ids in decimal
routes:
  - name: all
    connectors: [smsc]
EOF
	"$TMP/smsgw" config check "$TMP/smsgw.yaml" >/dev/null 2>"$TMP/smsgw.check" || {
		cat "$TMP/smsgw.check" >&2
		exit 1
	}
	env ${SMSGW_ENV:-} "$TMP/smsgw" serve --config "$TMP/smsgw.yaml" >>"$TMP/smsgw.log" 2>&1 &
	SMSGW_PID=$!
	PIDS+=("$SMSGW_PID")
	SMSGW_URL=http://127.0.0.1:$port
	wait_for curl -sf "$SMSGW_URL/readyz"
	wait_for bound
}

load() { # load SCENARIO GATEWAY-LABEL TARGET ARGS...: one measured run
	local scenario=$1 label=$2 target=$3
	shift 3
	local target_args
	if [[ $target == kannel ]]; then
		target_args=(-target kannel -url "$KANNEL_URL" -user bench -pass bench
			-dlr-url "http://$STATS_ADDR/dlr" -pids "$BB_PID,$SB_PID")
	else
		target_args=(-target smsgw -url "$SMSGW_URL" -key "$SMSGW_KEY" -pids "$SMSGW_PID")
	fi
	timeout 300 "$TMP/httpload" "${target_args[@]}" -stats "http://$STATS_ADDR" -smsc-pid "$SMSCD_PID" \
		-scenario "$scenario" -gateway "$label" -out "$OUT" "$@"
}

# one SCENARIO GATEWAY: a fresh smscd and gateway, one run, all stopped.
one() {
	local scenario=$1 gw=$2 throttle=0 args
	[[ $scenario == throttled ]] && throttle=$THROTTLE
	case $scenario in
	max) args=(-n "$N_MAX" -concurrency "$CONC" -duration 120s -e2e-timeout 120s) ;;
	paced) args=(-rate "$RATE" -n $((RATE * PACED_SECS)) -duration "$((PACED_SECS + 1))s" -e2e-timeout 60s) ;;
	throttled) args=(-n "$N_THR" -concurrency "$CONC" -duration 60s -window "${WINDOW}s"
		-e2e-timeout "$((WINDOW + 10))s" -settle 3s) ;;
	esac
	# Write back what the previous run left dirty in the page cache
	# (about 180 MB after Kannel's paced run), so that no run shares the
	# disk with the kernel's writeback of the one before.
	sync
	start_smscd "$throttle"
	case $gw in
	kannel-tuned)
		start_kannel 100
		load "$scenario" "Kannel $KANNEL_VERSION tuned" kannel "${args[@]}" -note "max-pending-submits 100, store-type $KANNEL_STORE"
		;;
	kannel-default)
		[[ $scenario == max ]] && args[1]=$N_DEFAULT
		start_kannel ""
		load "$scenario" "Kannel $KANNEL_VERSION default" kannel "${args[@]}" -note "max-pending-submits default (10), store-type $KANNEL_STORE"
		;;
	smsgw)
		start_smsgw
		local perf_pid=""
		if [[ -n ${PERF:-} ]]; then
			perf record -q -F 999 -g -p "$SMSGW_PID" -o "$PERF.$scenario" >/dev/null 2>&1 &
			perf_pid=$!
		elif [[ -n ${PERF_STAT:-} ]]; then
			perf stat -e syscalls:sys_enter_fdatasync,syscalls:sys_enter_pwrite64,syscalls:sys_enter_write,context-switches \
				-p "$SMSGW_PID" -o "$PERF_STAT.$scenario" >/dev/null 2>&1 &
			perf_pid=$!
		fi
		load "$scenario" smsgw smsgw "${args[@]}" -note "window 100, tps unlimited, spool fsync per commit"
		if [[ -n $perf_pid ]]; then
			kill -INT "$perf_pid" 2>/dev/null || true
			wait "$perf_pid" 2>/dev/null || true
		fi
		;;
	esac
	stop_all
}

T0=$(date +%s)
for scenario in $SCENARIOS; do
	gws=(smsgw)
	if [[ -z $ONLY ]]; then
		case $scenario in
		max) gws=(kannel-tuned kannel-default smsgw) ;;
		*) gws=(kannel-tuned smsgw) ;;
		esac
	fi
	for gw in "${gws[@]}"; do
		echo "== $scenario: $gw" >&2
		one "$scenario" "$gw"
	done
done

echo
echo "Machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p' | head -1), $("$GO" version | cut -d' ' -f3-), $(date -u +%Y-%m-%d)."
echo "Kannel: ${KANNEL_VERSION:-not run}; store-type $KANNEL_STORE; receipts $RECEIPTS. Run time: $(($(date +%s) - T0)) s."
echo
"$TMP/httpload" -report "$OUT"
echo
echo "Raw results: $OUT" >&2
