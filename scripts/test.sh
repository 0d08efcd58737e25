#!/usr/bin/env bash
# The one test command (README, .ci/run): installs what the tests need, builds, runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm install --no-audit --no-fund
fi
./node_modules/.bin/tsc -b
./node_modules/.bin/vitest run "$@"
