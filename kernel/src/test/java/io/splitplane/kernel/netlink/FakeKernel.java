package io.splitplane.kernel.netlink;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import io.splitplane.kernel.sys.Errno;
import io.splitplane.kernel.sys.KernelException;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.IntFunction;

/**
 * A scripted stand-in for the kernel end of a netlink socket: each request sent gets the next
 * scripted answer (built from the request's sequence number), delivered datagram by datagram.
 */
final class FakeKernel implements NetlinkTransport {
    final List<Integer> sentSeqs = new ArrayList<>();
    final List<byte[]> sent = new ArrayList<>();
    private final Deque<IntFunction<List<MemorySegment>>> script = new ArrayDeque<>();
    private final Deque<MemorySegment> pending = new ArrayDeque<>();

    /** Scripts the datagrams that answer the next request. */
    FakeKernel answer(IntFunction<List<MemorySegment>> datagramsForSeq) {
        script.add(datagramsForSeq);
        return this;
    }

    @Override
    public void send(MemorySegment message) {
        sent.add(message.toArray(JAVA_BYTE));
        int seq = Wire.i32(message, NlMsgHdrLayout.SEQ);
        sentSeqs.add(seq);
        if (script.isEmpty()) {
            throw new AssertionError("unexpected request seq=" + seq);
        }
        pending.addAll(script.removeFirst().apply(seq));
    }

    @Override
    public MemorySegment receive() {
        if (pending.isEmpty()) {
            throw new KernelException("recv(fake kernel)", Errno.EAGAIN, "nothing scripted");
        }
        return pending.removeFirst();
    }

    int pendingDatagrams() {
        return pending.size();
    }
}
