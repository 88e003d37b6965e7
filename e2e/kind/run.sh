#!/usr/bin/env bash
# The vRouter suite on kind: the namespace demo's scenario with Kubernetes doing the hand-over.
# Creates a kind cluster (deploy/kind/cluster.yaml), builds and loads the images, installs the
# reference CNI plugins, Multus and the Helm chart, applies four XdpPools, four XdpNetworks, two
# Dataplanes (the vRouters, FRR sidecars) and two client pods (deploy/manifests), then checks what
# the namespace e2e test checks. Deletes the cluster on any exit (KEEP_CLUSTER=1 keeps it).
#
# Needs: docker, kind, kubectl, helm, jq, curl; a Linux host whose kernel has XDP and AF_XDP.
# Usage: e2e/kind/run.sh            (from anywhere)
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cluster=splitplane-e2e
ns=splitplane-e2e
system_ns=splitplane-system
multus_url=https://raw.githubusercontent.com/k8snetworkplumbingwg/multus-cni/v4.1.4/deployments/multus-daemonset-thick.yml
cni_plugins_url=https://github.com/containernetworking/plugins/releases/download/v1.6.2/cni-plugins-linux-amd64-v1.6.2.tgz
images=(operator device-plugin dataplane vrouter-frr client)
iperf_rate=1G
failures=0

log() { printf '\n== %s\n' "$*"; }
pass() { printf '   ok: %s\n' "$*"; }
fail() { printf '   FAILED: %s\n' "$*" >&2; failures=$((failures + 1)); }

cleanup() {
  local rc=$?
  if [[ "${KEEP_CLUSTER:-0}" == 1 ]]; then
    echo "cluster $cluster kept (KEEP_CLUSTER=1); delete it with: kind delete cluster --name $cluster"
  else
    kind delete cluster --name "$cluster" >/dev/null 2>&1 || true
  fi
  exit "$rc"
}

require_tools() {
  local missing=()
  for t in docker kind kubectl helm jq curl; do
    command -v "$t" >/dev/null || missing+=("$t")
  done
  if ((${#missing[@]})); then
    echo "missing tools: ${missing[*]}" >&2
    exit 2
  fi
}

# Waits until "$@" succeeds, at most $timeout seconds (default 120), polling every 2 s.
wait_for() {
  local what=$1 deadline=$((SECONDS + ${timeout:-120}))
  shift
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS > deadline)); then
      echo "timed out waiting for $what" >&2
      return 1
    fi
    sleep 2
  done
}

build_images() {
  log "build (maven) and images"
  (cd "$repo" && ./mvnw -B -q package -DskipTests)
  for image in "${images[@]}"; do
    docker build -q -f "$repo/deploy/images/$image.Containerfile" -t "splitplane/$image:dev" "$repo" >/dev/null
    echo "   splitplane/$image:dev"
  done
}

lab_node() {
  kubectl get nodes -l splitplane.io/vrouter-lab=true -o jsonpath='{.items[0].metadata.name}'
}

# The topology's veth pairs on the lab node (see deploy/kind/cluster.yaml).
make_lab_netdevs() {
  local node=$1
  log "veth pairs on $node"
  for pair in "sp-n1-vr sp-n1-cl" "sp-n2-vr1 sp-n2-vr2" "sp-n3-vr sp-n3-cl"; do
    read -r a b <<<"$pair"
    docker exec "$node" ip link add "$a" type veth peer name "$b"
    docker exec "$node" ip link set "$a" up
    docker exec "$node" ip link set "$b" up
    echo "   $a <-> $b"
  done
}

# The CNI plugin runs on the node, outside any container: it needs the reference plugins it
# delegates to (static IPAM; host-device for the clients) and a JDK 25 where its launcher looks.
prepare_nodes() {
  log "reference CNI plugins and a JDK 25 for the splitplane CNI on every node"
  local tgz jre
  tgz=$(mktemp)
  curl -fsSL -o "$tgz" "$cni_plugins_url"
  jre=$(docker create splitplane/device-plugin:dev)
  for node in $(kind get nodes --name "$cluster"); do
    docker exec -i "$node" tar -xz -C /opt/cni/bin ./static ./host-device <"$tgz"
    docker exec "$node" mkdir -p /usr/lib/jvm/temurin-25-jdk-amd64
    docker cp "$jre:/opt/java/openjdk/." - | docker exec -i "$node" tar -x -C /usr/lib/jvm/temurin-25-jdk-amd64 --strip-components=1
    echo "   $node"
  done
  docker rm "$jre" >/dev/null
  rm -f "$tgz"
}

install_platform() {
  log "Multus and the splitplane chart"
  kubectl apply -f "$multus_url" >/dev/null
  kubectl -n kube-system rollout status daemonset/kube-multus-ds --timeout=180s
  helm install splitplane "$repo/helm/splitplane" --namespace "$system_ns" --create-namespace \
    --values "$repo/deploy/kind/values.yaml"
  local deploy
  deploy=$(kubectl -n "$system_ns" get deployments -o name | head -n1)
  kubectl -n "$system_ns" rollout status "$deploy" --timeout=180s
}

apply_scenario() {
  log "XdpPools, XdpNetworks, Dataplanes, clients"
  for f in pools networks vrouters clients; do
    kubectl apply -f "$repo/deploy/manifests/$f.yaml"
  done
  kubectl -n "$ns" wait --for=condition=Ready pod/client1 pod/client2 --timeout=300s
  for vr in vrouter1 vrouter2; do
    kubectl -n "$ns" rollout status "deployment/$vr" --timeout=300s
  done
}

pod_of() {
  kubectl -n "$ns" get pods -l "app.kubernetes.io/instance=$1" -o jsonpath='{.items[0].metadata.name}'
}

# The vRouters' kernels forward: net.ipv4.ip_forward is an unsafe sysctl for the kubelet, so it is
# set from the node in the pod's network namespace.
enable_forwarding() {
  local node=$1 vr pod cid pid
  for vr in vrouter1 vrouter2; do
    pod=$(pod_of "$vr")
    cid=$(kubectl -n "$ns" get pod "$pod" -o jsonpath='{.status.containerStatuses[?(@.name=="frr")].containerID}')
    pid=$(docker exec "$node" crictl inspect --output go-template --template '{{.info.pid}}' "${cid#containerd://}")
    docker exec "$node" nsenter --net="/proc/$pid/ns/net" sysctl -qw net.ipv4.ip_forward=1
  done
}

ping_client1() {
  kubectl -n "$ns" exec client2 -- ping -n -c "$1" -i 0.2 -W 1 10.71.1.10
}

ctl() { # vrouter, command words...
  local pod
  pod=$(pod_of "$1")
  shift
  # shellcheck disable=SC2016  # expanded by the pod's shell: the socket is named after the dataplane
  kubectl -n "$ns" exec "$pod" -c dataplane -- sh -c 'splitplanectl -s "$(ls /run/splitplane/*.sock | head -n1)" "$@"' ctl "$@"
}

# The sum of rx-packets over vrouter1's graph ports: column 7 of "show interfaces"
# (Id Name Netdev State MAC MTU rx-packets tx-packets drops Addresses).
graph_rx() {
  ctl vrouter1 show interfaces | awk '$1 ~ /^[0-9]+$/ { n += $7 } END { print n + 0 }'
}

vtysh() { # vrouter, vtysh arguments...
  local pod
  pod=$(pod_of "$1")
  shift
  kubectl -n "$ns" exec "$pod" -c frr -- vtysh "$@"
}

start_ospf() {
  vtysh vrouter1 -c 'configure terminal' -c 'router ospf' -c 'ospf router-id 1.1.1.1' \
    -c 'network 10.71.1.0/24 area 0' -c 'network 10.71.2.0/24 area 0'
  vtysh vrouter2 -c 'configure terminal' -c 'router ospf' -c 'ospf router-id 2.2.2.2' \
    -c 'network 10.71.2.0/24 area 0' -c 'network 10.71.3.0/24 area 0'
}

ospf_converged() {
  vtysh vrouter1 -c 'show ip ospf neighbor' | grep -q ' Full/' &&
    vtysh vrouter2 -c 'show ip route ospf' | grep -q '10.71.1.0/24' &&
    vtysh vrouter1 -c 'show ip route ospf' | grep -q '10.71.3.0/24'
}

fib_has_net3() {
  ctl vrouter1 show ip fib | grep -q '10.71.3.0/24'
}

fib_lacks_net3() {
  ! fib_has_net3
}

iperf_udp() { # prints the client's JSON report
  kubectl -n "$ns" exec client1 -- iperf3 -s -1 -D -B 10.71.1.10
  sleep 1
  kubectl -n "$ns" exec client2 -- iperf3 -c 10.71.1.10 -u -b "$iperf_rate" -l 1400 -t 5 -J
}

checks() {
  local before after report lost received rx_before rx_after
  log "1. before OSPF: client2 cannot reach client1"
  if ping_client1 2 >/dev/null; then fail "ping answered before OSPF"; else pass "no answer"; fi

  log "2. OSPF on in both vRouters"
  start_ospf
  timeout=60 wait_for "OSPF (Full neighbours, routes to the client networks)" ospf_converged
  vtysh vrouter1 -c 'show ip ospf neighbor'
  vtysh vrouter1 -c 'show ip route'
  ctl vrouter1 show ip fib
  if fib_has_net3; then pass "the graph's FIB has 10.71.3.0/24"; else fail "10.71.3.0/24 not in the graph's FIB"; fi

  log "3. ping through the kernels; the graph's counters stay still"
  before=$(graph_rx)
  if ping_client1 5; then pass "ping answered"; else fail "ping not answered after OSPF"; fi
  after=$(graph_rx)
  if [[ "$before" == "$after" ]]; then pass "graph rx-packets unchanged ($after)"; else fail "ICMP entered the graph: $before -> $after"; fi

  log "4. iperf3 UDP at $iperf_rate offered through the graph; OSPF stays up"
  rx_before=$(graph_rx)
  report=$(iperf_udp)
  rx_after=$(graph_rx)
  lost=$(jq '.end.sum_received.lost_percent' <<<"$report")
  received=$(jq '.end.sum_received.packets - .end.sum_received.lost_packets' <<<"$report")
  jq -r '.end.sum_received | "   received \(.bits_per_second / 1e6 | floor) Mbit/s, \(.lost_packets)/\(.packets) lost (\(.lost_percent)%)"' <<<"$report"
  if jq -e '.end.sum_received.lost_percent < 1' <<<"$report" >/dev/null; then pass "loss $lost% < 1%"; else fail "loss $lost%"; fi
  if ((rx_after - rx_before >= received)); then pass "graph rx rose by $((rx_after - rx_before))"; else fail "graph rx rose by $((rx_after - rx_before)) < $received received"; fi
  if vtysh vrouter1 -c 'show ip ospf neighbor' | grep -q ' Full/'; then pass "OSPF Full"; else fail "OSPF adjacency lost"; fi

  log "5. net3 withdrawn (vrouter2's link down) leaves the graph's FIB and comes back"
  kubectl -n "$ns" exec "$(pod_of vrouter2)" -c frr -- ip link set net3 down
  if timeout=30 wait_for "10.71.3.0/24 to leave the graph's FIB" fib_lacks_net3; then pass "withdrawn"; else fail "still in the FIB"; fi
  kubectl -n "$ns" exec "$(pod_of vrouter2)" -c frr -- ip link set net3 up
  if timeout=30 wait_for "10.71.3.0/24 to come back" fib_has_net3; then pass "back"; else fail "did not come back"; fi

  log "6. the dataplane restarted: its FIB comes back from the kernel"
  kubectl -n "$ns" exec "$(pod_of vrouter1)" -c dataplane -- kill 1 || true
  if timeout=120 wait_for "the restarted dataplane's FIB" fib_has_net3; then pass "FIB recovered"; else fail "FIB not recovered"; fi
  rx_before=$(graph_rx)
  iperf_rate=10M iperf_udp >/dev/null
  rx_after=$(graph_rx)
  if ((rx_after > rx_before)); then pass "UDP through the restarted graph"; else fail "no UDP through the restarted graph"; fi
}

main() {
  require_tools
  build_images
  trap cleanup EXIT
  log "kind cluster $cluster"
  kind create cluster --config "$repo/deploy/kind/cluster.yaml" --wait 120s
  for image in "${images[@]}"; do
    kind load docker-image --name "$cluster" "splitplane/$image:dev" >/dev/null
  done
  local node
  node=$(lab_node)
  make_lab_netdevs "$node"
  prepare_nodes
  install_platform
  apply_scenario
  enable_forwarding "$node"
  checks
  if ((failures)); then
    log "$failures check(s) failed"
    exit 1
  fi
  log "all checks passed"
}

main "$@"
