package io.splitplane.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.splitplane.api.classifier.Action;
import io.splitplane.api.classifier.ClassifierRule;
import io.splitplane.api.classifier.ClassifierRules;
import io.splitplane.api.classifier.PortRange;
import io.splitplane.api.classifier.Protocol;
import io.splitplane.kernel.bpf.TestRun;
import io.splitplane.kernel.bpf.XdpAction;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Rule updates race test runs, and no packet ever sees a mix of two rule sets.
 *
 * <p>Both sets have the rules "hit" and "guard" (same names, so their counters carry on across
 * every swap), and the probe frame matches "hit" in either set only through its destination prefix,
 * which lives in the set's inline table, or (second run) in the LPM trie under the set's generation:
 * <ul>
 *   <li>set A: hit = drop, UDP 7000, dst 10.1.0.0/16; guard = pass, UDP 7000</li>
 *   <li>set B: hit = pass, UDP 7000, dst 10.0.0.0/8; guard = drop, UDP 7000</li>
 * </ul>
 * A packet that saw one set's rules with the other's (or no) trie entries, or half-written rules,
 * would fall through to "guard" or to the default. So: guard and default stay at zero, hit counts
 * every run, and each run's verdict is A's (drop) or B's (pass).
 */
class ClassifierSwapTest {
    private static final long RACE_NS = 2_500_000_000L;

    /**
     * @param filler extra destination prefixes of "hit" that the probe is not in: 100 of them push
     *               the set's prefixes out of the inline table into the LPM trie
     */
    private static ClassifierRules set(Action hit, String prefix, Action guard, int filler) {
        String[] prefixes = new String[1 + filler];
        prefixes[0] = prefix;
        for (int i = 0; i < filler; i++) {
            prefixes[1 + i] = "172.16." + (2 * i) + ".0/24";
        }
        return ClassifierRules.of(
                ClassifierRule.of("hit", hit).withProtocol(Protocol.UDP).withDstPorts(PortRange.of(7000))
                        .withDstPrefixes(prefixes),
                ClassifierRule.of("guard", guard).withProtocol(Protocol.UDP).withDstPorts(PortRange.of(7000)));
    }

    @ParameterizedTest(name = "prefixes in the {0}")
    @ValueSource(strings = {"inline table", "LPM trie"})
    void aRacingTestRunNeverSeesAMixedRuleSet(String mode) throws Exception {
        int filler = mode.equals("LPM trie") ? 100 : 0;
        ClassifierRules a = set(Action.DROP, "10.1.0.0/16", Action.PASS, filler);
        ClassifierRules b = set(Action.PASS, "10.0.0.0/8", Action.DROP, filler);
        int trie = RuleCompiler.compile(a).flags() & RuleSetLayout.F_DST4_TRIE;
        assertEquals(filler > 0 ? RuleSetLayout.F_DST4_TRIE : 0, trie, "the sets use the " + mode);
        byte[] probe = FrameBuilder.ipv4("10.9.9.9", "10.1.2.3").udp(5555, 7000).build();
        try (Classifier classifier = Classifier.load()) {
            classifier.replaceRules(a);
            AtomicBoolean stop = new AtomicBoolean();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            AtomicInteger swaps = new AtomicInteger();
            Thread writer = Thread.ofPlatform().name("rule-writer").start(() -> {
                try {
                    while (!stop.get()) {
                        classifier.replaceRules(swaps.get() % 2 == 0 ? b : a);
                        swaps.incrementAndGet();
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            });

            long runs = 0;
            long drops = 0;
            long passes = 0;
            long changes = 0;
            int last = -1;
            long deadline = System.nanoTime() + RACE_NS;
            try {
                while (System.nanoTime() - deadline < 0 && failure.get() == null) {
                    int verdict = classifier.testRun(TestRun.of(probe)).retval();
                    runs++;
                    if (verdict == XdpAction.DROP) {
                        drops++;
                    } else if (verdict == XdpAction.PASS) {
                        passes++;
                    } else {
                        throw new AssertionError("run " + runs + ": verdict " + XdpAction.name(verdict));
                    }
                    if (last >= 0 && verdict != last) {
                        changes++;
                    }
                    last = verdict;
                }
            } finally {
                stop.set(true);
                writer.join();
            }
            if (failure.get() != null) {
                throw new AssertionError("rule writer failed", failure.get());
            }
            ClassifierCounters counters = classifier.counters();
            System.out.printf("swap race (%s): %d test runs, %d swaps, %d verdict changes (%d drop, %d pass)%n", mode,
                    runs,
                    swaps.get(), changes, drops, passes);

            assertEquals(new Counter(runs, runs * probe.length), counters.rule("hit"), "every run matched 'hit'");
            assertEquals(Counter.ZERO, counters.rule("guard"), "no run fell through to 'guard'");
            assertEquals(Counter.ZERO, counters.outcome(Outcome.PASS_DEFAULT), "no run matched nothing");
            assertEquals(drops, counters.outcome(Outcome.DROP).packets(), "set A's verdicts");
            assertEquals(passes, counters.outcome(Outcome.PASS_RULE).packets(), "set B's verdicts");
            assertEquals(runs, counters.total().packets());
            assertTrue(swaps.get() >= 20, "too few swaps to call it a race: " + swaps.get());
            assertTrue(changes >= 10, "the runs saw too few swaps: " + changes);
        }
    }
}
