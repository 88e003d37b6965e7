#!/bin/bash
# The CNET graph (the dataplane's IPv4 forwarder) as a forwarder of the shared bench harness:
#   run-forwarder.sh -l graph -- dataplane-pod/bench/graph-forwarder.sh
# runs it inside the router namespace with IF_IN IF_OUT MAC_* IP_* NET_* FWD_CPU in its environment.
# Writes a dataplane config (two AF_XDP ports on one UMEM, the classifier in standalone mode
# redirecting IPv4 UDP into the sockets so ARP/ICMP stay with the kernel, routes NET_SINK via IP_SINK
# on IF_OUT and NET_GEN via IP_GEN on IF_IN, static neighbours MAC_SINK / MAC_GEN, one worker pinned
# to FWD_CPU) and execs `java -jar` on the dataplane jar; SIGTERM stops it and it detaches its
# classifiers.
#
# Knobs (environment):
#   GRAPH_BUSY_POLL_US      SO_BUSY_POLL (with SO_PREFER_BUSY_POLL) on the sockets; 0 = off (default: off, see README "Forwarding on veth")
#   GRAPH_BUSY_POLL_BUDGET  SO_BUSY_POLL_BUDGET, packets per busy poll (default 64; kernel default 8)
#   GRAPH_BUSY_POLL_HOLD_US busy-poll a queue at least this often even when its RX ring is full
#                           (default 50; below GRAPH_GRO_FLUSH_NS, or the kernel takes the NAPI back)
#   GRAPH_BUSY_POLL_PORTS   which ports busy-poll: "in", "out" or "in out" (default "in": nothing
#                           arrives on IF_OUT here, and a busy-polling port with an empty RX ring
#                           makes a recvfrom every loop)
#   GRAPH_NAPI_DEFER        napi_defer_hard_irqs of IF_IN/IF_OUT (default 2 with busy polling, else 0)
#   GRAPH_GRO_FLUSH_NS      gro_flush_timeout of IF_IN/IF_OUT in ns (default 200000 with busy polling,
#                           else 0): how long the NAPI stays with the busy-polling socket before the
#                           kernel takes it back into its (softirq / threaded NAPI) context
#   GRAPH_THREADED_NAPI     true: a busy-polling port's NAPI stays in threaded mode as the harness set
#                           it up (default false: the dataplane moves it to softirq while it runs)
#   GRAPH_MODE              copy | zerocopy | auto (default copy: veth has no zero-copy)
#   GRAPH_FRAMES GRAPH_RING UMEM frames (default 8192) and ring entries (default 2048)
#   GRAPH_IDLE              worker idle strategy: backoff (default) or spin
#   GRAPH_SHOW_RUNTIME      print the graph counters every N seconds into the harness log (default 0 = off)
#   DATAPLANE_JAR           default: the newest dataplane-pod/target*/*-all.jar containing DataplaneMain
#   JAVA_HOME               default /usr/lib/jvm/temurin-25-jdk-amd64;  JAVA_OPTS (default -Xmx512m)
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
for v in IF_IN IF_OUT MAC_GEN MAC_SINK IP_GEN IP_SINK NET_GEN NET_SINK FWD_CPU; do
	[ -n "${!v:-}" ] || { echo "graph-forwarder: $v is not set (run me through the harness's run-forwarder.sh)" >&2; exit 2; }
done
: "${JAVA_HOME:=/usr/lib/jvm/temurin-25-jdk-amd64}"
if [ -z "${DATAPLANE_JAR:-}" ]; then
	for j in $(ls -t "$HERE"/../target*/*-all.jar 2>/dev/null); do  # the shaded jar (has a Main-Class)
		if "$JAVA_HOME/bin/jar" tf "$j" 2>/dev/null | grep 'io/splitplane/dataplane/DataplaneMain.class' >/dev/null; then DATAPLANE_JAR=$j; break; fi
	done
fi
[ -f "${DATAPLANE_JAR:-}" ] || { echo "graph-forwarder: no dataplane jar with DataplaneMain under $HERE/../target*/ (set DATAPLANE_JAR)" >&2; exit 2; }

bp_us=${GRAPH_BUSY_POLL_US:-0} bp_budget=${GRAPH_BUSY_POLL_BUDGET:-64}
if [ "$bp_us" -gt 0 ]; then defer=${GRAPH_NAPI_DEFER:-2} flush=${GRAPH_GRO_FLUSH_NS:-200000}
else defer=${GRAPH_NAPI_DEFER:-0} flush=${GRAPH_GRO_FLUSH_NS:-0}; fi
# SO_PREFER_BUSY_POLL only keeps the NAPI with the application when the netdev defers its
# interrupts (here: the peer's napi_schedule) for a while after a busy poll. The dataplane sets that
# on the NAPIs of its busy-polling ports (busyPoll.deferHardIrqs / groFlushTimeoutUs); without busy
# polling the netdevs get the values asked for here (default 0: the kernel's own behaviour).
if [ "$bp_us" -eq 0 ]; then
	for i in "$IF_IN" "$IF_OUT"; do
		echo "$defer" > "/sys/class/net/$i/napi_defer_hard_irqs"
		echo "$flush" > "/sys/class/net/$i/gro_flush_timeout"
	done
fi

busy_in= busy_out=
if [ "$bp_us" -gt 0 ]; then
	bp=", \"busyPoll\": {\"timeoutUs\": $bp_us, \"budget\": $bp_budget, \"holdUs\": ${GRAPH_BUSY_POLL_HOLD_US:-50}, \"deferHardIrqs\": $defer, \"groFlushTimeoutUs\": $((flush / 1000)), \"threadedNapi\": ${GRAPH_THREADED_NAPI:-false}}"
	case " ${GRAPH_BUSY_POLL_PORTS:-in} " in *" in "*) busy_in=$bp ;; esac
	case " ${GRAPH_BUSY_POLL_PORTS:-in} " in *" out "*) busy_out=$bp ;; esac
fi
classifier='"classifier": {"rules": [{"name": "udp4", "action": "redirect", "ipVersion": 4, "protocol": "udp"}]}'
cfg=$(mktemp /tmp/graph-forwarder.XXXXXX.json)
cat > "$cfg" <<EOF
{
  "name": "bench",
  "ports": [
    {"name": "in",  "netdev": "$IF_IN",  "queues": [0], "mode": "${GRAPH_MODE:-copy}"$busy_in, $classifier},
    {"name": "out", "netdev": "$IF_OUT", "queues": [0], "mode": "${GRAPH_MODE:-copy}"$busy_out, $classifier}
  ],
  "umem": {"frames": ${GRAPH_FRAMES:-8192}, "frameSize": 2048, "ringSize": ${GRAPH_RING:-2048}},
  "workers": [{"cpus": [$FWD_CPU], "ports": ["in", "out"], "idle": "${GRAPH_IDLE:-backoff}"}],
  "routes": [
    {"prefix": "$NET_SINK", "via": "$IP_SINK", "port": "out"},
    {"prefix": "$NET_GEN",  "via": "$IP_GEN",  "port": "in"}
  ],
  "neighbours": [
    {"ip": "$IP_SINK", "mac": "$MAC_SINK", "port": "out"},
    {"ip": "$IP_GEN",  "mac": "$MAC_GEN",  "port": "in"}
  ]
}
EOF
echo "graph-forwarder: $DATAPLANE_JAR busy_poll=${bp_us}us/$bp_budget napi_defer_hard_irqs=$defer gro_flush_timeout=$flush config $cfg:"
cat "$cfg"
rt=(); [ "${GRAPH_SHOW_RUNTIME:-0}" -gt 0 ] && rt=(--show-runtime "$GRAPH_SHOW_RUNTIME")
# exec: the harness's SIGTERM (to the process group) reaches the JVM, whose shutdown stops the
# worker and detaches the classifiers; the config file is tiny and left in /tmp for the record.
# shellcheck disable=SC2086
exec "$JAVA_HOME/bin/java" ${JAVA_OPTS:--Xmx512m} -jar "$DATAPLANE_JAR" --config "$cfg" "${rt[@]}"
