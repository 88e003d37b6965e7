#!/usr/bin/env bash
# The netlink agent's benchmarks (JMH, as root: they make a network namespace of their own):
#   dataplane-pod/bench/netlink-agent.sh                         # convergence latency and 1M-route full load
#   dataplane-pod/bench/netlink-agent.sh KernelConvergenceBenchmark [JMH options...]
# Builds api, kernel, bpf and dataplane-pod through the reactor (never from ~/.m2), then runs JMH on the
# test class path; results are printed (JMH tables plus the [convergence]/[full-load] lines).
set -euo pipefail
cd "$(dirname "$0")/../.."
export JAVA_HOME="${JAVA_HOME:-$(build-tools/java-home.sh)}"
cp_file=$(mktemp)
trap 'rm -f "$cp_file"' EXIT
./mvnw -B -q -pl api,kernel,bpf,dataplane-pod test-compile dependency:build-classpath \
  -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=test
cp="dataplane-pod/target/test-classes:dataplane-pod/target/classes:$(cat "$cp_file")"
pattern="${1:-KernelConvergenceBenchmark|FullTableLoadBenchmark}"
shift || true
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
  -cp "$cp" org.openjdk.jmh.Main "$pattern" \
  -jvmArgsPrepend "--enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow" "$@"
