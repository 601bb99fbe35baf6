#!/usr/bin/env bash
# The OCI image and the Kubernetes Job, end to end, on real podman:
#   build the image from Debian packages (packaging/oci/build-image.sh; a
#   minimal one: the package and zenity, a GTK app) and report its time;
#   without the privileges docs/fleet.md names, the session is refused with a
#   message that says what is missing;
#   `podman run` starts the default session; a screenshot through the
#   published agent socket decodes as a 1280x800 PNG; `podman stop` ends it in
#   order (teardown record in the audit log on the volume);
#   `podman kube play` runs packaging/kubernetes/session-job.yaml's pod (the
#   Job's template, through job-to-pod.py); its Secret reaches the
#   supervisor; a click through the published socket is audited on the audit
#   volume; the pod stops in order and `podman kube down` leaves no process,
#   cgroup, mount or session dir of it.
# Needs root. DESKBOX_DEB=path uses that package (else $BUILD/deb's, else it
# is built with packaging/build-deb.sh); the apt archive is kept between runs
# in DESKBOX_OCI_CACHE (build-image.sh).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/systemd_checks.sh"
src=${DESKBOX_SOURCE_ROOT:-$(cd "$here/../.." && pwd)}
build=${DESKBOX_BUILD_ROOT:-$src/build}
deskbox=${DESKBOX_BIN:-$build/deskbox}

skip() {
    [ "${DESKBOX_MUST_WORK:-0}" = 1 ] && { echo "fleet_container_test: $1" >&2; exit 1; }
    echo "fleet_container_test: SKIP ($1)"; exit 77
}
[ "$(id -u)" -eq 0 ] || skip "needs root"
for tool in podman mmdebstrap python3; do
    command -v "$tool" >/dev/null || skip "$tool is missing (packaging/deps/fleet.txt)"
done

tag=localhost/deskbox-test:fleet
work=$(mktemp -d /var/tmp/deskbox-fleet.XXXXXX)
# podman's defaults do not fit every host: its rlimits (nofile 1048576) above
# our hard limits are refused without CAP_SYS_RESOURCE, and crun refuses a
# cgroup v1 host with an (empty) v2 hierarchy ("hybrid"), which runc accepts.
# Unless the caller gives a configuration, this test uses its own.
if [ -z "${CONTAINERS_CONF:-}" ]; then
    nproc=$(ulimit -Hu); [ "$nproc" = unlimited ] || [ "$nproc" -gt 32768 ] && nproc=32768
    runtime=crun
    grep -q ' - cgroup ' /proc/self/mountinfo && runtime=runc
    printf '[containers]\ndefault_ulimits = ["nofile=%s:%s", "nproc=%s:%s"]\n[engine]\nruntime = "%s"\n' \
        "$(ulimit -Hn)" "$(ulimit -Hn)" "$nproc" "$nproc" "$runtime" > "$work/containers.conf"
    export CONTAINERS_CONF=$work/containers.conf
fi
container=deskbox-fleet-test
cleanup() {
    podman rm -f -t 10 "$container" >/dev/null 2>&1 || true
    [ -f "$work/kube.yaml" ] && podman kube down "$work/kube.yaml" >/dev/null 2>&1 || true
    podman secret rm deskbox-secrets >/dev/null 2>&1 || true
    podman rmi -f "$tag" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

# Waits (bounded) for a line in a container's log: `podman logs -f` is the event.
wait_log() {  # CONTAINER PATTERN SECONDS
    timeout "$3" grep -q -m1 -- "$2" <(podman logs -f "$1" 2>&1)
}
# Decodes a PNG completely (zlib stream of every row) and prints WIDTHxHEIGHT.
png_size() {
    python3 - "$1" <<'PY'
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
pos, idat, w = 8, b"", 0
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b"IHDR":
        w, h, depth, colour = struct.unpack(">IIBB", body[:10])
    elif kind == b"IDAT":
        idat += body
    pos += 12 + n
channels = {0: 1, 2: 3, 4: 2, 6: 4}[colour]
assert len(zlib.decompress(idat)) == h * (1 + w * channels * depth // 8), "truncated image data"
print(f"{w}x{h}")
PY
}

# ---- the image ----
if [ -n "${DESKBOX_DEB:-}" ]; then
    deb=$DESKBOX_DEB
elif ls "$build"/deb/deskbox_*.deb >/dev/null 2>&1; then
    deb=$(ls "$build"/deb/deskbox_*.deb | head -n1)
else
    # Tested, not shipped: line tables only, as in systemd_package_test.sh.
    deb=$(DEB_CXXFLAGS_APPEND="${DEB_CXXFLAGS_APPEND:--g1}" "$src/packaging/build-deb.sh" "$build/deb" | tail -n1)
fi
started=$(date +%s)
check "image built from Debian packages" \
    env DESKBOX_OCI_APPS="zenity fonts-dejavu-core" "$src/packaging/oci/build-image.sh" "$deb" "$tag"
echo "# image build: $(( $(date +%s) - started )) s (apt archive cache: ${DESKBOX_OCI_CACHE:-/var/cache/deskbox/oci-apt})"
check "the image holds deskbox" podman run --rm --entrypoint /usr/bin/deskbox "$tag" --version

# ---- what deskbox refuses without the privileges ----
source "$src/packaging/oci/privileges.sh"  # DESKBOX_PODMAN_PRIVILEGES: the flags docs/fleet.md explains
out=$(podman run --rm "$tag" 2>&1) && status=0 || status=$?
check "refused under podman's default confinement (exit $status)" test "$status" -ne 0
echo "$out" | grep '^deskbox:' | sed 's/^/# /'
check "the refusal names what is missing" grep -q -E "$DESKBOX_REFUSAL_PATTERN" <<<"$out"

# ---- podman run: the default session, its socket published ----
mkdir -p "$work/run" "$work/state"
check "podman run starts the default session" podman run -d --name "$container" "${DESKBOX_PODMAN_PRIVILEGES[@]}" \
    -v "$work/run:/run/deskbox" -v "$work/state:/var/lib/deskbox" "$tag"
check "the session is ready (within 120 s)" wait_log "$container" "ready on display" 120
export DESKBOX_RUNTIME_DIR=$work/run
check "screenshot through the published agent socket" "$deskbox" screenshot -s default -o "$work/shot.png"
check "the screenshot decodes as a 1280x800 PNG" test "$(png_size "$work/shot.png")" = 1280x800
check "podman stop ends the session" podman stop -t 30 "$container"
check "exit status 0 (an orderly teardown)" test "$(podman inspect -f '{{.State.ExitCode}}' "$container")" = 0
check "the audit log is on the volume, with its teardown record" grep -q '"teardown"' "$work/state/default/audit.jsonl"
podman rm "$container" >/dev/null

# ---- Kubernetes: the Job under podman kube play ----
# podman runs Pods, not Jobs, and reads Secrets for envFrom in its own form:
# job-to-pod.py makes the Job's pod and the Secret's podman secret.
kube_run=/run/deskbox-kube/kube-notes
kube_audit=/var/lib/deskbox-kube/audit
pod=deskbox-kube-notes
rm -rf "$kube_run" "$kube_audit"
sed "s|image: localhost/deskbox:.*|image: $tag|" "$src/packaging/kubernetes/session-job.yaml" > "$work/job.yaml"
check "the Job becomes its pod" python3 "$src/packaging/kubernetes/job-to-pod.py" "$work/job.yaml" "$work/kube"
cp "$work/kube/pod.yaml" "$work/kube.yaml"  # what cleanup() takes down
podman secret rm deskbox-secrets >/dev/null 2>&1 || true
check "the Secret as a podman secret" podman secret create deskbox-secrets "$work/kube/secret-deskbox-secrets.json"
check "podman kube play runs the pod" podman kube play "$work/kube.yaml"
check "the Job's session is ready (within 120 s)" wait_log "$pod-session" "ready on display" 120
check "the Secret reached the supervisor's environment" \
    test "$(podman exec "$pod-session" /bin/sh -c 'tr "\0" "\n" < /proc/1/environ | grep ^CI_PASSWORD=')" = CI_PASSWORD=change-me
export DESKBOX_RUNTIME_DIR=$kube_run
check "screenshot through the Job's published socket" "$deskbox" screenshot -s kube-notes -o "$work/kube.png"
check "it decodes" test "$(png_size "$work/kube.png")" = 1280x800
check "a click through the socket" "$deskbox" act -s kube-notes '{"action":"left_click","coordinate":[640,400]}'
check "the session cgroup exists while it runs" test -n "$(find /sys/fs/cgroup -name 'deskbox-kube-notes' 2>/dev/null)"
# A cluster sends SIGTERM and waits terminationGracePeriodSeconds; podman 4.3's
# kube down does not wait for the teardown, so the pod is stopped first.
check "the pod stops in order" podman pod stop -t 45 "$pod"
check "exit status 0" test "$(podman inspect -f '{{.State.ExitCode}}' "$pod-session")" = 0
check "the audit log is on the audit volume, with its teardown record" \
    grep -q '"teardown"' "$kube_audit/kube-notes/audit.jsonl"
# (the audit log records actions in deskbox's own form, whatever the dialect)
check "the click is audited there" grep -q '"action":{"button":"left","kind":"click","point":\[640,400\]}' \
    "$kube_audit/kube-notes/audit.jsonl"
check "podman kube down" podman kube down "$work/kube.yaml"
podman secret rm deskbox-secrets >/dev/null
# (the bracket keeps pgrep from matching the bash -c running it)
check "no session process is left" bash -c '! pgrep -f "deskbox run /etc/deskbox/sessio[n]/session.yaml" >/dev/null'
check "no session cgroup is left" test -z "$(find /sys/fs/cgroup -name 'deskbox-kube-notes' 2>/dev/null)"
check "no mount of the pod is left" bash -c "! grep -q '$kube_run\|$kube_audit' /proc/self/mountinfo"
check "the session dir is gone from the socket volume" test ! -e "$kube_run/kube-notes"
rm -rf "$kube_run" "$kube_audit"
check_summary
