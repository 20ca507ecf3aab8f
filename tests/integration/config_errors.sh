#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Bad options exit non-zero with a message naming the option and the
# accepted values; --help exits 0.  Then (as root) the mistakes around
# the EAL: each one line and exit status 2; two instances never share a
# port; the [eal] section of the INI file.
set -uo pipefail
SYNGATED=$(realpath "${1:?usage: config_errors.sh path/to/syngated}")
EAL=(-l 0,1 --no-huge -m 64 --no-shconf --no-pci --vdev=net_null0
     --log-level=lib.eal:warning)
pass=0 fail=0

check() { # expected-substring... -- args
	local want=() out rc
	while [ "$1" != "--" ]; do want+=("$1"); shift; done
	shift
	out=$(timeout 30 "$SYNGATED" "${EAL[@]}" -- "$@" 2>&1); rc=$?
	local ok=1
	[ "$rc" -ne 0 ] || ok=0
	for w in "${want[@]}"; do grep -qF -- "$w" <<<"$out" || ok=0; done
	if [ $ok -eq 1 ]; then pass=$((pass + 1)); echo "PASS: $*"
	else fail=$((fail + 1)); echo "FAIL: $* (rc=$rc): $out"; fi
}

check "--cookies" "auto, always, never" -- --cookies sometimes
check "--synq-size" "64..16777216" -- --synq-size 12
check "--overflow" "drop, reset" -- --overflow maybe
check "--addr" -- --addr 198.18.0.1
check "--listen" -- --listen 70000
check "--service" "accept" -- --service ftp
check "unknown option" -- --frobnicate
check "--config" -- --config /nonexistent/syngated.ini
keyf=$(mktemp /tmp/sg-key.XXXXXX)
printf 'secret = %s\n' 00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff >"$keyf"
chmod 644 "$keyf"
check "--cookie-key-file" "chmod 600" -- --cookie-key-file "$keyf"
chmod 600 "$keyf"
echo 'secret = 0011' >"$keyf"
check "--cookie-key-file" "64 hex digits" -- --cookie-key-file "$keyf"
rm -f "$keyf"

out=$(timeout 30 "$SYNGATED" "${EAL[@]}" -- --help 2>&1); rc=$?

# ---- Mistakes around the EAL: each one line on stderr, exit status 2,
# nothing on stdout, instead of the EAL's own output.
# (Needs root for the namespace, the tap and setpriv.)
if [ "$(id -u)" -ne 0 ]; then
	echo "$pass passed, $fail failed (the EAL checks need root: not run)"
	[ $fail -eq 0 ]; exit
fi
NS=sgopse$$
tmp=$(mktemp -d /tmp/sgops-cfg.XXXXXX)
chmod 755 "$tmp"
pids=()
cleanup() {
	set +e
	for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
	for p in "${pids[@]}"; do
		timeout 15 tail --pid="$p" -f /dev/null || kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	ip netns del "$NS" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
timeout 10 ip netns add "$NS" || { echo "FAIL: cannot create namespace $NS"; exit 1; }
ip -n "$NS" link set lo up
ip netns exec "$NS" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
	net.ipv6.conf.default.disable_ipv6=1 || true

ok()  { pass=$((pass + 1)); echo "PASS: $1"; }
bad() { fail=$((fail + 1)); echo "FAIL: $1"; }

# eal_check NAME "wanted substring" CMD...: exit 2, nothing on stdout,
# exactly one line on stderr, "syngated: ..." containing the substring.
eal_check() {
	local name=$1 want=$2 out err rc
	shift 2
	out=$(timeout 60 "$@" 2>"$tmp/err"); rc=$?
	err=$(cat "$tmp/err")
	if [ $rc -eq 2 ] && [ -z "$out" ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] &&
	   grep -q '^syngated: ' <<<"$err" && grep -qF -- "$want" <<<"$err"; then
		ok "$name: $err"
	else
		bad "$name (rc=$rc, want one line with '$want'): stdout=[$(head -c 300 <<<"$out")] stderr=[$(head -c 600 <<<"$err")]"
	fi
}

# start_bg NAME CMD...: a daemon in the namespace, by PID, bounded by
# timeout; waits for its 'serving' line.
start_bg() {
	local name=$1 p
	shift
	timeout -k 5 90 ip netns exec "$NS" "$@" >"$tmp/$name.log" 2>&1 &
	p=$!
	pids+=("$p")
	eval "pid_$name=$p"
	for _ in $(seq 1 150); do
		grep -q '^syngated: serving' "$tmp/$name.log" && return 0
		kill -0 "$p" 2>/dev/null || break
		# a tap's link is up once its kernel side is
		ip -n "$NS" link set sg0 up 2>/dev/null || true
		sleep 0.1
	done
	echo "  $name did not start: $(tail -n 5 "$tmp/$name.log")"
	return 1
}
# stop_bg NAME: SIGTERM to the daemon (timeout passes it on); status in $src
stop_bg() {
	local p
	p=$(eval echo "\$pid_$1")
	kill -TERM "$p" 2>/dev/null
	timeout 20 tail --pid="$p" -f /dev/null || kill -KILL "$p"
	wait "$p"; src=$?
}
alive() { kill -0 "$(eval echo "\$pid_$1")" 2>/dev/null; }

# --help, --version: exit 0 and no EAL: as root, no tap is created.
for args in "--help" "--version" "-l 0,1 --vdev=net_tap0,iface=sg0 -- --help" \
	    "-- --version"; do
	# shellcheck disable=SC2086
	out=$(timeout 30 ip netns exec "$NS" "$SYNGATED" $args 2>&1); rc=$?
	if [ $rc -eq 0 ] && ! ip -n "$NS" link show sg0 >/dev/null 2>&1 &&
	   ! grep -q '^EAL:' <<<"$out" &&
	   { grep -q -- '--synack-retries' <<<"$out" ||
	     grep -Eq '^syngated [0-9]+\.[0-9]+\.[0-9]+ \(DPDK ' <<<"$out"; }; then
		ok "'$args' exits 0 without the EAL (no tap)"
	else
		bad "'$args' (rc=$rc, tap: $(ip -n "$NS" -br link show sg0 2>&1)): $(head -c 300 <<<"$out")"
	fi
done
out=$(timeout 30 "$SYNGATED" --man); rc=$?
if [ $rc -eq 0 ] && grep -q '^\.TH SYNGATED 8' <<<"$out" &&
   grep -q 'synack\\-retries' <<<"$out"; then
	ok "--man prints the manual page"
else
	bad "--man (rc=$rc)"
fi

# A syngated option before '--'.
eal_check "syngated option, no --" "--addr is a syngated option, not an EAL one: put it after '--'" \
	"$SYNGATED" --addr 198.18.0.1/24
eal_check "syngated option before --" "--listen is a syngated option" \
	"$SYNGATED" -l 0,1 --listen=80 --
# Options the EAL refuses.
eal_check "unknown EAL option" "unrecognized option '--frobnicate'" \
	"$SYNGATED" -l 0,1 --frobnicate --no-huge -- --stats 0
eal_check "bad EAL value" "invalid core list" \
	"$SYNGATED" -l 0,999 --no-huge --no-pci -- --stats 0
# No hugepages: a --huge-dir that is no hugetlbfs mount is the same to
# the EAL as a machine without hugepages (and stays so whatever other
# tests reserve meanwhile).
mkdir -p "$tmp/nohuge"
eal_check "no hugepages" "or run without them: --no-huge" \
	"$SYNGATED" -l 0,1 -m 64 --huge-dir "$tmp/nohuge" --file-prefix "sgopsh$$" \
	--no-pci --vdev=net_null0 -- --stats 0
# Not root: the tap cannot be created (EPERM), in this namespace only.
# (A copy nobody can run, wherever the build directory is.)
# (and of the shared libsyngate it loads, if it does)
install -m 755 "$SYNGATED" "$tmp/syngated"
lib=$(ldd "$SYNGATED" | awk '/libsyngate/ { print $3 }')
[ -n "$lib" ] && install -m 644 "$lib" "$tmp/$(basename "$lib")"
eal_check "not root" "run syngated as root" \
	ip netns exec "$NS" setpriv --reuid=65534 --regid=65534 --clear-groups \
	env -C /tmp LD_LIBRARY_PATH="$tmp" "$tmp/syngated" -l 0,1 --no-huge -m 256 --file-prefix "sgopsn$$" \
	--no-pci --vdev=net_tap0,iface=sgopsnr -- --stats 0
# No /dev/net/tun (hidden in a private mount namespace of its own).
eal_check "no /dev/net/tun" "needs /dev/net/tun, which is missing" \
	ip netns exec "$NS" unshare -m --propagation private sh -c \
	'mount -t tmpfs none /dev/net && exec "$0" -- --stats 0' "$SYNGATED"

# Another instance with the same --file-prefix (net_null, no network).
if start_bg pa "$SYNGATED" -l 0,1 --no-huge -m 256 --file-prefix "sgopsp$$" \
	--no-pci --vdev=net_null0 --log-level=lib.eal:warning -- --stats 0; then
	eal_check "file prefix in use" "runs with --file-prefix sgopsp$$" \
		"$SYNGATED" -l 0,1 --no-huge -m 256 --file-prefix "sgopsp$$" \
		--no-pci --vdev=net_null1 -- --stats 0
	if alive pa; then ok "the first instance still runs"; else bad "the first instance died"; fi
	stop_bg pa
	if [ "$src" -eq 0 ]; then ok "the first instance exits 0"; else bad "the first instance: exit $src"; fi
else
	bad "file prefix: the first instance did not start"
fi

# Issue 10 item 6: a second syngated on the embedded default (tap sg0)
# is refused, and the first keeps serving every client.
# (The embedded default's --file-prefix is machine-wide: if another
# syngated on its default holds it, e.g. a concurrent run of this test,
# wait for it, a minute at most.)
for _ in $(seq 1 30); do
	start_bg da "$SYNGATED" -- --stats 0 --service http && break
	grep -q 'runs with --file-prefix syngated' "$tmp/da.log" || break
	echo "  the embedded default's file prefix is busy; waiting"
	sleep 2
done
if grep -q '^syngated: serving' "$tmp/da.log"; then
	ip -n "$NS" addr add 198.18.0.2/24 dev sg0
	ip -n "$NS" link set sg0 up
	eal_check "second embedded default" "interface sg0 is in use by another syngated (pid" \
		ip netns exec "$NS" "$SYNGATED" -- --stats 0
	eal_check "same interface, another file prefix" "interface sg0 is in use" \
		ip netns exec "$NS" "$SYNGATED" -l 0,1 --no-huge -m 256 \
		--file-prefix "sgopsq$$" --no-pci --vdev=net_tap0,iface=sg0 -- --stats 0
	okc=0
	for _ in $(seq 1 20); do
		timeout 5 ip netns exec "$NS" curl -s -m 3 -o /dev/null -w '%{http_code}' \
			http://198.18.0.1:8080/ 2>/dev/null | grep -q 200 && okc=$((okc + 1))
	done
	if [ $okc -eq 20 ]; then ok "the first instance answered 20 of 20 requests"
	else bad "the first instance answered $okc of 20 requests"; fi
	stop_bg da
	if [ "$src" -eq 0 ]; then ok "the first instance exits 0"; else bad "the first instance: exit $src"; fi
else
	bad "embedded default: the first instance did not start"
fi

# [eal] in the config file: a unit file needs only --config.
printf '%s\n' '[eal]' "args = -l 0,1 --no-huge -m 256 --file-prefix sgopsi$$" \
	'args = --no-pci --vdev=net_null0 --log-level=lib.eal:warning' \
	'[syngate]' 'stats = 0' 'listen = 8081' >"$tmp/eal.ini"
if start_bg ie "$SYNGATED" -- --config "$tmp/eal.ini"; then
	if grep -q 'tcp port 8081;.*EAL options from \[eal\] of the config file' "$tmp/ie.log" &&
	   grep -q 'net_null' "$tmp/ie.log"; then
		ok "[eal] section used: $(grep '^syngated: serving' "$tmp/ie.log")"
	else
		bad "[eal] section: $(head -c 400 "$tmp/ie.log")"
	fi
	stop_bg ie
else
	bad "[eal] section: the daemon did not start"
fi
printf '[eal]\nargs = -l 0,1 --addr 198.18.0.1/24\n' >"$tmp/bad1.ini"
eal_check "[eal] with a syngated option" "[eal] args: '--addr' is not an EAL option" \
	"$SYNGATED" -- --config "$tmp/bad1.ini"
printf '[eal]\nlcores = 0,1\n' >"$tmp/bad2.ini"
eal_check "[eal] unknown key" "[eal] lcores: unknown key; accepted: args" \
	"$SYNGATED" -- --config "$tmp/bad2.ini"
printf '[eals]\nargs = -l 0,1\n' >"$tmp/bad3.ini"
eal_check "unknown section" "accepted: [syngate], [eal]" \
	"$SYNGATED" -- --config "$tmp/bad3.ini"

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
