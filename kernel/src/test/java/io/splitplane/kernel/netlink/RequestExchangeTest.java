package io.splitplane.kernel.netlink;

import static io.splitplane.kernel.netlink.Crafted.datagram;
import static io.splitplane.kernel.netlink.Crafted.done;
import static io.splitplane.kernel.netlink.Crafted.error;
import static io.splitplane.kernel.netlink.Crafted.link;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.splitplane.kernel.sys.Errno;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The request protocol (sequence matching, dump restarts, errors, ext-ack) against crafted replies. */
class RequestExchangeTest {
    /** Not in {@link Errno}: what the kernel reports for a dump entry too big for its buffer. */
    private static final int EMSGSIZE = 90;

    private final FakeKernel kernel = new FakeKernel();
    private final RequestExchange exchange = new RequestExchange(kernel);
    private final MessageWriter request = new MessageWriter(MemorySegment.ofArray(new byte[1024]));

    private List<String> dumpLinkNames() {
        RtnetlinkEncoder.linkDump(request);
        return exchange.dump(request, RtnetlinkDecoder::link, "links").stream().map(Link::name).toList();
    }

    @Test
    void dumpMarkedInterruptedIsDiscardedAndRestarted() {
        kernel.answer(seq -> List.of(
                        datagram(link(seq, 0, 1, "old1"), link(seq, Netlink.NLM_F_DUMP_INTR, 2, "old2")),
                        datagram(done(seq, Netlink.NLM_F_DUMP_INTR, 0, null))))
                .answer(seq -> List.of(datagram(link(seq, 0, 1, "new1"), link(seq, 0, 3, "new3")),
                        datagram(done(seq, 0, 0, null))));

        assertEquals(List.of("new1", "new3"), dumpLinkNames());
        assertEquals(2, kernel.sentSeqs.size(), "one restart");
        assertNotEquals(kernel.sentSeqs.get(0), kernel.sentSeqs.get(1), "the restart uses a fresh sequence number");
        assertEquals(0, kernel.pendingDatagrams(), "the interrupted dump was read to its end");
    }

    @Test
    void interruptionSeenOnlyOnDoneStillRestarts() {
        kernel.answer(seq -> List.of(datagram(link(seq, 0, 1, "a"), done(seq, Netlink.NLM_F_DUMP_INTR, 0, null))))
                .answer(seq -> List.of(datagram(link(seq, 0, 1, "b"), done(seq, 0, 0, null))));

        assertEquals(List.of("b"), dumpLinkNames());
    }

    @Test
    void dumpThatKeepsBeingInterruptedFailsAfterBoundedAttempts() {
        for (int i = 0; i < RequestExchange.MAX_DUMP_ATTEMPTS; i++) {
            kernel.answer(seq -> List.of(datagram(link(seq, Netlink.NLM_F_DUMP_INTR, 1, "x"),
                    done(seq, Netlink.NLM_F_DUMP_INTR, 0, null))));
        }

        NetlinkException e = assertThrows(NetlinkException.class, this::dumpLinkNames);
        assertEquals(Errno.EINTR, e.errno());
        assertEquals(Rtm.GETLINK, e.requestType());
        assertTrue(e.getMessage().contains("NLM_F_DUMP_INTR"), e.getMessage());
        assertEquals(RequestExchange.MAX_DUMP_ATTEMPTS, kernel.sentSeqs.size());
    }

    @Test
    void repliesToOtherSequenceNumbersAreSkipped() {
        kernel.answer(seq -> List.of(
                datagram(link(seq - 1, 0, 9, "stale"), done(seq - 1, 0, 0, null)),
                datagram(link(seq, 0, 1, "mine"), done(seq, 0, 0, null))));

        assertEquals(List.of("mine"), dumpLinkNames());
    }

    @Test
    void rejectedDumpCarriesErrnoAndExtAckText() {
        kernel.answer(seq -> List.of(datagram(error(seq, -Errno.EINVAL, true, 0,
                "Invalid values in header for link dump request"))));

        NetlinkException e = assertThrows(NetlinkException.class, this::dumpLinkNames);
        assertEquals(Errno.EINVAL, e.errno());
        assertEquals(Optional.of("Invalid values in header for link dump request"), e.extAckMessage());
        assertTrue(e.getMessage().startsWith("RTM_GETLINK failed: EINVAL"), e.getMessage());
        assertTrue(e.getMessage().contains("Invalid values in header"), e.getMessage());
    }

    @Test
    void dumpAbortedByTheKernelReportsTheDoneStatus() {
        kernel.answer(seq -> List.of(datagram(link(seq, 0, 1, "a")),
                datagram(done(seq, 0, -EMSGSIZE, "dump entry too big"))));

        NetlinkException e = assertThrows(NetlinkException.class, this::dumpLinkNames);
        assertEquals(EMSGSIZE, e.errno());
        assertEquals(Optional.of("dump entry too big"), e.extAckMessage());
    }

    @Test
    void decoderFailureIsRethrownOnlyAfterTheDumpIsDrained() {
        kernel.answer(seq -> List.of(datagram(link(seq, 0, 1, "ok"), link(seq, 0, 2, "bad")),
                datagram(link(seq, 0, 3, "more")), datagram(done(seq, 0, 0, null))));
        IllegalStateException boom = new IllegalStateException("boom");
        RtnetlinkEncoder.linkDump(request);

        IllegalStateException e = assertThrows(IllegalStateException.class, () -> exchange.dump(request, m -> {
            Link l = RtnetlinkDecoder.link(m);
            if (l.name().equals("bad")) {
                throw boom;
            }
            return l;
        }, "links"));
        assertSame(boom, e);
        assertEquals(0, kernel.pendingDatagrams(), "socket left clean for the next dump");
    }

    @Test
    void changeReturnsOnAck() {
        kernel.answer(seq -> List.of(datagram(error(seq, 0, true, 0, null))));
        RtnetlinkEncoder.setUp(request, 5, true);

        exchange.execute(request, "ifindex=5");

        byte[] sent = kernel.sent.get(0);
        int flags = Wire.u16(MemorySegment.ofArray(sent), NlMsgHdrLayout.FLAGS);
        assertEquals(Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK, flags);
    }

    @Test
    void uncappedErrorEchoIsSkippedToFindTheExtAck() {
        kernel.answer(seq -> List.of(datagram(error(seq, -Errno.EEXIST, false, 40, "Route exists"))));
        RtnetlinkEncoder.route(request, Rtm.NEWROUTE, Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL,
                Route.device(NetlinkFixture.addr("10.0.0.0"), 8, 3));

        NetlinkException e = assertThrows(NetlinkException.class, () -> exchange.execute(request, "route 10.0.0.0/8"));
        assertEquals(Errno.EEXIST, e.errno());
        assertEquals(Optional.of("Route exists"), e.extAckMessage());
        assertEquals("RTM_NEWROUTE failed: EEXIST (File exists): Route exists; route 10.0.0.0/8", e.getMessage());
    }

    @Test
    void errorWithoutExtAckNamesRequestAndContext() {
        kernel.answer(seq -> List.of(datagram(error(seq, -Errno.ENODEV, true, 0, null))));
        RtnetlinkEncoder.setUp(request, 77, false);

        NetlinkException e = assertThrows(NetlinkException.class, () -> exchange.execute(request, "ifindex=77"));
        assertEquals(Optional.empty(), e.extAckMessage());
        assertEquals("RTM_SETLINK failed: ENODEV (No such device): ifindex=77", e.getMessage());
    }

    @Test
    void getReturnsTheReplyWithTheRequestSequence() {
        kernel.answer(seq -> List.of(datagram(link(seq + 7, 0, 9, "other"), link(seq, 0, 4, "eth9"))));
        RtnetlinkEncoder.linkGet(request, 4);

        Link link = exchange.get(request, RtnetlinkDecoder::link, "ifindex=4");
        assertEquals("eth9", link.name());
        assertEquals(4, link.index());
    }

    @Test
    void getAnsweredByAckYieldsNull() {
        kernel.answer(seq -> List.of(datagram(error(seq, 0, true, 0, null))));
        RtnetlinkEncoder.linkGet(request, 4);

        assertNull(exchange.get(request, RtnetlinkDecoder::link, "ifindex=4"));
    }
}
