# SPDX-License-Identifier: BSD-3-Clause
# Shared by the kernel-client tests (sourced): a network namespace per
# phase with syngated on a net_tap port inside it, started and stopped by
# PID, and the check/report helpers.  The sourcing script sets BUILD, NS,
# IF, SRV, CLI, PORT, SYNGATED, HERE, PY first; SRV6 and CLI6 (in
# 2001:db8::/32) as well to serve and use IPv6.
tmp=$(mktemp -d /tmp/sg-${NS}.XXXXXX)
dpid='' sgpid='' spid=''
log=$tmp/daemon.log

cleanup() {
	set +e
	if [ -n "$spid" ]; then kill -TERM "$spid" 2>/dev/null; wait "$spid" 2>/dev/null; fi
	if [ -n "$dpid" ]; then
		kill -TERM "${sgpid:-$dpid}" 2>/dev/null
		if ! timeout 10 tail --pid="$dpid" -f /dev/null 2>/dev/null; then
			[ -n "$sgpid" ] && kill -KILL "$sgpid" 2>/dev/null
			kill -KILL "$dpid" 2>/dev/null
		fi
		wait "$dpid" 2>/dev/null
	fi
	ip netns del "$NS" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

nsx() { timeout "${T:-30}" ip netns exec "$NS" "$@"; }

# start_daemon syngated-options...: namespace, daemon, tap address
start_daemon() {
	: >"$log"
	timeout 10 ip netns add "$NS" || return 1
	timeout 10 ip -n "$NS" link set lo up || return 1
	# Keep IPv6 chatter (RS, MLD, DAD) off the port, unless IPv6 is the
	# point; then it is real traffic the daemon must drop and count.
	if [ -z "${SRV6:-}" ]; then
		T=10 nsx sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 || true
	fi
	# The daemon is bounded too (timeout ends it after DAEMON_MAX_SECONDS,
	# 120 by default, even if this
	# script dies); it is stopped by its own PID ($sgpid, timeout's child).
	# (--in-memory is refused with --no-huge on DPDK 22.11: legacy-mem.)
	# EAL_MEM: hugepage-less by default; the pdump test wants hugepages
	# and multi-process.
	# shellcheck disable=SC2086
	timeout -k 10 "${DAEMON_MAX_SECONDS:-120}" ip netns exec "$NS" "$SYNGATED" ${SG_LCORES:--l 0,1} \
		${EAL_MEM:---no-huge -m 512 --no-shconf} \
		--file-prefix "$NS" --no-pci --vdev=net_tap0,iface=$IF \
		--log-level=lib.eal:warning -- \
		--addr $SRV/24 ${SRV6:+--addr $SRV6/64} --listen $PORT "$@" >"$log" 2>&1 &
	dpid=$! sgpid=''
	for _ in $(seq 1 50); do
		sgpid=$(cat /proc/"$dpid"/task/"$dpid"/children 2>/dev/null || true)
		sgpid=${sgpid%% *}
		[ -n "$sgpid" ] && break
		sleep 0.02
	done
	for _ in $(seq 1 100); do
		timeout 5 ip -n "$NS" link show $IF >/dev/null 2>&1 && break
		kill -0 "$dpid" 2>/dev/null || { echo "  daemon exited at start"; return 1; }
		sleep 0.1
	done
	timeout 5 ip -n "$NS" link show $IF >/dev/null 2>&1 || { echo "  no $IF after 10 s"; return 1; }
	timeout 10 ip -n "$NS" addr add $CLI/24 dev $IF || return 1
	if [ -n "${CLI6:-}" ]; then
		# nodad: usable at once (DAD would hold it tentative ~1 s).
		timeout 10 ip -n "$NS" -6 addr add $CLI6/64 dev $IF nodad || return 1
	fi
	timeout 10 ip -n "$NS" link set $IF up || return 1
	for _ in $(seq 1 100); do
		grep -q '^syngated: serving' "$log" && return 0
		kill -0 "$dpid" 2>/dev/null || { echo "  daemon exited at start"; return 1; }
		sleep 0.1
	done
	echo "  no 'syngated: serving' line after 10 s"
	return 1
}

# stop_daemon: SIGTERM by PID, bounded wait, exit code, final line; deletes
# the namespace.  Sets $final and $drc.
stop_daemon() {
	drc=0 final=''
	kill -TERM "${sgpid:-$dpid}" 2>/dev/null || true
	if ! timeout 20 tail --pid="$dpid" -f /dev/null; then
		echo "  daemon did not exit within 20 s of SIGTERM; killing"
		if [ -n "$sgpid" ]; then kill -KILL "$sgpid" 2>/dev/null || true; fi
		kill -KILL "$dpid" 2>/dev/null || true
	fi
	wait "$dpid" || drc=$?
	dpid='' sgpid=''
	timeout 10 ip netns del "$NS" || true
	final=$(grep '^final ' "$log" | tail -n 1 || true)
	workers=$(grep '^worker [0-9]*: ' "$log" || true)
}

# get NAME [LINE]: counter value from the final (or the given) line, -1 if absent
get() {
	local v
	v=$(sed -n "s/.* $1=\([0-9][0-9]*\).*/\1/p" <<<" ${2:-$final}")
	echo "${v:--1}"
}

# want DESCRIPTION CONDITION...: record a check inside a phase
want() {
	local d=$1; shift
	if "$@"; then echo "  ok:   $d"; else echo "  FAIL: $d"; bad=1; fi
}

passed=0 failed=0
run() {
	local name=$1 fn=$2
	bad=0
	echo "== $name"
	local t0=$SECONDS
	"$fn"
	if [ -n "$dpid" ]; then stop_daemon; fi
	timeout 10 ip netns del "$NS" 2>/dev/null || true
	if [ "$bad" -eq 0 ]; then
		passed=$((passed + 1)); echo "PASS: $name ($((SECONDS - t0)) s)"
	else
		failed=$((failed + 1)); echo "FAIL: $name ($((SECONDS - t0)) s)"
		echo "  --- daemon log (last 30 lines)"; tail -n 30 "$log" | cut -c1-400 | sed "s/^/  | /"
	fi
}

