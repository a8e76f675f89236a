# shellcheck shell=bash
# Source this to use the toolchain that scripts/toolchain/build.sh built:
#   source scripts/toolchain/env.sh
# Puts node 24, pulumi, its Node.js language host, the provider plugins,
# kubectl, kube-*, kwok, promtool, sloth, amtool, cyclonus and actionlint on PATH, and makes the pulumi CLI work offline
# (no update check, no plugin downloads). Sets TOOLCHAIN_MISSING to the list of
# tools that aren't built.

_tc_here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.sh
source "$_tc_here/versions.sh"

TOOLCHAIN_MISSING=""
_tc_path=""
_tc_add() { # $1 = dir, $2 = name for TOOLCHAIN_MISSING, $3 = binary
  if [[ -x "$1/$3" ]]; then _tc_path="$_tc_path:$1"; else TOOLCHAIN_MISSING="$TOOLCHAIN_MISSING $2"; fi
}

if [[ -f "$PROJECT_ROOT/scripts/node.sh" ]]; then
  # shellcheck source=/dev/null
  source "$PROJECT_ROOT/scripts/node.sh" 2>/dev/null
else
  _tc_add "$NODE_PREFIX/node_modules/node/bin" node node
fi
_tc_cli="$(cat "$TOOLCHAIN_CACHE/pulumi-cli-version-for-v$PULUMI_VERSION" 2>/dev/null || echo "$PULUMI_VERSION")"
PULUMI_CLI_VERSION="$_tc_cli"
_tc_add "$TOOLCHAIN_CACHE/pulumi-v$_tc_cli/bin" pulumi pulumi
_tc_lang="$(ls -d "$TOOLCHAIN_CACHE/pulumi-language-nodejs-v$_tc_cli-$(cat "$_tc_here"/pulumi-language-nodejs/*.go | sha256sum | cut -c1-12)" 2>/dev/null || true)"
_tc_add "${_tc_lang:-/nonexistent}/bin" language-nodejs pulumi-language-nodejs
_tc_add "$TOOLCHAIN_CACHE/plugins/resource-kubernetes-v$PULUMI_KUBERNETES_VERSION/bin" provider-kubernetes pulumi-resource-kubernetes
_tc_add "$TOOLCHAIN_CACHE/plugins/resource-random-v$PULUMI_RANDOM_VERSION/bin" provider-random pulumi-resource-random
_tc_add "$TOOLCHAIN_CACHE/kubernetes-v$KUBERNETES_VERSION/bin" kubernetes kube-apiserver
_tc_add "$TOOLCHAIN_CACHE/kwok-v$KWOK_VERSION/bin" kwok kwok
_tc_add "$TOOLCHAIN_CACHE/helm-v$HELM_VERSION/bin" helm helm
_tc_add "$(etcd_bin_dir)" etcd etcd
_tc_add "$TOOLCHAIN_CACHE/promtool-v$PROMETHEUS_VERSION/bin" promtool promtool
_tc_add "$TOOLCHAIN_CACHE/sloth-v$SLOTH_VERSION/bin" sloth sloth
_tc_add "$TOOLCHAIN_CACHE/amtool-v$ALERTMANAGER_VERSION/bin" amtool amtool
_tc_add "$TOOLCHAIN_CACHE/cyclonus-v$CYCLONUS_VERSION/bin" cyclonus cyclonus
_tc_add "$TOOLCHAIN_CACHE/actionlint-v$ACTIONLINT_VERSION/bin" actionlint actionlint
export PATH="${_tc_path#:}:$PATH"
TOOLCHAIN_MISSING="${TOOLCHAIN_MISSING# }"
export TOOLCHAIN_MISSING PULUMI_CLI_VERSION

# Offline pulumi: never look for updates or download plugins; use the plugins
# on PATH (ambient plugins) or in this PULUMI_HOME.
export PULUMI_HOME="${LLM_PLATFORM_PULUMI_HOME:-$HOME/.cache/llm-platform/pulumi-home}"
mkdir -p "$PULUMI_HOME/plugins"
for _tc_p in "$TOOLCHAIN_CACHE"/plugins/resource-*; do
  [[ -d "$_tc_p/bin" ]] || continue
  ln -sfn "$_tc_p/bin" "$PULUMI_HOME/plugins/$(basename "$_tc_p")"
done
export PULUMI_SKIP_UPDATE_CHECK=1
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
export PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK=true
export PULUMI_SKIP_CONFIRMATIONS=true
export PULUMI_DIY_BACKEND_NO_LEGACY_WARNING=true
unset _tc_here _tc_path _tc_cli _tc_lang _tc_p
unset -f _tc_add
