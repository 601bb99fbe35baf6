#!/usr/bin/env bash
# Session start to agent-ready with a host-owned `login` setup step: time from
# launching `deskbox run` to its "ready on display" line (printed after the
# setup ran and the agent socket opened), with Chromium signing in to a local
# page through the session's egress proxy; against the same session without
# the setup step (ready = the sign-in page has drawn). Medians with min, p25,
# p75, max over N runs; the setup's own cost paired per run. Needs root.
#
#   bench/login_setup_start.sh [BUILD_DIR] [RUNS]
set -euo pipefail
build=${1:-build}
runs=${2:-5}
deskbox=$(realpath "$build/deskbox")
work=$(mktemp -d /tmp/deskbox-bench-XXXXXX)
site_pid=
cleanup() { [ -n "$site_pid" ] && kill "$site_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
export DESKBOX_RUNTIME_DIR=$work/run DESKBOX_STATE_DIR=$work/state BENCH_PASSWORD=bench-Pw-4711
mkdir -p "$DESKBOX_RUNTIME_DIR"

# The sign-in site: user + password form; the right pair leads to "Runs".
cat > "$work/site.py" <<'PY'
import http.server, sys, urllib.parse
PAGE = "<!doctype html><title>{0}</title><h1>{0}</h1>{1}"
FORM = ("<form method=post action=/login><label>User <input name=user></label>"
        "<label>Password <input type=password name=password></label><button>Sign in</button></form>")
class H(http.server.BaseHTTPRequestHandler):
    def send(self, body):
        data = body.encode()
        self.send_response(200); self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data))); self.end_headers(); self.wfile.write(data)
    def do_GET(self): self.send(PAGE.format("Sign in", FORM))
    def do_POST(self):
        form = urllib.parse.parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
        ok = form.get("user") == ["alice"] and form.get("password") == ["bench-Pw-4711"]
        self.send(PAGE.format("Runs" if ok else "Sign-in failed", ""))
    def log_message(self, *a): pass
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
PY
exec 3< <(python3 "$work/site.py")
site_pid=$!
read -r port <&3

cat > "$work/policy.yaml" <<'YAML'
version: 1
default: allow
tiers: {low: allow, medium: allow, high: allow}
admission: {domains: [login.example]}
YAML

manifest() {  # $1: session name, $2: with setup (1/0)
  cat <<YAML
session: {name: $1}
sandbox: {memory: 2G, pids: 1024}
network: {mode: allowlist, allow: [login.example], ports: [$port], resolve: {login.example: '127.0.0.1:$port'}}
apps:
  - name: browser
    exec: [chromium, --no-sandbox, --disable-gpu, --no-first-run, --disable-background-networking,
           --disable-component-update, --disable-sync, --user-data-dir=/tmp/profile, 'http://login.example:$port/login']
    ready: {title: 'Sign in', timeout: 180s}
review: {vnc: {enabled: false}}
policy: $work/policy.yaml
secrets:
  pw: {from: 'env:BENCH_PASSWORD', domains: [login.example]}
YAML
  [ "$2" = 1 ] && cat <<YAML
setup:
  - login:
      user: {role: entry, name: User, value: alice}
      password: {role: password text, name: Password, secret: pw}
      submit: {role: push button, name: Sign in}
      wait_for: {title: Runs, timeout: 60s}
YAML
  return 0
}

start_ms() {  # $1: manifest; prints ms from launch to "ready on display", then stops the session
  local t0 t1 pid
  t0=$(date +%s%N)
  exec 4< <(exec "$deskbox" run "$1" 2>&1 >/dev/null)
  pid=$!
  while IFS= read -r line <&4; do
    if [[ $line == *"ready on display"* ]]; then t1=$(date +%s%N); break; fi
    [[ $line == *"failed"* || $line == *"not admitted"* ]] && { echo "session failed: $line" >&2; kill "$pid"; exit 1; }
  done
  [ -n "${t1:-}" ] || { echo "the session ended before it was ready: $line" >&2; exit 1; }
  kill -TERM "$pid"
  cat <&4 >/dev/null; exec 4<&-
  echo $(((t1 - t0) / 1000))
}

stats() {  # reads µs values, prints "median ms (min, p25, p75, max)"
  sort -n | awk '{v[NR]=$1} END {
    m = (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2
    printf "%.0f ms (min %.0f, p25 %.0f, p75 %.0f, max %.0f; n=%d)\n", m/1e3, v[1]/1e3,
      v[int(NR*0.25)+1]/1e3, v[int(NR*0.75)+1]/1e3, v[NR]/1e3, NR }'
}

manifest bench-login 1 > "$work/login.yaml"
manifest bench-plain 0 > "$work/plain.yaml"
with=() without=() diff=()
for ((i = 0; i < runs; i++)); do
  with+=("$(start_ms "$work/login.yaml")")
  without+=("$(start_ms "$work/plain.yaml")")
  diff+=($((with[i] - without[i])))
done
echo "deskbox run -> agent ready, login setup:  $(printf '%s\n' "${with[@]}" | stats)"
echo "deskbox run -> agent ready, no setup:     $(printf '%s\n' "${without[@]}" | stats)"
echo "the login step's cost (paired):           $(printf '%s\n' "${diff[@]}" | stats)"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
