#!/usr/bin/env bash
# clang-tidy with the checks of .clang-tidy (a short list, every finding an error) over the project's
# own sources: supervisor/, policy/, xsession/ — not tests/ or bench/, which double the time for code
# that the sanitizer runs already exercise (docs/testing.md gives the figures).
# Usage: tests/lint/clang-tidy.sh BUILD_DIR   (a meson build dir: its compile_commands.json)
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:?usage: tests/lint/clang-tidy.sh BUILD_DIR}
if [ ! -f "$build/compile_commands.json" ]; then
  echo "tests/lint/clang-tidy.sh: $build/compile_commands.json is missing (run meson setup $build first)" >&2
  exit 1
fi
# The compile commands are GCC's: clang does not know some of its warning flags (-Wshadow=local).
run-clang-tidy -p "$build" -j "$(nproc)" -quiet -extra-arg=-Wno-unknown-warning-option \
  "^$PWD/(supervisor|policy|xsession)/"
