#!/usr/bin/env bash
# A few integration tests that start real sessions, run against the AddressSanitizer +
# UndefinedBehaviorSanitizer build of deskbox: together they cover the agent socket, the gate, the
# audit log, the review socket (approvals, takeover), the VNC forwarder, the egress proxy, and the
# teardown after an error in a callback (leaks on that path fail it too).
# Every sanitizer report fails the step: the first report ends the process that found it
# (halt_on_error), and each report is also written to a file under a scratch dir, which this script
# prints and counts at the end, so a report is caught even in a deskbox process whose exit code no
# test checks (a `deskbox approve`, the accessibility helper...).
# The test programs themselves come from the ordinary test build: what is under test is the
# supervisor (and the helpers it starts), so only those are built with the sanitizers.
# Usage: tests/sanitizers/sessions.sh ASAN_BUILD_DIR TEST_BUILD_DIR
#          ASAN_BUILD_DIR: a meson dir with -Db_sanitize=address,undefined; TEST_BUILD_DIR: the
#          ordinary build dir, whose test programs are run (built there by `ninja`)
#        tests/sanitizers/sessions.sh --targets   (prints the targets to build in ASAN_BUILD_DIR)
set -euo pipefail
cd "$(dirname "$0")/../.."
# deskbox finds its accessibility helper next to itself; the harness finds deskbox-vnc-check under
# DESKBOX_BUILD_ROOT.
asan_targets=(deskbox xsession/a11y/helper/deskbox-a11y tests/integration/deskbox-vnc-check)
if [ "${1:-}" = --targets ]; then
  printf '%s\n' "${asan_targets[@]}"
  exit 0
fi
usage="usage: tests/sanitizers/sessions.sh ASAN_BUILD_DIR TEST_BUILD_DIR"
build=${1:?$usage}
test_build=${2:?$usage}

# test executable (under tests/integration) : Boost.Test filter (empty: all its cases)
tests=(
  agent-session-test:                                    # agent socket, gate, approvals, audit, a11y helper
  takeover-session-test:a_reviewer_takes_control_and_hands_it_back  # review socket, reviewer VNC
  vnc-session-test:                                      # the VNC forwarder (TCP and vnc.sock)
  network-session-test:only_allowed_domains_through_the_proxy  # the proxy thread writing the audit log
  session-failure-test:                                  # an error in a callback: the teardown on the error path
)
ninja -C "$build" "${asan_targets[@]}"
programs=()
for t in "${tests[@]}"; do programs+=("tests/integration/${t%%:*}"); done
ninja -C "$test_build" "${programs[@]}"

reports=$(mktemp -d /tmp/deskbox-sanitizer-reports.XXXXXX)
trap 'rm -rf "$reports"' EXIT
# LeakSanitizer stays on: a supervisor that leaks fails at its exit (the tests end their sessions
# normally). Its stop-the-world needs ptrace, which works for the supervisor on the host.
common="halt_on_error=1:abort_on_error=1:print_stacktrace=1:log_path=$reports/report"
export ASAN_OPTIONS="$common:detect_leaks=1"
export UBSAN_OPTIONS="$common"
export DESKBOX_BIN=$PWD/$build/deskbox DESKBOX_SOURCE_ROOT=$PWD DESKBOX_BUILD_ROOT=$PWD/$build

failed=0
for t in "${tests[@]}"; do
  exe=$test_build/tests/integration/${t%%:*}
  filter=${t#*:}
  started=$SECONDS
  if ! "$exe" ${filter:+--run_test=$filter}; then
    echo "tests/sanitizers/sessions.sh: ${t%%:*} failed under the sanitizers" >&2
    failed=1
  fi
  echo "tests/sanitizers/sessions.sh: ${t%%:*} took $((SECONDS - started)) s"
done
if compgen -G "$reports/report*" >/dev/null; then
  for f in "$reports"/report*; do
    echo "=== sanitizer report $(basename "$f")" >&2
    cat "$f" >&2
  done
  failed=1
fi
exit $failed
