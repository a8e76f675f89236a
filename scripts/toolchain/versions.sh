# shellcheck shell=bash
# The variables are read by the scripts that source this file.
# shellcheck disable=SC2034
# Versions of the e2e and CI toolchain. Sourced by build.sh, env.sh, cluster.sh
# (and read by tests/toolchain.ts).
#
# The Pulumi CLI and provider versions come from the project's lockfile, so
# they are written down once (package.json / package-lock.json). The rest
# (Kubernetes, kwok, etcd, Node, promtool, sloth, amtool, cyclonus, actionlint) are pinned here.

TOOLCHAIN_DIR_SELF="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PROJECT_ROOT="$(cd "$TOOLCHAIN_DIR_SELF/../.." && pwd)"

_lock_version() { # $1 = npm package name
  local lock="$PROJECT_ROOT/package-lock.json"
  if command -v jq >/dev/null 2>&1; then
    jq -er --arg p "node_modules/$1" '.packages[$p].version' "$lock"
  else
    node -e 'const l=require(process.argv[1]);const v=l.packages["node_modules/"+process.argv[2]];if(!v)process.exit(1);console.log(v.version)' "$lock" "$1"
  fi
}

PULUMI_VERSION="${PULUMI_VERSION:-$(_lock_version @pulumi/pulumi)}"
PULUMI_KUBERNETES_VERSION="${PULUMI_KUBERNETES_VERSION:-$(_lock_version @pulumi/kubernetes)}"
PULUMI_RANDOM_VERSION="${PULUMI_RANDOM_VERSION:-$(_lock_version @pulumi/random)}"

# The Go module proxy serves github.com/pulumi/pulumi/pkg/v3 (the CLI) only for
# some versions; when the lockfile's is refused, build this one instead (the
# newest at or below it that the proxy serves; see docs/e2e.md).
PULUMI_CLI_FALLBACK_VERSION="${PULUMI_CLI_FALLBACK_VERSION:-3.259.0}"

KUBERNETES_VERSION="${KUBERNETES_VERSION:-1.34.4}"
KWOK_VERSION="${KWOK_VERSION:-0.7.0}"
# helm: only `helm template`, to render the charts' objects for the e2e and the benchmark's API floor.
HELM_VERSION="${HELM_VERSION:-3.19.2}"
# etcd is built from source: Debian's etcd-server (3.4) lacks RequestWatchProgress, so the API
# server's watch cache lags and kwok's pods report Ready 15-100 s late. ETCD_FROM_DEBIAN=1 uses
# Debian's anyway.
ETCD_VERSION="${ETCD_VERSION:-3.5.21}"
# promtool, from the github.com/prometheus/prometheus module (v0.3XX.Y is
# Prometheus 3.XX.Y). The proxy refuses some of v0.316.0's dependencies
# (github.com/google/pprof, client_golang/exp, hashicorp/nomad/api pseudo-versions).
PROMETHEUS_VERSION="${PROMETHEUS_VERSION:-0.313.5}"
# Sloth (github.com/slok/sloth), only to cross-check the SLO rules the program generates.
SLOTH_VERSION="${SLOTH_VERSION:-0.16.0}"
# amtool (github.com/prometheus/alertmanager's cmd/amtool): checks the Alertmanager config and its routes.
ALERTMANAGER_VERSION="${ALERTMANAGER_VERSION:-0.35.0}"
# The NetworkPolicy simulator (github.com/mattfenwick/cyclonus).
CYCLONUS_VERSION="${CYCLONUS_VERSION:-0.5.6}"
# The GitHub Actions workflow linter (github.com/rhysd/actionlint).
ACTIONLINT_VERSION="${ACTIONLINT_VERSION:-1.7.12}"
# Node.js: scripts/node.sh (the project's) when present; else this one, installed from npm.
NODE_VERSION="${NODE_VERSION:-24.21.0}"

TOOLCHAIN_CACHE="${LLM_PLATFORM_TOOLCHAIN:-$HOME/.cache/llm-platform/toolchain}"
etcd_bin_dir() {
  if [[ "${ETCD_FROM_DEBIAN:-0}" == 1 ]]; then echo "$TOOLCHAIN_CACHE/etcd/bin"; else echo "$TOOLCHAIN_CACHE/etcd-v$ETCD_VERSION/bin"; fi
}
NODE_PREFIX="${LLM_PLATFORM_NODE_PREFIX:-$HOME/.cache/llm-platform/node-$NODE_VERSION}"
