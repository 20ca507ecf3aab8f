#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The library as an embedder gets it: `meson install` into a temporary
# root, the two examples compiled with `pkg-config --cflags --libs syngate`
# against that copy alone (not the build tree), then run on a net_tap
# port whose kernel side is in a namespace this script creates, serving
# Linux clients: 50 connects to accept_loop (each gets "hello"), an echo
# of 256 KiB through echo_poller checked byte for byte.
# Addresses: 198.18.0.1 (the example), 198.18.0.2 (the kernel side).
# Usage: install.sh BUILD_DIR      (exit 77 = skipped)
set -euo pipefail
# meson test points LD_LIBRARY_PATH at the build tree: not what an
# embedder has.
unset LD_LIBRARY_PATH

BUILD=$(cd "${1:?usage: install.sh BUILD_DIR}" && pwd)
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
PY=/usr/bin/python3
NS=sgin$$
IF=sgi0
SRV=198.18.0.1
CLI=198.18.0.2

if [ "$(id -u)" -ne 0 ]; then echo "SKIP: install needs root"; exit 77; fi
if [ ! -c /dev/net/tun ]; then echo "SKIP: /dev/net/tun missing"; exit 77; fi
for c in cc pkg-config ip meson "$PY"; do
	command -v "$c" >/dev/null || { echo "SKIP: $c not found"; exit 77; }
done

root=$(mktemp -d /tmp/sg-install.XXXXXX)
pid=''
cleanup() {
	set +e
	if [ -n "$pid" ]; then
		kill -TERM "$pid" 2>/dev/null
		timeout 10 tail --pid="$pid" -f /dev/null || kill -KILL "$pid"
		wait "$pid" 2>/dev/null
	fi
	ip netns del "$NS" 2>/dev/null
	rm -rf "$root"
}
trap cleanup EXIT

fail=0
check() { local d=$1; shift; if "$@"; then echo "ok:   $d"; else echo "FAIL: $d"; fail=1; fi; }

DESTDIR=$root meson install -C "$BUILD" --no-rebuild --quiet >/dev/null
pc=$(dirname "$(find "$root" -name syngate.pc | head -n 1)")
check "syngate.pc installed" test -f "$pc/syngate.pc"
# As if installed with --prefix under $root (DESTDIR keeps the build's
# prefix in the file; the libdpdk it requires stays the system's).
prefix=$(sed -n 's/^prefix=//p' "$pc/syngate.pc")
sed -i "s|^prefix=.*|prefix=$root$prefix|" "$pc/syngate.pc"
check "syngate.h and sg_stats.h, and no other header" \
	test "$(find "$root" -name '*.h' -printf '%f\n' | sort | tr '\n' ' ')" = "sg_stats.h syngate.h "
flags=$(PKG_CONFIG_PATH=$pc pkg-config --cflags --libs syngate)
libdir=$(PKG_CONFIG_PATH=$pc pkg-config --variable=libdir syngate)
check "pkg-config points into the installed copy" grep -q "$root" <<<"$flags"
for ex in accept_loop echo_poller; do
	check "$ex builds against the installed library" \
		cc -Wall -Werror -O2 "$SRC/examples/$ex.c" -o "$root/$ex" $flags \
		-Wl,-rpath,"$libdir"
done
check "accept_loop uses the installed libsyngate.so" \
	grep -q "$root" <<<"$(ldd "$root/accept_loop" | grep syngate)"

run_example() { # name, then its output goes to $root/$1.log
	ip netns del "$NS" 2>/dev/null || true
	timeout 10 ip netns add "$NS"
	timeout 10 ip -n "$NS" link set lo up
	timeout 10 ip netns exec "$NS" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 || true
	timeout -k 5 90 ip netns exec "$NS" "$root/$1" -l 0,1 --no-huge -m 512 \
		--no-shconf --file-prefix "$NS" --no-pci --vdev=net_tap0,iface=$IF \
		--log-level=lib.eal:warning >"$root/$1.log" 2>&1 &
	pid=$!
	for _ in $(seq 1 100); do
		ip -n "$NS" link show $IF >/dev/null 2>&1 && break
		sleep 0.1
	done
	timeout 10 ip -n "$NS" addr add $CLI/24 dev $IF
	timeout 10 ip -n "$NS" link set $IF up
	for _ in $(seq 1 100); do
		grep -q "serving" "$root/$1.log" && return 0
		sleep 0.1
	done
	return 1
}
stop_example() {
	local child
	child=$(cat /proc/"$pid"/task/"$pid"/children 2>/dev/null || true)
	kill -TERM ${child:-$pid} 2>/dev/null || true
	timeout 20 tail --pid="$pid" -f /dev/null || kill -KILL "$pid"
	wait "$pid" || true
	pid=''
	timeout 10 ip netns del "$NS" || true
}

if run_example accept_loop; then
	check "50 Linux clients get hello" timeout 60 ip netns exec "$NS" "$PY" - <<PYEOF
import socket, sys
ok = 0
for i in range(50):
    s = socket.create_connection(("$SRV", 8080), timeout=5)
    d = b""
    while not d.endswith(b"\n"):
        b = s.recv(64)
        if not b:
            break
        d += b
    ok += d == b"hello\n"
    s.close()
print(f"  {ok}/50 got hello")
sys.exit(0 if ok == 50 else 1)
PYEOF
	stop_example
	check "accept_loop counted them" grep -q "accepted=50" "$root/accept_loop.log"
else
	echo "FAIL: accept_loop did not start"; cat "$root/accept_loop.log"; fail=1
fi

if run_example echo_poller; then
	check "256 KiB echoed byte for byte" timeout 60 ip netns exec "$NS" "$PY" \
		"$HERE/echo_client.py" --host $SRV --port 7 --size 262144
	stop_example
else
	echo "FAIL: echo_poller did not start"; cat "$root/echo_poller.log"; fail=1
fi
[ "$fail" -eq 0 ] && echo "PASS" || echo "FAIL"
exit "$fail"
