#!/usr/bin/env bash
# Regenerates docs/img/demo.png, the README's picture of a session: runs
# `deskbox demo` and takes the agent's screenshot when the demo reaches the
# injected "Rerun deploy" step (the CI log page with the instruction aimed at
# agents). Usage: sudo docs/img/make-demo-screenshot.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
deskbox=${1:-build}/deskbox
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$deskbox" demo > "$out" 2>&1 &
demo=$!
# The demo prints each step as it starts it: at step 8 the logs page is open.
# The demo (the scripted agent and reviewer, not the session) is held while the
# picture is taken, so the click it proposes next cannot change the page first;
# --settle waits for the page to finish drawing.
( tail -f --pid="$demo" -n +1 "$out" & ) | grep -q -m1 "^step 8/" || true
kill -STOP "$demo"
shot=0
"$deskbox" screenshot -s ci-incident --settle -o docs/img/demo.png || shot=$?
kill -CONT "$demo"
[ "$shot" -eq 0 ] || { echo "make-demo-screenshot.sh: the screenshot failed" >&2; exit 1; }
if ! wait "$demo"; then
  cat "$out" >&2
  echo "make-demo-screenshot.sh: deskbox demo failed (its output is above)" >&2
  exit 1
fi
echo "wrote docs/img/demo.png"
