#!/usr/bin/env bash
# `verify: spreadsheet` on a 1,000-row sheet (tests/fixtures/files/rows1000.ods,
# 3 columns): the time `deskbox verify -s NAME` takes for one spreadsheet check
# (LibreOffice started headless inside the sandbox with a fresh profile,
# converting to CSV, the CSV read back and 3,000 cells compared), against the
# same conversion run bare on the host (fresh profile each time, and with a
# profile kept). Medians with min, p25, p75, max over N runs. Needs root.
#
#   bench/verify_spreadsheet.sh [BUILD_DIR] [RUNS]
set -euo pipefail
build=${1:-build}
runs=${2:-5}
deskbox=$build/deskbox
src=$(cd "$(dirname "$0")/.." && pwd)
sheet=$src/tests/fixtures/files/rows1000.ods
work=$(mktemp -d /tmp/deskbox-bench-XXXXXX)
export DESKBOX_RUNTIME_DIR=$work/run DESKBOX_STATE_DIR=$work/state
mkdir -p "$DESKBOX_RUNTIME_DIR"
session_pid=
cleanup() { [ -n "$session_pid" ] && kill "$session_pid" 2>/dev/null && wait "$session_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

# Every cell of A1:C1000 as the check expects it: id, name, value (= 3 * id).
{
  echo "version: 1"
  echo "session: {name: bench-sheet}"
  echo "sandbox: {memory: 2G, pids: 1024, files: [{from: $sheet, to: ~/rows.ods}]}"
  echo "network: {mode: none}"
  echo "apps:"
  echo "  - {name: idle, exec: [sleep, '100000']}"
  echo "review: {vnc: {enabled: false}}"
  echo "verify:"
  echo "  - spreadsheet:"
  echo "      path: ~/rows.ods"
  echo "      timeout: 5m"
  echo "      cells:"
  printf '        "A1:C1000":\n          - [id, name, value]\n'
  for ((i = 1; i < 1000; i++)); do echo "          - [$i, row$i, $((i * 3))]"; done
} > "$work/bench.yaml"

stats() {  # reads ns values, prints "median ms (min, p25, p75, max)"
  sort -n | awk '{v[NR]=$1} END {
    m = (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2
    printf "%.0f ms (min %.0f, p25 %.0f, p75 %.0f, max %.0f; n=%d)\n", m/1e6, v[1]/1e6,
      v[int(NR*0.25)+1]/1e6, v[int(NR*0.75)+1]/1e6, v[NR]/1e6, NR }'
}

# The session: wait for its ready line on stderr (no sleeping).
mkfifo "$work/err"
"$deskbox" run "$work/bench.yaml" 2>"$work/err" >/dev/null &
session_pid=$!
exec 3<"$work/err"
while IFS= read -r -t 120 line <&3; do
  case $line in *" ready on display "*) break ;; esac
done
cat <&3 >/dev/null &  # keep draining

checked=() fresh=() kept=()
for ((i = 0; i < runs; i++)); do
  t0=$(date +%s%N)
  out=$("$deskbox" verify -s bench-sheet) || { echo "verify failed:"; echo "$out"; exit 1; } >&2
  t1=$(date +%s%N)
  checked+=($((t1 - t0)))

  rm -rf "$work/fresh"
  t0=$(date +%s%N)
  soffice -env:UserInstallation=file://$work/fresh/profile --headless --norestore --nolockcheck \
    --convert-to 'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,1' \
    --outdir "$work/fresh/out" "$sheet" >/dev/null 2>&1
  t1=$(date +%s%N)
  fresh+=($((t1 - t0)))

  t0=$(date +%s%N)
  soffice -env:UserInstallation=file://$work/kept/profile --headless --norestore --nolockcheck \
    --convert-to 'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,1' \
    --outdir "$work/kept/out" "$sheet" >/dev/null 2>&1
  t1=$(date +%s%N)
  kept+=($((t1 - t0)))
done
echo "$out" | head -3
echo "deskbox verify (spreadsheet, 3,000 cells):   $(printf '%s\n' "${checked[@]}" | stats)"
echo "bare soffice convert, fresh profile:        $(printf '%s\n' "${fresh[@]}" | stats)"
echo "bare soffice convert, profile kept:         $(printf '%s\n' "${kept[@]}" | stats)"
