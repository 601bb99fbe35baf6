#!/usr/bin/env bash
# The README's first command: install what deskbox needs, build it, and run the
# bundled default session (manifests/default.yaml) until Ctrl-C or its wall clock.
# Usage: sudo packaging/quickstart.sh [MANIFEST]
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -ne 0 ]; then
  echo "packaging/quickstart.sh: needs root to install packages (apt-get); run it with sudo" >&2
  exit 1
fi
packaging/install-deps.sh
[ -d build ] || meson setup build
ninja -C build
manifest=${1:-manifests/default.yaml}
./build/deskbox check "$manifest"
echo
echo "Starting the session; in another terminal try:"
echo "  sudo ./build/deskbox status -s default"
echo "  sudo ./build/deskbox screenshot -s default -o shot.png"
echo
exec ./build/deskbox run "$manifest"
