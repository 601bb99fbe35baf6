#!/usr/bin/env bash
# The README's first command: install what deskbox needs, build only what
# running needs (the deskbox and deskbox-a11y executables, not the tests or
# benchmarks), then run the CI-incident example (examples/ci-incident) for a
# person: its web app on 127.0.0.1:8765 and the session, until Ctrl-C or the
# session's wall clock. `deskbox demo` runs the same example with no person.
#
# Usage: sudo packaging/quickstart.sh [--check-only]
#   --check-only  install, build and `deskbox check` the example's manifest, then stop (tests/run-all.sh runs it)
# DESKBOX_BUILD_DIR: the build folder (default build).
set -euo pipefail
cd "$(dirname "$0")/.."
check_only=0
case "${1:-}" in
  --check-only) check_only=1 ;;
  "") ;;
  *) echo "usage: sudo packaging/quickstart.sh [--check-only]" >&2; exit 64 ;;
esac
if [ "$(id -u)" -ne 0 ]; then
  echo "packaging/quickstart.sh: needs root to install packages (apt-get) and run a session; run it with sudo" >&2
  exit 1
fi
packaging/install-deps.sh
build=${DESKBOX_BUILD_DIR:-build}
# Optimised, without debug information: what running needs, and about a third
# less compiler time than the debugoptimized default (tests build their own dir).
[ -d "$build" ] || meson setup "$build" -Ddebug=false -Doptimization=2
# Only the executables a session needs; the test programs are built by tests/run-all.sh.
meson compile -C "$build" deskbox deskbox-a11y
example=examples/ci-incident
"$build"/deskbox check "$example/manifest.yaml"
[ "$check_only" -eq 1 ] && exit 0

# The example's CI dashboard asks for a sign-in; this run's password is printed below.
export CI_USER=${CI_USER:-demo}
export CI_PASSWORD=${CI_PASSWORD:-$(head -c 9 /dev/urandom | base64 | tr -d '/+=')}
python3 "$example/site.py" > /dev/null &
site=$!
trap 'kill "$site" 2>/dev/null || true' EXIT
s=ci-incident
cat <<MSG

The CI-incident session is starting (Chromium on http://ci.example:8765/ through the session's proxy).
Sign in to the CI dashboard as user '$CI_USER', password '$CI_PASSWORD'.
In another terminal, as root:

  watch    sudo $build/deskbox console token add ${SUDO_USER:-reviewer}    (prints your login token once)
           sudo $build/deskbox console        then open http://127.0.0.1:7480/ and log in: approvals
                                               with what the agent saw, the live view, pause/stop, the timeline
           sudo $build/deskbox status -s $s               (or a VNC viewer: prints its command; view-only)
           sudo $build/deskbox screenshot -s $s -o shot.png
  act      sudo $build/deskbox act -s $s '{"action":"left_click","coordinate":[109,257]}'
           sudo $build/deskbox tree -s $s --interactive --format linearized
  approve  sudo $build/deskbox approvals -s $s ; sudo $build/deskbox approve -s $s A1   (or deny)
  stop     sudo $build/deskbox stop -s $s     (the final verification runs; Ctrl-C here does the same)

An agent sends its model's actions as they are to /run/deskbox/$s/agent.sock (docs/protocol.md).
Without a person: sudo $build/deskbox demo

MSG
"$build"/deskbox run "$example/manifest.yaml"
