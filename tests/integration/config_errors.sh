#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Bad options exit non-zero with a message naming the option and the
# accepted values; --help exits 0.
set -uo pipefail
SYNGATED=${1:?usage: config_errors.sh path/to/syngated}
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
if [ $rc -eq 0 ] && grep -q -- "--synack-retries" <<<"$out"; then
	pass=$((pass + 1)); echo "PASS: --help"
else
	fail=$((fail + 1)); echo "FAIL: --help (rc=$rc)"
fi
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
