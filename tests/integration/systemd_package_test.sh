#!/usr/bin/env bash
# The Debian package against a real systemd:
#   build the .deb (packaging/build-deb.sh) and lint it; install it on this
#   machine; systemd-analyze verify the unit; boot systemd as PID 1 in fresh
#   namespaces (systemd_ns.sh); `systemctl start deskbox@NAME` on the bundled
#   default manifest (a real GTK app); wait for READY (active); screenshot
#   through the agent socket; watch it over VNC (deskbox-vnc-check);
#   `systemctl stop`; check that nothing of the session remains; start it
#   once more (a stale lock, mount or cgroup would fail it); purge the package and check what remains is what policy keeps.
# Needs root. DESKBOX_DEB=path skips the package build (for local reruns).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/systemd_ns.sh"
source "$here/systemd_checks.sh"

if [ "$(id -u)" -ne 0 ]; then
    [ "${DESKBOX_MUST_WORK:-0}" = 1 ] && { echo "systemd_package_test: needs root" >&2; exit 1; }
    echo "systemd_package_test: SKIP (needs root)"; exit 77
fi
src=${DESKBOX_SOURCE_ROOT:-$(cd "$here/../.." && pwd)}
build=${DESKBOX_BUILD_ROOT:-$src/build}
name=sdtest
unit="deskbox@$name.service"
work=$(mktemp -d /var/tmp/deskbox-sdpkg.XXXXXX)
cleanup() {
    sdns_shutdown
    rm -f "/etc/deskbox/sessions/$name.yaml"
    rm -rf "$work"
}
trap cleanup EXIT

# ---- build and lint ----
if [ -n "${DESKBOX_DEB:-}" ]; then
    deb=$DESKBOX_DEB
else
    # This package is tested, not shipped: line tables only (-g1, after dpkg's -g) take the
    # compiler about a third less time than full debug information.
    deb=$(DEB_CXXFLAGS_APPEND="${DEB_CXXFLAGS_APPEND:--g1}" "$src/packaging/build-deb.sh" "$build/deb" | tail -n1)
fi
check "package built: $(basename "$deb")" test -f "$deb"
# Every finding is an error here; the ones we accept are overridden in
# packaging/debian/deskbox.lintian-overrides with their reason.
check "lintian finds nothing" lintian --fail-on error,warning,info,pedantic --pedantic "$deb"

# ---- install ----
if dpkg-query -W -f='${Status}' deskbox 2>/dev/null | grep -q 'ok installed'; then
    dpkg --purge deskbox >/dev/null
fi
if ! dpkg -i "$deb" >"$work/dpkg.log" 2>&1; then
    # Missing dependencies: let apt bring them in (and finish configuring).
    DEBIAN_FRONTEND=noninteractive apt-get install -f -y -qq >>"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log"; exit 1; }
fi
check "package installed" dpkg-query -W -f='${Status}' deskbox
check "binary at /usr/bin/deskbox" test -x /usr/bin/deskbox
check "man page installed" test -f /usr/share/man/man1/deskbox.1.gz
check "unit installed" test -f /lib/systemd/system/deskbox@.service
check "example manifests and policies installed" \
    test -f /usr/share/deskbox/manifests/default.yaml -a -d /usr/share/deskbox/policy/examples
check "sessions folder exists" test -d /etc/deskbox/sessions
check "Python client importable by the system's python3" \
    bash -c "cd / && /usr/bin/python3 -c 'import deskbox, sys; sys.exit(deskbox.__file__ != \"/usr/lib/python3/dist-packages/deskbox/__init__.py\")'"
check "group deskbox made by sysusers.d" getent group deskbox
check "group deskbox-review made by sysusers.d" getent group deskbox-review
check "/run/deskbox made by tmpfiles.d, 0755 root" test "$(stat -c '%a %U %G' /run/deskbox)" = "755 root root"
check "installed manifests pass deskbox check" /usr/bin/deskbox check /usr/share/deskbox/manifests/default.yaml
check "systemd-analyze verify is clean" bash -c "systemd-analyze verify $unit 2>&1 | tee $work/verify.log; test ! -s $work/verify.log"

# The example session, named after the instance (session.name is what
# `deskbox screenshot -s` and /run/deskbox/NAME use).
sed -e "s/^\(  name:\) .*/\1 $name/" /usr/share/doc/deskbox/examples/default.yaml >"/etc/deskbox/sessions/$name.yaml"
check "example session admitted from /etc/deskbox/sessions" /usr/bin/deskbox check "/etc/deskbox/sessions/$name.yaml"

# ---- a session under systemd ----
sdns_boot
check "systemd booted in the namespace" test "$(sdns_in systemctl is-system-running)" = running

start_session() {
    if ! sdns_in timeout 180 systemctl start "$unit"; then
        sdns_in systemctl status --no-pager "$unit" || true
        sdns_in journalctl --no-pager -u "$unit" | tail -n 60
        return 1
    fi
}
mounts_before=$(sdns_in findmnt -rn -o TARGET | sort)
check "systemctl start $unit returns (READY=1)" start_session
check "unit is active" test "$(sdns_in systemctl is-active "$unit")" = active
echo "# status: $(sdns_in systemctl show -P StatusText "$unit")"
check "session dir /run/deskbox/$name exists" sdns_in test -d "/run/deskbox/$name"
# The permission model (docs/permissions.md) with the groups sysusers.d made.
check "session dir is 0711 root" test "$(sdns_in stat -c '%a %U %G' "/run/deskbox/$name")" = "711 root root"
check "agent.sock is 0660 root:deskbox" \
    test "$(sdns_in stat -c '%a %U %G' "/run/deskbox/$name/agent.sock")" = "660 root deskbox"
check "review.sock is 0660 root:deskbox-review" \
    test "$(sdns_in stat -c '%a %U %G' "/run/deskbox/$name/review.sock")" = "660 root deskbox-review"
check "audit.jsonl is root's alone" test "$(sdns_in stat -c '%a %U' "/run/deskbox/$name/audit.jsonl")" = "600 root"
cgroup=$(sdns_in systemctl show -P ControlGroup "$unit")
pids=$(sdns_in sh -c "cat /sys/fs/cgroup/systemd$cgroup/cgroup.procs /sys/fs/cgroup/systemd$cgroup/*/cgroup.procs /sys/fs/cgroup/systemd$cgroup/*/*/cgroup.procs 2>/dev/null; true" | sort -u | tr '\n' ' ')
echo "# processes of the unit (namespace pids): $pids"
check "the unit's cgroup holds the supervisor and the sandbox" test "$(echo $pids | wc -w)" -ge 2

check "screenshot through the agent socket" \
    sdns_in /usr/bin/deskbox screenshot -s "$name" -o "$work/shot.png"
check "screenshot shows the app (1280x800, many colours)" \
    python3 "$here/systemd_png_check.py" "$work/shot.png" 1280 800 32
# The reviewers' view of the unit's session, with real clients through both
# endpoints of the status hint, view-only (tests/integration/vnc_check.cc).
echo "# $(sdns_in /usr/bin/deskbox status -s "$name" | grep 'vnc:')"
# Staged in the work dir: the namespace's /tmp is private, and the build tree may be under it.
cp "$build/tests/integration/deskbox-vnc-check" "$work/deskbox-vnc-check"
check "reviewers watch the session over VNC (TCP forwarder and vnc.sock, view-only)" \
    sdns_in "$work/deskbox-vnc-check" "/run/deskbox/$name/status.json"

check "systemctl stop $unit" sdns_in timeout 120 systemctl stop "$unit"
check "unit inactive (not failed) after stop" test "$(sdns_in systemctl is-active "$unit" || true)" = inactive
check "the supervisor ended in order (Result=success)" test "$(sdns_in systemctl show -P Result "$unit")" = success
alive=""
for pid in $pids; do sdns_in test -d "/proc/$pid" && alive="$alive $pid"; done
check "no process of the session remains" test -z "$alive"
check "no cgroup of the session remains" \
    test -z "$(sdns_in find /sys/fs/cgroup -type d \( -path "*$cgroup*" -o -name "*deskbox-$name*" \))"
check "no session dir remains" sdns_in test ! -e "/run/deskbox/$name"
# Mounts named deskbox that were not there before the start (the host's own,
# e.g. another test's, propagate into the namespace and are not the session's).
new_mounts=$(comm -13 <(echo "$mounts_before") <(sdns_in findmnt -rn -o TARGET | sort) | grep -e deskbox || true)
check "no mount of the session remains${new_mounts:+ (left: $new_mounts)}" test -z "$new_mounts"
check "no private /tmp of the unit remains" \
    test -z "$(sdns_in find /tmp /var/tmp -maxdepth 1 -name "systemd-private-*deskbox@$name*")"

# Starting the same session again right away works: nothing stale is left.
check "second start works" start_session
check "second stop works" sdns_in timeout 120 systemctl stop "$unit"

# A manifest whose session.name is not the instance name is refused at start
# (--expect-name %i), with the reason in the journal, and not restarted.
other="$name-other"
cp "/etc/deskbox/sessions/$name.yaml" "/etc/deskbox/sessions/$other.yaml"
start_refused() { ! sdns_in timeout 60 systemctl start "deskbox@$other"; }
journal_says_why() { sdns_in journalctl --no-pager -u "deskbox@$other" | grep -q "expected '$other' (the unit instance)"; }
check "deskbox@$other with session.name $name is refused" start_refused
check "the journal says why" journal_says_why
# "failed", not "auto-restart" (RestartPreventExitStatus=2).
check "and it is not restarted (exit 2)" test "$(sdns_in systemctl show -P SubState "deskbox@$other")" = failed
rm -f "/etc/deskbox/sessions/$other.yaml"
sdns_shutdown

# ---- purge ----
rm -f "/etc/deskbox/sessions/$name.yaml"
check "dpkg --purge deskbox" dpkg --purge deskbox
left=$(ls -d /usr/bin/deskbox /lib/systemd/system/deskbox@.service /usr/lib/tmpfiles.d/deskbox.conf \
    /usr/lib/sysusers.d/deskbox.conf /usr/share/deskbox /usr/share/doc/deskbox /usr/share/man/man1/deskbox.1.gz \
    /usr/lib/python3/dist-packages/deskbox /etc/deskbox /run/deskbox /var/lib/deskbox 2>/dev/null || true)
check "nothing of the package remains${left:+ (left: $left)}" test -z "$left"
# Debian policy keeps system groups after purge: files may still be owned by them.
check "the groups stay, as policy asks" getent group deskbox deskbox-review
check_summary
