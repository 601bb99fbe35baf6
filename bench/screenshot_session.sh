#!/usr/bin/env bash
# Screenshots of a real session through the agent socket (`deskbox screenshot`,
# a fresh client process each time, as a harness calling the CLI pays) against
# scrot and ImageMagick import on the same session display, side by side with
# hyperfine. Needs root. Usage: sudo bench/screenshot_session.sh BUILD_DIR [RUNS]
set -euo pipefail
build=$(realpath "${1:?usage: screenshot_session.sh BUILD_DIR [RUNS]}")
runs=${2:-20}
src=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -rf "$work"' EXIT
# The default session without its rate limit (hyperfine runs faster than 10 actions/s).
sed -e 's/actions_per_second: 10/actions_per_second: 0/' -e 's/name: default/name: bench-shot/' \
    -e "s|policy: ../policy|policy: $src/policy|" "$src/manifests/default.yaml" > "$work/m.yaml"
"$build/deskbox" run "$work/m.yaml" 2> "$work/log" &
pid=$!
# Ready is a line on stderr; wait for it (bounded), not for a fixed time.
timeout 60 grep -q -m1 "ready on display" <(tail -f "$work/log")
dir=/run/deskbox/bench-shot
init=$(python3 -c "import json,sys;print(json.load(open('$dir/status.json'))['sandbox']['init_pid'])")
inside="nsenter --net=/proc/$init/ns/net env DISPLAY=:0 XAUTHORITY=$dir/sandbox/Xauthority"
hyperfine -N --warmup 2 --runs "$runs" \
  "$build/deskbox screenshot -s bench-shot -o $work/a.png" \
  "$build/deskbox screenshot -s bench-shot --format jpeg -o $work/a.jpg" \
  "$inside scrot -o $work/s.png" \
  "$inside import -window root $work/i.png"
