#!/usr/bin/env bash
# Sandbox start overhead: time from `deskbox run` to the first app process
# running, against the same app started bare, and against bare Xvfb + the
# app (a session always starts its display before its apps). The app prints
# the wall clock in ns when it runs; each figure is (that) - (time just before
# the launch). Medians with min, p25, p75, max over N runs, and the overhead
# paired per run (deskbox minus bare Xvfb + app of the same iteration, so that
# both see the same machine load). Needs root.
#
#   bench/sandbox_start.sh [BUILD_DIR] [RUNS]
set -euo pipefail
build=${1:-build-sandbox}
runs=${2:-20}
deskbox=$build/deskbox
work=$(mktemp -d /tmp/deskbox-bench-XXXXXX)
trap 'rm -rf "$work"' EXIT
export DESKBOX_RUNTIME_DIR=$work/run DESKBOX_STATE_DIR=$work/state
mkdir -p "$DESKBOX_RUNTIME_DIR"
cat > "$work/bench.yaml" <<'YAML'
version: 1
session: {name: bench-start, display: {window_manager: none}}  # the sandbox alone; desktop_start.sh measures the window manager
sandbox: {memory: 512M, pids: 128, home_size: 16M, tmp_size: 16M}
network: {mode: none}
apps:
  - {name: stamp, exec: [date, "+%s%N"]}
YAML

. "$(dirname "$0")/stats.sh"

sandboxed=() bare=() xvfb=()
for ((i = 0; i < runs; i++)); do
  t0=$(date +%s%N)
  out=$("$deskbox" run "$work/bench.yaml" 2>&1 >/dev/null)
  t1=$(grep -o '^\[bench-start\] [0-9]*' <<<"$out" | awk '{print $2}')
  [ -n "$t1" ] || { echo "no stamp from the session:"; echo "$out"; exit 1; } >&2
  sandboxed+=($((t1 - t0)))

  t0=$(date +%s%N); t1=$(date +%s%N)
  bare+=($((t1 - t0)))

  # bare Xvfb, ready by -displayfd, then the app
  t0=$(date +%s%N)
  exec 3< <(Xvfb -displayfd 4 -nolisten tcp -screen 0 1280x800x24 4>&1 2>/dev/null & echo "PID $!")
  read -r _ xpid <&3; read -r disp <&3
  t1=$(date +%s%N)
  kill "$xpid"; exec 3<&-
  xvfb+=($((t1 - t0)))
done
echo "deskbox run -> first app running:  $(printf '%s\n' "${sandboxed[@]}" | stats)"
echo "bare app:                          $(printf '%s\n' "${bare[@]}" | stats)"
echo "bare Xvfb ready + app:             $(printf '%s\n' "${xvfb[@]}" | stats)"
# Paired per run (same moment, same machine load): deskbox minus bare Xvfb + app.
overhead=()
for ((i = 0; i < runs; i++)); do overhead+=($((sandboxed[i] - xvfb[i]))); done
echo "overhead over Xvfb + app (paired): $(printf '%s\n' "${overhead[@]}" | stats)"
