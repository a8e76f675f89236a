#!/usr/bin/env bash
# The e2e suite: builds (or reuses) the toolchain, starts the local control
# plane, runs e2e/*.test.mjs with node's test runner, stops the control plane.
#
#   npm run e2e                      # everything
#   E2E_KUBECONFIG=~/.kube/config npm run e2e   # use your own cluster (kind, k3d, minikube, real)
#   E2E_SKIP_BUILD=1                 # don't run scripts/toolchain/build.sh
#   E2E_STACKS=dev                   # stacks of the program to test (default dev,staging,prod)
#   E2E_EXAMPLES=backend-frontend    # example stack files (examples/<name>.yaml) applied too ("" for none)
#   E2E_VARIANTS=staging-no-redis    # stack variants (e2e/stack-overrides.mjs stackVariants) applied too (default all, "" for none)
#   E2E_UP_VARIANTS=staging-route-only  # variants part 2 also deploys with pulumi up (default that one, "" for none)
#   E2E_KEEP_CLUSTER=1               # leave the local control plane running
#   E2E_KEEP_WORKDIR=1               # keep the scratch project copies and state
#   BITNAMI_CHARTS_DIR=<dir>         # the pinned Bitnami charts unpacked (helm pull … --untar): staging,
#                                    # prod and the examples install them instead of e2e/fixtures/charts
#   LOG_CHARTS_DIR=<dir>             # Loki's and Alloy's pinned charts unpacked (loki/, alloy/): the
#                                    # dev-logs and staging-logs variants install them instead of the stand-ins
#   MONITORING_CHARTS_DIR=<dir>      # kube-prometheus-stack 67.8.0 unpacked with its subcharts (kube-prometheus-stack/):
#                                    # the same variants install it instead of the stand-in
#   E2E_CONFIG='{"key": value}'      # extra stack config for the program (e.g. the data tier's
#                                    # external mode); E2E_CONFIG_DEV etc. per stack
set -euo pipefail
# All of it in one block: bash reads it whole before running, so editing the file mid-run is safe.
{
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

if [[ "${E2E_SKIP_BUILD:-0}" != 1 ]]; then
  TOOLCHAIN_ALLOW_MISSING=1 scripts/toolchain/build.sh
fi
# shellcheck source=../scripts/toolchain/env.sh
source scripts/toolchain/env.sh
if [[ -n "$TOOLCHAIN_MISSING" ]]; then
  echo "e2e: toolchain pieces missing (their tests are skipped): $TOOLCHAIN_MISSING" >&2
fi

if [[ -n "${E2E_KUBECONFIG:-}" ]]; then
  export KUBECONFIG="$E2E_KUBECONFIG"
else
  if [[ "${E2E_KEEP_CLUSTER:-0}" != 1 ]]; then
    trap 'scripts/toolchain/cluster.sh stop' EXIT
  fi
  scripts/toolchain/cluster.sh start >/dev/null
  KUBECONFIG="$(scripts/toolchain/cluster.sh kubeconfig)"
  export KUBECONFIG
fi
echo "e2e: node $(node --version), $(pulumi version 2>/dev/null | sed 's/^/pulumi /' || echo 'no pulumi'), cluster $(kubectl version -o json | jq -r .serverVersion.gitVersion) ($KUBECONFIG)"

node --test --test-concurrency=1 --test-timeout=1800000 --test-reporter=spec e2e/*.test.mjs
exit $?
}
