#!/usr/bin/env bash
# The project's C++ follows its .clang-format; CI fails on any file that
# differs, naming it and the lines. Fix with: clang-format -i FILE...
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v clang-format >/dev/null; then
  echo "tests/check-format.sh: clang-format is not installed (packaging/install-deps.sh installs it)" >&2
  exit 1
fi
git ls-files -z '*.cc' '*.h' | xargs -0 -n 50 -P 2 clang-format --dry-run --Werror
echo "tests/check-format.sh: every C++ file follows .clang-format"
