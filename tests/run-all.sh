#!/usr/bin/env bash
# Runs the whole test suite the way CI does: installs what is missing, checks the
# C++ formatting (.clang-format), builds
# with warnings as errors, runs clang-tidy and the unit, integration and security
# suites, then the unit suite and a few real sessions again under AddressSanitizer +
# UndefinedBehaviorSanitizer, the threaded parts under ThreadSanitizer, and gives
# each libFuzzer target a short run. docs/testing.md describes each step.
# Needs root (namespaces, cgroups, apt-get). Usage: sudo tests/run-all.sh
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -ne 0 ]; then
  echo "tests/run-all.sh: the integration and security suites need root; run it with sudo" >&2
  exit 1
fi
packaging/install-deps.sh
packaging/install-test-clients.sh

# A test whose prerequisite is missing fails instead of skipping.
export DESKBOX_MUST_WORK=1

# Formatting first: seconds, and it fails before any build.
tests/check-format.sh

build=${DESKBOX_TEST_BUILD_DIR:-build-tests}
if [ ! -d "$build" ]; then
  meson setup "$build" -Dwerror=true
fi
# The README's first command, its non-interactive part: only the executables, then `deskbox check` of the example.
# Its time (the packages are installed by now) is the quick start's figure on a fresh machine.
quickstart_started=$SECONDS
DESKBOX_BUILD_DIR=$build packaging/quickstart.sh --check-only
echo "tests/run-all.sh: the quick start's build and check took $((SECONDS - quickstart_started)) s"
ninja -C "$build"
# Prints how long each of the steps below took (docs/testing.md keeps the figures).
timed() {
  local what=$1 started=$SECONDS
  shift
  "$@"
  echo "tests/run-all.sh: $what took $((SECONDS - started)) s"
}
timed clang-tidy tests/lint/clang-tidy.sh "$build"
meson test -C "$build" --suite unit --print-errorlogs
meson test -C "$build" --suite integration --print-errorlogs --num-processes 1
meson test -C "$build" --suite security --print-errorlogs --num-processes 1

asan=${build}-asan
if [ ! -d "$asan" ]; then
  # No -Werror here: GCC 12's sanitizer instrumentation makes -Wmaybe-uninitialized report false
  # positives inside libstdc++ (std::regex, std::function). The build above already enforces warnings.
  meson setup "$asan" -Db_sanitize=address,undefined -Db_lundef=false
fi
# Only what the unit suite runs: its test programs and the targets they depend on.
unit_targets=$(python3 - "$asan" <<'PY'
import json, os, subprocess, sys
build = os.path.realpath(sys.argv[1])
def introspect(what):
    return json.loads(subprocess.check_output(["meson", "introspect", build, what]))
files = {t["id"]: t["filename"] for t in introspect("--targets")}
wanted = set()
for t in introspect("--tests"):
    if any(s.split(":")[-1] == "unit" for s in t["suite"]):
        wanted.update(t.get("depends", []))
        exe = os.path.realpath(t["cmd"][0])
        if exe.startswith(build + "/"):
            print(os.path.relpath(exe, build))
for target in wanted:
    for f in files.get(target, []):
        print(os.path.relpath(os.path.realpath(f), build))
PY
)
ninja -C "$asan" deskbox $unit_targets
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 meson test -C "$asan" --suite unit --no-rebuild --print-errorlogs
# Real sessions with the sanitized supervisor: agent socket, gate, audit, review socket, VNC, proxy.
timed "the sessions under ASan+UBSan" tests/sanitizers/sessions.sh "$asan"
# The proxy's threads and the audit log under ThreadSanitizer, in a build dir of only those tests.
timed "the threads under TSan" tests/sanitizers/threads.sh "${build}-tsan"
# The libFuzzer targets (parsers of untrusted input): a clang build dir of only the fuzzers, each run
# briefly over its committed corpus; a finding fails the run with its reproducer.
DESKBOX_FUZZ_BUILD_DIR=${build}-fuzz tests/fuzz/run-bounded.sh "${DESKBOX_FUZZ_SECONDS:-10}"
echo "tests/run-all.sh: all suites passed"
