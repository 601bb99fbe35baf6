#!/usr/bin/env bash
# build-image.sh DEB [TAG]
# Builds the deskbox OCI image from Debian packages only: mmdebstrap makes a
# Debian 12 root filesystem holding DEB (the package packaging/build-deb.sh
# builds), its dependencies (Xvfb, dbus, AT-SPI, x11vnc) and the apps the
# sessions will run; `podman import` turns it into an image with deskbox as
# its entrypoint. Prints the image tag as its last line.
#
#   DESKBOX_OCI_APPS   Debian packages of the apps (default: "zenity fonts-dejavu-core",
#                      the bundled default session's editor; add chromium, libreoffice...)
#   DESKBOX_OCI_CACHE  apt archive kept between builds (default /var/cache/deskbox/oci-apt):
#                      a rebuild downloads only what changed
#   DESKBOX_OCI_MIRROR Debian mirror (default http://deb.debian.org/debian)
# Needs root (mmdebstrap in root mode, podman).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
deb=$(realpath "${1:?usage: build-image.sh DEB [TAG]}")
[ -f "$deb" ] || { echo "build-image.sh: $deb: no such file" >&2; exit 1; }
version=$(dpkg-deb -f "$deb" Version)
tag=${2:-localhost/deskbox:$version}
apps=${DESKBOX_OCI_APPS:-zenity fonts-dejavu-core}
cache=${DESKBOX_OCI_CACHE:-/var/cache/deskbox/oci-apt}
mirror=${DESKBOX_OCI_MIRROR:-http://deb.debian.org/debian}
for tool in mmdebstrap podman; do
    command -v "$tool" >/dev/null || { echo "build-image.sh: $tool is missing (packaging/deps/fleet.txt)" >&2; exit 1; }
done
mkdir -p "$cache"
work=$(mktemp -d /var/tmp/deskbox-oci.XXXXXX)
trap 'rm -rf "$work"' EXIT

# minbase + apt: the smallest Debian that can install the package and its
# dependencies; no recommends (the package's Depends are what a session needs).
# file-mirror-automount makes the local DEB visible to the chrooted dpkg.
# The apt archive is synced in before and out after, so packages are
# downloaded once; --skip=essential/unlink keeps them for the sync-out.
mmdebstrap --variant=minbase --mode=root --format=tar \
    --aptopt='APT::Install-Recommends "false"' \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/locale/*' \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --dpkgopt='path-include=/usr/share/doc/deskbox/*' \
    --hook-dir=/usr/share/mmdebstrap/hooks/file-mirror-automount \
    --include="$deb" --include="${apps// /,}" \
    --skip=essential/unlink \
    --setup-hook='mkdir -p "$1"/var/cache/apt/archives' \
    --setup-hook="sync-in $cache /var/cache/apt/archives" \
    --customize-hook="sync-out /var/cache/apt/archives $cache" \
    --customize-hook='rm -f "$1"/var/cache/apt/archives/*.deb "$1"/var/lib/apt/lists/*_Packages' \
    --customize-hook="copy-in $here/entrypoint.sh /usr/libexec/deskbox" \
    --customize-hook='mkdir -p "$1"/etc/deskbox "$1"/run/deskbox "$1"/var/lib/deskbox' \
    --customize-hook='cp "$1"/usr/share/doc/deskbox/examples/default.yaml "$1"/etc/deskbox/session.yaml' \
    bookworm "$work/rootfs.tar" \
    "deb $mirror bookworm main" "deb $mirror bookworm-updates main" \
    "deb http://deb.debian.org/debian-security bookworm-security main" \
    > "$work/mmdebstrap.log" 2>&1 || {
    echo "build-image.sh: mmdebstrap failed; last lines of its log:" >&2
    tail -n 30 "$work/mmdebstrap.log" >&2
    exit 1
}
podman import \
    --change 'ENTRYPOINT ["/usr/libexec/deskbox/entrypoint.sh"]' \
    --change 'CMD ["/etc/deskbox/session.yaml"]' \
    --change 'STOPSIGNAL SIGTERM' \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'VOLUME ["/run/deskbox", "/var/lib/deskbox"]' \
    --change "LABEL org.opencontainers.image.title=deskbox org.opencontainers.image.version=$version" \
    "$work/rootfs.tar" "$tag" >/dev/null
echo "$tag"
