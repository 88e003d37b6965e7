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
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the classifier costs per packet: BPF_PROG_TEST_RUN with {@code repeat} runs per call, for a
 * bare XDP_PASS program and for the classifier with 1, 16 and 64 rules, on an IPv4 and an IPv6 UDP
 * frame, in {@code rounds} rounds that alternate the programs (so that frequency and cache effects
 * hit them alike). Prints a markdown table of medians.
 *
 * <p>The rules are a realistic mix (port ranges, protocols, VLAN, source and destination prefixes
 * of both families). Two probes: one matching the last rule (UDP 5353 to a destination prefix, a
 * redirect that finds no socket and passes), one matching none (default pass).
 *
 * <p>Two numbers per measurement: the kernel's own average (integer ns, from the test run) and the
 * wall time of the whole call divided by {@code repeat} (includes the syscall once per call,
 * negligible at a million runs). The cost added by the classifier is the median over the rounds of
 * its difference to the bare program measured right next to it, which cancels most of the drift of
 * a shared machine.
 *
 * <p>Run as root: {@code ./mvnw -B -q -pl api,kernel,bpf -Pbench -DskipTests verify}, or directly
 * with {@code java --enable-native-access=ALL-UNNAMED -cp <test classpath> ... [repeat] [rounds]}.
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
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 21;
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
            List<Subject> subjects = new ArrayList<>();
            subjects.add(new Subject("bare XDP_PASS", "-", barePass::testRun));
            for (int n : RULE_COUNTS) {
                Classifier c = Classifier.load();
                classifiers.add(c);
                c.replaceRules(rules(n));
                subjects.add(new Subject("classifier", Integer.toString(n), c::testRun));
            }
            if (Boolean.parseBoolean(System.getProperty("bench.check", "true"))) {
                check(classifiers, frames);
            }

            Map<String, long[]> kernelNs = new LinkedHashMap<>();
            Map<String, double[]> wallNs = new LinkedHashMap<>();
            for (String frame : frames.keySet()) {
                for (Subject s : subjects) {
                    kernelNs.put(key(frame, s), new long[rounds]);
                    wallNs.put(key(frame, s), new double[rounds]);
                }
            }
            // One warm-up round, not recorded; the order of the programs alternates between rounds.
            for (int r = -1; r < rounds; r++) {
                for (Map.Entry<String, byte[]> f : frames.entrySet()) {
                    List<Subject> order = r % 2 == 0 ? subjects : subjects.reversed();
                    for (Subject s : order) {
                        TestRun run = new TestRun(f.getValue(), repeat, 0);
                        long t0 = System.nanoTime();
                        TestRunResult result = s.runner().run(run);
                        long t1 = System.nanoTime();
                        if (r >= 0) {
                            kernelNs.get(key(f.getKey(), s))[r] = result.durationNs();
                            wallNs.get(key(f.getKey(), s))[r] = (t1 - t0) / (double) repeat;
                        }
                    }
                }
            }

            System.out.printf("%nClassifier cost per packet: BPF_PROG_TEST_RUN, repeat=%,d, %d rounds, %d CPUs, kernel %s.%n"
                    + "Medians over the rounds; \"added\" is the median of each round's difference to bare XDP_PASS"
                    + " measured next to it; \"min vs min\" compares the fastest rounds (the least disturbed).%n%n",
                    repeat, rounds, Runtime.getRuntime().availableProcessors(), kernelRelease());
            System.out.println("| probe | program | rules | kernel ns/pkt [min-max] | added (kernel) | added, min vs min"
                    + " | wall ns/pkt | added (wall) |");
            System.out.println("|---|---|---:|---:|---:|---:|---:|---:|");
            for (String frame : frames.keySet()) {
                long[] bareK = kernelNs.get(key(frame, subjects.getFirst()));
                double[] bareW = wallNs.get(key(frame, subjects.getFirst()));
                for (Subject s : subjects) {
                    long[] k = kernelNs.get(key(frame, s));
                    double[] w = wallNs.get(key(frame, s));
                    long[] dk = new long[rounds];
                    double[] dw = new double[rounds];
                    for (int r = 0; r < rounds; r++) {
                        dk[r] = k[r] - bareK[r];
                        dw[r] = w[r] - bareW[r];
                    }
                    boolean base = s == subjects.getFirst();
                    System.out.printf("| %s | %s | %s | %d [%d-%d] | %s | %s | %.1f | %s |%n", frame, s.name(),
                            s.rules(), median(k), min(k), max(k), base ? "-" : "+" + median(dk) + " ns",
                            base ? "-" : "+" + (min(k) - min(bareK)) + " ns", median(w),
                            base ? "-" : String.format("+%.1f ns", median(dw)));
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

    private static long median(long[] v) {
        long[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    private static long min(long[] v) {
        return Arrays.stream(v).min().orElseThrow();
    }

    private static long max(long[] v) {
        return Arrays.stream(v).max().orElseThrow();
    }

    private static double min(double[] v) {
        return Arrays.stream(v).min().orElseThrow();
    }

    private static double max(double[] v) {
        return Arrays.stream(v).max().orElseThrow();
    }
}
