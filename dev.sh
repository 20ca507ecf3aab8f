#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# syngate's two commands, for a fresh Debian 12 machine (as root):
#   ./dev.sh run    install what is missing, build, run syngated on its
#                   embedded default (a net_tap port "sg0", no NIC, no
#                   hugepages) and print how to connect to it
#   ./dev.sh test   install what is missing, build, run the whole test suite,
#                   then the unit and in-process tests again under
#                   AddressSanitizer + UndefinedBehaviorSanitizer, then a
#                   bounded libFuzzer run of the worker receive path
#   ./dev.sh bench  install what is missing, build, run the benchmark
#                   suite (bench/run.sh, docs/benchmarks.md)
#   ./dev.sh soak [MINUTES] [--asan]
#                   install what is missing, build (with --asan: the
#                   ASan+UBSan build), run the endurance run for MINUTES
#                   (30): mixed floods and real clients, a new configuration
#                   every few minutes (tests/soak/soak.sh, docs/security.md)
#   ./dev.sh mutate [--quick]
#                   the mutation check of lib/: curated one-line bugs, each
#                   must fail a test (tests/mutate/, docs/mutation.md)
set -euo pipefail
cd "$(dirname "$0")"

PKGS=(build-essential pkg-config meson ninja-build libdpdk-dev dpdk dpdk-dev
      libnuma-dev libcmocka-dev python3 python3-scapy iproute2 procps
      iputils-ping curl apache2-utils wrk clang libclang-rt-14-dev
      coreutils)
BUILD=${SG_BUILD:-build}
ASAN_BUILD=${SG_ASAN_BUILD:-build-asan}
FUZZ_BUILD=${SG_FUZZ_BUILD:-build-fuzz}

as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

install_deps() {
	local missing=()
	for p in "${PKGS[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q "install ok installed" || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	echo "dev.sh: installing ${missing[*]}"
	as_root apt-get update -q
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		--no-install-recommends "${missing[@]}"
}

build() { # dir [meson options...]
	local dir=$1; shift
	[ -f "$dir/build.ninja" ] || meson setup "$dir" "$@"
	ninja -C "$dir"
}

cmd_run() {
	install_deps
	build "$BUILD"
	# Give the kernel side of the tap an address once the daemon has
	# created it, then say how to try it.
	(
		for _ in $(seq 1 100); do
			ip link show sg0 >/dev/null 2>&1 && break
			sleep 0.1
		done
		as_root ip addr replace 198.18.0.2/24 dev sg0
		as_root ip link set sg0 up
		cat <<-MSG

		syngated is serving 198.18.0.1:8080 through the tap interface sg0
		(this host is 198.18.0.2 on it).  Try, from another shell:
		  timeout 3 bash -c 'exec 3<>/dev/tcp/198.18.0.1/8080' && echo connected
		  ping -c 2 198.18.0.1
		Stats print every 10 s; Ctrl-C stops syngated and prints the totals.

		MSG
	) &
	if [ "$(id -u)" -eq 0 ]; then
		exec "$BUILD/app/syngated/syngated" "$@"
	fi
	exec sudo "$BUILD/app/syngated/syngated" "$@"
}

cmd_test() {
	install_deps
	build "$BUILD"
	local log rc=0
	log=$(mktemp /tmp/sg-test.XXXXXX)
	meson test -C "$BUILD" --print-errorlogs --num-processes 2 \
		2>&1 | tee "$log" || rc=1
	build "$ASAN_BUILD" -Db_sanitize=address,undefined -Db_lundef=false \
		-Dasserts=true
	ASAN_OPTIONS=abort_on_error=1:detect_leaks=1 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		meson test -C "$ASAN_BUILD" --suite fast --print-errorlogs \
		--num-processes 2 2>&1 | tee -a "$log" || rc=1
	# The daemon itself under ASan+UBSan with leak checking, serving the
	# Linux clients (a shorter soak).
	ASAN_OPTIONS=abort_on_error=1:detect_leaks=1 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 SG_SOAK_SECONDS=20 \
		meson test -C "$ASAN_BUILD" --print-errorlogs kernel_clients kernel_ipv6 \
		kernel_data telemetry 2>&1 | tee -a "$log" || rc=1
	# The fuzz target (clang, libFuzzer, ASan+UBSan): a bounded run over
	# the seeds and the corpus grown by the long runs, on a copy so the
	# repository's stays as is.
	local fcorpus
	CC=clang build "$FUZZ_BUILD" -Dfuzz=true -Dasserts=true \
		-Db_sanitize=address,undefined \
		-Db_lundef=false
	fcorpus=$(mktemp -d /tmp/sg-fuzz.XXXXXX)
	cp tests/fuzz/corpus/* tests/fuzz/grown/* "$fcorpus"/
	ASAN_OPTIONS=abort_on_error=1:detect_leaks=1 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		meson test -C "$FUZZ_BUILD" --suite fuzz --print-errorlogs \
		--test-args="$fcorpus" 2>&1 | tee -a "$log" || rc=1
	rm -rf "$fcorpus"
	local ok fail
	ok=$(awk '/^Ok:/ { n += $2 } END { print n + 0 }' "$log")
	fail=$(awk '/^(Fail|Timeout|Unexpected Pass):/ { n += $NF } END { print n + 0 }' "$log")
	rm -f "$log"
	echo "${ok:-0} passed, ${fail:-0} failed"
	return $rc
}

cmd_bench() {
	PKGS+=(python3-matplotlib dpdk)
	install_deps
	build "$BUILD"
	exec bench/run.sh "$BUILD" "$@"
}

cmd_soak() {
	local minutes=30 asan='' a
	for a in "$@"; do
		case $a in
		--asan) asan=1 ;;
		[0-9]*) minutes=$a ;;
		*) echo "usage: $0 soak [MINUTES] [--asan]" >&2; exit 2 ;;
		esac
	done
	install_deps
	if [ -n "$asan" ]; then
		build "$ASAN_BUILD" -Db_sanitize=address,undefined -Db_lundef=false \
			-Dasserts=true
		ASAN_OPTIONS=abort_on_error=1:detect_leaks=1 \
		UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
			exec tests/soak/soak.sh "$ASAN_BUILD" --minutes "$minutes"
	fi
	build "$BUILD"
	exec tests/soak/soak.sh "$BUILD" --minutes "$minutes"
}

# ./dev.sh mutate [--quick] [mutate.py options]: the mutation check of lib/
# (tests/mutate/mutate.py, docs/mutation.md) in a scratch copy of the tree,
# niced: the kill rate, the survivors, a report.
cmd_mutate() {
	install_deps
	exec nice -n 10 python3 tests/mutate/mutate.py "$@"
}

case "${1:-}" in
run) shift; cmd_run "$@" ;;
test) shift; cmd_test "$@" ;;
bench) shift; cmd_bench "$@" ;;
soak) shift; cmd_soak "$@" ;;
mutate) shift; cmd_mutate "$@" ;;
*) echo "usage: $0 run [syngated args] | test | bench | soak [MINUTES] [--asan] | mutate [--quick]" >&2; exit 2 ;;
esac
