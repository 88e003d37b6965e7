#!/usr/bin/env bash
# Installs what splitplane needs on a Debian/Ubuntu machine, as root. Idempotent: when everything is
# present it only checks, which takes well under a second.
set -euo pipefail

packages=(
  clang llvm           # compile the BPF programs (build time)
  iperf3 containernetworking-plugins  # e2e: UDP load; reference IPAM for the CNI hand-over (frr: below)
  shellcheck           # the kind suite's scripts are checked
  libbpf-dev libbpf1   # BPF headers for clang; libbpf.so.1 loaded at run time through FFM
  bpftool              # tests cross-check loaded programs and pinned maps
  gcc                  # layout tests compile C probes against the kernel headers
  iproute2 iputils-ping ethtool  # tests set up and inspect namespaces, links and traffic with the real tools
  frr                  # the netlink agent's tests run zebra + ospfd per namespace
  traceroute           # the punt path's test compares traceroute through the graph with plain Linux
  containernetworking-plugins    # the CNI plugin delegates IPAM to host-local; its benchmark compares with host-device
  curl                 # the CNI launcher sends calls to the node daemon's socket
  netcat-openbsd       # the same, faster to start than curl (nc -U)
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "setup: missing Debian packages: ${missing[*]}; run as root to install them" >&2
    exit 1
  fi
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

java_home=$("$(dirname "$0")/java-home.sh" 2>/dev/null || true)
if [[ -z "$java_home" ]]; then
  echo "setup: no JDK 25 found; trying Debian's openjdk-25-jdk-headless"
  apt-get install -y -qq --no-install-recommends openjdk-25-jdk-headless >/dev/null 2>&1 || true
  "$(dirname "$0")/java-home.sh" >/dev/null || {
    echo "setup: JDK 25 is required (Panama FFM). Install Temurin 25 under /usr/lib/jvm or set JAVA_HOME." >&2
    exit 1
  }
fi
