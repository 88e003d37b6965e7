# splitplane: the two commands a newcomer runs (as root), and the steps behind them.
#   make demo   build and run the main job
#   make test   build and run every test, then check that nothing was left behind
#   make bench  the benchmarks behind the README's performance section (as root; takes minutes)

SHELL := /bin/bash
MVN = JAVA_HOME=$$(build-tools/java-home.sh) ./mvnw -B -q
JAVA = $$(build-tools/java-home.sh)/bin/java

.PHONY: demo test bench setup build clean

setup:
	@build-tools/setup.sh

build: setup
	@$(MVN) install -DskipTests

demo: build
	@$(JAVA) --enable-native-access=ALL-UNNAMED -jar kernel/target/splitplane-kernel-0.1.0-SNAPSHOT.jar

test: setup
	@JAVA_HOME=$$(build-tools/java-home.sh) ./mvnw -B verify
	@build-tools/check-clean.sh

bench: build
	@$(MVN) -pl bpf -Pbench -DskipTests verify
	@$(MVN) -pl dataplane-pod test-compile exec:exec -Djmh.args='Ip4ForwardBenchmark|Ip4FibBenchmark|GraphDispatchBenchmark'
	@cni-plugin/bench/add-del.sh 50

clean:
	@$(MVN) clean
