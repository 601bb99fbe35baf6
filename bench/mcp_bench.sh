#!/usr/bin/env bash
# MCP round trips beside agent.sock on a real session (bench/mcp_bench.mjs):
# a click and a PNG screenshot through agent.sock (one open connection),
# `deskbox mcp` over stdio, and `deskbox mcp --http` on loopback TCP, each
# driven by node (the official MCP SDK for MCP). Prints medians (p10-p90)
# and the ratios to agent.sock. Needs root and the test clients
# (packaging/install-test-clients.sh).
# Usage: sudo bench/mcp_bench.sh BUILD_DIR [RUNS]
set -euo pipefail
build=$(realpath "${1:?usage: mcp_bench.sh BUILD_DIR [RUNS]}")
runs=${2:-200}
src=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
export DESKBOX_RUNTIME_DIR=$work/run DESKBOX_STATE_DIR=$work/state DESKBOX_TOKEN_DIR=$work/tokens DESKBOX_BIN=$build/deskbox
pid=; mcp=
trap 'kill $mcp $pid 2>/dev/null; wait $mcp $pid 2>/dev/null; rm -rf "$work"' EXIT
# Everything allowed, no rate limit: the figures are the transport's, not the policy's.
cat > "$work/policy.yaml" <<'YAML'
version: 1
default: allow
YAML
cat > "$work/m.yaml" <<YAML
session: {name: bench-mcp, display: {width: 1024, height: 768}, budget: {actions_per_second: 0}}
sandbox: {memory: 1G, pids: 256}
apps:
  - {name: entry, exec: [zenity, --entry, --title, bench-mcp], ready: {title: bench-mcp, timeout: 60s}}
policy: $work/policy.yaml
review: {vnc: {enabled: false}}
YAML
: > "$work/log"
"$build/deskbox" run "$work/m.yaml" 2> "$work/log" &
pid=$!
timeout 90 grep -q -m1 "ready on display" <(tail -n +1 -f "$work/log")
token=$("$build/deskbox" token add bench)
: > "$work/mcp.log"
"$build/deskbox" mcp -s bench-mcp --http 127.0.0.1:0 2> "$work/mcp.log" &
mcp=$!
timeout 30 grep -q -m1 "listening on" <(tail -n +1 -f "$work/mcp.log")
addr=$(sed -n 's/.*listening on \([^ ]*\) .*/\1/p' "$work/mcp.log")
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
node "$src/bench/mcp_bench.mjs" bench-mcp "$DESKBOX_RUNTIME_DIR/bench-mcp/agent.sock" "http://$addr/mcp" "$token" "$runs" > "$work/r.json"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$work/r.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
for what in ("click", "screenshot"):
    base = r[f"agent.sock {what}"]["median"]
    for via in ("agent.sock", "MCP stdio", "MCP HTTP"):
        m = r[f"{via} {what}"]
        print(f"{what:10s} {via:10s} median {m['median']:7.3f} ms (p10 {m['p10']:7.3f}, p90 {m['p90']:7.3f})"
              f"  ratio {m['median'] / base:.2f}  added {m['median'] - base:+.3f} ms")
PY
