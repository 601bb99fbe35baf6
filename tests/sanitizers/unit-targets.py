#!/usr/bin/env python3
"""Prints the ninja targets the unit suite needs in a meson build dir: its test
programs and the targets they depend on (data files, helpers), one per line.
tests/run-all.sh builds only these in the sanitizer build dir.
Usage: tests/sanitizers/unit-targets.py BUILD_DIR"""
import json
import os
import subprocess
import sys


def introspect(build, what):
    return json.loads(subprocess.check_output(["meson", "introspect", build, what]))


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    build = os.path.realpath(sys.argv[1])
    files = {t["id"]: t["filename"] for t in introspect(build, "--targets")}
    wanted = set()
    for test in introspect(build, "--tests"):
        if any(suite.split(":")[-1] == "unit" for suite in test["suite"]):
            wanted.update(test.get("depends", []))
            exe = os.path.realpath(test["cmd"][0])
            if exe.startswith(build + "/"):
                print(os.path.relpath(exe, build))
    for target in sorted(wanted):
        for f in files.get(target, []):
            print(os.path.relpath(os.path.realpath(f), build))


if __name__ == "__main__":
    main()
