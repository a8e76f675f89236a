#!/usr/bin/env bash
# Installs the locked dependencies and runs the unit tests (mocha, Pulumi mocks). Needs only
# Node.js (22+, provided when older) and the npm registry: no Pulumi CLI, cluster or cloud account.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/node.sh
npm ci --no-audit --no-fund --loglevel=error
npm test
