#!/bin/bash
# Forwarding on veth (issue 4, items 2 and 3): measures the CNET graph and the anchors (Linux IPv4
# forwarding, in-kernel XDP forwarding, DPDK testpmd over net_af_xdp) on the shared bench harness's
# topology with the same traffic, in one session, and prints medians with ratios against the anchors
# of the same run.  Run as root from anywhere:
#
#   dataplane-pod/bench/veth-forwarding.sh [-n RUNS] [-d SECS] [-r RATES] [-s SIZE] [-f "FWD ..."]
#
#   -n RUNS   runs per rate (default 3)           -d SECS  seconds per run (default 10)
#   -r RATES  offered loads in pps, comma-separated, "max" = the generator flat out
#             (default 500000,1000000,2000000,max)
#   -s SIZE   frame size without FCS (default 64)
#   -f FWDS   forwarders, space-separated (default "kernel xdpfwd testpmd graph"); each is
#             LABEL[@VAR=VAL,VAR=VAL...]: the command comes from the label's first word
#             (kernel, xdpfwd, testpmd, graph; e.g. graph-nobp), the assignments are exported for
#             that forwarder only (harness variables such as IN_NAPI_CPU=0, or GRAPH_* of
#             graph-forwarder.sh), e.g.  -f "testpmd graph graph-nobp@GRAPH_BUSY_POLL_US=0"
#   -S        skip the installs and build.sh (harness already built)
# Environment: BENCH_HARNESS (default: ../shared/bench next to the repository), BENCH_OUT
# (/tmp/splitplane-bench), MAX_OTHER (the harness's quiet threshold, % of a CPU; default 10),
# DATAPLANE_JAR (default: newest dataplane-pod/target*/*.jar containing DataplaneMain).
#
# The topology is built before and torn down after (also on ^C / failure).  Results: the harness's
# per-forwarder logs and summary.tsv in $BENCH_OUT/results, and this run's table in
# $BENCH_OUT/results/veth-forwarding-<date>.txt.
set -uo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
: "${BENCH_HARNESS:=$(cd "$REPO/.." && pwd)/shared/bench}"
: "${BENCH_OUT:=/tmp/splitplane-bench}"
export BENCH_OUT
runs=3 secs=10 rates=500000,1000000,2000000,max size=64 fwds="kernel xdpfwd testpmd graph" skip_prep=
while getopts "n:d:r:s:f:S" o; do case $o in
	n) runs=$OPTARG ;; d) secs=$OPTARG ;; r) rates=$OPTARG ;; s) size=$OPTARG ;; f) fwds=$OPTARG ;;
	S) skip_prep=1 ;; *) sed -n '2,24p' "$0"; exit 1 ;; esac; done
[ "$(id -u)" = 0 ] || { echo "run as root (network namespaces, XDP)" >&2; exit 1; }
[ -x "$BENCH_HARNESS/run-forwarder.sh" ] || { echo "no harness at $BENCH_HARNESS (set BENCH_HARNESS)" >&2; exit 1; }

# --- (a) what the harness needs --------------------------------------------------------------------
need_pkgs() {  # Debian packages: build.sh (clang, gcc, libbpf-dev), setup.sh (iproute2, ethtool),
	local want=() p          # run-forwarder.sh (procps, util-linux), testpmd.sh (dpdk-testpmd: dpdk-dev)
	for p in clang gcc libbpf-dev iproute2 ethtool procps util-linux; do
		dpkg -s "$p" >/dev/null 2>&1 || want+=("$p")
	done
	case " $fwds " in *" testpmd"*)
		command -v dpdk-testpmd >/dev/null || want+=(dpdk dpdk-dev) ;; esac  # bookworm: testpmd is in dpdk-dev
	if [ ${#want[@]} -gt 0 ]; then
		echo "installing: ${want[*]}"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${want[@]}" >/dev/null ||
			{ apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${want[@]}" >/dev/null; } ||
			{ echo "cannot install ${want[*]}" >&2; exit 1; }
	fi
}
if [ -z "$skip_prep" ]; then
	need_pkgs
	"$BENCH_HARNESS/build.sh" || exit 1
fi

# --- (b, c) topology, forwarders, teardown always ---------------------------------------------------
results="$BENCH_OUT/results"; mkdir -p "$results"
summary="$results/summary.tsv"
start_line=$(( $( [ -f "$summary" ] && wc -l < "$summary" || echo 0) ))
teardown() {
	"$BENCH_HARNESS/teardown.sh" >/dev/null
	local left; left=$(ip netns list | grep -c '^bench-' || true)
	[ "$left" = 0 ] || echo "warning: $left bench-* namespaces left" >&2
}
trap teardown EXIT
trap 'exit 130' INT TERM
"$BENCH_HARNESS/teardown.sh" >/dev/null   # a previous run's leftovers
"$BENCH_HARNESS/setup.sh" >/dev/null || exit 1

labels=()
for spec in $fwds; do
	label=${spec%%@*} assigns=
	[ "$spec" != "$label" ] && assigns=${spec#*@}
	case ${label%%-*} in
	kernel)  cmd=("$BENCH_HARNESS/fwd/kernel.sh") ;;
	xdpfwd)  cmd=("$BENCH_HARNESS/fwd/xdpfwd.sh") ;;
	testpmd) cmd=("$BENCH_HARNESS/fwd/testpmd.sh") ;;
	graph)   cmd=("$HERE/graph-forwarder.sh") ;;
	*) echo "unknown forwarder '$label' (kernel, xdpfwd, testpmd, graph[-...])" >&2; exit 1 ;;
	esac
	echo "=== $label ${assigns:+($assigns) }rates=$rates runs=$runs x ${secs}s size=$size"
	(
		IFS=,; for a in $assigns; do export "${a?}"; done; unset IFS
		# the harness re-pins NAPI threads after start; a Java forwarder needs longer to come up
		[ "${label%%-*}" = graph ] && export FWD_STARTUP=${FWD_STARTUP:-12}
		cd "$BENCH_HARNESS" && ./run-forwarder.sh -l "$label" -n "$runs" -d "$secs" -s "$size" -r "$rates" -- "${cmd[@]}"
	) | grep --line-buffered -E '^(MEDIAN|forwarder|#)' || echo "  ($label failed: see $results/$label-$size.log)"
	labels+=("$label")
done

# --- (d) summary: medians of this run, ratios against the anchors of this run ------------------------
table="$results/veth-forwarding-$(date +%Y%m%dT%H%M%S).txt"
tail -n +"$((start_line + 1))" "$summary" | grep -v '^date' | awk -F'\t' -v labels="${labels[*]}" -v rates="$rates" -v size="$size" '
	$3 == size { split($5, kv, /[= ]/); m[$2, $4] = kv[2] + 0; runs[$2, $4] = $6 }
	END {
		nl = split(labels, L, " "); nr = split(rates, R, ",")
		printf "%-26s", "offered (pps)"; for (j = 1; j <= nr; j++) printf " %12s", R[j]; printf " %12s %10s\n", "peak", "max/peak"
		for (i = 1; i <= nl; i++) {
			peak = 0; printf "%-26s", L[i]
			for (j = 1; j <= nr; j++) {
				k = L[i] SUBSEP R[j]; v = (k in m) ? m[k] : -1
				if (v > peak) peak = v
				printf(" %12s", (v >= 0) ? sprintf("%.0f", v) : "-")
			}
			pk[L[i]] = peak; k = L[i] SUBSEP "max"; mp = "-"
			if (peak > 0 && (k in m)) mp = sprintf("%.0f%%", 100 * m[k] / peak)
			printf " %12.0f %10s\n", peak, mp
		}
		for (i = 1; i <= nl; i++) {
			if (L[i] !~ /^graph/) continue
			for (a = 1; a <= nl; a++) {
				if (L[a] ~ /^graph/) continue
				printf "%-26s", L[i] " / " L[a]
				for (j = 1; j <= nr; j++) {
					k = L[i] SUBSEP R[j]; ka = L[a] SUBSEP R[j]; r = "-"
					if ((k in m) && (ka in m) && m[ka] > 0) r = sprintf("%.2f", m[k] / m[ka])
					printf " %12s", r
				}
				printf(" %12s\n", (pk[L[a]] > 0) ? sprintf("%.2f", pk[L[i]] / pk[L[a]]) : "-")
			}
		}
	}' | tee "$table"
echo "(medians of fwd_pps: frames per second reaching the sink (the harness also reports ok%: TTL 63, right MAC,
valid checksum; testpmd in mac mode does not decrement TTL, so its ok% is 0); peak = best offered rate; per-run lines in $results/<label>-$size.log; this table: $table)"
