#!/usr/bin/env bash
# build-deb.sh [OUTDIR]
# Builds the deskbox .deb with `dpkg-buildpackage -b -us -uc`. debian/ must sit
# at the root of the source tree, so this copies the tree (without .git, build
# folders or stale packages) to OUTDIR/deskbox-VERSION/, puts packaging/debian
# there as debian/, and builds. The .deb lands in OUTDIR (default:
# ./deb-build); its path is the last line printed.
# DEB_BUILD_OPTIONS defaults to "parallel=2 nocheck" (CI runs the unit suite
# itself); set it to "parallel=2" to run the unit suite inside the build too.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
out=$(mkdir -p "${1:-deb-build}" && cd "${1:-deb-build}" && pwd)

# The package version is the meson project version; the Debian changelog
# must say the same, or the package would lie about what it contains.
meson_version=$(sed -n "s/^ *version *: *'\([^']*\)'.*/\1/p" "$src/meson.build" | head -n1)
deb_version=$(dpkg-parsechangelog -l "$src/packaging/debian/changelog" -S Version)
if [ "$meson_version" != "$deb_version" ]; then
    echo "build-deb.sh: meson.build says version $meson_version but packaging/debian/changelog says $deb_version" >&2
    exit 1
fi

tree="$out/deskbox-$deb_version"
rm -rf "$tree"
mkdir -p "$tree"
# Exclude VCS data, every build folder (build, build-*), and the output folder itself.
tar -C "$src" --exclude=./.git --exclude='./build' --exclude='./build-*' \
    --exclude="./$(realpath --relative-to="$src" "$out" 2>/dev/null || echo /nonexistent)" \
    --exclude=./debian --exclude='./obj-*' -cf - . | tar -C "$tree" -xf -
cp -a "$src/packaging/debian" "$tree/debian"

rm -f "$out"/deskbox_"$deb_version"_*.deb "$out"/deskbox-dbgsym_"$deb_version"_*.deb \
      "$out"/deskbox_"$deb_version"_*.buildinfo "$out"/deskbox_"$deb_version"_*.changes
(
    cd "$tree"
    export DEB_BUILD_OPTIONS="${DEB_BUILD_OPTIONS:-parallel=2 nocheck}"
    dpkg-buildpackage -b -us -uc
) >"$out/build.log" 2>&1 || {
    echo "build-deb.sh: dpkg-buildpackage failed; last lines of $out/build.log:" >&2
    tail -n 40 "$out/build.log" >&2
    exit 1
}
deb=$(ls "$out"/deskbox_"$deb_version"_*.deb)
echo "$deb"
