#!/usr/bin/env bash
# Screenshots of a real session through the agent socket (`deskbox screenshot`,
# a fresh client process each time, as a harness calling the CLI pays) against
# scrot and ImageMagick import on the same session display, side by side with
# hyperfine. Also, to see where the time goes: `deskbox --version` (the CLI's
# process start alone) and an agent keeping one connection open
# (bench/screenshot_socket_client.py: socket + capture + encode + base64 +
# JSON, no process start). Prints medians (p10-p90) and ratios to scrot.
# Needs root. Usage: sudo bench/screenshot_session.sh BUILD_DIR [RUNS]
set -euo pipefail
build=$(realpath "${1:?usage: screenshot_session.sh BUILD_DIR [RUNS]}")
runs=${2:-20}
src=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -rf "$work"' EXIT
# The default session without its rate limit (hyperfine runs faster than 10 actions/s).
sed -e 's/actions_per_second: 10/actions_per_second: 0/' -e 's/name: default/name: bench-shot/' \
    -e "s|policy: ../policy|policy: $src/policy|" "$src/manifests/default.yaml" > "$work/m.yaml"
: > "$work/log"  # exists before tail opens it (else tail may start first and give up)
"$build/deskbox" run "$work/m.yaml" 2> "$work/log" &
pid=$!
# Ready is a line on stderr; wait for it (bounded), not for a fixed time.
timeout 60 grep -q -m1 "ready on display" <(tail -n +1 -f "$work/log")
grep "screen capture" "$work/log" || true  # which capture path the supervisor took
dir=/run/deskbox/bench-shot
init=$(python3 -c "import json,sys;print(json.load(open('$dir/status.json'))['sandbox']['init_pid'])")
inside="nsenter --net=/proc/$init/ns/net env DISPLAY=:0 XAUTHORITY=$dir/sandbox/Xauthority"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
hyperfine -N --warmup 2 --runs "$runs" --export-json "$work/h.json" \
  "$build/deskbox screenshot -s bench-shot -o $work/a.png" \
  "$build/deskbox screenshot -s bench-shot --format jpeg -o $work/a.jpg" \
  "$inside scrot -o $work/s.png" \
  "$inside import -window root $work/i.png" \
  "$build/deskbox --version" > "$work/hyperfine.txt"
python3 "$src/bench/screenshot_socket_client.py" "$dir/agent.sock" "$runs" > "$work/socket.json"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
ls -l "$work"/a.png "$work"/a.jpg "$work"/s.png | awk '{print $5, $9}'
python3 - "$work/h.json" "$work/socket.json" <<'PY'
import json, statistics, sys
names = ["deskbox screenshot PNG (CLI)", "deskbox screenshot JPEG q80 (CLI)", "scrot", "import -window root",
         "deskbox --version (process start only)"]
def row(samples):
    s = sorted(x * 1000 for x in samples)
    q = statistics.quantiles(s, n=10)
    return statistics.median(s), q[0], q[-1]
rows = {}
for name, result in zip(names, json.load(open(sys.argv[1]))["results"]):
    rows[name] = row(result["times"])
for name, times in json.load(open(sys.argv[2])).items():
    rows[name] = row(times)
scrot = rows["scrot"][0]
for name, (median, p10, p90) in rows.items():
    print(f"{name:48s} median {median:7.2f} ms (p10 {p10:7.2f}, p90 {p90:7.2f})  ratio to scrot {median / scrot:.3f}")
PY
