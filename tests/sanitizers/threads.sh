#!/usr/bin/env bash
# The threaded parts under ThreadSanitizer: a build dir of its own (-Db_sanitize=thread) that builds
# only the test programs of the 'threads' suite (the egress proxy's loop and resolver threads writing
# the session's audit log while the gate writes it too), then runs them; the first data race fails.
# Usage: tests/sanitizers/threads.sh [--build-only] TSAN_BUILD_DIR
set -euo pipefail
cd "$(dirname "$0")/../.."
build_only=0
if [ "${1:-}" = --build-only ]; then
  build_only=1
  shift
fi
build=${1:?usage: tests/sanitizers/threads.sh [--build-only] TSAN_BUILD_DIR}
if [ ! -d "$build" ]; then
  # No -Werror, as for the ASan dir: the sanitizer's instrumentation brings GCC 12 false warnings.
  # -O1 and line tables only: exact reports, less compile time (as for the ASan dir).
  meson setup "$build" -Db_sanitize=thread -Db_lundef=false -Doptimization=1 -Dcpp_args=-g1
fi
mapfile -t programs < <(meson introspect "$build" --tests | python3 -c '
import json, os, sys
build = os.path.realpath(sys.argv[1])
for t in json.load(sys.stdin):
    if any(s.split(":")[-1] == "threads" for s in t["suite"]):
        print(os.path.relpath(os.path.realpath(t["cmd"][0]), build))
' "$build")
ninja -C "$build" "${programs[@]}"
[ "$build_only" -eq 1 ] && exit 0
# second_deadlock_stack: a lock-order report names both stacks.
TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:exitcode=66" \
  meson test -C "$build" --suite threads --no-rebuild --print-errorlogs
