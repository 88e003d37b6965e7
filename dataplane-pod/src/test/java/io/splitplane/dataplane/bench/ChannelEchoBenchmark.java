package io.splitplane.dataplane.bench;

import io.splitplane.dataplane.Dataplane;
import io.splitplane.dataplane.RouterNetwork;
import io.splitplane.dataplane.examples.UdpEcho;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * UDP echo through the graph's channels against a plain kernel UDP socket echo, in the same fork,
 * on the same namespaces and veth ({@link RouterNetwork}: the client in src, the echo servers in the
 * router, whose dataplane steers UDP to ports 7 and 8 into the graph; port 9 stays the kernel's):
 *
 * <ul>
 *   <li>{@code channel}: {@link UdpEcho#start} — a pull channel served by an application thread
 *   (receive copies the payload out, send copies it into a frame; two SPSC ring hops each way);</li>
 *   <li>{@code callback}: {@link UdpEcho#startInGraph} — the echo written on the graph worker from the
 *   received frame into a send frame;</li>
 *   <li>{@code kernel} (the anchor): a {@link DatagramChannel} echo thread on the router's kernel
 *   stack, the classifier passing its packets.</li>
 * </ul>
 *
 * The client is a kernel UDP socket in src in every case, so the client's own cost is the same.
 * {@code roundTrip}: one 64-byte datagram out, its echo back (latency). {@code burst16}: 16 out, 16
 * back, time per datagram (rate with a window of 16). Machine: see the module README.
 *
 * <pre>
 * ./mvnw -q -pl dataplane-pod test-compile exec:exec -Djmh.args='ChannelEchoBenchmark'
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
@State(Scope.Benchmark)
public class ChannelEchoBenchmark {
    private static final int BURST = 16;

    @Param({"kernel", "channel", "callback"})
    public String server;

    private RouterNetwork net;
    private Path dir;
    private Dataplane dp;
    private UdpEcho echo;
    private DatagramChannel kernelEcho;
    private Thread kernelThread;
    private DatagramChannel client;
    private final ByteBuffer out = ByteBuffer.allocateDirect(64);
    private final ByteBuffer in = ByteBuffer.allocateDirect(2048);

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        net = new RouterNetwork();
        try {
            start();
        } catch (Exception | Error e) {
            // JMH does not tear down a failed setup: leave no namespace behind.
            net.stop(dp);
            net.close();
            throw e;
        }
    }

    private void start() throws Exception {
        dir = Files.createTempDirectory("channel-echo-bench");
        dp = net.start(dir, """
                [{"name": "echo", "action": "redirect", "protocol": "udp", "dstPorts": "7-8"}]""",
                "{\"prefix\": \"" + RouterNetwork.R0 + "/32\", \"type\": \"local\"}", net.bothNeighbours());
        InetAddress r0 = InetAddress.getByName(RouterNetwork.R0);
        int port = switch (server) {
            case "channel" -> {
                echo = UdpEcho.start(dp.channels(), new InetSocketAddress(r0, 7));
                yield 7;
            }
            case "callback" -> {
                echo = UdpEcho.startInGraph(dp.channels(), new InetSocketAddress(r0, 8));
                yield 8;
            }
            case "kernel" -> {
                kernelEcho = net.nsRtr.call(() -> DatagramChannel.open().bind(new InetSocketAddress(r0, 9)));
                kernelThread = Thread.ofPlatform().name("kernel-echo").start(this::kernelEcho);
                yield 9;
            }
            default -> throw new IllegalArgumentException("server=" + server);
        };
        client = net.nsSrc.call(() -> DatagramChannel.open().connect(new InetSocketAddress(r0, port)));
        for (int i = 0; i < 64; i++) {
            out.put(i, (byte) i);
        }
    }

    private void kernelEcho() {
        ByteBuffer b = ByteBuffer.allocateDirect(2048);
        try {
            while (true) {
                b.clear();
                var from = kernelEcho.receive(b);
                b.flip();
                kernelEcho.send(b, from);
            }
        } catch (IOException closed) {
            // torn down
        }
    }

    @Benchmark
    public int roundTrip() throws IOException {
        out.clear();
        client.write(out);
        in.clear();
        return client.read(in);
    }

    @Benchmark
    @OperationsPerInvocation(BURST)
    public int burst16() throws IOException {
        for (int i = 0; i < BURST; i++) {
            out.clear();
            client.write(out);
        }
        int n = 0;
        for (int i = 0; i < BURST; i++) {
            in.clear();
            n += client.read(in);
        }
        return n;
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        System.out.println();
        System.out.print(dp.channels().format());
        client.close();
        if (echo != null) {
            echo.close();
        }
        if (kernelEcho != null) {
            kernelEcho.close();
            kernelThread.join(2_000);
        }
        net.stop(dp);
        net.close();
        Files.deleteIfExists(dir.resolve("rtr.json"));
        Files.deleteIfExists(dir);
    }
}
