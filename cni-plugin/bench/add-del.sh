#!/usr/bin/env bash
# Wall time of ADD and DEL: splitplane next to Debian's reference host-device plugin, which makes the
# comparable move of a netdev into a pod namespace. Both delegate IPAM to the same host-local. Each
# run gets a fresh veth (the pool netdev) and a fresh pod namespace, made outside the timed calls.
# splitplane is measured three ways: served by the node daemon's CNI server (started before the runs,
# as the device plugin runs it; the launcher sends each call over its unix socket with nc, or curl without nc), and
# with a JVM per call, with a spare classifier loaded ahead of time (outside the timing, as the
# device plugin does between pods; ADD claims it) and cold (no spare: ADD loads the classifier
# itself). The server path gets a spare too. The four rotate which goes first. Prints medians and
# p95 in milliseconds.
#
#   cni-plugin/bench/add-del.sh [runs]        (as root, after ./mvnw -pl cni-plugin -am package;
#                                             SPLITPLANE_CNI_DIR=... measures another build's target/cni;
#                                             BENCH_KINDS="splitplane-server host-device" measures only those;
#                                             BENCH_SERVER_LOG=file keeps the server's log)
set -euo pipefail
runs=${1:-50}
here=$(cd "$(dirname "$0")/.." && pwd)
plugin_dir="${SPLITPLANE_CNI_DIR:-$here/target/cni}"
[[ -x "$plugin_dir/splitplane" ]] || { echo "build first: ./mvnw -B -pl cni-plugin -am package -DskipTests" >&2; exit 1; }
[[ -x /usr/lib/cni/host-device ]] || { echo "needs containernetworking-plugins (build-tools/setup.sh)" >&2; exit 1; }
[[ $(id -u) -eq 0 ]] || { echo "run as root" >&2; exit 1; }
java="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java"

tag="spb$$"
run_dir="/run/$tag"
mkdir -p "$run_dir/bin" "$run_dir/sbin" "$run_dir/state" "$run_dir/ipam" "$run_dir/bpf"
mount -t bpf bpf "$run_dir/bpf"
ln -s "$plugin_dir/splitplane" "$run_dir/bin/splitplane"
ln -s /usr/lib/cni/host-device "$run_dir/bin/host-device"
ln -s /usr/lib/cni/host-local "$run_dir/bin/host-local"
# The server path's launcher: a copy with no jar next to it, so a call the server did not answer
# fails (code 50) instead of quietly running in a JVM.
cp "$plugin_dir/splitplane" "$run_dir/sbin/splitplane"
socket="$run_dir/cni.sock"
server_pid=
cleanup() {
  if [[ -n $server_pid ]]; then kill -TERM "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  for ns in $(ip netns list | awk '{print $1}' | grep "^$tag" || true); do ip netns del "$ns"; done
  for l in $(ip -o link show | awk -F': ' '{print $2}' | cut -d@ -f1 | grep "^$tag" || true); do ip link del "$l" 2>/dev/null || true; done
  umount -l "$run_dir/bpf" 2>/dev/null || true
  if [[ -n ${BENCH_SERVER_LOG:-} ]]; then cp "$run_dir/server.log" "$BENCH_SERVER_LOG" 2>/dev/null || true; fi
  rm -rf "$run_dir"
}
trap cleanup EXIT
# The node daemon's CNI server, as the device plugin runs it (--cni-socket); its log in server.log.
"$java" --enable-native-access=ALL-UNNAMED -XX:+UseSerialGC -jar "$plugin_dir/splitplane.jar" --serve "$socket" \
  2>"$run_dir/server.log" &
server_pid=$!
for ((w = 0; w < 300; w++)); do [[ -S $socket ]] && break; sleep 0.1; done
[[ -S $socket ]] || { echo "the CNI server did not start: $(cat "$run_dir/server.log")" >&2; exit 1; }

ipam() { echo "\"ipam\":{\"type\":\"host-local\",\"dataDir\":\"$run_dir/ipam\",\"ranges\":[[{\"subnet\":\"10.$1.0.0/16\"}]]}"; }
splitplane_config() {
  echo "{\"cniVersion\":\"1.0.0\",\"name\":\"${tag}s\",\"type\":\"splitplane\",\"deviceID\":\"$1\",$(ipam 201),\
\"bpffsRoot\":\"$run_dir/bpf\",\"stateDir\":\"$run_dir/state\",\
\"classifier\":{\"rules\":[{\"name\":\"app\",\"action\":\"redirect\",\"protocol\":\"udp\",\"dstPorts\":\"4789\"}]}}"
}
host_device_config() {
  echo "{\"cniVersion\":\"1.0.0\",\"name\":\"${tag}h\",\"type\":\"host-device\",\"device\":\"$1\",$(ipam 202)}"
}

# One timed call; prints the wall time in microseconds (bash's clock, no extra process in the timing).
call() { # command plugin container netns config; plugin "splitplane-server": through the server
  local start end bin=$run_dir/bin/$2 sock=/nonexistent/cni.sock
  if [[ $2 == splitplane-server ]]; then bin=$run_dir/sbin/splitplane sock=$socket; fi
  start=${EPOCHREALTIME/./}
  if ! CNI_COMMAND=$1 CNI_CONTAINERID=$3 CNI_NETNS=$4 CNI_IFNAME=net1 CNI_PATH="$run_dir/bin" \
      SPLITPLANE_CNI_SOCKET=$sock "$bin" <<<"$5" >"$run_dir/out" 2>>"$run_dir/stderr"; then
    echo "$2 $1 failed: $(cat "$run_dir/out")" >&2; exit 1
  fi
  end=${EPOCHREALTIME/./}
  echo $((end - start))
}

spares() { find "$run_dir/bpf/classifier-spares" -mindepth 2 -maxdepth 2 -name 'spare-*' 2>/dev/null | wc -l; }

one() { # kind run -> appends "add del" to $run_dir/<kind>; kind: splitplane-server, splitplane (a spare ready), splitplane-cold, host-device
  local kind=$1 i=$2 plugin=${1%-cold} code
  case $kind in splitplane) code=s ;; splitplane-server) code=v ;; splitplane-cold) code=c ;; *) code=h ;; esac
  local dev="${tag}d$i$code" ns="${tag}p$i$code" config
  ip link add "$dev" type veth peer name "${tag}q$i$code"
  ip link set "$dev" up
  ip netns add "$ns"
  if [[ $plugin == splitplane* ]]; then config=$(splitplane_config "$dev"); else config=$(host_device_config "$dev"); fi
  if [[ $kind == splitplane || $kind == splitplane-server ]]; then
    # What the device plugin does between pods, outside the timing.
    "$java" -jar "$plugin_dir/splitplane.jar" --prepare-spare "$run_dir/bpf" 2>>"$run_dir/stderr"
    [[ $(spares) -eq 1 ]] || { echo "no spare prepared" >&2; exit 1; }
  fi
  local add del
  add=$(call ADD "$plugin" "c$i" "/run/netns/$ns" "$config")
  if [[ $kind != splitplane-cold && $plugin == splitplane* && $(spares) -ne 0 ]]; then echo "ADD did not claim the spare" >&2; exit 1; fi
  del=$(call DEL "$plugin" "c$i" "/run/netns/$ns" "$config")
  echo "$add $del" >>"$run_dir/$kind"
  ip netns del "$ns"
  ip link del "$dev"
}

read -r -a kinds <<<"${BENCH_KINDS:-splitplane-server splitplane splitplane-cold host-device}"
# Warm-up (page cache, first exec of each binary; the server's first calls, as a daemon that has
# served pods before), not counted.
for ((w = 0; w < 3; w++)); do for k in "${kinds[@]}"; do one "$k" "w$w"; done; done
for k in "${kinds[@]}"; do : >"$run_dir/$k"; done
for ((i = 0; i < runs; i++)); do
  for ((j = 0; j < ${#kinds[@]}; j++)); do one "${kinds[(i + j) % ${#kinds[@]}]}" "$i"; done
done

# Floors, measured in the same run: the JVM alone (VERSION, no kernel work) and the kernel's load and
# verification of the classifier object alone (bpftool), the two costs host-device does not have.
floor() { # name command...
  local i start end
  for ((i = 0; i < 20; i++)); do
    start=${EPOCHREALTIME/./}
    "${@:2}" >/dev/null 2>&1 <<<'{"cniVersion":"1.0.0"}' || true
    end=${EPOCHREALTIME/./}
    echo "$((end - start)) 0" >>"$run_dir/floor-$1"
  done
}
classifier_object() {
  unzip -p "$plugin_dir/splitplane.jar" io/splitplane/bpf/classifier.bpf.o >"$run_dir/classifier.bpf.o"
}
load_classifier() {
  rm -f "$run_dir/bpf/floor"
  bpftool prog load "$run_dir/classifier.bpf.o" "$run_dir/bpf/floor" type xdp
  rm -f "$run_dir/bpf/floor"
}
SPLITPLANE_CNI_SOCKET=/nonexistent/cni.sock CNI_COMMAND=VERSION floor splitplane-version "$run_dir/bin/splitplane"
SPLITPLANE_CNI_SOCKET=$socket CNI_COMMAND=VERSION floor splitplane-server-version "$run_dir/sbin/splitplane"
CNI_COMMAND=VERSION floor host-device-version "$run_dir/bin/host-device"
if command -v bpftool >/dev/null && command -v unzip >/dev/null; then
  classifier_object
  floor classifier-load load_classifier
fi

stats() { # file column -> "median p95" in ms
  [[ -s $1 ]] || { echo "- -"; return; }
  sort -n <(awk -v c="$2" '{print $c}' "$1") | awk '{v[NR]=$1} END {
    m = (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2; p = v[int(NR*0.95 + 0.999)];
    printf "%.1f %.1f", m/1000, p/1000 }'
}
read -r va_m va_p <<<"$(stats "$run_dir/splitplane-server" 1)"
read -r vd_m vd_p <<<"$(stats "$run_dir/splitplane-server" 2)"
read -r sa_m sa_p <<<"$(stats "$run_dir/splitplane" 1)"
read -r sd_m sd_p <<<"$(stats "$run_dir/splitplane" 2)"
read -r ca_m ca_p <<<"$(stats "$run_dir/splitplane-cold" 1)"
read -r cd_m cd_p <<<"$(stats "$run_dir/splitplane-cold" 2)"
read -r ha_m ha_p <<<"$(stats "$run_dir/host-device" 1)"
read -r hd_m hd_p <<<"$(stats "$run_dir/host-device" 2)"
echo "ADD/DEL wall time over $runs runs each, rotating order; $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg), kernel $(uname -r)"
echo
echo "| plugin | ADD median | ADD p95 | DEL median | DEL p95 |"
echo "|---|---:|---:|---:|---:|"
echo "| splitplane through the CNI server (the launcher over its socket, with $(command -v nc >/dev/null && echo nc || echo curl)), a spare ready | $va_m ms | $va_p ms | $vd_m ms | $vd_p ms |"
echo "| splitplane, JVM per call, a spare classifier ready (claimed, rules, pins, host-local) | $sa_m ms | $sa_p ms | $sd_m ms | $sd_p ms |"
echo "| splitplane, JVM per call, cold, no spare (classifier loaded in ADD) | $ca_m ms | $ca_p ms | $cd_m ms | $cd_p ms |"
echo "| host-device (host-local) | $ha_m ms | $ha_p ms | $hd_m ms | $hd_p ms |"
awk -v v="$va_m" -v a="$sa_m" -v c="$ca_m" -v b="$ha_m" -v vd="$vd_m" -v hd="$hd_m" 'BEGIN {
  printf "\nADD median ratio splitplane / host-device: %.2f through the server, %.2f JVM with a spare, %.2f JVM cold\n", v / b, a / b, c / b
  printf "DEL median ratio through the server: %.2f\n", vd / hd }'
echo
echo "| floor (20 runs) | median | p95 |"
echo "|---|---:|---:|"
for f in splitplane-version splitplane-server-version host-device-version classifier-load; do
  [[ -s "$run_dir/floor-$f" ]] && read -r m p <<<"$(stats "$run_dir/floor-$f" 1)" && echo "| $f | $m ms | $p ms |"
done
# Where the server's calls spent their time: the steps of the plugin's ADD and DEL log lines (timed runs only).
for verb in ADD DEL; do
  echo
  echo "server $verb steps, median ms over the timed runs:"
  steps=$(grep -E "(Add|Del)Command: $verb c[0-9]+:" "$run_dir/server.log" | sed 's/.*; //' | grep -oE "[a-z]+ [0-9.]+ ms" || true)
  for step in $(awk '{print $1}' <<<"$steps" | awk '!seen[$0]++'); do
    printf '  %s %s' "$step" "$(awk -v k="$step" '$1 == k {print $2}' <<<"$steps" | sort -n | awk '{v[NR]=$1} END {
      if (NR) print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2 }')"
  done
  echo
done
