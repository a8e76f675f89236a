#!/usr/bin/env bash
# Benchmarks (not a test): prints the machine and the versions, then a markdown table of every
# figure as the median of N runs with its min and max, then one line per goal of issue #14 with
# its ratio (docs/performance.md records a run):
#   - program start-up under the unit tests' mocks, to the last resource registered (bench/startup.mjs):
#     the program's own part (above the floor of the same harness) at most 0.5 s, dev and prod;
#   - the unit suite (`npm test`) under 20 s;
#   - `npm run check -- --stack <stack>` (dev, prod), spawn to exit, at most 1 s a stack (#28);
#   - a no-op `pulumi preview` of prod at most 1.5 x (engine floor + API floor), the floors measured
#     over the same objects: an empty program's no-op preview, and `kubectl apply --server-side
#     --dry-run=server` of the objects the program and its charts produce (needs the provider plugins);
#   - a blue-green switch at most 2 s once the check has passed (bench/blue-green-switch.mjs, #25);
#   - a release of prod that changes one image at most 1.5 x its floor (`kubectl apply --server-side`
#     of the same change and `kubectl rollout status`), and an automatic rollback serving again
#     within one release's time after the failed attempt's deadline (bench/release.mjs, #25; needs
#     the provider plugins);
#   - `pulumi up` of prod against its floor: the same objects applied with `kubectl apply
#     --server-side`, then `kubectl rollout status` and the waits pulumi does (needs the plugins
#     for the `up` itself; the floor is measured regardless).
#
#   bench/run.sh                      # builds/reuses the toolchain, starts and stops the control plane
#   BENCH_RUNS=5 bench/run.sh         # runs of each quick figure (default 5)
#   BENCH_SUITE_RUNS=3                # runs of `npm test` (default 3); BENCH_SKIP_UNIT=1 skips them
#   BENCH_UP_RUNS=1                   # runs of the apply-and-wait floor (default 1: each deletes its namespace)
#   BENCH_RELEASE_RUNS=3              # releases of prod, and their floors, in turn (default 3)
#   E2E_KUBECONFIG=... bench/run.sh   # against your own cluster
set -euo pipefail
# All of it in one block: bash reads it whole before running, so editing the file mid-run is safe.
{
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
RUNS="${BENCH_RUNS:-5}"
SUITE_RUNS="${BENCH_SUITE_RUNS:-3}"
UP_RUNS="${BENCH_UP_RUNS:-1}"

if [[ "${E2E_SKIP_BUILD:-0}" != 1 ]]; then
  TOOLCHAIN_ALLOW_MISSING=1 scripts/toolchain/build.sh >&2
fi
# shellcheck source=../scripts/toolchain/env.sh
source scripts/toolchain/env.sh

WORK="$(mktemp -d /tmp/llm-platform-bench-XXXXXX)"
if [[ -n "${E2E_KUBECONFIG:-}" ]]; then
  export KUBECONFIG="$E2E_KUBECONFIG"
  trap 'rm -rf "$WORK"' EXIT
else
  trap 'rm -rf "$WORK"; scripts/toolchain/cluster.sh stop >&2' EXIT
  # Nine nodes, three a zone: prod's pods are one a node and spread over zones, and a release that
  # surges a pod needs a free node in the zone the spread asks for (six nodes can't roll 5 replicas).
  CLUSTER_NODES="${CLUSTER_NODES:-9}" scripts/toolchain/cluster.sh start >/dev/null
  KUBECONFIG="$(scripts/toolchain/cluster.sh kubeconfig)"
  export KUBECONFIG
fi
export PULUMI_BACKEND_URL="file://$WORK/state" PULUMI_CONFIG_PASSPHRASE="bench" NO_COLOR=1
mkdir -p "$WORK/state"

# sample NAME N CMD... : runs CMD N times; "$WORK/NAME.samples" gets one line per run, "<wall ms> <cpu ms>"
# (cpu: user + sys of the command and its children, from bash's `time`). A failed run is recorded in
# $WORK/failed with its output on stderr, and the figure becomes FAILED; the script exits 1 after the table.
sample() {
  local name=$1 n=$2 i
  shift 2
  : >"$WORK/$name.samples"
  for ((i = 0; i < n; i++)); do
    sample_more "$name" "$@" || return 0
  done
}
# sample_more NAME CMD... : one more run of CMD into NAME's samples (runs of several figures taken in turn).
sample_more() {
  local name=$1 t
  shift
  if ! t=$( { TIMEFORMAT='%R %U %S'; time "$@" >"$WORK/last.log" 2>&1; } 2>&1 ); then
    echo "bench: FAILED: $*" >&2
    tail -n 30 "$WORK/last.log" >&2
    echo "$name: $*" >>"$WORK/failed"
    echo FAILED >>"$WORK/$name.samples"
    return 1
  fi
  awk '{ printf "%d %d\n", $1 * 1000, ($2 + $3) * 1000 }' <<<"$t" >>"$WORK/$name.samples"
}
# stats_of NAME COLUMN : "median min max" (ms) of a sample's column (1 wall, 2 cpu), or FAILED / nothing.
stats_of() {
  local f="$WORK/$1.samples"
  [[ -s $f ]] || return 0
  grep -q FAILED "$f" && { echo FAILED; return; }
  cut -d' ' -f"$2" "$f" | sort -n | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2); print m, v[1], v[NR] }'
}
sec() { awk -v ms="$1" 'BEGIN { printf "%.2f s", ms / 1000 }'; }
median_of() { stats_of "$1" 1 | cut -d' ' -f1; }

declare -a ROWS=()
# row WHAT NAME NOTES : a table row from sample NAME (median, min, max, CPU median, runs)
row() {
  local what=$1 name=$2 notes=$3 wall cpu n
  wall=$(stats_of "$name" 1)
  if [[ -z $wall ]]; then ROWS+=("| $what | n/a | | | | | $notes |"); return; fi
  if [[ $wall == FAILED ]]; then ROWS+=("| $what | FAILED | | | | | $notes |"); return; fi
  cpu=$(stats_of "$name" 2)
  n=$(wc -l <"$WORK/$name.samples")
  read -r m lo hi <<<"$wall"
  ROWS+=("| $what | $(sec "$m") | $(sec "$lo") | $(sec "$hi") | $(sec "${cpu%% *}") | $n | $notes |")
}
na_row() { ROWS+=("| $1 | n/a | | | | | $2 |"); }
# Deletes a namespace and waits until it is gone: the next step must find the cluster as it expects.
delete_namespace() { [[ -z $1 ]] || kubectl delete namespace "$1" --ignore-not-found --wait=true --timeout=300s >/dev/null; }

# A scratch copy of a project with node_modules linked.
scratch() { # $1 = source dir, $2 = name, rest = files
  local src=$1 name=$2; shift 2
  local d="$WORK/$name"
  mkdir -p "$d"
  local f
  for f in "$@"; do [[ -e "$src/$f" ]] && cp -a "$src/$f" "$d/"; done
  ln -s "$ROOT/node_modules" "$d/node_modules"
  echo "$d"
}

have_pulumi=1
[[ " $TOOLCHAIN_MISSING " == *" pulumi "* || " $TOOLCHAIN_MISSING " == *" language-nodejs "* ]] && have_pulumi=0
have_providers=1
[[ " $TOOLCHAIN_MISSING " == *" provider-"* ]] && have_providers=0
(( have_pulumi )) || have_providers=0
why_no_preview="the provider plugins are missing (${TOOLCHAIN_MISSING:-?}): the program's previews and ups can't run"
(( have_pulumi )) || why_no_preview="the pulumi CLI or its language host is missing"

# ---------------------------------------------------------------- the engine floor
if (( have_pulumi )); then
  empty="$(scratch "$ROOT/e2e/fixtures/empty" empty Pulumi.yaml index.js)"
  pulumi -C "$empty" --non-interactive stack init bench >/dev/null 2>&1
  sample engine-cold 1 pulumi -C "$empty" --non-interactive preview -s bench
  pulumi -C "$empty" --non-interactive up --yes --skip-preview -s bench >/dev/null 2>&1 || true
  row "engine floor: cold \`pulumi preview\` of an empty program" engine-cold "first preview of a new stack"
  # The no-op floors: here when prod's previews can't run, else taken in turn with prod's no-op previews (below).
  # shellcheck disable=SC2317 # run through sample
  engine_floor() { pulumi -C "$empty" --non-interactive preview -s bench --expect-no-changes; }
  # The same with the SDK's function-serialization dependencies deferred, as the program's loader defers them.
  # shellcheck disable=SC2317 # run through sample
  engine_floor_deferred() { NODE_OPTIONS="${NODE_OPTIONS:+$NODE_OPTIONS }--require=$ROOT/scripts/lazy-sdk-deps.cjs" engine_floor; }
  floor_rows() { # $1 = note
    row "engine floor: no-op \`pulumi preview\` of an empty program" engine-floor "e2e/fixtures/empty (JavaScript)$1"
    row "engine floor, the SDK's function-serialization dependencies deferred (scripts/lazy-sdk-deps.cjs, as the program's loader does)" engine-floor-deferred "the same program, \`NODE_OPTIONS=--require=...\`$1"
  }
  if (( ! have_providers )); then
    sample engine-floor "$RUNS" engine_floor
    sample engine-floor-deferred "$RUNS" engine_floor_deferred
    floor_rows ""
  fi
else
  na_row "engine floor: \`pulumi preview\` of an empty program" "pulumi CLI or language host missing"
fi

# ---------------------------------------------------------------- the objects, and the API floors
render_args() { node e2e/stack-overrides.mjs "$1"; } # render.ts's config arguments, one a line
render() { # $1 = stack -> $WORK/$1.json: the program's objects and what its charts render (helm template, through the program's chart transforms)
  local -a extra
  mapfile -t extra < <(render_args "$1")
  RENDER_CHARTS="$WORK/$1.charts.json" RENDER_CHART_OBJECTS="$WORK/$1.charts-objects.json" node -r ./scripts/register-ts.cjs e2e/render.ts "$1" "${extra[@]}" >"$WORK/$1.program.json" 2>"$WORK/$1.render.log" &&
    jq -s '{apiVersion: "v1", kind: "List", items: (.[0].items + .[1].items)}' "$WORK/$1.program.json" "$WORK/$1.charts-objects.json" >"$WORK/$1.json"
}
namespaces_of() { jq -r '.items[] | select(.kind == "Namespace") | .metadata.name' "$WORK/$1.json"; }
create_namespaces() { jq '{apiVersion, kind, items: [.items[] | select(.kind == "Namespace")]}' "$WORK/$1.json" | kubectl apply --server-side -f - >/dev/null; }

kubectl apply --server-side -f e2e/fixtures/crds.yaml >/dev/null
kubectl wait --for=condition=Established crd --all --timeout=60s >/dev/null
kubectl apply --server-side -f e2e/fixtures/prerequisites.yaml >/dev/null
declare -A rendered=()
for stack in dev prod; do
  if ! render "$stack"; then
    echo "api-floor-$stack: render failed" >>"$WORK/failed"
    ROWS+=("| API floor ($stack) | FAILED | | | | | render failed: $(tail -n 1 "$WORK/$stack.render.log") |")
    continue
  fi
  rendered[$stack]=1
  n=$(jq '.items | length' "$WORK/$stack.json")
  n_charts=$(jq '.items | length' "$WORK/$stack.charts-objects.json")
  create_namespaces "$stack"
  sample "api-floor-$stack" "$RUNS" kubectl apply --server-side --dry-run=server -f "$WORK/$stack.json"
  # The namespaces were created for the dry run only: what follows creates its own.
  while read -r ns; do delete_namespace "$ns"; done < <(namespaces_of "$stack")
  row "API floor ($stack): \`kubectl apply --server-side --dry-run=server\` of the same $n objects ($n_charts from the charts)" "api-floor-$stack" ""
done

# ---------------------------------------------------------------- the floor of `pulumi up`
# WAITS gets the pids of waits, started at once, for the objects of a v1/List file that `pulumi up`
# waits for: Deployments and StatefulSets rolled out, Jobs complete, Ingresses with an address.
WAITS=()
# shellcheck disable=SC2317 # called from functions run through sample
start_waits() { # $1 = a v1/List file
  local kind name ns
  while IFS=$'\t' read -r kind name ns; do
    case $kind in
      Deployment | StatefulSet) kubectl rollout status "$kind/$name" -n "$ns" --timeout=180s >/dev/null & ;;
      Job) kubectl wait --for=condition=complete "job/$name" -n "$ns" --timeout=180s >/dev/null & ;;
      Ingress) kubectl wait --for=jsonpath='{.status.loadBalancer.ingress}' "ingress/$name" -n "$ns" --timeout=180s >/dev/null & ;;
      *) continue ;;
    esac
    WAITS+=($!)
  done < <(jq -r '.items[] | select(.kind | IN("Deployment", "StatefulSet", "Job", "Ingress")) | [.kind, .metadata.name, .metadata.namespace] | @tsv' "$1")
}
# Waits for every pid in WAITS; fails if any failed.
# shellcheck disable=SC2317 # called from functions run through sample
finish_waits() {
  local p rc=0
  for p in "${WAITS[@]}"; do wait "$p" || rc=1; done
  WAITS=()
  return "$rc"
}
# Applies a stack's objects (the program's and the charts' rendered ones) for real and waits as
# `pulumi up` does, all waits at once. The namespaces are deleted after each sample.
# shellcheck disable=SC2317 # run through sample
apply_and_wait() { # $1 = stack
  create_namespaces "$1"
  kubectl apply --server-side --force-conflicts -f "$WORK/$1.json" >/dev/null
  start_waits "$WORK/$1.json"
  finish_waits
}
# The same with Helm for the charts: the program's objects applied, each chart installed with
# `helm upgrade --install --wait` (the charts' readiness as Helm judges it), everything at once.
# shellcheck disable=SC2317 # run through sample
apply_and_helm_install() { # $1 = stack
  local stack=$1 i charts="$WORK/$1.charts.json" values
  create_namespaces "$stack"
  kubectl apply --server-side --force-conflicts -f "$WORK/$stack.program.json" >/dev/null
  start_waits "$WORK/$stack.program.json"
  for ((i = 0; i < $(jq length "$charts"); i++)); do
    values="$WORK/$stack.chart-$i.values.json"
    jq ".[$i].values" "$charts" >"$values"
    helm upgrade --install "$(jq -r ".[$i].release" "$charts")" "$(jq -r ".[$i].chart" "$charts")" \
      --namespace "$(jq -r ".[$i].namespace" "$charts")" --values "$values" --wait --timeout 180s >/dev/null &
    WAITS+=($!)
  done
  finish_waits
}
reset_stack() { while read -r ns; do delete_namespace "$ns"; done < <(namespaces_of "$1"); }
for stack in dev prod; do
  [[ -n ${rendered[$stack]:-} ]] || continue
  : >"$WORK/up-floor-$stack.samples.all"
  for ((i = 0; i < UP_RUNS; i++)); do
    sample "up-floor-$stack-run" 1 apply_and_wait "$stack"
    cat "$WORK/up-floor-$stack-run.samples" >>"$WORK/up-floor-$stack.samples.all"
    reset_stack "$stack"
  done
  mv "$WORK/up-floor-$stack.samples.all" "$WORK/up-floor-$stack.samples"
  waits=$(jq '[.items[] | select(.kind | IN("Deployment", "StatefulSet", "Job", "Ingress"))] | length' "$WORK/$stack.json")
  row "\`pulumi up\` floor ($stack): \`kubectl apply --server-side\` of the same objects, then their $waits waits (rollouts, Jobs, Ingress addresses) at once" "up-floor-$stack" "local control plane, kwok's pods"
  n_charts=$(jq length "$WORK/$stack.charts.json")
  if (( n_charts > 0 )) && [[ " ${TOOLCHAIN_MISSING:-} " != *" helm "* ]]; then
    sample "up-floor-helm-$stack" 1 apply_and_helm_install "$stack"
    reset_stack "$stack"
    row "\`pulumi up\` floor ($stack), with Helm: the program's objects applied, its $n_charts charts by \`helm upgrade --install --wait\`, all at once" "up-floor-helm-$stack" "local control plane, kwok's pods"
  fi
done

# ---------------------------------------------------------------- the program's previews and ups
for stack in dev prod; do
  if (( ! have_providers )); then
    na_row "$stack: cold \`pulumi preview\` / \`pulumi up\` / no-op \`pulumi preview\`" "$why_no_preview"
    continue
  fi
  mapfile -t project_files < <(find "$ROOT" -mindepth 1 -maxdepth 1 ! -name node_modules ! -name .git -printf '%f\n')
  p="$(scratch "$ROOT" "prog-$stack" "${project_files[@]}")"
  pulumi -C "$p" --non-interactive stack init "$stack" >/dev/null
  while IFS= read -r arg; do
    if [[ $arg == secret:* ]]; then arg="${arg#secret:}"; printf '%s' "${arg#*=}" | pulumi -C "$p" --non-interactive config set -s "$stack" --secret "${arg%%=*}"
    else jq -j 'if type == "string" then . else tojson end' <<<"${arg#*=}" | pulumi -C "$p" --non-interactive config set -s "$stack" "${arg%%=*}"; fi
  done < <(render_args "$stack")
  reset_stack "$stack"
  sample "preview-cold-$stack" 1 pulumi -C "$p" --non-interactive preview -s "$stack"
  # The up through bench/up-critical-path.mjs: the engine's event log, stamped as it is written.
  sample "up-$stack" 1 node bench/up-critical-path.mjs --record "$WORK/up-$stack.events" -- pulumi -C "$p" --non-interactive up --yes --skip-preview -s "$stack"
  if [[ -s "$WORK/up-$stack.events" ]] && pulumi -C "$p" --non-interactive stack export -s "$stack" >"$WORK/up-$stack.state.json" 2>/dev/null; then
    node bench/up-critical-path.mjs --analyze "$WORK/up-$stack.events" "$WORK/up-$stack.state.json" >"$WORK/up-$stack.path.md" 2>&1 || true
  fi
  if [[ $stack == prod ]]; then
    # prod's no-op preview and the engine floors in turn, so that the goal's ratio compares runs
    # taken under the same conditions.
    : >"$WORK/noop-prod.samples"; : >"$WORK/engine-floor.samples"; : >"$WORK/engine-floor-deferred.samples"
    for ((i = 0; i < RUNS; i++)); do
      sample_more engine-floor engine_floor || true
      sample_more engine-floor-deferred engine_floor_deferred || true
      sample_more noop-prod pulumi -C "$p" --non-interactive preview -s prod --expect-no-changes || true
    done
    floor_rows "; taken in turn with prod's no-op previews"
  else
    sample "noop-$stack" "$RUNS" pulumi -C "$p" --non-interactive preview -s "$stack" --expect-no-changes
  fi
  row "$stack: cold \`pulumi preview\`" "preview-cold-$stack" "new stack, nothing deployed"
  row "$stack: \`pulumi up\`" "up-$stack" "creates everything, waits for readiness"
  row "$stack: no-op \`pulumi preview\`" "noop-$stack" ""
  if [[ $stack == prod ]]; then
    # prod's destroy guard refuses a destroy while data safety is on (docs/data-tier.md).
    for store in postgresql redis; do
      render_args "$stack" | sed -n "s/^$store=//p" | jq -j '.protect = false | tojson' | pulumi -C "$p" --non-interactive config set -s "$stack" "$store"
    done
    pulumi -C "$p" --non-interactive up --yes --skip-preview -s "$stack" >/dev/null 2>&1 || true
  fi
  pulumi -C "$p" --non-interactive destroy --yes --skip-preview -s "$stack" >/dev/null 2>&1 || true
  reset_stack "$stack"
done

# ---------------------------------------------------------------- releases (#25), on the same cluster
# The blue-green switch: at most 2 s once the check has passed (bench/blue-green-switch.mjs).
: >"$WORK/releases.goals"
if node bench/blue-green-switch.mjs >"$WORK/switch.log" 2>&1; then
  echo "Goal: $(tail -n 1 "$WORK/switch.log")" >>"$WORK/releases.goals"
else
  echo "bench: FAILED: node bench/blue-green-switch.mjs" >&2
  tail -n 30 "$WORK/switch.log" >&2
  echo "blue-green switch: node bench/blue-green-switch.mjs" >>"$WORK/failed"
fi
# A release of prod changing one image against its kubectl floor, and the automatic rollback after
# a deadline against one release (bench/release.mjs; needs the plugins).
if (( have_providers )); then
  if node bench/release.mjs >"$WORK/release.log" 2>"$WORK/release.err"; then
    cat "$WORK/release.log" >>"$WORK/releases.goals"
  else
    echo "bench: FAILED: node bench/release.mjs" >&2
    tail -n 30 "$WORK/release.err" >&2
    echo "releases of prod: node bench/release.mjs" >>"$WORK/failed"
  fi
else
  echo "Goals: a release of prod changing one image <= 1.5 x its kubectl floor, and an automatic rollback serving again within one release after the deadline: not measurable here: $why_no_preview" >>"$WORK/releases.goals"
fi

# ---------------------------------------------------------------- start-up and the unit suite
# Measured on the machine alone: the local control plane (etcd, the API server, kwok) is stopped
# first, as a developer's or CI's machine has none running beside `npm test`.
if [[ -z "${E2E_KUBECONFIG:-}" ]]; then
  scripts/toolchain/cluster.sh stop >&2
  trap 'rm -rf "$WORK"' EXIT
fi
startup_ok=1
node bench/startup.mjs --runs "$RUNS" --variants register-ts,register-ts-after-npm-ci,ts-node --json "$WORK/startup.json" >"$WORK/startup.md" 2>"$WORK/startup.log" ||
  { startup_ok=0; echo "startup: bench/startup.mjs failed" >>"$WORK/failed"; tail -n 30 "$WORK/startup.log" >&2; }
startup_row() { # $1 = variant, $2 = target, $3 = what, $4 = notes: the time to the last registration and, for a stack, the program's own part
  local fields m lo hi cpu n om olo ohi own=""
  fields=$(jq -r --arg v "$1" --arg t "$2" '.rows[] | select(.variant == $v and .target == $t) |
    [.toLastRegistrationMs.median, .toLastRegistrationMs.min, .toLastRegistrationMs.max, .cpuMs.median, .toLastRegistrationMs.n,
     (.ownMs.median // ""), (.ownMs.min // ""), (.ownMs.max // "")] | @tsv' "$WORK/startup.json")
  [[ -n $fields ]] || return 0
  IFS=$'\t' read -r m lo hi cpu n om olo ohi <<<"$fields"
  [[ -n $om ]] && own="; the program's own part $(sec "$om") ($(sec "$olo")–$(sec "$ohi"))"
  ROWS+=("| $3 | $(sec "$m") | $(sec "$lo") | $(sec "$hi") | $(sec "$cpu") | $n | $4$own |")
}
if (( startup_ok )); then
  for target in "floor (dev)" dev "floor (prod)" prod; do
    startup_row register-ts "$target" "start-up, $target: spawn to the last registration under mocks, \`program.cjs\`'s loader" "caches warm"
    startup_row register-ts-after-npm-ci "$target" "start-up, $target: the same, first run after \`npm ci\`" "caches as \`npm ci\` leaves them"
    startup_row ts-node "$target" "start-up, $target: the same program under ts-node (the loader before #14)" "transpile-only"
  done
fi
# npm run check, one stack file a run (#28's goal: at most 1 s a stack).
for stack in dev prod; do
  sample "check-$stack" "$RUNS" npm run --silent check -- --stack "$stack"
  row "\`npm run check -- --stack $stack\`: the stack file through the program under mocks" "check-$stack" "spawn to exit"
done
if [[ "${BENCH_SKIP_UNIT:-0}" != 1 ]]; then
  sample suite "$SUITE_RUNS" npm test --silent
  row "unit suite: \`npm test\` (mocha, 2 jobs)" suite "$(grep -Eo '[0-9]+ passing' "$WORK/last.log" | tail -1)"
fi

# ---------------------------------------------------------------- report
cpu="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
mem="$(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)"
pkg() { node -p "require('./node_modules/$1/package.json').version"; }
echo
echo "Machine: $(nproc) cores ($cpu), $mem, load average $(cut -d' ' -f1-3 /proc/loadavg) at the end; $(date -u +%Y-%m-%d)"
echo "Versions: node $(node --version); pulumi CLI ${PULUMI_CLI_VERSION:-?} ($( (( have_pulumi )) && echo built || echo missing)); @pulumi/pulumi $(pkg @pulumi/pulumi); @pulumi/kubernetes $(pkg @pulumi/kubernetes); typescript $(pkg typescript); kubernetes v$KUBERNETES_VERSION (local control plane, kwok's nodes); kubectl $(kubectl version --client -o json | jq -r .clientVersion.gitVersion); helm v${HELM_VERSION:-?}; missing: ${TOOLCHAIN_MISSING:-nothing}"
echo
echo "| what | median | min | max | CPU (median) | runs | notes |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | --- |"
printf '%s\n' "${ROWS[@]}"
echo
# One line per goal.
if (( startup_ok )); then
  for stack in dev prod; do
    IFS=$'\t' read -r own total < <(jq -r --arg s "$stack" '.rows[] | select(.variant == "register-ts" and .target == $s) | [.ownMs.median, .toLastRegistrationMs.median] | @tsv' "$WORK/startup.json")
    echo "Goal: start-up, $stack: the program's own part $(sec "$own") <= 0.5 s: $(awk -v o="$own" 'BEGIN { print (o <= 500) ? "PASS" : "FAIL" }') (ratio $(awk -v o="$own" 'BEGIN { printf "%.2f", o / 500 }'); spawn to the last registration $(sec "$total"), of which the harness's floor $(awk -v t="$total" -v o="$own" 'BEGIN { printf "%.2f s", (t - o) / 1000 }'))"
  done
else
  echo "Goal: start-up <= 0.5 s: not measured: bench/startup.mjs failed"
fi
for stack in dev prod; do
  check_ms=$(median_of "check-$stack" || true)
  if [[ $check_ms =~ ^[0-9]+$ ]]; then
    echo "Goal: npm run check, $stack: $(sec "$check_ms") <= 1 s: $( (( check_ms <= 1000 )) && echo PASS || echo FAIL) (ratio $(awk -v m="$check_ms" 'BEGIN { printf "%.2f", m / 1000 }'))"
  else
    echo "Goal: npm run check, $stack <= 1 s: not measured (the check failed)"
  fi
done
suite_ms=$(median_of suite || true)
if [[ $suite_ms =~ ^[0-9]+$ ]]; then
  echo "Goal: unit suite $(sec "$suite_ms") < 20 s: $( (( suite_ms < 20000 )) && echo PASS || echo FAIL) (ratio $(awk -v m="$suite_ms" 'BEGIN { printf "%.2f", m / 20000 }'))"
else
  echo "Goal: unit suite < 20 s: not measured${BENCH_SKIP_UNIT:+ (BENCH_SKIP_UNIT=1)}"
fi
engine=$(median_of engine-floor || true) api=$(median_of api-floor-prod || true) noop=$(median_of noop-prod || true)
if [[ $noop =~ ^[0-9]+$ && $engine =~ ^[0-9]+$ && $api =~ ^[0-9]+$ ]]; then
  budget=$(( (engine + api) * 3 / 2 ))
  echo "Goal: no-op preview of prod $(sec "$noop") <= 1.5 x (engine floor $(sec "$engine") + API floor $(sec "$api")) = $(sec "$budget"): $( (( noop <= budget )) && echo PASS || echo FAIL) (ratio $(awk -v n="$noop" -v e="$engine" -v a="$api" 'BEGIN { printf "%.2f", n / (e + a) }') of the floors)"
  deferred=$(median_of engine-floor-deferred || true)
  if [[ $deferred =~ ^[0-9]+$ ]]; then
    echo "  The same against the engine floor with the SDK's serialization dependencies deferred, as the program defers them: 1.5 x ($(sec "$deferred") + $(sec "$api")) = $(sec "$(( (deferred + api) * 3 / 2 ))"): ratio $(awk -v n="$noop" -v e="$deferred" -v a="$api" 'BEGIN { printf "%.2f", n / (e + a) }') of the floors"
  fi
else
  echo "Goal: no-op preview of prod <= 1.5 x (engine floor + API floor): not measurable here: $why_no_preview${engine:+; engine floor $(sec "$engine")}${api:+, API floor $(sec "$api")}"
fi
up=$(median_of up-prod || true) upfloor=$(median_of up-floor-prod || true) helmfloor=$(median_of up-floor-helm-prod || true) helm_part=""
if [[ $up =~ ^[0-9]+$ && $helmfloor =~ ^[0-9]+$ ]]; then
  helm_part="; against the floor with Helm for the charts $(sec "$helmfloor"): ratio $(awk -v u="$up" -v f="$helmfloor" 'BEGIN { printf "%.2f", u / f }')"
fi
if [[ $up =~ ^[0-9]+$ && $upfloor =~ ^[0-9]+$ ]]; then
  echo "pulumi up of prod: $(sec "$up") against its floor (apply and wait with kubectl) $(sec "$upfloor"): ratio $(awk -v u="$up" -v f="$upfloor" 'BEGIN { printf "%.2f", u / f }')$helm_part"
else
  echo "pulumi up of prod against its floor: not measurable here: $why_no_preview${upfloor:+; the floor (kubectl apply and wait) $(sec "$upfloor")}"
fi
if [[ -s "$WORK/up-prod.path.md" ]]; then
  echo
  echo "The \`pulumi up\` of prod, from the engine's event log (bench/up-critical-path.mjs):"
  echo
  cat "$WORK/up-prod.path.md"
fi
cat "$WORK/releases.goals"
if [[ -s "$WORK/failed" ]]; then
  echo
  echo "bench: FAILED: these measurements failed (their output is above, on stderr):"
  sed 's/^/  - /' "$WORK/failed"
  exit 1
fi
exit 0
}
