# splitplane: the two commands a newcomer runs (as root), and the steps behind them.
#   make demo   build and run the main job: the vRouter demo (tears down on exit, Ctrl-C or failure)
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

DEMO_JAR = e2e/target/splitplane-e2e-0.1.0-SNAPSHOT-all.jar

# The demo removes what it made itself (also on Ctrl-C); the trap covers a JVM that died without its
# shutdown hook, and the demo's next start removes leftovers of a killed run.
demo: build
	@trap '$(JAVA) --enable-native-access=ALL-UNNAMED -jar $(DEMO_JAR) --cleanup >/dev/null' EXIT; \
	$(JAVA) --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -jar $(DEMO_JAR)

test: setup
	@JAVA_HOME=$$(build-tools/java-home.sh) ./mvnw -B verify
	@build-tools/check-clean.sh

bench: build
	@$(MVN) -pl bpf -Pbench -DskipTests verify
	@$(MVN) -pl dataplane-pod test-compile exec:exec -Djmh.args='Ip4ForwardBenchmark|Ip4FibBenchmark|GraphDispatchBenchmark'
	@$(MVN) -pl device-plugin -Pbench -DskipTests verify
	@dataplane-pod/bench/netlink-agent.sh
	@cni-plugin/bench/add-del.sh 50

clean:
	@$(MVN) clean
