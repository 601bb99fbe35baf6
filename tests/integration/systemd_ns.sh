# systemd_ns.sh: boots a real systemd as PID 1 inside fresh pid, mount and
# cgroup namespaces, the way a container manager would, so tests can drive
# `systemctl` against it without touching the host's services.
# Sourced by the systemd_*_test.sh scripts (bash). Needs root.
#
#   sdns_boot           boot; sets SDNS_PID (systemd's pid on the host)
#   sdns_in CMD...      run CMD inside the namespaces (systemctl, journalctl...)
#   sdns_shutdown       poweroff, wait for systemd to exit, remove its cgroups
#
# Inside: a fresh /run and /tmp (tmpfs), the host's cgroup layout mounted anew
# inside a cgroup namespace rooted at a per-test cgroup (this machine has the
# v1 controllers and an empty v2 hierarchy: systemd runs "hybrid"), and a
# test-only default target in /run/systemd/system that pulls in nothing. Units
# that would act on the shared kernel or host disk (module loading, sysctl,
# binfmt, clock sync, utmp, random seed, boot-time tmpfiles) are masked there
# too; everything else is the host's installed systemd and units.

SDNS_TARGET=deskbox-test.target
SDNS_BOOT_TIMEOUT=${SDNS_BOOT_TIMEOUT:-120}
sdns_here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

sdns_fail() {
    echo "systemd_ns: $*" >&2
    exit 1
}

# The cgroup mounts of the host: "TARGET FSTYPE SUPER-OPTIONS" per line.
sdns_cgroup_mounts() {
    findmnt -rn -t cgroup,cgroup2 -o TARGET,FSTYPE,FS-OPTIONS
}

# Makes SDNS_CG_NAME in every cgroup hierarchy, under this shell's own cgroup.
sdns_make_cgroups() {
    SDNS_CG_DIRS=()
    local target fstype opts own dir
    while read -r target fstype opts; do
        if [ "$fstype" = cgroup2 ]; then
            own=$(sed -n 's/^0:://p' /proc/self/cgroup)
        else
            # v1 line "N:controllers:/path"; match this mount's controller list.
            local ctl
            ctl=$(echo "$opts" | tr ',' '\n' | grep -v -E '^(rw|ro|relatime|nosuid|nodev|noexec|clone_children|xattr)$' | paste -sd, -)
            own=$(awk -F: -v c="$ctl" '$2 == c { print $3 }' /proc/self/cgroup)
        fi
        [ -n "$own" ] || sdns_fail "cannot find this process's cgroup in $target ($opts)"
        dir="$target${own%/}/$SDNS_CG_NAME"
        mkdir -p "$dir" || sdns_fail "mkdir $dir failed"
        # A v1 cpuset group takes no tasks until it has cpus and mems.
        if [ -e "$dir/cpuset.cpus" ]; then
            cat "$(dirname "$dir")/cpuset.cpus" >"$dir/cpuset.cpus"
            cat "$(dirname "$dir")/cpuset.mems" >"$dir/cpuset.mems"
        fi
        SDNS_CG_DIRS+=("$dir")
    done < <(sdns_cgroup_mounts)
}

sdns_remove_cgroups() {
    local dir
    for dir in "${SDNS_CG_DIRS[@]}"; do
        # A cgroup can stay busy for a moment after its last task exits;
        # what cannot be removed is reported, and the caller's checks decide.
        if [ -d "$dir" ]; then find "$dir" -depth -type d -exec rmdir {} + 2>/dev/null || true; fi
        if [ -d "$dir" ]; then echo "systemd_ns: could not remove $dir" >&2; fi
    done
    return 0
}

# What runs inside the new namespaces as PID 1 until it execs systemd.
sdns_inner_setup() {
    set -e
    # Tell the host side our pid there (NSpid's first field, read from the
    # host's /proc before a fresh one is mounted for this pid namespace).
    local key hostpid rest
    while read -r key hostpid rest; do
        [ "$key" = NSpid: ] && break
    done </proc/self/status
    echo "$hostpid" >"$SDNS_DIR/pid.fifo"
    mount --make-rprivate /
    mount -t proc -o nosuid,nodev,noexec proc /proc
    mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs /run
    mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /tmp
    # Cgroup mounts made inside the cgroup namespace show its root, the
    # per-test cgroup: systemd manages that subtree and nothing above it.
    umount -R /sys/fs/cgroup
    mount -t tmpfs -o mode=0755,nosuid,nodev,noexec cgroup_root /sys/fs/cgroup
    local target fstype opts
    while read -r target fstype opts; do
        mkdir -p "$target"
        mount -t "$fstype" -o "$opts" "$fstype" "$target"
    done <"$SDNS_DIR/cgroup-mounts"
    mkdir -p /run/systemd/system
    cat >/run/systemd/system/$SDNS_TARGET <<UNIT
[Unit]
Description=deskbox test boot: nothing but what a test starts
UNIT
    local unit
    for unit in systemd-modules-load.service systemd-sysctl.service systemd-binfmt.service \
            proc-sys-fs-binfmt_misc.automount proc-sys-fs-binfmt_misc.mount \
            systemd-timesyncd.service systemd-update-utmp.service systemd-random-seed.service \
            systemd-firstboot.service systemd-repart.service systemd-pstore.service \
            systemd-machine-id-commit.service systemd-tmpfiles-setup.service \
            systemd-tmpfiles-setup-dev.service kmod-static-nodes.service \
            systemd-journal-flush.service systemd-pcrphase.service \
            systemd-pcrphase-sysinit.service systemd-hwdb-update.service \
            ldconfig.service systemd-udevd.service systemd-udev-trigger.service; do
        ln -sf /dev/null "/run/systemd/system/$unit"
    done
    export container=deskbox NOTIFY_SOCKET="$SDNS_DIR/notify.sock"
    exec /lib/systemd/systemd --unit=$SDNS_TARGET --log-target=console --show-status=no
}

sdns_boot() {
    [ "$(id -u)" -eq 0 ] || sdns_fail "needs root"
    [ -x /lib/systemd/systemd ] || sdns_fail "/lib/systemd/systemd missing (apt-get install systemd)"
    SDNS_DIR=$(mktemp -d /var/tmp/deskbox-sdns.XXXXXX)
    SDNS_CG_NAME="deskbox-sdns-$$"
    sdns_cgroup_mounts >"$SDNS_DIR/cgroup-mounts"
    sdns_make_cgroups
    mkfifo "$SDNS_DIR/pid.fifo"
    export SDNS_DIR SDNS_TARGET
    (
        for dir in "${SDNS_CG_DIRS[@]}"; do echo "$BASHPID" >"$dir/cgroup.procs"; done
        exec unshare --pid --fork --mount --cgroup --propagation private \
            bash -c "$(declare -f sdns_inner_setup); sdns_inner_setup"
    ) >"$SDNS_DIR/console.log" 2>&1 &
    SDNS_UNSHARE_PID=$!
    # The namespace's PID 1 writes its host pid into the fifo, then becomes systemd.
    SDNS_PID=
    read -r -t 30 SDNS_PID <"$SDNS_DIR/pid.fifo" || true
    [ -n "$SDNS_PID" ] || { cat "$SDNS_DIR/console.log" >&2; sdns_fail "the namespace did not start"; }
    if ! perl "$sdns_here/systemd_notify_wait.pl" "$SDNS_DIR/notify.sock" "$SDNS_PID" "$SDNS_BOOT_TIMEOUT"; then
        echo "--- systemd console ---" >&2
        tail -n 60 "$SDNS_DIR/console.log" >&2
        sdns_fail "systemd did not boot"
    fi
}

sdns_in() {
    nsenter --target "$SDNS_PID" --mount --pid --cgroup -- "$@"
}

sdns_shutdown() {
    [ -n "${SDNS_UNSHARE_PID:-}" ] || return 0
    if kill -0 "$SDNS_UNSHARE_PID" 2>/dev/null; then
        sdns_in systemctl --no-block poweroff >/dev/null 2>&1 || kill -RTMIN+4 "$SDNS_PID" 2>/dev/null
        # Bounded wait for the orderly poweroff; past it, SIGKILL of the
        # namespace's PID 1 takes every process in it along.
        # The watchdog must not hold the test's stdout/stderr: the test runner
        # waits for those pipes to close.
        # `&&`: once its sleep is killed below, the watchdog ends without
        # firing (the pid may by then belong to someone else).
        ( sleep 90 && kill -KILL "$SDNS_PID" 2>/dev/null ) >/dev/null 2>&1 &
        local watchdog=$!
        wait "$SDNS_UNSHARE_PID" 2>/dev/null || true
        # The watchdog may end at any point from here on: nothing below may
        # fail under `set -e` because it already has.
        pkill -KILL -P "$watchdog" 2>/dev/null || true
        kill "$watchdog" 2>/dev/null || true
        wait "$watchdog" 2>/dev/null || true
    fi
    SDNS_UNSHARE_PID=
    sdns_remove_cgroups
    rm -rf "$SDNS_DIR"
}
