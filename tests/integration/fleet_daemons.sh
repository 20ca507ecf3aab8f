#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Two syngated instances sharing a --cookie-key-file, each on its own tap,
# both in one network namespace this script creates (as two hosts behind
# a load balancer would be): a SYN answered by the first (cookies always),
# the ACK delivered to the second, completes the handshake there.
# Usage: fleet_daemons.sh BUILD_DIR      (exit 77 = skipped)
set -euo pipefail
BUILD=${1:?usage: fleet_daemons.sh BUILD_DIR}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SYNGATED=$BUILD/app/syngated/syngated
PY=/usr/bin/python3
NS=sgf$$

if [ "$(id -u)" -ne 0 ]; then echo "SKIP: needs root"; exit 77; fi
if [ ! -c /dev/net/tun ]; then echo "SKIP: /dev/net/tun missing"; exit 77; fi
"$PY" -c 'import scapy.all' 2>/dev/null || { echo "SKIP: no scapy"; exit 77; }
[ -x "$SYNGATED" ] || { echo "FAIL: $SYNGATED not built"; exit 1; }

tmp=$(mktemp -d /tmp/sg-fleet.XXXXXX)
pids=()
cleanup() {
	set +e
	for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
	for p in "${pids[@]}"; do timeout 10 tail --pid="$p" -f /dev/null; kill -KILL "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	ip netns del "$NS" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
printf 'secret = %s\n' 5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e0123456789abcdef0123456789abcdef >"$tmp/key"
chmod 600 "$tmp/key"
timeout 10 ip netns add "$NS"
ip -n "$NS" link set lo up
ip netns exec "$NS" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 || true

start() { # name iface
	timeout -k 5 60 ip netns exec "$NS" "$SYNGATED" -l 0,1 --no-huge -m 512 \
		--no-shconf --file-prefix "$NS$1" --no-pci --vdev="net_tap0,iface=$2" \
		--log-level=lib.eal:warning -- --addr 198.18.0.1/24 --listen 8080 \
		--cookies always --stats 0 --cookie-key-file "$tmp/key" \
		>"$tmp/$1.log" 2>&1 &
	pids+=($!)
}
start a sga0
start b sgb0
for i in $(seq 1 100); do
	ip -n "$NS" link show sga0 >/dev/null 2>&1 &&
		ip -n "$NS" link show sgb0 >/dev/null 2>&1 && break
	sleep 0.1
done
ip -n "$NS" link set sga0 up
ip -n "$NS" link set sgb0 up
for l in a b; do
	for i in $(seq 1 100); do grep -q '^syngated: serving' "$tmp/$l.log" && break; sleep 0.1; done
done
# The ports' MACs: the daemons log none, so ask each with ARP (scapy).
mac() { ip netns exec "$NS" timeout 10 "$PY" -c "
from scapy.all import srp1, Ether, ARP, conf; conf.verb=0
r = srp1(Ether(dst='ff:ff:ff:ff:ff:ff')/ARP(pdst='198.18.0.1', psrc='198.18.0.50'), iface='$1', timeout=3)
print(r[ARP].hwsrc if r else '')"; }
ma=$(mac sga0); mb=$(mac sgb0)
echo "host A port MAC $ma, host B port MAC $mb"
rc=0
ip netns exec "$NS" timeout 20 "$PY" "$HERE/fleet_client.py" --syn-iface sga0 \
	--syn-mac "$ma" --ack-iface sgb0 --ack-mac "$mb" || rc=1
sleep 0.5
for p in "${pids[@]}"; do kill -TERM "$p"; done
for p in "${pids[@]}"; do wait "$p" || rc=1; done
pids=()
fa=$(grep '^final ' "$tmp/a.log"); fb=$(grep '^final ' "$tmp/b.log")
get() { sed -n "s/.* $1=\([0-9]*\).*/\1/p" <<<" $2"; }
echo "A: cookies_sent=$(get cookies_sent "$fa") accepted=$(get accepted "$fa")"
echo "B: cookies_ok=$(get cookies_ok "$fb") accepted=$(get accepted "$fb") syn_in=$(get syn_in "$fb")"
pass=0 fail=0
chk() { if eval "$2"; then pass=$((pass + 1)); echo "ok:   $1"; else fail=$((fail + 1)); echo "FAIL: $1"; fi; }
chk "client saw a SYN-ACK from A and sent the ACK to B" "[ $rc -eq 0 ]"
chk "A answered with a cookie" "[ '$(get cookies_sent "$fa")' -ge 1 ]"
chk "B never saw the SYN" "[ '$(get syn_in "$fb")' -eq 0 ]"
chk "B validated A's cookie and accepted" "[ '$(get cookies_ok "$fb")' -eq 1 ] && [ '$(get accepted "$fb")' -eq 1 ]"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
