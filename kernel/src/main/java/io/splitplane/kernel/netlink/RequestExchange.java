package io.splitplane.kernel.netlink;

import io.splitplane.kernel.sys.Errno;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * The request/reply protocol on one netlink socket: sequence numbers, ACKs, errors with their
 * extended-ACK text, single replies and multi-part dumps.
 *
 * <p>Replies are matched by sequence number; anything else (leftovers of an exchange abandoned by
 * a timeout) is skipped. A dump is always read to its end, even when decoding fails half-way, because
 * the kernel refuses a new dump on a socket whose previous one is unfinished (EBUSY). A dump that
 * comes back marked {@code NLM_F_DUMP_INTR} (the table changed while it was read) is discarded and
 * requested again, up to {@link #MAX_DUMP_ATTEMPTS} times.
 *
 * <p>Not thread-safe; the owning socket serialises exchanges.
 */
final class RequestExchange {
    /** Dump attempts before giving up on a table that keeps changing under us. */
    static final int MAX_DUMP_ATTEMPTS = 10;

    private final NetlinkTransport transport;
    private final IntFunction<String> requestNames;
    private final NetlinkMessage message = new NetlinkMessage();
    private int seq;
    private long dumpRestarts;

    RequestExchange(NetlinkTransport transport) {
        this(transport, Rtm::name);
    }

    /** @param requestNames names a request by its {@code nlmsg_type}, for exception messages */
    RequestExchange(NetlinkTransport transport, IntFunction<String> requestNames) {
        this.transport = transport;
        this.requestNames = requestNames;
    }

    /** Decodes one reply message; null means "not one of ours, skip it". */
    @FunctionalInterface
    interface Decoder<T> {
        T decode(NetlinkMessage message);
    }

    private int nextSeq() {
        seq++;
        if (seq == 0) { // 0 is what notifications carry
            seq = 1;
        }
        return seq;
    }

    /**
     * Sends a change request with {@code NLM_F_ACK} and waits for the kernel's answer.
     *
     * @param context what the request is about, for the exception message (e.g. {@code "ifindex=7"})
     * @throws NetlinkException if the kernel refused it
     */
    void execute(MessageWriter request, String context) {
        request.addFlags(Netlink.NLM_F_ACK);
        int type = request.type();
        int expected = nextSeq();
        transport.send(request.finish(expected));
        while (true) {
            message.wrap(transport.receive());
            while (message.next()) {
                if (message.seq() != expected || message.type() != Netlink.NLMSG_ERROR) {
                    continue;
                }
                int error = errorCode(message);
                if (error != 0) {
                    throw failure(type, error, context);
                }
                return;
            }
        }
    }

    /**
     * Sends a non-dump GET and returns its single reply, decoded.
     *
     * @throws NetlinkException if the kernel answered with an error (e.g. ENODEV: no such link)
     */
    <T> T get(MessageWriter request, Decoder<T> decoder, String context) {
        int type = request.type();
        int expected = nextSeq();
        transport.send(request.finish(expected));
        while (true) {
            message.wrap(transport.receive());
            while (message.next()) {
                if (message.seq() != expected) {
                    continue;
                }
                if (message.type() == Netlink.NLMSG_ERROR) {
                    int error = errorCode(message);
                    if (error != 0) {
                        throw failure(type, error, context);
                    }
                    return null;
                }
                return decoder.decode(message);
            }
        }
    }

    /**
     * Runs a dump to completion and returns every decoded record, restarting while the kernel marks
     * the result inconsistent.
     *
     * @throws NetlinkException if the kernel refused or aborted the dump, or it stayed inconsistent
     *                          for {@link #MAX_DUMP_ATTEMPTS} attempts (errno EINTR)
     */
    <T> List<T> dump(MessageWriter request, Decoder<T> decoder, String context) {
        int type = request.type();
        for (int attempt = 1; attempt <= MAX_DUMP_ATTEMPTS; attempt++) {
            List<T> records = new ArrayList<>();
            if (!dumpOnceEach(request, decoder, records::add, type, context).interrupted) {
                return records;
            }
            dumpRestarts++;
        }
        throw inconsistent(type, context);
    }

    /**
     * Runs a dump to completion, handing each decoded record to {@code each} as it arrives instead of
     * collecting them (a table of a million routes never exists as one list). When the kernel marks
     * the dump inconsistent it is requested again, so {@code each} may see a record twice and must be
     * idempotent (an upsert by key). Returns the number of records delivered.
     */
    <T> long dumpEach(MessageWriter request, Decoder<T> decoder, java.util.function.Consumer<? super T> each,
                      String context) {
        int type = request.type();
        long delivered = 0;
        for (int attempt = 1; attempt <= MAX_DUMP_ATTEMPTS; attempt++) {
            StreamResult result = dumpOnceEach(request, decoder, each, type, context);
            delivered += result.delivered;
            if (!result.interrupted) {
                return delivered;
            }
            dumpRestarts++;
        }
        throw inconsistent(type, context);
    }

    private NetlinkException inconsistent(int type, String context) {
        String what = "dump stayed inconsistent (NLM_F_DUMP_INTR) for " + MAX_DUMP_ATTEMPTS + " attempts";
        return new NetlinkException(requestNames.apply(type), type, Errno.EINTR, null,
                context == null ? what : what + "; " + context);
    }

    private static final class StreamResult {
        long delivered;
        boolean interrupted;
    }

    private <T> StreamResult dumpOnceEach(MessageWriter request, Decoder<T> decoder,
                                          java.util.function.Consumer<? super T> each, int type, String context) {
        int expected = nextSeq();
        transport.send(request.finish(expected));
        StreamResult result = new StreamResult();
        RuntimeException failure = null;
        while (true) {
            message.wrap(transport.receive());
            while (message.next()) {
                if (message.seq() != expected) {
                    continue;
                }
                if ((message.flags() & Netlink.NLM_F_DUMP_INTR) != 0) {
                    result.interrupted = true;
                }
                switch (message.type()) {
                    case Netlink.NLMSG_DONE -> {
                        int status = message.hasPayload(4) ? Wire.i32(message.segment(), message.payload()) : 0;
                        if (status < 0) {
                            throw failure(type, status, context);
                        }
                        if (failure != null) {
                            throw failure;
                        }
                        return result;
                    }
                    case Netlink.NLMSG_ERROR -> {
                        // The kernel rejected the request itself: no DONE follows.
                        int error = errorCode(message);
                        if (error != 0) {
                            throw failure(type, error, context);
                        }
                        if (failure != null) {
                            throw failure;
                        }
                        return result;
                    }
                    case Netlink.NLMSG_NOOP, Netlink.NLMSG_OVERRUN -> {
                        // nothing to decode
                    }
                    default -> {
                        // Read to the end even after a failure: the socket must be left ready for the next request.
                        if (failure == null && !result.interrupted) {
                            try {
                                T record = decoder.decode(message);
                                if (record != null) {
                                    each.accept(record);
                                    result.delivered++;
                                }
                            } catch (RuntimeException e) {
                                failure = e;
                            }
                        }
                    }
                }
            }
        }
    }

    /** Dumps thrown away and requested again because the kernel marked them inconsistent. */
    long dumpRestarts() {
        return dumpRestarts;
    }

    /** The (negative) error code of an NLMSG_ERROR message; a truncated one counts as EBADMSG. */
    private static int errorCode(NetlinkMessage m) {
        return m.hasPayload(4) ? Wire.i32(m.segment(), m.payload() + NlMsgErrLayout.ERROR) : -Errno.EBADMSG;
    }

    private NetlinkException failure(int requestType, int negativeErrno, String context) {
        return new NetlinkException(requestNames.apply(requestType), requestType, -negativeErrno, extAckMessage(message),
                context);
    }

    /**
     * The {@code NLMSGERR_ATTR_MSG} text of an NLMSG_ERROR or NLMSG_DONE, if the kernel attached
     * one. The TLVs follow the s32 error and, for NLMSG_ERROR, the echoed request: its header only
     * when {@code NLM_F_CAPPED}, else the whole request.
     */
    static String extAckMessage(NetlinkMessage m) {
        if ((m.flags() & Netlink.NLM_F_ACK_TLVS) == 0) {
            return null;
        }
        MemorySegment s = m.segment();
        int tlvs;
        if (m.type() == Netlink.NLMSG_DONE) {
            tlvs = m.payload() + 4;
        } else {
            if (!m.hasPayload(NlMsgErrLayout.SIZE)) {
                return null;
            }
            int echoed = m.payload() + NlMsgErrLayout.MSG;
            int echoedLength = (m.flags() & Netlink.NLM_F_CAPPED) != 0
                    ? NlMsgHdrLayout.SIZE
                    : NlMsgHdrLayout.align(Wire.i32(s, echoed + NlMsgHdrLayout.LENGTH));
            tlvs = echoed + echoedLength;
        }
        if (tlvs > m.end()) {
            return null;
        }
        return Attributes.parse(s, tlvs, m.end(), Netlink.NLMSGERR_ATTR_MAX)
                .string(Netlink.NLMSGERR_ATTR_MSG)
                .filter(text -> !text.isEmpty())
                .orElse(null);
    }
}
