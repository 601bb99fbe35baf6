#!/usr/bin/env bash
# Installs the third-party clients the integration tests drive deskbox with
# (tests/clients/package.json: the official MCP SDK, puppeteer-core for
# Debian's Chromium), exactly as pinned in tests/clients/package-lock.json.
# Needs node >= 18 and npm: Debian 12's nodejs + npm packages are installed
# when no node is on PATH (a machine with another node build keeps it).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
clients="$here/../tests/clients"
if ! command -v npm >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-test-clients.sh: npm is missing; run as root to install Debian's nodejs and npm" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends nodejs npm
fi
major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 18 ]; then
  echo "install-test-clients.sh: node $(node --version) is too old; the MCP SDK needs 18 or newer" >&2
  exit 1
fi
cd "$clients"
# npm ci installs exactly what the lockfile names (a few seconds from the cache).
npm ci --no-audit --no-fund --loglevel=error
echo "install-test-clients.sh: test clients installed in tests/clients/node_modules"
