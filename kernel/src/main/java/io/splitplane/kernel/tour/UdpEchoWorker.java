package io.splitplane.kernel.tour;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import io.splitplane.kernel.xdp.CompletionRing;
import io.splitplane.kernel.xdp.FillRing;
import io.splitplane.kernel.xdp.FrameStack;
import io.splitplane.kernel.xdp.RxRing;
import io.splitplane.kernel.xdp.TxRing;
import io.splitplane.kernel.xdp.Umem;
import io.splitplane.kernel.xdp.XskSocket;
import java.lang.foreign.MemorySegment;

/**
 * Sends every UDP/IPv4 frame that arrives on an AF_XDP socket back where it came from, in place:
 * RX -> swap addresses -> TX -> COMPLETION -> FILL. Swapping source and destination leaves the IPv4
 * header checksum right (one's-complement sums are order-free). The UDP checksum is set to zero
 * ("none", allowed for IPv4): a sender with checksum offload (veth's default) leaves only the
 * pseudo-header sum in it, which the receiving kernel would reject once it is no longer marked
 * partial.
 *
 * <p>One thread drives it; nothing here allocates per packet.
 */
final class UdpEchoWorker {
    private static final int BATCH = 64;
    private static final int ETH_ALEN = 6;
    private static final int ETH_HLEN = 14;
    private static final int IP_SRC = ETH_HLEN + 12;
    private static final int IP_DST = ETH_HLEN + 16;
    private static final int UDP_PORTS = ETH_HLEN + 20; // IHL 5: the tour sends no options
    private static final int UDP_CHECKSUM = UDP_PORTS + 6;
    private static final int ETH_TYPE = 12;
    private static final int IP_PROTO = ETH_HLEN + 9;
    private static final short ETHERTYPE_IPV4 = 0x0800;
    private static final byte IPV4_NO_OPTIONS = 0x45;
    private static final byte IPPROTO_UDP = 17;
    private static final java.lang.foreign.ValueLayout.OfShort JAVA_SHORT_BE =
            JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN);

    private final XskSocket xsk;
    private final Umem umem;
    private final MemorySegment memory;
    private final byte[] mac = new byte[ETH_ALEN];
    private final FrameStack spare;
    private long echoed;
    private long ignored;

    UdpEchoWorker(XskSocket xsk) {
        this.xsk = xsk;
        this.umem = xsk.umem();
        this.memory = umem.memory();
        this.spare = new FrameStack(umem.frameCount());
    }

    /** Hands every frame of the UMEM to the kernel for receiving. */
    void primeFill() {
        FillRing fill = xsk.fill();
        int n = fill.reserve(Math.min(umem.frameCount(), fill.size()));
        for (int i = 0; i < n; i++) {
            fill.set(i, umem.frameAddress(i));
        }
        fill.submit(n);
        for (int i = n; i < umem.frameCount(); i++) {
            spare.push(umem.frameAddress(i));
        }
    }

    // Frames start 2 bytes past a 4-byte boundary (14-byte Ethernet header), so reads are unaligned.

    /** One round: echo what arrived, recycle what was sent. Returns how many frames moved. */
    int doWork() {
        int work = refill();
        RxRing rx = xsk.rx();
        int n = rx.peek(BATCH);
        if (n == 0) {
            if (xsk.fill().needsWakeup()) {
                xsk.wakeupRx();
            }
            return work;
        }
        TxRing tx = xsk.tx();
        int take = tx.reserve(n); // what finds no TX room stays in RX for the next round
        int sent = 0;
        for (int i = 0; i < take; i++) {
            long addr = rx.addr(i);
            long at = umem.offset(addr);
            if (isUdp4(at, rx.len(i))) {
                turnAround(at);
                tx.set(sent++, addr, rx.len(i));
            } else {
                spare.push(umem.chunkBase(addr)); // not ours to echo (IPv6 ND, ...): receive into it again
                ignored++;
            }
        }
        tx.cancel(take - sent);
        tx.submit(sent);
        rx.release(take);
        echoed += sent;
        if (sent > 0) {
            while (xsk.kickTx() == XskSocket.KICK_AGAIN) {
                refill(); // in copy mode a kick sends at most 32; keep COMPLETION drained
            }
        }
        return work + take;
    }

    /** Hands sent frames (from COMPLETION) and spare ones back to the kernel through FILL. */
    private int refill() {
        CompletionRing completion = xsk.completion();
        int done = completion.peek(BATCH);
        for (int i = 0; i < done; i++) {
            spare.push(umem.chunkBase(completion.addr(i)));
        }
        completion.release(done);
        FillRing fill = xsk.fill();
        int room = fill.reserve(spare.size());
        for (int i = 0; i < room; i++) {
            fill.set(i, spare.pop());
        }
        fill.submit(room);
        return done + room;
    }

    private boolean isUdp4(long at, int len) {
        return len >= UDP_PORTS + 8
                && memory.get(JAVA_SHORT_BE, at + ETH_TYPE) == ETHERTYPE_IPV4
                && memory.get(JAVA_BYTE, at + ETH_HLEN) == IPV4_NO_OPTIONS
                && memory.get(JAVA_BYTE, at + IP_PROTO) == IPPROTO_UDP;
    }

    private void turnAround(long at) {
        swap(at, at + ETH_ALEN, ETH_ALEN);
        int src = memory.get(JAVA_INT_UNALIGNED, at + IP_SRC);
        memory.set(JAVA_INT_UNALIGNED, at + IP_SRC, memory.get(JAVA_INT_UNALIGNED, at + IP_DST));
        memory.set(JAVA_INT_UNALIGNED, at + IP_DST, src);
        short sport = memory.get(JAVA_SHORT_UNALIGNED, at + UDP_PORTS);
        memory.set(JAVA_SHORT_UNALIGNED, at + UDP_PORTS, memory.get(JAVA_SHORT_UNALIGNED, at + UDP_PORTS + 2));
        memory.set(JAVA_SHORT_UNALIGNED, at + UDP_PORTS + 2, sport);
        memory.set(JAVA_SHORT_UNALIGNED, at + UDP_CHECKSUM, (short) 0);
    }

    private void swap(long a, long b, int length) {
        MemorySegment.copy(memory, JAVA_BYTE, a, mac, 0, length);
        MemorySegment.copy(memory, b, memory, a, length);
        MemorySegment.copy(mac, 0, memory, JAVA_BYTE, b, length);
    }

    long echoed() {
        return echoed;
    }

    long ignored() {
        return ignored;
    }
}
