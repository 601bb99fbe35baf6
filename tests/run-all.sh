#!/usr/bin/env bash
# Runs the whole test suite the way CI does: installs what is missing, checks the
# C++ formatting (.clang-format), builds with warnings as errors, runs clang-tidy and
# the unit, integration and security suites, then the unit suite and a few real
# sessions again under AddressSanitizer + UndefinedBehaviorSanitizer, the threaded
# parts under ThreadSanitizer, and gives each libFuzzer target a short run.
# docs/testing.md describes each step and what it costs.
#
# The machine has two cores and the suites spend much of their time waiting on real
# sessions (an app starting, a reviewer's timeout), so clang-tidy and the sanitizer
# and fuzzer builds run beside them at the lowest CPU priority: they take only what
# the suites leave idle. Their output is printed when they are done.
# Needs root (namespaces, cgroups, apt-get). Usage: sudo tests/run-all.sh
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -ne 0 ]; then
  echo "tests/run-all.sh: the integration and security suites need root; run it with sudo" >&2
  exit 1
fi
started_all=$SECONDS
packaging/install-deps.sh
packaging/install-test-clients.sh

# A test whose prerequisite is missing fails instead of skipping.
export DESKBOX_MUST_WORK=1

# Formatting first: seconds, and it fails before any build.
tests/check-format.sh

# Prints how long a step took (docs/testing.md keeps the figures).
timed() {
  local what=$1 started=$SECONDS
  shift
  "$@"
  echo "tests/run-all.sh: $what took $((SECONDS - started)) s"
}

# The test build dirs keep line tables only (-g1): failures, backtraces and sanitizer reports
# still name file and line, and the compiler spends about a third less time than with full
# debug information (-g), most of it in Boost's templates.
build=${DESKBOX_TEST_BUILD_DIR:-build-tests}
asan=${build}-asan
tsan=${build}-tsan
fuzz=${build}-fuzz
if [ ! -d "$build" ]; then
  meson setup "$build" -Dwerror=true -Dcpp_args=-g1
fi
# The README's first command, its non-interactive part: only the executables, then `deskbox check` of the example.
# Its time (the packages are installed by now) is the quick start's figure on a fresh machine.
timed "the quick start's build and check" env DESKBOX_BUILD_DIR="$build" packaging/quickstart.sh --check-only
timed "the build" ninja -C "$build"

# ---- beside the suites, at the lowest priority: clang-tidy and the other build dirs ----
side=$(mktemp -d /tmp/deskbox-run-all.XXXXXX)
side_pid=
stop_side() {
  [ -n "$side_pid" ] && kill -- "-$side_pid" 2>/dev/null || true
  rm -rf "$side"
}
trap stop_side EXIT
# A process group of its own (set -m), so that an early failure stops the whole tree.
set -m
nice -n 19 tests/side-builds.sh "$build" "$asan" "$tsan" "$fuzz" "$side" > "$side/builds.log" 2>&1 &
side_pid=$!
set +m

timed "the unit suite" meson test -C "$build" --suite unit --print-errorlogs --no-rebuild
timed "the integration suite" meson test -C "$build" --suite integration --print-errorlogs --num-processes 1 --no-rebuild
timed "the security suite" meson test -C "$build" --suite security --print-errorlogs --num-processes 1 --no-rebuild

# ---- what ran beside the suites, then the sanitizer and fuzzer runs ----
waited=$SECONDS
side_rc=0
wait "$side_pid" || side_rc=$?
side_pid=
echo "tests/run-all.sh: waited $((SECONDS - waited)) s for the builds beside the suites"
cat "$side/clang-tidy.log" 2>/dev/null || true
cat "$side/builds.log"
if [ "$(cat "$side/clang-tidy.rc" 2>/dev/null)" != 0 ]; then
  echo "tests/run-all.sh: clang-tidy found problems (above)" >&2
  exit 1
fi
if [ "$side_rc" != 0 ]; then
  echo "tests/run-all.sh: a sanitizer or fuzzer build failed (above)" >&2
  exit 1
fi

UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  timed "the unit suite under ASan+UBSan" meson test -C "$asan" --suite unit --no-rebuild --print-errorlogs
# Real sessions with the sanitized supervisor: agent socket, gate, audit, review socket, VNC, proxy.
timed "the sessions under ASan+UBSan" tests/sanitizers/sessions.sh "$asan" "$build"
# The proxy's threads and the audit log under ThreadSanitizer.
timed "the threads under TSan" tests/sanitizers/threads.sh "$tsan"
# The libFuzzer targets (parsers of untrusted input), each run briefly over its committed corpus;
# a finding fails the run with its reproducer.
DESKBOX_FUZZ_BUILD_DIR=$fuzz tests/fuzz/run-bounded.sh "${DESKBOX_FUZZ_SECONDS:-10}"
echo "tests/run-all.sh: all suites passed in $((SECONDS - started_all)) s"
