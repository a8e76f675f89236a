#!/usr/bin/env bash
# Benchmarks (not a test): prints a markdown table of
#   - cold and no-op `pulumi preview`, and `pulumi up`, of dev and prod on the
#     local control plane (needs the provider plugins);
#   - the floors: the same preview of an empty Pulumi program (the engine's) and
#     `kubectl apply --server-side --dry-run=server` of the same objects (the API's);
#   - program start-up with ts-node type-checking versus transpile-only;
#   - the unit-test suite's time;
# and checks the goal: a no-op preview of prod takes at most 1.5 x (engine floor + API floor).
#
#   bench/run.sh                 # builds/reuses the toolchain, starts and stops the control plane
#   BENCH_RUNS=5 bench/run.sh    # repetitions for the quick rows (median; default 3)
#   E2E_KUBECONFIG=... bench/run.sh   # against your own cluster
#   BENCH_SKIP_UNIT=1            # skip the unit-test row
set -euo pipefail
# All of it in one block: bash reads it whole before running, so editing the file mid-run is safe.
{
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
RUNS="${BENCH_RUNS:-3}"

if [[ "${E2E_SKIP_BUILD:-0}" != 1 ]]; then
  TOOLCHAIN_ALLOW_MISSING=1 scripts/toolchain/build.sh >&2
fi
# shellcheck source=../scripts/toolchain/env.sh
source scripts/toolchain/env.sh

if [[ -n "${E2E_KUBECONFIG:-}" ]]; then
  export KUBECONFIG="$E2E_KUBECONFIG"
else
  trap 'scripts/toolchain/cluster.sh stop >&2' EXIT
  scripts/toolchain/cluster.sh start >/dev/null
  KUBECONFIG="$(scripts/toolchain/cluster.sh kubeconfig)"
  export KUBECONFIG
fi

WORK="$(mktemp -d /tmp/llm-platform-bench-XXXXXX)"
trap 'rm -rf "$WORK"; [[ -n "${E2E_KUBECONFIG:-}" ]] || scripts/toolchain/cluster.sh stop >&2' EXIT
export PULUMI_BACKEND_URL="file://$WORK/state" PULUMI_CONFIG_PASSPHRASE="bench" NO_COLOR=1
mkdir -p "$WORK/state"

now_ms() { date +%s%3N; }
# time_ms CMD... : prints the wall time of one run in ms (the command's output goes to $WORK/last.log).
# A failed run prints FAILED and is recorded in $WORK/failed: the script then exits 1 after the table.
time_ms() {
  local s e
  s=$(now_ms)
  if ! "$@" >"$WORK/last.log" 2>&1; then
    e=$(now_ms)
    echo "bench: FAILED after $((e - s)) ms: $*" >&2
    tail -n 30 "$WORK/last.log" >&2
    echo "$*" >>"$WORK/failed"
    echo "FAILED"
    return 0
  fi
  e=$(now_ms)
  echo $((e - s))
}
# median_ms N CMD... : median of N runs
median_ms() {
  local n=$1; shift
  local -a t=()
  local i
  for ((i = 0; i < n; i++)); do t+=("$(time_ms "$@")"); done
  if printf '%s\n' "${t[@]}" | grep -q FAILED; then echo FAILED; return; fi
  printf '%s\n' "${t[@]}" | sort -n | sed -n "$(( (n + 1) / 2 ))p"
}
fmt() { [[ $1 =~ ^[0-9]+$ ]] && awk -v ms="$1" 'BEGIN { printf "%.2f s", ms / 1000 }' || echo "$1"; }

declare -a ROWS=()
row() {
  [[ $2 == FAILED ]] && echo "$1" >>"$WORK/failed"
  ROWS+=("| $1 | $(fmt "$2") | $3 |")
}
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

# ---------------------------------------------------------------- floors
have_pulumi=1
[[ " $TOOLCHAIN_MISSING " == *" pulumi "* || " $TOOLCHAIN_MISSING " == *" language-nodejs "* ]] && have_pulumi=0
have_providers=1
[[ " $TOOLCHAIN_MISSING " == *" provider-"* ]] && have_providers=0
(( have_pulumi )) || have_providers=0

engine_floor=""
if (( have_pulumi )); then
  empty="$(scratch "$ROOT/e2e/fixtures/empty" empty Pulumi.yaml index.ts)"
  pulumi -C "$empty" --non-interactive stack init bench >/dev/null 2>&1
  cold=$(time_ms pulumi -C "$empty" --non-interactive preview -s bench)
  pulumi -C "$empty" --non-interactive up --yes --skip-preview -s bench >/dev/null 2>&1 || true
  engine_floor=$(median_ms "$RUNS" pulumi -C "$empty" --non-interactive preview -s bench --expect-no-changes)
  row "engine floor: cold \`pulumi preview\` of an empty program" "$cold" "first preview of a new stack"
  row "engine floor: no-op \`pulumi preview\` of an empty program" "$engine_floor" "median of $RUNS"
else
  row "engine floor: \`pulumi preview\` of an empty program" "n/a" "pulumi CLI or language host missing"
fi

# The objects the program produces (rendered under the unit tests' mocks) for the API floor.
render_args() { node e2e/stack-overrides.mjs "$1"; } # render.ts's config arguments, one a line
render() { # $1 = stack -> $WORK/$1.json: the program's objects and what its charts render (helm template)
  local -a extra
  mapfile -t extra < <(render_args "$1")
  RENDER_CHARTS="$WORK/$1.charts.json" node -r ./scripts/register-ts.cjs e2e/render.ts "$1" "${extra[@]}" >"$WORK/$1.program.json" 2>"$WORK/$1.render.log" &&
    node e2e/charts.mjs "$WORK/$1.charts.json" >"$WORK/$1.charts-objects.json" 2>>"$WORK/$1.render.log" &&
    jq -s '{apiVersion: "v1", kind: "List", items: (.[0].items + .[1].items)}' "$WORK/$1.program.json" "$WORK/$1.charts-objects.json" >"$WORK/$1.json"
}

kubectl apply --server-side -f e2e/fixtures/crds.yaml >/dev/null
kubectl wait --for=condition=Established crd --all --timeout=60s >/dev/null
kubectl apply --server-side -f e2e/fixtures/prerequisites.yaml >/dev/null
declare -A api_floor=()
for stack in dev prod; do
  if ! render "$stack"; then
    row "API floor ($stack): \`kubectl apply --server-side --dry-run=server\`" "FAILED" "render failed: $(tail -n 1 "$WORK/$stack.render.log")"
    continue
  fi
  n=$(jq '.items | length' "$WORK/$stack.json")
  n_charts=$(jq '.items | length' "$WORK/$stack.charts-objects.json")
  mapfile -t namespaces < <(jq -r '.items[] | select(.kind == "Namespace") | .metadata.name' "$WORK/$stack.json")
  jq '{apiVersion, kind, items: [.items[] | select(.kind == "Namespace")]}' "$WORK/$stack.json" | kubectl apply --server-side -f - >/dev/null
  api_floor[$stack]=$(median_ms "$RUNS" kubectl apply --server-side --dry-run=server -f "$WORK/$stack.json")
  # The namespaces were created for the dry run only: the stack's own pulumi up creates them.
  for ns in "${namespaces[@]}"; do delete_namespace "$ns"; done
  row "API floor ($stack): \`kubectl apply --server-side --dry-run=server\` of the same $n objects ($n_charts of them from the charts)" "${api_floor[$stack]}" "median of $RUNS"
done

# ---------------------------------------------------------------- the program
declare -A noop=()
for stack in dev prod; do
  if (( ! have_providers )); then
    row "$stack: cold \`pulumi preview\` / \`pulumi up\` / no-op \`pulumi preview\`" "n/a" "provider plugins missing: $TOOLCHAIN_MISSING"
    continue
  fi
  mapfile -t project_files < <(find "$ROOT" -mindepth 1 -maxdepth 1 ! -name node_modules ! -name .git -printf '%f\n')
  p="$(scratch "$ROOT" "prog-$stack" "${project_files[@]}")"
  pulumi -C "$p" --non-interactive stack init "$stack" >/dev/null
  while IFS= read -r arg; do
    if [[ $arg == secret:* ]]; then arg="${arg#secret:}"; printf '%s' "${arg#*=}" | pulumi -C "$p" --non-interactive config set -s "$stack" --secret "${arg%%=*}"
    else jq -j 'if type == "string" then . else tojson end' <<<"${arg#*=}" | pulumi -C "$p" --non-interactive config set -s "$stack" "${arg%%=*}"; fi
  done < <(render_args "$stack")
  delete_namespace "$(jq -r '.items[] | select(.kind == "Namespace") | .metadata.name' "$WORK/$stack.json" | head -1)"
  row "$stack: cold \`pulumi preview\`" "$(time_ms pulumi -C "$p" --non-interactive preview -s "$stack")" "new stack, nothing deployed"
  row "$stack: \`pulumi up\`" "$(time_ms pulumi -C "$p" --non-interactive up --yes --skip-preview -s "$stack")" "creates everything, waits for readiness"
  noop[$stack]=$(median_ms "$RUNS" pulumi -C "$p" --non-interactive preview -s "$stack" --expect-no-changes)
  row "$stack: no-op \`pulumi preview\`" "${noop[$stack]}" "median of $RUNS"
  row "$stack: no-op \`pulumi preview\`, ts-node type-checking" \
    "$(PULUMI_NODEJS_TRANSPILE_ONLY=false median_ms 1 pulumi -C "$p" --non-interactive preview -s "$stack" --expect-no-changes)" "Pulumi.yaml's transpileOnly overridden"
  if [[ $stack == prod ]]; then
    # prod's destroy guard refuses a destroy while data safety is on (docs/data-tier.md).
    for store in postgresql redis; do
      render_args "$stack" | sed -n "s/^$store=//p" | jq -j '.protect = false | tojson' | pulumi -C "$p" --non-interactive config set -s "$stack" "$store"
    done
    pulumi -C "$p" --non-interactive up --yes --skip-preview -s "$stack" >/dev/null 2>&1 || true
  fi
  pulumi -C "$p" --non-interactive destroy --yes --skip-preview -s "$stack" >/dev/null 2>&1 || true
  delete_namespace "$(jq -r '.items[] | select(.kind == "Namespace") | .metadata.name' "$WORK/$stack.json" | head -1)"
done

# ---------------------------------------------------------------- start-up and unit tests
if render dev; then
  mapfile -t dev_args < <(render_args dev)
  tc=$(median_ms "$RUNS" node -r ts-node/register e2e/render.ts dev "${dev_args[@]}")
  to=$(median_ms "$RUNS" node -r ts-node/register/transpile-only e2e/render.ts dev "${dev_args[@]}")
  row "program start-up + run (dev, under mocks), ts-node type-checking" "$tc" "median of $RUNS"
  row "program start-up + run (dev, under mocks), ts-node transpile-only" "$to" "median of $RUNS; what \`pulumi\` runs (Pulumi.yaml transpileOnly: true)"
fi
if [[ "${BENCH_SKIP_UNIT:-0}" != 1 ]]; then
  row "unit tests (\`npm test\`)" "$(time_ms npm test --silent)" "one run"
fi

# ---------------------------------------------------------------- report
cpu="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
mem="$(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)"
echo
echo "Machine: $(nproc) cores ($cpu), $mem; node $(node --version); pulumi ${PULUMI_CLI_VERSION:-?}; kubernetes v$KUBERNETES_VERSION (local control plane, kwok node); $(date -u +%Y-%m-%d)"
echo
echo "| what | time | notes |"
echo "| --- | ---: | --- |"
printf '%s\n' "${ROWS[@]}"
echo
if [[ -n "${noop[prod]:-}" && "${noop[prod]}" =~ ^[0-9]+$ && -n "$engine_floor" && "${api_floor[prod]:-}" =~ ^[0-9]+$ ]]; then
  budget=$(( (engine_floor + api_floor[prod]) * 3 / 2 ))
  verdict=FAIL; (( noop[prod] <= budget )) && verdict=PASS
  echo "Goal: no-op preview of prod $(fmt "${noop[prod]}") <= 1.5 x (engine floor $(fmt "$engine_floor") + API floor $(fmt "${api_floor[prod]}")) = $(fmt "$budget"): $verdict"
else
  echo "Goal (no-op preview of prod <= 1.5 x (engine floor + API floor)): not measurable here: ${TOOLCHAIN_MISSING:-a measurement failed}"
fi
if [[ -s "$WORK/failed" ]]; then
  echo
  echo "bench: FAILED: these measurements failed (their output is above, on stderr):"
  sed 's/^/  - /' "$WORK/failed"
  exit 1
fi
exit 0
}
