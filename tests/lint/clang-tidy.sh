#!/usr/bin/env bash
# clang-tidy with the checks of .clang-tidy (a short list, every finding an error) over the project's
# own sources: supervisor/, policy/, xsession/ — not tests/ or bench/, which double the time for code
# that the sanitizer runs already exercise (docs/testing.md gives the figures).
# Usage: tests/lint/clang-tidy.sh BUILD_DIR [FILE_REGEX]
#   BUILD_DIR: a meson build dir (its compile_commands.json)
#   FILE_REGEX: only the files it matches (default: everything under supervisor/, policy/, xsession/)
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:?usage: tests/lint/clang-tidy.sh BUILD_DIR [FILE_REGEX]}
# 19: bugprone-unchecked-optional-access needs 15 or newer, and 16's analysis ran for hours on
# some of our files (packaging/deps/build.txt installs it).
if ! command -v run-clang-tidy-19 >/dev/null; then
  echo "tests/lint/clang-tidy.sh: needs clang-tidy 19 (packaging/install-deps.sh installs clang-tidy-19)" >&2
  exit 1
fi
if [ ! -f "$build/compile_commands.json" ]; then
  echo "tests/lint/clang-tidy.sh: $build/compile_commands.json is missing (run meson setup $build first)" >&2
  exit 1
fi
regex=${2:-"^$PWD/(supervisor|policy|xsession)/"}
# The compile commands are GCC's: clang does not know some of its warning flags (-Wshadow=local).
# clang 19 also flags libstdc++ 12's own use of std::get_temporary_buffer (deprecated in C++20) inside
# std::stable_sort; GCC's build still reports deprecated calls in our code (-Werror).
run-clang-tidy-19 -p "$build" -j "$(nproc)" -quiet -extra-arg=-Wno-unknown-warning-option \
  -extra-arg=-Wno-deprecated-declarations "$regex"
