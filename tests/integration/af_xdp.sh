#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# syngated on net_af_xdp: a veth pair whose ends are in two network
# namespaces this script creates (sgxdps* for the daemon, sgxdpc* for the
# kernel clients; addresses in 198.18.0.0/15, no default route), the
# client side's TX checksum offload off (AF_XDP hands syngated the frame
# as the kernel left it: a partial checksum would be counted as bad).
# Served: curl, ab -n 12000 with no failure (http: some 60 000 frames each
# way, past the ~46 000 after which a port on a pool the driver's umem does
# not cover went deaf; sg_port_setup now refuses such a pool), and a 2 MB
# echo with a half-close checked by SHA-256 (echo).
# Usage: af_xdp.sh BUILD_DIR      (exit 77 = skipped: no AF_XDP here)
set -uo pipefail
BUILD=${1:?usage: af_xdp.sh BUILD_DIR}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SYNGATED=$BUILD/app/syngated/syngated
PY=/usr/bin/python3
NSS=sgxdps$$ NSC=sgxdpc$$
IFS_=xs$$ IFC=xc$$		# veth ends (15 characters at most)
SRV=198.18.9.1 CLI=198.18.9.2 PORT=8080

[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 77; }
[ -x "$SYNGATED" ] || { echo "FAIL: $SYNGATED not built"; exit 1; }
# The kernel's AF_XDP sockets and DPDK's net_af_xdp driver.
"$PY" -c 'import socket; socket.socket(44, socket.SOCK_RAW).close()' 2>/dev/null ||
	{ echo "SKIP: the kernel has no AF_XDP sockets"; exit 77; }
pmd=$(ls "$(pkg-config --variable=libdir libdpdk 2>/dev/null)"/dpdk/pmds-*/librte_net_af_xdp.so* 2>/dev/null | head -n 1)
if [ -z "$pmd" ] && ! grep -aq net_af_xdp "$SYNGATED"; then
	echo "SKIP: DPDK has no net_af_xdp driver"; exit 77
fi

tmp=$(mktemp -d /tmp/sgxdp.XXXXXX)
dpid=''
cleanup() {
	set +e
	if [ -n "$dpid" ]; then
		kill -TERM "$dpid" 2>/dev/null
		timeout 15 tail --pid="$dpid" -f /dev/null || kill -KILL "$dpid"
		wait "$dpid" 2>/dev/null
	fi
	ip netns del "$NSS" 2>/dev/null
	ip netns del "$NSC" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# Under LeakSanitizer (the ASan+UBSan build): DPDK 22.11's net_af_xdp
# never frees the umem descriptor libxdp allocates (80 bytes per port,
# xsk_umem__create); that one is not ours.
printf 'leak:xsk_umem__create\n' >"$tmp/lsan.supp"
export LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$tmp/lsan.supp"

# TX checksum offload off: ethtool if installed, else its ioctl.
tx_off() { # namespace iface
	if command -v ethtool >/dev/null; then
		timeout 10 ip netns exec "$1" ethtool -K "$2" tx off >/dev/null
		return
	fi
	timeout 10 ip netns exec "$1" "$PY" - "$2" <<-'PYEOF'
	import ctypes, fcntl, socket, struct, sys
	SIOCETHTOOL, ETHTOOL_GTXCSUM, ETHTOOL_STXCSUM = 0x8946, 0x16, 0x17
	def ethtool(name, cmd, val=0):
	    ev = ctypes.create_string_buffer(struct.pack("II", cmd, val), 8)
	    ifr = struct.pack("16sP", name.encode(), ctypes.addressof(ev)).ljust(40, b"\0")
	    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
	        fcntl.ioctl(s.fileno(), SIOCETHTOOL, ifr)
	    return struct.unpack("II", ev.raw)[1]
	ethtool(sys.argv[1], ETHTOOL_STXCSUM, 0)
	sys.exit(0 if ethtool(sys.argv[1], ETHTOOL_GTXCSUM) == 0 else 1)
	PYEOF
}

set -e
timeout 10 ip netns add "$NSS"
timeout 10 ip netns add "$NSC"
for ns in "$NSS" "$NSC"; do
	ip -n "$ns" link set lo up
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1
done
ip -n "$NSS" link add "$IFS_" type veth peer name "$IFC" netns "$NSC"
ip -n "$NSS" link set "$IFS_" up
ip -n "$NSC" addr add "$CLI/24" dev "$IFC"
ip -n "$NSC" link set "$IFC" up
tx_off "$NSC" "$IFC"
set +e

pass=0 fail=0
chk() { if eval "$2"; then pass=$((pass + 1)); echo "  ok:   $1"; else fail=$((fail + 1)); echo "  FAIL: $1"; fi; }
get() { local v; v=$(sed -n "s/.* $1=\([0-9][0-9]*\).*/\1/p" <<<" $final"); echo "${v:--1}"; }
cli() { timeout "${T:-60}" ip netns exec "$NSC" "$@"; }

start() { # syngated options...
	: >"$tmp/d.log"
	timeout -k 10 300 ip netns exec "$NSS" "$SYNGATED" -l 0,1 --no-huge -m 512 \
		--file-prefix "$NSS" --no-pci --vdev="net_af_xdp0,iface=$IFS_" \
		--log-level=lib.eal:warning -- --addr "$SRV/24" --listen $PORT \
		--stats 0 "$@" >"$tmp/d.log" 2>&1 &
	dpid=$!
	for _ in $(seq 1 150); do
		grep -q '^syngated: serving' "$tmp/d.log" && return 0
		kill -0 "$dpid" 2>/dev/null || break
		sleep 0.1
	done
	echo "  daemon did not start:"; sed 's/^/  | /' "$tmp/d.log" | tail -n 20
	return 1
}
stop() {
	local rc=0
	kill -TERM "$dpid"
	timeout 20 tail --pid="$dpid" -f /dev/null || kill -KILL "$dpid"
	wait "$dpid" || rc=$?
	dpid=''
	final=$(grep '^final ' "$tmp/d.log" | tail -n 1)
	chk "daemon exits 0 (status $rc)" "[ $rc -eq 0 ]"
}

echo "== http over net_af_xdp: curl and ab -n 12000"
if start --service http; then
	chk "port is net_af_xdp" "grep -q 'port 0 (net_af_xdp)' '$tmp/d.log'"
	body=$(T=15 cli curl -s -m 10 "http://$SRV:$PORT/")
	chk "curl gets the page ('$body')" "[ '$body' = 'syngate says hello' ]"
	T=120 cli ab -q -s 10 -n 12000 -c 20 "http://$SRV:$PORT/" >"$tmp/ab.txt" 2>&1
	done_=$(awk '/^Complete requests:/ { print $3 }' "$tmp/ab.txt")
	failed=$(awk '/^Failed requests:/ { print $3 }' "$tmp/ab.txt")
	chk "ab: ${done_:-?} complete, ${failed:-?} failed" "[ '${done_:-0}' = 12000 ] && [ '${failed:-1}' = 0 ]"
	stop
	chk "app_requests=$(get app_requests) >= 12001" "[ $(get app_requests) -ge 12001 ]"
	chk "frames both ways past 46 000 (rx_pkts=$(get rx_pkts), tx_pkts=$(get tx_pkts))" "[ $(get rx_pkts) -gt 46000 ] && [ $(get tx_pkts) -gt 46000 ]"
	chk "no bad TCP checksum (drop_tcp_bad_cksum=$(get drop_tcp_bad_cksum))" "[ $(get drop_tcp_bad_cksum) -eq 0 ]"
else
	fail=$((fail + 1))
fi

echo "== echo over net_af_xdp: 2 MB with a half-close, SHA-256 checked"
if start --service echo; then
	T=90 cli "$PY" "$HERE/echo_client.py" --host "$SRV" --port $PORT \
		--size $((2 << 20)) --deadline 60 >"$tmp/echo.txt" 2>&1
	erc=$?
	chk "echo: $(tail -n 1 "$tmp/echo.txt")" "[ $erc -eq 0 ]"
	stop
	chk "no bad TCP checksum (drop_tcp_bad_cksum=$(get drop_tcp_bad_cksum))" "[ $(get drop_tcp_bad_cksum) -eq 0 ]"
else
	fail=$((fail + 1))
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
