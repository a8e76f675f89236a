#!/usr/bin/env bash
# Builds (or reuses) the e2e and CI toolchain from the Go module proxy, Debian and npm:
#   node 24, etcd, kube-apiserver/-controller-manager/-scheduler, kubectl, kwok, helm,
#   the pulumi CLI, its Node.js language host, pulumi-resource-kubernetes,
#   pulumi-resource-random, promtool, sloth, amtool, cyclonus and actionlint.
#
# Usage: scripts/toolchain/build.sh [tool ...]
#   tools: node etcd kubernetes kwok helm pulumi language-nodejs provider-random
#          provider-kubernetes promtool sloth amtool cyclonus actionlint (default: all)
#
# Binaries are cached outside the repository, keyed by version:
#   ${LLM_PLATFORM_TOOLCHAIN:-~/.cache/llm-platform/toolchain}/<tool>-v<version>/bin
# A tool whose binaries are already there is skipped. Each tool's build time is
# printed. A tool that can't be built is reported and the others still build;
# the exit code is 0 only when every requested tool is available, unless
# TOOLCHAIN_ALLOW_MISSING=1.
# The build_* functions are called through `timed "$fn"`, which shellcheck can't
# follow, so it takes them for unreachable code.
# shellcheck disable=SC2317
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.sh
source "$HERE/versions.sh"

export PATH="/usr/local/go/bin:$PATH"
export GOMODCACHE="${GOMODCACHE_OVERRIDE:-$HOME/.cache/llm-platform/go/mod}"
export GOCACHE="${GOCACHE_OVERRIDE:-$HOME/.cache/llm-platform/go/build}"
export GOFLAGS="-trimpath -buildvcs=false -mod=mod"
export GOTOOLCHAIN=local
export CGO_ENABLED=0
export GOPROXY="${GOPROXY:-https://proxy.golang.org}"
# Builds are long; keep the machine usable for everyone else.
NICE=(nice -n 10)

mkdir -p "$TOOLCHAIN_CACHE/build" "$GOMODCACHE" "$GOCACHE"

declare -A RESULT=()
declare -a ORDER=()

log() { printf '[toolchain] %s\n' "$*" >&2; }

# have DIR BIN... : all binaries present and executable
have() {
  local dir=$1; shift
  local b
  for b in "$@"; do [[ -x "$dir/bin/$b" ]] || return 1; done
}

# timed NAME FUNC : runs FUNC, records "ok (Ns)" / "cached" / "FAILED ..."
timed() {
  local name=$1 fn=$2 start rc
  ORDER+=("$name")
  start=$(date +%s)
  "$fn"
  rc=$?
  local secs=$(( $(date +%s) - start ))
  case $rc in
    0) RESULT[$name]="built in ${secs}s" ;;
    10) RESULT[$name]="cached" ;;
    *) RESULT[$name]="FAILED after ${secs}s (see above)" ;;
  esac
  log "$name: ${RESULT[$name]}"
}

# A fresh build module directory for TOOL.
build_module_dir() {
  local d="$TOOLCHAIN_CACHE/build/$1"
  rm -rf "$d" && mkdir -p "$d" && echo "$d"
}

# proxy_has MODULE VERSION : the proxy serves the module's zip
proxy_has() {
  (cd "$(mktemp -d)" && go mod download -json "$1@$2" >/tmp/toolchain-dl.$$ 2>&1)
  local rc=$?
  if (( rc != 0 )); then
    log "the Go module proxy refuses $1@$2: $(grep -o '"Error": ".*' /tmp/toolchain-dl.$$ | head -1 | cut -c1-200)"
  fi
  rm -f /tmp/toolchain-dl.$$
  return "$rc"
}

# upstream_replaces GO.MOD : the file's replace directives that point at other
# modules (one per line), leaving out those that point at local directories.
upstream_replaces() {
  grep -E '^replace [^ ]+ => [^.][^ ]* v' "$1" || true
  sed -n '/^replace ($/,/^)$/p' "$1" | grep -E '=> [^.][^ ]* v' | sed 's/^/replace /' || true
}

# ---------------------------------------------------------------- node
build_node() {
  if [[ -f "$PROJECT_ROOT/scripts/node.sh" ]]; then
    # The project's own: the machine's node when >= 22, else Node 24 from npm, cached.
    # shellcheck source=/dev/null
    source "$PROJECT_ROOT/scripts/node.sh" 2>&1 | sed 's/^/[toolchain]   /' >&2
    return 10
  fi
  if [[ -x "$NODE_PREFIX/node_modules/node/bin/node" ]]; then return 10; fi
  npm install --no-save --no-audit --no-fund --loglevel=error --prefix "$NODE_PREFIX" "node@$NODE_VERSION" >&2
}

# ---------------------------------------------------------------- etcd
build_etcd() {
  local d; d="$(dirname "$(etcd_bin_dir)")"
  if have "$d" etcd; then return 10; fi
  mkdir -p "$d/bin"
  if [[ "${ETCD_FROM_DEBIAN:-0}" == 1 ]]; then
    # Debian's etcd-server 3.4 (lacks RequestWatchProgress: pods report Ready late; see versions.sh).
    if [[ ! -x /usr/bin/etcd ]] && command -v apt-get >/dev/null; then
      log "installing Debian's etcd-server"
      apt-get install -y -qq etcd-server >&2 || { apt-get update -qq >&2 && apt-get install -y -qq etcd-server >&2; } || return 1
    fi
    ln -sf /usr/bin/etcd "$d/bin/etcd"
    return 0
  fi
  local m; m="$(build_module_dir "etcd-v$ETCD_VERSION")"
  (
    cd "$m" || exit 1
    cat >go.mod <<EOF
module llm-platform/toolchain/etcd

go 1.23

require go.etcd.io/etcd/server/v3 v$ETCD_VERSION
EOF
    go mod edit -tool go.etcd.io/etcd/server/v3 &&
      "${NICE[@]}" go mod tidy &&
      "${NICE[@]}" go build -ldflags "-s -w" -o "$d/bin/etcd" go.etcd.io/etcd/server/v3
  )
}

# ---------------------------------------------------------------- kubernetes
KUBE_DIR() { echo "$TOOLCHAIN_CACHE/kubernetes-v$KUBERNETES_VERSION"; }
KUBE_BINS=(kube-apiserver kube-controller-manager kube-scheduler kubectl)
build_kubernetes() {
  local d; d="$(KUBE_DIR)"
  if have "$d" "${KUBE_BINS[@]}"; then return 10; fi
  local m; m="$(build_module_dir "kubernetes-v$KUBERNETES_VERSION")"
  local minor="${KUBERNETES_VERSION#*.}"; minor="${minor%%.*}"
  local staging="0.${KUBERNETES_VERSION#*.}"
  (
    set -e
    cd "$m"
    # k8s.io/kubernetes replaces its staging modules with ./staging/src/...;
    # a module that requires it must replace them with the published v0.x.
    local upstream="$GOMODCACHE/cache/download/k8s.io/kubernetes/@v/v$KUBERNETES_VERSION.mod"
    (cd "$(mktemp -d)" && go mod download "k8s.io/kubernetes@v$KUBERNETES_VERSION")
    {
      echo "module llm-platform/toolchain/kubernetes"
      echo
      grep -m1 '^go ' "$upstream"
      grep -m1 '^godebug ' "$upstream" || true
      echo
      echo "require k8s.io/kubernetes v$KUBERNETES_VERSION"
      echo
      echo "replace ("
      sed -n 's#^[[:space:]]*\(k8s\.io/[a-z0-9-]*\) => \./staging/src/.*#\t\1 => \1 v'"$staging"'#p' "$upstream"
      echo ")"
    } >go.mod
    local b
    for b in "${KUBE_BINS[@]}"; do go mod edit -tool "k8s.io/kubernetes/cmd/$b"; done
    "${NICE[@]}" go mod tidy
    local date; date="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    local ld="-s -w" p
    for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
      ld+=" -X $p.gitVersion=v$KUBERNETES_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$minor"
      ld+=" -X $p.gitTreeState=clean -X $p.buildDate=$date"
    done
    mkdir -p "$d/bin.tmp"
    for b in "${KUBE_BINS[@]}"; do
      local s; s=$(date +%s)
      "${NICE[@]}" go build -ldflags "$ld" -o "$d/bin.tmp/$b" "k8s.io/kubernetes/cmd/$b"
      log "  $b built in $(( $(date +%s) - s ))s"
    done
    rm -rf "${d:?}/bin" && mv "$d/bin.tmp" "$d/bin"
  )
}

# ---------------------------------------------------------------- kwok
# A tool `go install`ed into its cache directory: `go_install_tool <dir> <binary> <ldflags> <package@version>`;
# returns 10 (cached) when the directory already has the binary.
go_install_tool() {
  local d="$1" bin="$2" ldflags="$3" pkg="$4"
  if have "$d" "$bin"; then return 10; fi
  mkdir -p "$d/bin"
  GOBIN="$d/bin" "${NICE[@]}" go install -ldflags "$ldflags" "$pkg"
}

KWOK_DIR() { echo "$TOOLCHAIN_CACHE/kwok-v$KWOK_VERSION"; }
build_kwok() {
  go_install_tool "$(KWOK_DIR)" kwok "-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=v$KWOK_VERSION" "sigs.k8s.io/kwok/cmd/kwok@v$KWOK_VERSION"
}

# ---------------------------------------------------------------- helm
# Only for `helm template`: the e2e server-side applies what the charts render, and the
# benchmark's API floor counts those objects too.
HELM_DIR() { echo "$TOOLCHAIN_CACHE/helm-v$HELM_VERSION"; }
build_helm() {
  go_install_tool "$(HELM_DIR)" helm "-s -w -X helm.sh/helm/v3/internal/version.version=v$HELM_VERSION" "helm.sh/helm/v3/cmd/helm@v$HELM_VERSION"
}

# ---------------------------------------------------------------- pulumi CLI
pulumi_cli_version() {
  # The version the CLI is (to be) built at: the lockfile's, else the fallback.
  local f="$TOOLCHAIN_CACHE/pulumi-cli-version-for-v$PULUMI_VERSION"
  if [[ -s "$f" ]]; then cat "$f"; return; fi
  local v="$PULUMI_VERSION"
  if ! proxy_has github.com/pulumi/pulumi/pkg/v3 "v$v"; then
    log "building the pulumi CLI at v$PULUMI_CLI_FALLBACK_VERSION instead of v$PULUMI_VERSION"
    v="$PULUMI_CLI_FALLBACK_VERSION"
  fi
  echo "$v" >"$f"
  echo "$v"
}
PULUMI_DIR() { echo "$TOOLCHAIN_CACHE/pulumi-v$(pulumi_cli_version)"; }
build_pulumi() {
  local v; v="$(pulumi_cli_version)"
  local d; d="$(PULUMI_DIR)"
  if have "$d" pulumi; then return 10; fi
  local m; m="$(build_module_dir "pulumi-v$v")"
  (
    set -e
    cd "$m"
    (cd "$(mktemp -d)" && go mod download "github.com/pulumi/pulumi/pkg/v3@v$v")
    local upstream="$GOMODCACHE/cache/download/github.com/pulumi/pulumi/pkg/v3/@v/v$v.mod"
    {
      echo "module llm-platform/toolchain/pulumi"
      echo
      grep -m1 '^go ' "$upstream"
      echo
      echo "require ("
      echo "	github.com/pulumi/pulumi/pkg/v3 v$v"
      echo "	github.com/pulumi/pulumi/sdk/v3 v$v"
      echo ")"
      echo
      # Keep pkg's replaces that point at other modules; drop the ../sdk one.
      grep -E '^replace [^ ]+ => [^.][^ ]* v' "$upstream" || true
    } >go.mod
    go mod edit -tool github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
    "${NICE[@]}" go mod tidy
    mkdir -p "$d/bin"
    "${NICE[@]}" go build \
      -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$v" \
      -o "$d/bin/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
  )
}

# ---------------------------------------------------------------- language host
# The upstream host (module .../sdk/nodejs/cmd/pulumi-language-nodejs/v3) is not
# served by the proxy; scripts/toolchain/pulumi-language-nodejs is a small host
# of our own on top of the SDK's Go packages (see its main.go).
LANG_DIR() { echo "$TOOLCHAIN_CACHE/pulumi-language-nodejs-v$(pulumi_cli_version)-$(cat "$HERE"/pulumi-language-nodejs/*.go | sha256sum | cut -c1-12)"; }
build_language_nodejs() {
  local v; v="$(pulumi_cli_version)"
  local d; d="$(LANG_DIR)"
  if have "$d" pulumi-language-nodejs pulumi-resource-pulumi-nodejs; then return 10; fi
  local m; m="$(build_module_dir "pulumi-language-nodejs-v$v")"
  (
    set -e
    cp "$HERE"/pulumi-language-nodejs/*.go "$m/"
    cd "$m"
    (cd "$(mktemp -d)" && go mod download "github.com/pulumi/pulumi/sdk/v3@v$v")
    local upstream="$GOMODCACHE/cache/download/github.com/pulumi/pulumi/sdk/v3/@v/v$v.mod"
    {
      echo "module llm-platform/toolchain/pulumi-language-nodejs"
      echo
      grep -m1 '^go ' "$upstream"
      echo
      echo "require github.com/pulumi/pulumi/sdk/v3 v$v"
      echo
      grep -E '^replace [^ ]+ => [^.][^ ]* v' "$upstream" || true
    } >go.mod
    "${NICE[@]}" go mod tidy
    mkdir -p "$d/bin"
    "${NICE[@]}" go build -ldflags "-s -w -X main.version=$v" -o "$d/bin/pulumi-language-nodejs" .
    # The dynamic-provider shim that the CLI's own distribution ships.
    cat >"$d/bin/pulumi-resource-pulumi-nodejs" <<'EOF'
#!/bin/sh
exec node "$(node -p 'require.resolve("@pulumi/pulumi/cmd/dynamic-provider")' 2>/dev/null || echo ./node_modules/@pulumi/pulumi/cmd/dynamic-provider)" "$@"
EOF
    chmod +x "$d/bin/pulumi-resource-pulumi-nodejs"
  )
}

# ---------------------------------------------------------------- providers
# Installed into PULUMI_HOME-style plugin dirs: plugins/resource-<name>-v<ver>/
PLUGINS_DIR() { echo "$TOOLCHAIN_CACHE/plugins"; }
build_provider() { # $1=name $2=version $3=go module $4=main package dir in scripts/toolchain
  local name=$1 ver=$2 mod=$3 src="$HERE/$4"
  local d; d="$(PLUGINS_DIR)/resource-$name-v$ver"
  if have "$d" "pulumi-resource-$name"; then return 10; fi
  # An air-gapped user may already have the plugin (e.g. from a mirror of
  # get.pulumi.com): PULUMI_PLUGIN_SOURCE=<dir with resource-<name>-v<ver>/>.
  if [[ -n "${PULUMI_PLUGIN_SOURCE:-}" && -x "$PULUMI_PLUGIN_SOURCE/resource-$name-v$ver/pulumi-resource-$name" ]]; then
    mkdir -p "$d/bin"
    cp -a "$PULUMI_PLUGIN_SOURCE/resource-$name-v$ver/." "$d/bin/"
    return 0
  fi
  if ! proxy_has "$mod" "v$ver"; then
    log "pulumi-resource-$name v$ver can't be built here: its Go module $mod@v$ver is not served by the Go module proxy"
    return 1
  fi
  local m; m="$(build_module_dir "provider-$name-v$ver")"
  (
    set -e
    cp -a "$src/." "$m/"
    cd "$m"
    local schema_var="PULUMI_${name^^}_SCHEMA"
    if [[ -n "${!schema_var:-}" ]]; then cp "${!schema_var}" schema.json; else echo '{}' >schema.json; fi
    local upstream="$GOMODCACHE/cache/download/$mod/@v/v$ver.mod"
    {
      echo "module llm-platform/toolchain/provider-$name"
      echo
      grep -m1 '^go ' "$upstream"
      echo
      echo "require $mod v$ver"
      echo
      upstream_replaces "$upstream"
    } >go.mod
    "${NICE[@]}" go mod tidy
    mkdir -p "$d/bin"
    "${NICE[@]}" go build -ldflags "-s -w -X main.version=$ver" -o "$d/bin/pulumi-resource-$name" .
  )
}
build_provider_random() {
  build_provider random "$PULUMI_RANDOM_VERSION" github.com/pulumi/pulumi-random/provider/v4 provider-random
}
build_provider_kubernetes() {
  build_provider kubernetes "$PULUMI_KUBERNETES_VERSION" github.com/pulumi/pulumi-kubernetes/provider/v4 provider-kubernetes
}

# ---------------------------------------------------------------- promtool
# `go install .../cmd/promtool@version` refuses the prometheus module, because its
# go.mod has a replace directive (cloud.google.com/go); a build module carries it,
# as for the pulumi CLI.
PROMTOOL_DIR() { echo "$TOOLCHAIN_CACHE/promtool-v$PROMETHEUS_VERSION"; }
build_promtool() {
  local d; d="$(PROMTOOL_DIR)"
  if have "$d" promtool; then return 10; fi
  local mod=github.com/prometheus/prometheus v="v$PROMETHEUS_VERSION"
  local m; m="$(build_module_dir "promtool-$v")"
  (
    set -e
    cd "$m"
    (cd "$(mktemp -d)" && go mod download "$mod@$v")
    local upstream="$GOMODCACHE/cache/download/$mod/@v/$v.mod"
    {
      echo "module llm-platform/toolchain/promtool"
      echo
      grep -m1 '^go ' "$upstream"
      echo
      echo "require $mod $v"
      echo
      upstream_replaces "$upstream"
    } >go.mod
    go mod edit -tool "$mod/cmd/promtool"
    "${NICE[@]}" go mod tidy
    # Upstream's release build (promu) sets these; --version then names the release.
    local p=github.com/prometheus/common/version release
    release="$(cat "$GOMODCACHE/$mod@$v/VERSION")"
    local ld="-s -w -X $p.Version=$release -X $p.Revision=$v"
    ld+=" -X $p.Branch=$v -X $p.BuildUser=llm-platform -X $p.BuildDate=$(date -u +%Y%m%d-%H:%M:%S)"
    mkdir -p "$d/bin"
    # remove_all_sd (upstream's build tag) leaves out the cloud service discoveries (AWS, Azure,
    # GCE, Consul, …) and their SDKs: 60 MB of Go source to compile instead of 130 MB. promtool
    # keeps kubernetes, file and http discovery; its rule checks and rule unit tests need none.
    "${NICE[@]}" go build -tags remove_all_sd -ldflags "$ld" -o "$d/bin/promtool" "$mod/cmd/promtool"
  )
}

# ---------------------------------------------------------------- sloth
# Only the tests run it: `sloth generate` for the SLOs the program generates rules for (tests/slo-sloth.test.ts).
SLOTH_DIR() { echo "$TOOLCHAIN_CACHE/sloth-v$SLOTH_VERSION"; }
build_sloth() {
  go_install_tool "$(SLOTH_DIR)" sloth "-s -w -X github.com/slok/sloth/internal/info.Version=v$SLOTH_VERSION" "github.com/slok/sloth/cmd/sloth@v$SLOTH_VERSION"
}

# ---------------------------------------------------------------- amtool
AMTOOL_DIR() { echo "$TOOLCHAIN_CACHE/amtool-v$ALERTMANAGER_VERSION"; }
build_amtool() {
  local p=github.com/prometheus/common/version
  go_install_tool "$(AMTOOL_DIR)" amtool "-s -w -X $p.Version=$ALERTMANAGER_VERSION -X $p.Revision=v$ALERTMANAGER_VERSION -X $p.Branch=v$ALERTMANAGER_VERSION -X $p.BuildUser=llm-platform" "github.com/prometheus/alertmanager/cmd/amtool@v$ALERTMANAGER_VERSION"
}

# ---------------------------------------------------------------- cyclonus
CYCLONUS_DIR() { echo "$TOOLCHAIN_CACHE/cyclonus-v$CYCLONUS_VERSION"; }
build_cyclonus() {
  local d; d="$(CYCLONUS_DIR)"
  if have "$d" cyclonus; then return 10; fi
  mkdir -p "$d/bin"
  GOBIN="$d/bin" "${NICE[@]}" go install \
    -ldflags "-s -w -X github.com/mattfenwick/cyclonus/pkg/cli.version=v$CYCLONUS_VERSION" \
    "github.com/mattfenwick/cyclonus/cmd/cyclonus@v$CYCLONUS_VERSION"
}

# ---------------------------------------------------------------- actionlint
ACTIONLINT_DIR() { echo "$TOOLCHAIN_CACHE/actionlint-v$ACTIONLINT_VERSION"; }
build_actionlint() {
  local d; d="$(ACTIONLINT_DIR)"
  if have "$d" actionlint; then return 10; fi
  mkdir -p "$d/bin"
  # actionlint -version reads the module version from the binary's build info.
  GOBIN="$d/bin" "${NICE[@]}" go install -ldflags "-s -w" \
    "github.com/rhysd/actionlint/cmd/actionlint@v$ACTIONLINT_VERSION"
}

# ---------------------------------------------------------------- main
# (in a function, so that bash has read all of it before running: editing a running script is safe)
main() {
  ALL=(node etcd kubernetes kwok helm pulumi language-nodejs provider-random provider-kubernetes
    promtool sloth amtool cyclonus actionlint)
  local -a TOOLS=("$@")
  (( ${#TOOLS[@]} )) || TOOLS=("${ALL[@]}")

  total_start=$(date +%s)
  log "cache: $TOOLCHAIN_CACHE; pulumi v$PULUMI_VERSION, kubernetes provider v$PULUMI_KUBERNETES_VERSION, random provider v$PULUMI_RANDOM_VERSION, kubernetes v$KUBERNETES_VERSION, kwok v$KWOK_VERSION, promtool (prometheus) v$PROMETHEUS_VERSION, sloth v$SLOTH_VERSION, amtool (alertmanager) v$ALERTMANAGER_VERSION, cyclonus v$CYCLONUS_VERSION, actionlint v$ACTIONLINT_VERSION"
  for t in "${TOOLS[@]}"; do
    case $t in
      node) timed node build_node ;;
      etcd) timed etcd build_etcd ;;
      kubernetes) timed kubernetes build_kubernetes ;;
      kwok) timed kwok build_kwok ;;
      helm) timed helm build_helm ;;
      pulumi) timed pulumi build_pulumi ;;
      language-nodejs) timed language-nodejs build_language_nodejs ;;
      provider-random) timed provider-random build_provider_random ;;
      provider-kubernetes) timed provider-kubernetes build_provider_kubernetes ;;
      promtool) timed promtool build_promtool ;;
      sloth) timed sloth build_sloth ;;
      amtool) timed amtool build_amtool ;;
      cyclonus) timed cyclonus build_cyclonus ;;
      actionlint) timed actionlint build_actionlint ;;
      *) log "unknown tool: $t"; return 2 ;;
    esac
  done

  failed=0
  echo "toolchain summary (total $(( $(date +%s) - total_start ))s):"
  for t in "${ORDER[@]}"; do
    printf '  %-20s %s\n' "$t" "${RESULT[$t]}"
    [[ ${RESULT[$t]} == FAILED* ]] && failed=$((failed + 1))
  done
  if (( failed )) && [[ "${TOOLCHAIN_ALLOW_MISSING:-0}" != 1 ]]; then
    return 1
  fi
  return 0
}

main "$@"
exit $?
