#!/usr/bin/env bash
# Builds the libFuzzer targets (only them) in their own clang build dir and
# gives each a short, bounded run over its committed corpus: CI's check that
# the parsers of untrusted input still survive their fuzzers. New inputs go to
# a scratch dir, not the tree; a crash, leak, timeout or sanitizer report fails
# with the reproducer's path (add it to the target's corpus with the fix).
# Usage: tests/fuzz/run-bounded.sh [SECONDS_PER_TARGET]   (default 10)
#        tests/fuzz/run-bounded.sh --build-only            (builds, runs nothing)
# Env: DESKBOX_FUZZ_BUILD_DIR (default build-fuzz), CC/CXX (default clang/clang++).
set -euo pipefail
cd "$(dirname "$0")/../.."
build_only=0
if [ "${1:-}" = --build-only ]; then
  build_only=1
  shift
fi
seconds=${1:-10}
build=${DESKBOX_FUZZ_BUILD_DIR:-build-fuzz}

# target:corpus dir (under tests/fuzz)
targets=(
  protocol-line:corpus
  pyautogui:corpus-pyautogui
  manifest:corpus-manifest
  policy:corpus-policy
  proxy-request:corpus-proxy-request
  tls-client-hello:corpus-tls-client-hello
  socks5:corpus-socks5
)

if [ ! -d "$build" ]; then
  # Line tables only (-g1): reports keep file and line, the build takes less time.
  CC=${CC:-clang} CXX=${CXX:-clang++} meson setup "$build" -Dfuzzers=true -Dcpp_args=-g1 >/dev/null
fi
start=$SECONDS
names=()
for t in "${targets[@]}"; do names+=("tests/fuzz/fuzz-${t%%:*}"); done
ninja -C "$build" "${names[@]}"
echo "run-bounded.sh: fuzzers built in $((SECONDS - start)) s"
[ "$build_only" -eq 1 ] && exit 0

scratch=$(mktemp -d /tmp/deskbox-fuzz-XXXXXX)
trap 'rm -rf "$scratch"' EXIT
failed=0
for t in "${targets[@]}"; do
  name=${t%%:*}
  seeds=tests/fuzz/${t#*:}
  mkdir -p "$scratch/$name/new" "$scratch/$name/crash"
  log=$scratch/$name/log
  dict=()
  if [ -f "tests/fuzz/$name.dict" ]; then dict=(-dict="tests/fuzz/$name.dict"); fi
  # The scratch dir comes first: libFuzzer adds what it finds there; the committed seeds are only read.
  if "$build/tests/fuzz/fuzz-$name" "${dict[@]}" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -artifact_prefix="$scratch/$name/crash/" "$scratch/$name/new" "$seeds" >"$log" 2>&1; then
    echo "fuzz-$name: $(grep -o 'Done [0-9]* runs in [0-9]* second(s)' "$log" | tail -n 1), no finding"
  else
    failed=1
    keep=$(mktemp -d /tmp/deskbox-fuzz-finding-XXXXXX)
    cp -a "$scratch/$name/crash/." "$keep/" 2>/dev/null || true
    cp "$log" "$keep/log"
    echo "fuzz-$name: FINDING; reproducers and log kept in $keep:" >&2
    grep -E 'ERROR|SUMMARY|==[0-9]+==|runtime error|#[0-9]+ 0x' "$log" | head -n 30 >&2 || tail -n 30 "$log" >&2
  fi
done
echo "run-bounded.sh: done in $((SECONDS - start)) s"
exit "$failed"
