package io.splitplane.bpf.bench;

import io.splitplane.api.classifier.Action;
import io.splitplane.api.classifier.ClassifierRule;
import io.splitplane.api.classifier.ClassifierRules;
import io.splitplane.api.classifier.PortRange;
import io.splitplane.api.classifier.Protocol;
import io.splitplane.bpf.Classifier;
import io.splitplane.bpf.ClassifierCounters;
import io.splitplane.bpf.FrameBuilder;
import io.splitplane.bpf.Outcome;
import io.splitplane.kernel.bpf.BpfObject;
import io.splitplane.kernel.bpf.BpfProgram;
import io.splitplane.kernel.bpf.TestRun;
import io.splitplane.kernel.bpf.TestRunResult;
import io.splitplane.kernel.bpf.XdpAction;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the classifier costs per packet: BPF_PROG_TEST_RUN with {@code repeat} runs per call, for a
 * bare XDP_PASS program and for the classifier with 1, 16 and 64 rules ({@code loads} separate loads
 * of each), on an IPv4 and an IPv6 UDP frame, in {@code rounds} rounds that alternate the programs
 * (so that frequency and cache effects hit them alike). Prints a markdown table of medians.
 *
 * <p>The rules are a realistic mix (port ranges, protocols, VLAN, source and destination prefixes
 * of both families). Two probes: one matching the last rule (UDP 5353 to a destination prefix, a
 * redirect that finds no socket and passes), one matching none (default pass).
 *
 * <p>Two numbers per measurement: the kernel's own average (integer ns, from the test run) and the
 * wall time of the whole call divided by {@code repeat} (includes the syscall once per call,
 * negligible at a million runs). Every classifier run is paired with a bare run right before or
 * after it; the cost added by the classifier is the median, over rounds and loads, of the pairs'
 * differences, which cancels most of the drift of a shared machine. Each load is a program of its
 * own, placed by the JIT and given maps by the kernel where they happen to fall, which moves its
 * cost by a few ns: the table also lists each load's median.
 *
 * <p>Run as root: {@code ./mvnw -B -q -pl api,kernel,bpf -Pbench -DskipTests verify}, or directly
 * with {@code java --enable-native-access=ALL-UNNAMED -cp <test classpath> ... [repeat] [rounds] [loads]}.
 */
public final class ClassifierCostBenchmark {
    private static final int[] RULE_COUNTS = {1, 16, 64};

    private ClassifierCostBenchmark() {
    }

    /** One measured program. */
    private record Subject(String name, String rules, Runner runner) {
    }

    @FunctionalInterface
    private interface Runner {
        TestRunResult run(TestRun run);
    }

    public static void main(String[] args) throws Exception {
        int repeat = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 63;
        int instances = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        // The probe matching the last rule of every set (UDP 5353 into the probe prefixes), and one
        // matching no rule (port 5354).
        Map<String, byte[]> frames = new LinkedHashMap<>();
        frames.put("IPv4 UDP, last rule", FrameBuilder.ipv4("10.9.0.1", "10.1.2.3").udp(40000, 5353).payload(64).build());
        frames.put("IPv6 UDP, last rule",
                FrameBuilder.ipv6("2001:db8:9::1", "2001:db8:1::5").udp(40000, 5353).payload(64).build());
        frames.put("IPv4 UDP, no rule", FrameBuilder.ipv4("10.9.0.1", "10.1.2.3").udp(40000, 5354).payload(64).build());
        frames.put("IPv6 UDP, no rule",
                FrameBuilder.ipv6("2001:db8:9::1", "2001:db8:1::5").udp(40000, 5354).payload(64).build());

        List<Classifier> classifiers = new ArrayList<>();
        try (BpfObject bare = BpfObject.open(testObject("bare_pass"))) {
            bare.load();
            BpfProgram barePass = bare.program("bare_pass");
            Subject bareSubject = new Subject("bare XDP_PASS", "-", barePass::testRun);
            // Several loads of each configuration: where the JIT puts a program and where the kernel
            // puts its maps move a load's cost by a few ns, as a JVM fork does for JMH.
            List<Subject> subjects = new ArrayList<>();
            for (int n : RULE_COUNTS) {
                for (int i = 0; i < instances; i++) {
                    Classifier c = Classifier.load();
                    classifiers.add(c);
                    c.replaceRules(rules(n));
                    subjects.add(new Subject("classifier", Integer.toString(n), c::testRun));
                }
            }
            if (Boolean.parseBoolean(System.getProperty("bench.check", "true"))) {
                check(classifiers, frames);
            }

            // Per frame and configuration: every pair's classifier time, bare time and difference.
            Map<String, List<Long>> kernelNs = new LinkedHashMap<>();
            Map<String, List<Long>> addedNs = new LinkedHashMap<>();
            Map<String, List<Double>> wallNs = new LinkedHashMap<>();
            Map<String, List<Double>> addedWallNs = new LinkedHashMap<>();
            Map<String, List<Long>> instanceAdded = new LinkedHashMap<>();
            // One warm-up round, not recorded. Each classifier run is paired with a bare run right
            // before or after it (alternating by round), and the order of the classifiers alternates.
            for (int r = -1; r < rounds; r++) {
                for (Map.Entry<String, byte[]> f : frames.entrySet()) {
                    List<Subject> order = r % 2 == 0 ? subjects : subjects.reversed();
                    for (int i = 0; i < order.size(); i++) {
                        Subject s = order.get(i);
                        boolean bareFirst = (r + i) % 2 == 0;
                        Sample first = sample(bareFirst ? bareSubject : s, f.getValue(), repeat);
                        Sample second = sample(bareFirst ? s : bareSubject, f.getValue(), repeat);
                        if (r < 0) {
                            continue;
                        }
                        Sample b = bareFirst ? first : second;
                        Sample c = bareFirst ? second : first;
                        String k = key(f.getKey(), s);
                        kernelNs.computeIfAbsent(key(f.getKey(), bareSubject), x -> new ArrayList<>()).add(b.kernelNs());
                        wallNs.computeIfAbsent(key(f.getKey(), bareSubject), x -> new ArrayList<>()).add(b.wallNs());
                        kernelNs.computeIfAbsent(k, x -> new ArrayList<>()).add(c.kernelNs());
                        wallNs.computeIfAbsent(k, x -> new ArrayList<>()).add(c.wallNs());
                        addedNs.computeIfAbsent(k, x -> new ArrayList<>()).add(c.kernelNs() - b.kernelNs());
                        addedWallNs.computeIfAbsent(k, x -> new ArrayList<>()).add(c.wallNs() - b.wallNs());
                        instanceAdded.computeIfAbsent(k + "#" + subjects.indexOf(s), x -> new ArrayList<>())
                                .add(c.kernelNs() - b.kernelNs());
                    }
                }
            }

            System.out.printf("%nClassifier cost per packet: BPF_PROG_TEST_RUN, repeat=%,d, %d rounds, %d loads of each"
                    + " configuration, %d CPUs, kernel %s.%n"
                    + "Medians over rounds and loads; \"added\" is the median of the differences to a bare XDP_PASS run"
                    + " made right before or after each run; \"min vs min\" compares the fastest runs (the least"
                    + " disturbed); \"per load\" is each load's own median.%n%n",
                    repeat, rounds, instances, Runtime.getRuntime().availableProcessors(), kernelRelease());
            System.out.println("| probe | program | rules | kernel ns/pkt [min-max] | added (kernel) | added, min vs min"
                    + " | added per load | wall ns/pkt | added (wall) |");
            System.out.println("|---|---|---:|---:|---:|---:|---|---:|---:|");
            for (String frame : frames.keySet()) {
                List<Long> bareK = kernelNs.get(key(frame, bareSubject));
                System.out.printf("| %s | %s | - | %d [%d-%d] | - | - | - | %.1f | - |%n", frame, bareSubject.name(),
                        medianL(bareK), Collections.min(bareK), Collections.max(bareK),
                        medianD(wallNs.get(key(frame, bareSubject))));
                for (int n : RULE_COUNTS) {
                    String k = frame + "/classifier/" + n;
                    List<Long> ck = kernelNs.get(k);
                    StringBuilder perLoad = new StringBuilder();
                    for (int i = 0; i < subjects.size(); i++) {
                        List<Long> one = instanceAdded.get(k + "#" + i);
                        if (one != null) {
                            perLoad.append(perLoad.isEmpty() ? "" : " / ").append('+').append(medianL(one));
                        }
                    }
                    System.out.printf("| %s | classifier | %d | %d [%d-%d] | +%d ns | +%d ns | %s | %.1f | +%.1f ns |%n",
                            frame, n, medianL(ck), Collections.min(ck), Collections.max(ck), medianL(addedNs.get(k)),
                            Collections.min(ck) - Collections.min(bareK), perLoad, medianD(wallNs.get(k)),
                            medianD(addedWallNs.get(k)));
                }
            }
            System.out.println();
            System.out.println("\"last rule\": UDP to port 5353 in 10.1.0.0/16 (IPv6: 2001:db8:1::/48), matching the"
                    + " last rule of each set (a redirect without socket on the queue: XDP_PASS).");
            System.out.println("\"no rule\": the same to port 5354, matching no rule (default: XDP_PASS).");
        } finally {
            for (Classifier c : classifiers) {
                c.close();
            }
        }
    }

    /** One measurement: the kernel's average per run (integer ns) and the call's wall time per run. */
    private record Sample(long kernelNs, double wallNs) {
    }

    private static Sample sample(Subject s, byte[] frame, int repeat) {
        TestRun run = new TestRun(frame, repeat, 0);
        long t0 = System.nanoTime();
        TestRunResult result = s.runner().run(run);
        long t1 = System.nanoTime();
        return new Sample(result.durationNs(), (t1 - t0) / (double) repeat);
    }

    /** Every classifier must really match the last rule with the first two frames, and none with the others. */
    private static void check(List<Classifier> classifiers, Map<String, byte[]> frames) {
        for (Classifier c : classifiers) {
            int i = 0;
            for (byte[] frame : frames.values()) {
                boolean last = i++ < 2;
                ClassifierCounters before = c.counters();
                int verdict = c.testRun(TestRun.of(frame)).retval();
                ClassifierCounters delta = c.counters().since(before);
                String lastRule = c.ruleNames().getLast();
                boolean ok = verdict == XdpAction.PASS && (last
                        ? delta.rule(lastRule).packets() == 1 && delta.outcome(Outcome.REDIRECT_NO_SOCKET).packets() == 1
                        : delta.outcome(Outcome.PASS_DEFAULT).packets() == 1);
                if (!ok) {
                    throw new IllegalStateException("probe " + i + " does not behave as described: " + delta);
                }
            }
        }
    }

    /**
     * {@code n} rules: {@code n - 1} that the probe does not match, of every kind, then the one it
     * matches (UDP 5353 to 10.1.0.0/16 or 2001:db8:1::/48).
     */
    public static ClassifierRules rules(int n) {
        List<ClassifierRule> rules = new ArrayList<>();
        for (int i = 0; i < n - 1; i++) {
            String name = "r" + i;
            rules.add(switch (i % 8) {
                case 0 -> ClassifierRule.of(name, Action.REDIRECT).withProtocol(Protocol.UDP)
                        .withDstPorts(new PortRange(20000 + i * 16, 20000 + i * 16 + 7));
                case 1 -> ClassifierRule.of(name, Action.PASS).withProtocol(Protocol.TCP)
                        .withDstPorts(new PortRange(30000 + i * 16, 30000 + i * 16 + 15));
                case 2 -> ClassifierRule.of(name, Action.DROP).withProtocol(Protocol.UDP)
                        .withDstPorts(PortRange.of(40000 + i)).withDstPrefixes("10." + (100 + i) + ".0.0/16",
                                "2001:db8:" + Integer.toHexString(0x100 + i) + "::/48");
                case 3 -> ClassifierRule.of(name, Action.REDIRECT).withProtocol(Protocol.TCP)
                        .withDstPorts(PortRange.of(443)).withVlan(100 + i);
                case 4 -> ClassifierRule.of(name, Action.REDIRECT).withProtocol(Protocol.SCTP)
                        .withDstPorts(PortRange.of(3868 + i));
                case 5 -> ClassifierRule.of(name, Action.DROP).withSrcPrefixes("192.0." + i + ".0/24",
                        "2001:db8:bad:" + Integer.toHexString(i) + "::/64");
                case 6 -> ClassifierRule.of(name, Action.REDIRECT).withProtocol(Protocol.UDP)
                        .withSrcPorts(new PortRange(67, 68)).withDstPorts(PortRange.of(1000 + i));
                default -> ClassifierRule.of(name, Action.DROP).withIpVersion(4).withProtocol(Protocol.ICMP)
                        .withDstPrefixes("10." + (200 + i % 50) + ".0.0/16");
            });
        }
        rules.add(ClassifierRule.of("probe", Action.REDIRECT).withProtocol(Protocol.UDP).withDstPorts(PortRange.of(5353))
                .withDstPrefixes("10.1.0.0/16", "2001:db8:1::/48"));
        return new ClassifierRules(rules);
    }

    private static String key(String frame, Subject s) {
        return frame + "/" + s.name() + "/" + s.rules();
    }

    private static Path testObject(String name) throws URISyntaxException {
        URL url = ClassifierCostBenchmark.class.getResource("/bpf/" + name + ".bpf.o");
        if (url == null) {
            throw new IllegalStateException("bpf/" + name + ".bpf.o is not on the class path (src/test/bpf)");
        }
        return Path.of(url.toURI());
    }

    private static String kernelRelease() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip();
        } catch (java.io.IOException e) {
            return "?";
        }
    }

    private static long medianL(List<Long> v) {
        List<Long> s = new ArrayList<>(v);
        Collections.sort(s);
        return s.get(s.size() / 2);
    }

    private static double medianD(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        Collections.sort(s);
        return s.get(s.size() / 2);
    }
}
