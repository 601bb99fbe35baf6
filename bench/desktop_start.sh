#!/usr/bin/env bash
# What the default desktop adds to a session start: time from `deskbox run`
# to the first app window ready (mapped and drawn: the session's "ready on
# display" line), with the default desktop (jwm, its jwmrc, the X resources;
# the fonts are installed either way), with openbox (deskbox's window manager
# before jwm, as a manifest's own argv) and with `window_manager: none`. The
# variants take turns within each iteration, so all see the same machine
# load; the last lines are the differences to `none` paired per run. Medians
# with min, p25, p75, max. Needs root.
#
#   bench/desktop_start.sh [BUILD_DIR] [RUNS]
set -euo pipefail
build=${1:-build}
runs=${2:-20}
deskbox=$build/deskbox
work=$(mktemp -d /tmp/deskbox-bench-XXXXXX)
trap 'rm -rf "$work"' EXIT
export DESKBOX_RUNTIME_DIR=$work/run DESKBOX_STATE_DIR=$work/state
mkdir -p "$DESKBOX_RUNTIME_DIR"
declare -A wm=([default]=default [openbox]="[openbox, --sm-disable]" [none]=none)
for variant in default openbox none; do
  cat > "$work/$variant.yaml" <<YAML
version: 1
session: {name: bench-desk-$variant, display: {window_manager: ${wm[$variant]}}}
sandbox: {memory: 512M, pids: 128, home_size: 16M, tmp_size: 16M}
network: {mode: none}
review: {vnc: {enabled: false}}
apps:
  # A small Xt window with text in it: the fonts are used, the window is drawn.
  - name: window
    exec: [xmessage, -name, bench-window, "deskbox 日本語 Ελληνικά"]
    ready: {wm_class: bench-window, timeout: 60s}
YAML
done

. "$(dirname "$0")/stats.sh"

# One session of `variant`: prints ns from the launch to its "ready on
# display" line (read from its stderr as it comes), then stops it.
time_to_ready() {
  local variant=$1 fifo=$work/stderr t0 t1="" line pid
  rm -f "$fifo"; mkfifo "$fifo"
  t0=$(date +%s%N)
  "$deskbox" run "$work/$variant.yaml" 2>"$fifo" >/dev/null &
  pid=$!
  while IFS= read -r line; do
    if [ -z "$t1" ] && [[ $line == *" ready on display "* ]]; then
      t1=$(date +%s%N)
      kill -TERM "$pid"
    fi
    printf '%s\n' "$line" >> "$work/$variant.log"
  done < "$fifo"
  wait "$pid" || true
  [ -n "$t1" ] || { echo "the $variant session never got ready:"; cat "$work/$variant.log"; exit 1; } >&2
  echo $((t1 - t0))
}

with_wm=() with_openbox=() without=()
for ((i = 0; i < runs; i++)); do
  with_wm+=("$(time_to_ready default)")
  with_openbox+=("$(time_to_ready openbox)")
  without+=("$(time_to_ready none)")
done
echo "default desktop (jwm)     -> first window ready: $(printf '%s\n' "${with_wm[@]}" | stats)"
echo "openbox (manifest argv)   -> first window ready: $(printf '%s\n' "${with_openbox[@]}" | stats)"
echo "window_manager: none      -> first window ready: $(printf '%s\n' "${without[@]}" | stats)"
added=() added_openbox=()
for ((i = 0; i < runs; i++)); do
  added+=($((with_wm[i] - without[i])))
  added_openbox+=($((with_openbox[i] - without[i])))
done
echo "added by jwm (paired):                           $(printf '%s\n' "${added[@]}" | stats)"
echo "added by openbox (paired):                       $(printf '%s\n' "${added_openbox[@]}" | stats)"
