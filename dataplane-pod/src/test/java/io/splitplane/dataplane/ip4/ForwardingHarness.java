package io.splitplane.dataplane.ip4;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import io.splitplane.dataplane.channel.Channels;
import io.splitplane.dataplane.fib.Quiescence;
import io.splitplane.dataplane.graph.Graph;
import io.splitplane.dataplane.graph.PacketVector;
import io.splitplane.dataplane.port.MemoryPort;
import io.splitplane.dataplane.port.MemoryPortPair;
import io.splitplane.dataplane.punt.KernelInjector;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An ip4 forwarding graph over in-memory ports: dataplane port {@code i} is side A ({@code p<i>}) of
 * pair {@code i}; the test injects and collects on side B ({@code x<i>}). All pairs share one memory,
 * every frame starts in x0's pool and goes back there after collection.
 */
final class ForwardingHarness implements AutoCloseable {
    static final long[] PORT_MACS = {0x02_00_00_00_A0_00L, 0x02_00_00_00_A1_00L, 0x02_00_00_00_A2_00L,
        0x02_00_00_00_A3_00L};

    final Ip4Tables tables;
    final Quiescence.Reader reader;
    final List<MemoryPortPair> pairs = new ArrayList<>();
    final Graph graph;
    private final PacketVector scratch = new PacketVector();

    ForwardingHarness(int ports) {
        this(ports, new Ip4Tables(2));
    }

    ForwardingHarness(int ports, Ip4Tables tables) {
        this(ports, tables, new Channels(1), Map.of());
    }

    /** With channels and a kernel path per port name ({@code p<i>}). */
    ForwardingHarness(int ports, Ip4Tables tables, Channels channels, Map<String, ? extends KernelInjector> punt) {
        this.tables = tables;
        this.reader = tables.registerWorker();
        MemoryPortPair first = MemoryPortPair.create(MemoryPortPair.Config.named("p0", "x0").withFrames(8192, 0)
                .withRingSize(4096));
        pairs.add(first);
        for (int i = 1; i < ports; i++) {
            pairs.add(MemoryPortPair.sharing(MemoryPortPair.Config.named("p" + i, "x" + i).withFrames(8192, 0)
                    .withRingSize(4096), first));
        }
        int[] ids = new int[ports];
        for (int i = 0; i < ports; i++) {
            ids[i] = i;
            tables.setPortMac(i, PORT_MACS[i]);
        }
        graph = Ip4Forwarder.build("ip4-test", tables, reader, pairs.stream().map(MemoryPortPair::a).toList(), ids,
                Ip4Forwarder.Options.defaults(), channels, 0, punt);
    }

    MemoryPort outside(int port) {
        return pairs.get(port).b();
    }

    /** Sends {@code frame} into dataplane port {@code port}; false if no frame or no room. */
    boolean inject(int port, byte[] frame) {
        MemoryPort x0 = outside(0);
        long base = x0.allocate();
        if (base < 0) {
            return false;
        }
        long addr = base + pairs.getFirst().memory().dataOffset();
        MemorySegment.copy(frame, 0, pairs.getFirst().memory().segment(), JAVA_BYTE, addr, frame.length);
        return outside(port).tx(new long[] {addr}, new int[] {frame.length}, 0, 1) == 1;
    }

    void run() {
        graph.run();
    }

    /** Every frame waiting on the outside of {@code port}, as bytes; the frames go back to x0's pool. */
    List<byte[]> collect(int port) {
        List<byte[]> out = new ArrayList<>();
        MemoryPort x = outside(port);
        while (true) {
            scratch.clear();
            int n = x.rx(scratch, PacketVector.CAPACITY, 0);
            if (n == 0) {
                return out;
            }
            for (int i = 0; i < n; i++) {
                out.add(x.read(scratch.addr[i], scratch.len[i]));
                outside(0).free(scratch.addr[i]);
            }
        }
    }

    /** Moves {@code n} free frames from x0's pool to dataplane port {@code port}'s (what it sends from). */
    void giveFrames(int port, int n) {
        MemoryPort from = outside(0);
        MemoryPort to = pairs.get(port).a();
        for (int i = 0; i < n; i++) {
            to.free(from.allocate());
        }
    }

    /** Moves every free frame of the dataplane ports' pools back to x0's (where inject takes them). */
    void reclaim() {
        for (MemoryPortPair p : pairs) {
            long f;
            while ((f = p.a().allocate()) >= 0) {
                outside(0).free(f);
            }
        }
    }

    /** Frames in pools (all sides): with nothing in flight, every frame of the memory. */
    int framesInPools() {
        int n = 0;
        for (MemoryPortPair p : pairs) {
            n += p.a().pool().available() + p.b().pool().available();
        }
        return n;
    }

    @Override
    public void close() {
        reader.close();
        for (int i = pairs.size() - 1; i >= 0; i--) {
            pairs.get(i).close();
        }
        tables.close();
    }
}
