# The podman flags a deskbox container needs (rootful, cgroup v1 or v2 without
# a delegated cgroup namespace), explained in docs/fleet.md, and what deskbox
# says without them. Sourced by tests/integration/fleet_container_test.sh;
# packaging/oci/podman-flags holds the same flags for `podman run $(cat ...)`.
read -r -a DESKBOX_PODMAN_PRIVILEGES < "$(dirname "${BASH_SOURCE[0]}")/podman-flags"
# Under podman's defaults the first step that fails is the session cgroup
# (cgroups are mounted read-only); then the namespaces (no CAP_SYS_ADMIN),
# then the fresh /proc (masked paths).
DESKBOX_REFUSAL_PATTERN='^deskbox: creating cgroup .*: Read-only file system$'
