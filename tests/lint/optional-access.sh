#!/usr/bin/env bash
# clang-tidy's bugprone-unchecked-optional-access over the project's own sources, every finding an
# error. Not a CI step: the check needs clang-tidy 15 or newer (Debian 12: apt-get install
# clang-tidy-16) and its dataflow analysis is slow on two cores (minutes for some files, and
# xsession/a11y/helper/atspi_walker.cc did not finish in two hours, so it is left out here);
# docs/testing.md gives the figures. Run it before changing code that reads optionals.
# Usage: tests/lint/optional-access.sh BUILD_DIR [FILE_REGEX]
#   BUILD_DIR: a meson build dir (its compile_commands.json); FILE_REGEX narrows the files
#   (default: everything under supervisor/, policy/, xsession/)
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:?usage: tests/lint/optional-access.sh BUILD_DIR [FILE_REGEX]}
if ! command -v run-clang-tidy-16 >/dev/null; then
  echo "tests/lint/optional-access.sh: needs clang-tidy 16 (apt-get install clang-tidy-16)" >&2
  exit 1
fi
if [ ! -f "$build/compile_commands.json" ]; then
  echo "tests/lint/optional-access.sh: $build/compile_commands.json is missing (run meson setup $build first)" >&2
  exit 1
fi
regex=${2:-"^$PWD/(supervisor|policy|xsession)/"}
mapfile -t files < <(python3 - "$build" "$regex" <<'PY'
import json, os, re, sys
build, regex = sys.argv[1], re.compile(sys.argv[2])
seen = set()
for c in json.load(open(os.path.join(build, "compile_commands.json"))):
    f = os.path.normpath(os.path.join(c["directory"], c["file"]))
    if regex.search(f) and not f.endswith("/atspi_walker.cc") and f not in seen:
        seen.add(f)
        print(f)
PY
)
# The compile commands are GCC's: clang does not know some of its warning flags (-Wshadow=local).
# .clang-tidy makes every finding an error (WarningsAsErrors).
run-clang-tidy-16 -p "$build" -j "$(nproc)" -quiet -extra-arg=-Wno-unknown-warning-option \
  -checks='-*,bugprone-unchecked-optional-access' \
  -header-filter='(supervisor|policy|xsession)/.*\.h$' "${files[@]}"
