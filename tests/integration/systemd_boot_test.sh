#!/usr/bin/env bash
# Proves the systemd-in-namespaces harness (systemd_ns.sh) without deskbox:
# a real systemd boots as PID 1, runs a Type=notify unit with the same
# Delegate=yes/KillMode=mixed as deskbox@.service whose main process moves a
# child into a sub-cgroup (what the supervisor does with its sandbox), and on
# stop nothing of the unit remains: no process, no cgroup in any hierarchy.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/systemd_ns.sh"
source "$here/systemd_checks.sh"

if [ "$(id -u)" -ne 0 ]; then
    [ "${DESKBOX_MUST_WORK:-0}" = 1 ] && { echo "systemd_boot_test: needs root" >&2; exit 1; }
    echo "systemd_boot_test: SKIP (needs root)"; exit 77
fi

trap sdns_shutdown EXIT
sdns_boot
check "systemd booted in the namespace" test "$(sdns_in systemctl is-system-running)" = running

# The namespace has its own /tmp: a checkout under /tmp is invisible there, so
# the smoke program is copied into the namespace's /run.
sdns_in tee /run/deskbox-smoke.pl >/dev/null < "$here/systemd_smoke_service.pl"
sdns_in tee /run/systemd/system/deskbox-smoke.service >/dev/null <<UNIT
[Service]
Type=notify
NotifyAccess=main
Delegate=yes
KillMode=mixed
TimeoutStartSec=30s
TimeoutStopSec=30s
ExecStart=/usr/bin/perl /run/deskbox-smoke.pl
UNIT
sdns_in systemctl daemon-reload
check "Type=notify unit starts (READY=1 received)" sdns_in systemctl start deskbox-smoke.service
check "unit is active" test "$(sdns_in systemctl is-active deskbox-smoke.service)" = active
status=$(sdns_in systemctl show -P StatusText deskbox-smoke.service)
echo "# status: $status"
child=$(echo "$status" | sed -n 's/^child \([0-9]*\) in payload.*/\1/p')
check "main process moved its child into a delegated sub-cgroup" test -n "$child"
payloads=$(sdns_in find /sys/fs/cgroup -path '*deskbox-smoke.service/payload' -type d | wc -l)
check "payload sub-cgroups exist ($payloads hierarchies)" test "$payloads" -ge 1
unit_cg=$(sdns_in systemctl show -P ControlGroup deskbox-smoke.service)

check "stop succeeds" sdns_in systemctl stop deskbox-smoke.service
check "unit is inactive after stop" test "$(sdns_in systemctl is-active deskbox-smoke.service || true)" = inactive
check "the child left behind by SIGTERM was killed (KillMode=mixed)" \
    test -z "$(sdns_in ps -o pid= -p "$child" || true)"
check "no cgroup of the unit remains in any hierarchy" \
    test -z "$(sdns_in find /sys/fs/cgroup -path "*${unit_cg}*" -type d)"

sdns_shutdown
trap - EXIT
check "systemd exited and its test cgroups are gone" \
    test -z "$(find /sys/fs/cgroup -maxdepth 6 -type d -name "$SDNS_CG_NAME")"
check_summary
