package io.splitplane.kernel.xdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.splitplane.kernel.bpf.XdpMode;
import io.splitplane.kernel.netns.NetNamespace;
import io.splitplane.kernel.testing.TestNetwork;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import org.junit.jupiter.api.Test;

/**
 * Several sockets on one UMEM ({@code XDP_SHARED_UMEM}): a second socket on another device gets
 * its own FILL/COMPLETION rings and receives into the frames given to them; a third socket on the
 * owner's (device, queue) shares the owner's rings and receives from the owner's FILL ring once the
 * steering program points the queue at it. One ledger watches every frame of the shared UMEM.
 */
class XskSharedUmemTest {
    private static final int PORT_A = 9101;
    private static final int PORT_B = 9100;

    @Test
    void socketsShareOneUmemAcrossDevicesAndOnOneQueue() throws Exception {
        try (TestNetwork net = new TestNetwork()) {
            String a = Link.namespace(net, "A");
            String b = Link.namespace(net, "B");
            Link one = Link.create(net, a, b, 41);
            Link two = Link.create(net, a, b, 42);
            try (NetNamespace nsA = NetNamespace.open(a);
                 NetNamespace nsB = NetNamespace.open(b);
                 Umem umem = Umem.allocate(UmemConfig.of(1024).withChunkSize(2048));
                 XskRedirectProgram progOne = nsB.call(() -> XskRedirectProgram.attach(one.b().ifname(), XdpMode.NATIVE));
                 XskRedirectProgram progTwo = nsB.call(() -> XskRedirectProgram.attach(two.b().ifname(), XdpMode.NATIVE));
                 XskSocket owner = nsB.call(() -> XskSocket.create(config(one).txBudget(128).build(), umem));
                 XskSocket otherDevice = nsB.call(() -> XskSocket.createShared(config(two).build(), owner));
                 XskSocket sameQueue = nsB.call(() -> XskSocket.createShared(config(one).build(), owner));
                 DatagramChannel toOne = sender(nsA, one);
                 DatagramChannel toTwo = sender(nsA, two)) {
                assertEquals(AfXdp.XDP_SHARED_UMEM, otherDevice.bindFlags());
                assertSame(owner, otherDevice.umemOwner());
                assertTrue(otherDevice.ownsFillAndCompletion(), "another device: its own FILL/COMPLETION");
                assertFalse(sameQueue.ownsFillAndCompletion(), "same (device, queue): the owner's rings");
                assertSame(owner.fill(), sameQueue.fill());
                assertSame(owner.completion(), sameQueue.completion());

                FrameLedger ledger = new FrameLedger(umem);
                fill(owner.fill(), ledger, umem, 0, 256);
                fill(otherDevice.fill(), ledger, umem, 256, 256);
                progOne.register(0, owner);
                progTwo.register(0, otherDevice);

                send(toOne, 0, 200);
                send(toTwo, 0, 200);
                receive(owner, ledger, one, 0, 200, 0, 256);
                receive(otherDevice, ledger, two, 0, 200, 256, 512);
                assertEquals(0, owner.rx().available(), "nothing else arrived");

                // Point queue 0 of device one at the same-queue socket: it receives from the shared FILL ring.
                progOne.register(0, sameQueue);
                send(toOne, 200, 100);
                receive(sameQueue, ledger, one, 200, 100, 0, 256);
                assertEquals(0, owner.rx().available(), "the owner gets nothing once unregistered");

                // 500 frames went round; the 512 given to the two FILL rings are all back there.
                assertEquals(512, ledger.count(FrameLedger.KERNEL_RX));
                assertEquals(512, owner.fill().pending() + otherDevice.fill().pending());
                assertEquals(1024 - 512, ledger.count(FrameLedger.USER));
                for (XskSocket s : new XskSocket[] {owner, otherDevice, sameQueue}) {
                    XskStatistics st = s.statistics();
                    assertEquals(0, st.rxLost(), s + ": " + st);
                }
            }
        }
    }

    private static XskConfig.Builder config(Link link) {
        return XskConfig.builder().interfaceName(link.b().ifname()).queueId(0).rxRingSize(512).txRingSize(256)
                .fillRingSize(256).completionRingSize(256).mode(XskBindMode.COPY);
    }

    private static DatagramChannel sender(NetNamespace nsA, Link link) {
        return nsA.call(() -> DatagramChannel.open().bind(link.a().socketAddress(PORT_A))
                .connect(link.b().socketAddress(PORT_B)));
    }

    private static void fill(FillRing fill, FrameLedger ledger, Umem umem, int first, int count) {
        assertEquals(count, fill.reserve(count));
        for (int i = 0; i < count; i++) {
            long addr = umem.frameAddress(first + i);
            ledger.toFill(addr);
            fill.set(i, addr);
        }
        fill.submit(count);
    }

    private static void send(DatagramChannel channel, long firstSeq, int count) throws Exception {
        for (long seq = firstSeq; seq < firstSeq + count; seq++) {
            channel.write(ByteBuffer.wrap(UdpFrames.payload(seq)));
        }
    }

    /**
     * Receives {@code count} frames in order; each must come from chunks {@code [lowChunk, highChunk)}.
     * Every frame goes straight back onto the socket's FILL ring, so the ring never runs dry.
     */
    private static void receive(XskSocket s, FrameLedger ledger, Link link, long firstSeq, int count, int lowChunk,
                                int highChunk) {
        Umem umem = s.umem();
        RxRing rx = s.rx();
        FillRing fill = s.fill();
        long[] back = new long[64];
        long seq = firstSeq;
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (seq < firstSeq + count) {
            int n = rx.peek(64);
            for (int i = 0; i < n; i++) {
                long addr = rx.addr(i);
                ledger.fromRx(addr);
                int chunk = umem.frameIndex(addr);
                assertTrue(chunk >= lowChunk && chunk < highChunk,
                        s + " received into chunk " + chunk + ", outside its FILL ring's " + lowChunk + ".." + highChunk);
                int check = UdpFrames.check(umem.memory(), umem.offset(addr), rx.len(i), link.a(), link.b(), PORT_A,
                        PORT_B, seq);
                assertEquals(UdpFrames.OK, check, s + ": frame " + seq);
                back[i] = umem.chunkBase(addr);
                seq++;
            }
            rx.release(n);
            for (int i = 0; i < n; i++) {
                ledger.toFill(back[i]);
            }
            assertEquals(n, fill.fillFrom(back, 0, n), "FILL has room for what came back");
            if (n == 0) {
                s.poll(AfXdp.POLLIN, 10);
                assertTrue(System.nanoTime() - deadline < 0, s + ": got " + (seq - firstSeq) + " of " + count);
            }
        }
    }
}
