#!/usr/bin/env bash
# A local Kubernetes control plane on loopback, for the e2e tests and benchmarks:
# etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok (which
# simulates the nodes and makes their pods Running/Ready), all as plain processes,
# plus stand-ins (stand-ins.mjs) for what every real cluster has and this one
# would lack: an ingress controller that publishes Ingress addresses (the
# IngressClass "nginx", the default) and a volume provisioner (the default
# StorageClass "standard"), so the Kubernetes provider's awaits run for real; and
# the Gateway API's standard CRDs (GATEWAY_API_VERSION, from the Go module
# sigs.k8s.io/gateway-api's config/crd/standard) with a GatewayClass "stand-in" whose
# Gateways and routes the stand-ins accept.
#
# Usage: scripts/toolchain/cluster.sh start|stop|status|kubeconfig
#   start       starts everything (idempotent), waits until every node is Ready
#               and the default ServiceAccount exists; prints the kubeconfig path
#   stop        stops every process it started (pid files), keeps nothing
#   status      prints what runs
#   kubeconfig  prints the kubeconfig path
#
# Environment:
#   LLM_PLATFORM_CLUSTER_DIR   state dir (default ~/.cache/llm-platform/cluster)
#   CLUSTER_PORT_BASE          first of the loopback ports used (default 26440, below Linux's
#                              ephemeral range 32768-60999, so that no outgoing connection can
#                              hold one of them: a scheduler once failed to bind 36444 that way):
#                              +0 apiserver, +1 etcd client, +2 etcd peer,
#                              +3 controller-manager, +4 scheduler, +5 kwok
#   CLUSTER_START_TIMEOUT      seconds to wait for readiness (default 180)
#   CLUSTER_NODES              kwok nodes (default 6), kwok-node-0… in zone-a, zone-b, zone-c in
#                              turn: prod's services want one pod per node (required pod
#                              anti-affinity) spread over zones, and its HPA keeps 5 of them
# Binaries come from scripts/toolchain/build.sh's cache (run it first).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.sh
source "$HERE/versions.sh"

STATE="${LLM_PLATFORM_CLUSTER_DIR:-$HOME/.cache/llm-platform/cluster}"
BASE="${CLUSTER_PORT_BASE:-26440}"
API_PORT=$BASE
ETCD_PORT=$((BASE + 1))
ETCD_PEER_PORT=$((BASE + 2))
KCM_PORT=$((BASE + 3))
SCHED_PORT=$((BASE + 4))
KWOK_PORT=$((BASE + 5))
TIMEOUT="${CLUSTER_START_TIMEOUT:-180}"
KUBECONFIG_PATH="$STATE/kubeconfig"
NODES="${CLUSTER_NODES:-6}"
[[ $NODES =~ ^[1-9][0-9]*$ ]] || { echo "CLUSTER_NODES must be a positive number, not '$NODES'" >&2; exit 2; }
# kwok's pod stages (#13): the defaults plus a stage that fails labelled Job pods.
KWOK_STAGES="${KWOK_STAGES:-$HERE/../../e2e/fixtures/kwok-stages.yaml}"

KUBE_BIN="$TOOLCHAIN_CACHE/kubernetes-v$KUBERNETES_VERSION/bin"
KWOK_BIN="$TOOLCHAIN_CACHE/kwok-v$KWOK_VERSION/bin"
ETCD_BIN="$(etcd_bin_dir)"
STAND_INS="$HERE/stand-ins.mjs"
COMPONENTS=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok stand-ins)

log() { printf '[cluster] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

kubectl_() { "$KUBE_BIN/kubectl" --kubeconfig "$KUBECONFIG_PATH" "$@"; }

running() { # $1 = component
  local f="$STATE/run/$1.pid" pid
  [[ -s "$f" ]] || return 1
  pid="$(cat "$f")"
  # A component this shell started and that exited is a zombie until the shell ends: not running.
  kill -0 "$pid" 2>/dev/null && [[ "$(ps -o stat= -p "$pid" 2>/dev/null)" != Z* ]]
}

spawn() { # $1 = component, rest = command
  local name=$1; shift
  if running "$name"; then return; fi
  mkdir -p "$STATE/run" "$STATE/log"
  # setsid: own process group, so stop can signal exactly what we started.
  setsid "$@" >"$STATE/log/$name.log" 2>&1 </dev/null &
  echo $! >"$STATE/run/$name.pid"
}

wait_for() { # [--component NAME] $1 = description, $2.. = command that succeeds when ready
  local component=""
  if [[ $1 == --component ]]; then component=$2; shift 2; fi
  local what=$1; shift
  local deadline=$(( $(date +%s) + TIMEOUT ))
  until "$@" >/dev/null 2>&1; do
    if [[ -n $component ]] && ! running "$component"; then
      log "ERROR: $component exited while waiting for $what; its last log lines:"
      tail -n 15 "$STATE/log/$component.log" >&2
      return 1
    fi
    if (( $(date +%s) > deadline )); then
      log "timed out after ${TIMEOUT}s waiting for $what; last log lines:"
      local f
      for f in "$STATE"/log/*.log; do echo "--- $f" >&2; tail -n 15 "$f" >&2; done
      return 1
    fi
    sleep 1
  done
}

# Every component must still run once the cluster is up: one that exited at once (a port taken, a
# bad flag) fails the start with its log, instead of pods that are never scheduled.
all_running() {
  local c
  for c in "${COMPONENTS[@]}"; do
    if ! running "$c"; then
      log "ERROR: $c is not running; its last log lines:"
      tail -n 15 "$STATE/log/$c.log" >&2
      return 1
    fi
  done
}

# Every kwok node reports Ready.
nodes_ready() {
  local ready
  ready="$(kubectl_ get nodes -l type=kwok -o jsonpath='{range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}')"
  [[ "$(grep -c '^True$' <<<"$ready")" -eq $NODES ]]
}

gen_pki() {
  local p="$STATE/pki"
  [[ -s "$p/admin.crt" ]] && return
  mkdir -p "$p"
  (
    cd "$p"
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=llm-platform-e2e-ca" \
      -keyout ca.key -out ca.crt 2>/dev/null
    cat >apiserver.ext <<EOF
subjectAltName=IP:127.0.0.1,IP:10.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local
extendedKeyUsage=serverAuth
EOF
    openssl req -newkey rsa:2048 -nodes -subj "/CN=kube-apiserver" -keyout apiserver.key -out apiserver.csr 2>/dev/null
    openssl x509 -req -in apiserver.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 3650 \
      -extfile apiserver.ext -out apiserver.crt 2>/dev/null
    echo "extendedKeyUsage=clientAuth" >client.ext
    openssl req -newkey rsa:2048 -nodes -subj "/O=system:masters/CN=e2e-admin" -keyout admin.key -out admin.csr 2>/dev/null
    openssl x509 -req -in admin.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 3650 \
      -extfile client.ext -out admin.crt 2>/dev/null
    openssl genrsa -out sa.key 2048 2>/dev/null
    openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null
  )
}

write_kubeconfig() {
  local p="$STATE/pki"
  cat >"$KUBECONFIG_PATH" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: llm-platform-e2e
  cluster:
    server: https://127.0.0.1:$API_PORT
    certificate-authority-data: $(base64 -w0 "$p/ca.crt")
users:
- name: e2e-admin
  user:
    client-certificate-data: $(base64 -w0 "$p/admin.crt")
    client-key-data: $(base64 -w0 "$p/admin.key")
contexts:
- name: llm-platform-e2e
  context:
    cluster: llm-platform-e2e
    user: e2e-admin
current-context: llm-platform-e2e
EOF
  chmod 600 "$KUBECONFIG_PATH"
}

node_manifest() { # the kwok nodes, as one List
  local i zones=(zone-a zone-b zone-c)
  echo "apiVersion: v1"
  echo "kind: List"
  echo "items:"
  for ((i = 0; i < NODES; i++)); do
    sed 's/^/  /; 1s/^  /- /' <<EOF
apiVersion: v1
kind: Node
metadata:
  name: kwok-node-$i
  annotations:
    kwok.x-k8s.io/node: fake
    node.alpha.kubernetes.io/ttl: "0"
  labels:
    kubernetes.io/arch: amd64
    kubernetes.io/hostname: kwok-node-$i
    kubernetes.io/os: linux
    kubernetes.io/role: agent
    node-role.kubernetes.io/agent: ""
    type: kwok
    topology.kubernetes.io/zone: ${zones[i % 3]}
status:
  allocatable:
    cpu: "32"
    memory: 256Gi
    pods: "110"
    ephemeral-storage: 1Ti
  capacity:
    cpu: "32"
    memory: 256Gi
    pods: "110"
    ephemeral-storage: 1Ti
EOF
  done
}

# The Gateway API's standard channel, as the CRDs' own release ships them: the module on the Go
# module proxy holds them under config/crd/standard (v1.6.3 works with this machine's Go).
GATEWAY_API_VERSION="${GATEWAY_API_VERSION:-v1.6.3}"
gateway_api_crds() {
  command -v go >/dev/null || die "go is missing: it fetches the Gateway API CRDs (sigs.k8s.io/gateway-api@$GATEWAY_API_VERSION)"
  local dir
  dir="$(cd "$STATE" && go mod download -json "sigs.k8s.io/gateway-api@$GATEWAY_API_VERSION" | jq -r .Dir)"
  [[ -d "$dir/config/crd/standard" ]] || die "no config/crd/standard in sigs.k8s.io/gateway-api@$GATEWAY_API_VERSION ($dir)"
  kubectl_ apply --server-side --field-manager cluster-sh -f "$dir/config/crd/standard" >/dev/null
  kubectl_ wait --for condition=established --timeout=60s \
    crd/gatewayclasses.gateway.networking.k8s.io crd/gateways.gateway.networking.k8s.io \
    crd/httproutes.gateway.networking.k8s.io crd/grpcroutes.gateway.networking.k8s.io \
    crd/referencegrants.gateway.networking.k8s.io >/dev/null
}

# The GatewayClass the stand-ins serve (GATEWAY_CONTROLLER in stand-ins.mjs).
gateway_class() {
  cat <<EOF
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata:
  name: stand-in
spec:
  controllerName: llm-platform.local/gateway-stand-in
EOF
}

# The classes the stand-ins serve, as a cluster with ingress-nginx and a default
# StorageClass has them (names from stand-ins.mjs).
stand_in_classes() {
  cat <<EOF
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata:
  name: nginx
  annotations:
    ingressclass.kubernetes.io/is-default-class: "true"
spec:
  controller: llm-platform.local/ingress-stand-in
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: standard
  annotations:
    storageclass.kubernetes.io/is-default-class: "true"
provisioner: llm-platform.local/hostpath
reclaimPolicy: Delete
volumeBindingMode: Immediate
EOF
}

start() {
  command -v node >/dev/null || die "node is missing (the stand-ins run on it): source scripts/node.sh"
  for b in "$KUBE_BIN/kube-apiserver" "$KUBE_BIN/kube-controller-manager" "$KUBE_BIN/kube-scheduler" \
    "$KUBE_BIN/kubectl" "$KWOK_BIN/kwok" "$ETCD_BIN/etcd"; do
    [[ -x "$b" ]] || die "$b is missing: run scripts/toolchain/build.sh etcd kubernetes kwok"
  done
  local t0; t0=$(date +%s)
  mkdir -p "$STATE"
  gen_pki
  write_kubeconfig
  local p="$STATE/pki"

  spawn etcd "$ETCD_BIN/etcd" --name e2e --data-dir "$STATE/etcd" \
    --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
    --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster "e2e=http://127.0.0.1:$ETCD_PEER_PORT" \
    --quota-backend-bytes 2147483648 --snapshot-count 10000
  wait_for --component etcd "etcd" curl -fsS "http://127.0.0.1:$ETCD_PORT/health"

  spawn kube-apiserver "$KUBE_BIN/kube-apiserver" \
    --etcd-servers "http://127.0.0.1:$ETCD_PORT" \
    --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$API_PORT" \
    --endpoint-reconciler-type none \
    --tls-cert-file "$p/apiserver.crt" --tls-private-key-file "$p/apiserver.key" \
    --client-ca-file "$p/ca.crt" \
    --service-account-issuer https://kubernetes.default.svc.cluster.local \
    --service-account-key-file "$p/sa.pub" --service-account-signing-key-file "$p/sa.key" \
    --service-cluster-ip-range 10.0.0.0/24 \
    --authorization-mode Node,RBAC --allow-privileged=true \
    --profiling=false --enable-priority-and-fairness=false
  wait_for --component kube-apiserver "kube-apiserver /readyz" kubectl_ get --raw /readyz

  spawn kube-controller-manager "$KUBE_BIN/kube-controller-manager" \
    --kubeconfig "$KUBECONFIG_PATH" --authentication-kubeconfig "$KUBECONFIG_PATH" \
    --authorization-kubeconfig "$KUBECONFIG_PATH" \
    --bind-address 127.0.0.1 --secure-port "$KCM_PORT" --leader-elect=false \
    --service-account-private-key-file "$p/sa.key" --root-ca-file "$p/ca.crt" \
    --cluster-signing-cert-file "$p/ca.crt" --cluster-signing-key-file "$p/ca.key" \
    --use-service-account-credentials=false --controllers '*,-nodeipam,-cloud-node-lifecycle,-service-lb-controller,-node-route-controller' \
    --profiling=false

  spawn kube-scheduler "$KUBE_BIN/kube-scheduler" \
    --kubeconfig "$KUBECONFIG_PATH" --authentication-kubeconfig "$KUBECONFIG_PATH" \
    --authorization-kubeconfig "$KUBECONFIG_PATH" \
    --bind-address 127.0.0.1 --secure-port "$SCHED_PORT" --leader-elect=false --profiling=false
  wait_for --component kube-controller-manager "kube-controller-manager /healthz" curl -fsSk "https://127.0.0.1:$KCM_PORT/healthz"
  wait_for --component kube-scheduler "kube-scheduler /healthz" curl -fsSk "https://127.0.0.1:$SCHED_PORT/healthz"

  spawn kwok "$KWOK_BIN/kwok" --kubeconfig "$KUBECONFIG_PATH" --config "$KWOK_STAGES" \
    --manage-all-nodes=false --manage-nodes-with-annotation-selector kwok.x-k8s.io/node=fake \
    --cidr 10.244.0.0/16 --node-ip 127.0.0.1 \
    --server-address "127.0.0.1:$KWOK_PORT" --node-lease-duration-seconds 40

  spawn stand-ins node "$STAND_INS" --server "https://127.0.0.1:$API_PORT" \
    --ca "$p/ca.crt" --cert "$p/admin.crt" --key "$p/admin.key" --volume-dir "$STATE/volumes"
  stand_in_classes | kubectl_ apply -f - >/dev/null
  gateway_api_crds
  gateway_class | kubectl_ apply -f - >/dev/null

  node_manifest | kubectl_ apply -f - >/dev/null
  wait_for "$NODES kwok nodes Ready" nodes_ready
  wait_for "the default ServiceAccount" kubectl_ -n default get serviceaccount default
  all_running || die "the control plane did not start"
  log "ready in $(( $(date +%s) - t0 ))s: kubernetes $("$KUBE_BIN/kubectl" --kubeconfig "$KUBECONFIG_PATH" version -o json | jq -r .serverVersion.gitVersion), kubeconfig $KUBECONFIG_PATH"
  echo "$KUBECONFIG_PATH"
}

stop() {
  local c pid
  for c in stand-ins kwok kube-scheduler kube-controller-manager kube-apiserver etcd; do
    local f="$STATE/run/$c.pid"
    [[ -s "$f" ]] || continue
    pid="$(cat "$f")"
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
      kill -KILL -- "-$pid" 2>/dev/null || true
      log "stopped $c ($pid)"
    fi
    rm -f "$f"
  done
  # Throw away the cluster's data: every start is a fresh cluster.
  rm -rf "$STATE/etcd" "$STATE/volumes"
}

status() {
  local c rc=0
  for c in "${COMPONENTS[@]}"; do
    if running "$c"; then echo "$c: running (pid $(cat "$STATE/run/$c.pid"))"; else echo "$c: stopped"; rc=1; fi
  done
  return $rc
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  kubeconfig) echo "$KUBECONFIG_PATH" ;;
  *) echo "usage: $0 start|stop|status|kubeconfig" >&2; exit 2 ;;
esac
