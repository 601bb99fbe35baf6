#!/usr/bin/env bash
# What tests/run-all.sh runs beside the unit, integration and security suites, at the
# lowest CPU priority: clang-tidy over the test build's compile commands, then the
# ASan+UBSan build of what the unit suite and the sanitized sessions need, the TSan
# build of the threads suite and the fuzzers' build. clang-tidy's report and exit code
# go to OUT/clang-tidy.log and OUT/clang-tidy.rc (a finding does not stop the builds);
# the builds' output goes to stdout, and a failed build fails this script.
# Usage: tests/side-builds.sh BUILD ASAN_BUILD TSAN_BUILD FUZZ_BUILD OUT
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -eq 5 ] || { echo "usage: tests/side-builds.sh BUILD ASAN_BUILD TSAN_BUILD FUZZ_BUILD OUT" >&2; exit 64; }
build=$1 asan=$2 tsan=$3 fuzz=$4 out=$5

timed() {
  local what=$1 started=$SECONDS
  shift
  "$@"
  echo "tests/side-builds.sh: $what took $((SECONDS - started)) s"
}

if timed clang-tidy tests/lint/clang-tidy.sh "$build" > "$out/clang-tidy.log" 2>&1; then
  echo 0 > "$out/clang-tidy.rc"
else
  echo $? > "$out/clang-tidy.rc"
fi

if [ ! -d "$asan" ]; then
  # No -Werror here: GCC 12's sanitizer instrumentation makes -Wmaybe-uninitialized report false
  # positives inside libstdc++ (std::regex, std::function). The test build enforces warnings.
  # -O1, as the sanitizers' own docs advise: reports stay exact and the compiler takes about 40%
  # less time than at -O2 (Boost.Beast under ASan: 55 s against 105 s of CPU for one file).
  meson setup "$asan" -Db_sanitize=address,undefined -Db_lundef=false -Doptimization=1 -Dcpp_args=-g1
fi
mapfile -t asan_targets < <(tests/sanitizers/unit-targets.py "$asan"; tests/sanitizers/sessions.sh --targets)
timed "the ASan+UBSan build" ninja -C "$asan" "${asan_targets[@]}"
timed "the TSan build" tests/sanitizers/threads.sh --build-only "$tsan"
timed "the fuzzers' build" env DESKBOX_FUZZ_BUILD_DIR="$fuzz" tests/fuzz/run-bounded.sh --build-only
