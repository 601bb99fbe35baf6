#!/usr/bin/env python3
"""meson-installed-targets.py BUILDDIR

Prints, one per line, the ninja targets (output paths relative to BUILDDIR)
of every meson target that `meson install` installs. debian/rules builds just
these when tests are not run (DEB_BUILD_OPTIONS=nocheck), instead of every
test and benchmark binary of the tree.
"""
import json
import os
import subprocess
import sys


def main():
    builddir = os.path.abspath(sys.argv[1])
    out = subprocess.run(["meson", "introspect", "--targets", builddir],
                         check=True, capture_output=True, text=True).stdout
    for target in json.loads(out):
        if target.get("installed"):
            for filename in target["filename"]:
                print(os.path.relpath(filename, builddir))
    return 0


if __name__ == "__main__":
    sys.exit(main())
