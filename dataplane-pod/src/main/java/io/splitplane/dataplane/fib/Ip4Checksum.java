package io.splitplane.dataplane.fib;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The IPv4 header checksum (RFC 791, RFC 1071) and its incremental update (RFC 1624).
 *
 * <h2>Incremental update</h2>
 * When a 16-bit word of the header changes from {@code m} to {@code m'}, RFC 1624 eqn. 3 gives the
 * new checksum without touching the rest of the header:
 * <pre>  HC' = ~(~HC + ~m + m')      (one's complement arithmetic)</pre>
 * Not RFC 1141's {@code HC' = HC + m + ~m'} (eqn. 2): that one can produce 0xFFFF where a full
 * recomputation produces 0x0000 (RFC 1624 section 4: HC=0xDD2F, m=0x5555, m'=0x3285). Eqn. 3 never
 * yields 0xFFFF for a header that is not all zeros, exactly like a recomputation, because a
 * one's-complement sum is 0x0000 only when every term is.
 *
 * <p>For the TTL decrement, {@code m = ttl << 8 | protocol} and {@code m' = m - 0x0100}, so
 * {@code ~m + m' = 0xFFFF - 0x0100 = 0xFEFF} whatever the header: {@code HC' = ~(~HC + 0xFEFF)}.
 *
 * <p>Values are 16-bit quantities in an {@code int} (0..0xFFFF), in host order; the segment methods
 * read and write the header's big-endian fields.
 */
public final class Ip4Checksum {
    private static final ValueLayout.OfShort U16 = Ip4HeaderLayout.FIELD_U16;
    private static final ValueLayout.OfInt U32 = Ip4HeaderLayout.FIELD_U32;

    static {
        // decrementTtl reads ttl, protocol and check as one word.
        if (Ip4HeaderLayout.PROTOCOL_OFFSET != Ip4HeaderLayout.TTL_OFFSET + 1
                || Ip4HeaderLayout.CHECKSUM_OFFSET != Ip4HeaderLayout.TTL_OFFSET + 2) {
            throw new ExceptionInInitializerError("ttl, protocol, check are not one 32-bit word");
        }
    }

    private Ip4Checksum() {
    }

    /** Folds a 32-bit sum of 16-bit words to a 16-bit one's-complement sum. */
    public static int fold(final int sum) {
        int s = (sum & 0xFFFF) + (sum >>> 16);
        s = (s & 0xFFFF) + (s >>> 16);
        return s;
    }

    /** RFC 1624 eqn. 3: the checksum after one 16-bit word of the header changes from {@code oldWord} to {@code newWord}. */
    public static int update(final int checksum, final int oldWord, final int newWord) {
        final int sum = (~checksum & 0xFFFF) + (~oldWord & 0xFFFF) + (newWord & 0xFFFF);
        return ~fold(sum) & 0xFFFF;
    }

    /** The checksum after the TTL is decremented by one (eqn. 3 with {@code ~m + m' = 0xFEFF}). */
    public static int afterTtlDecrement(final int checksum) {
        return ~fold((~checksum & 0xFFFF) + 0xFEFF) & 0xFFFF;
    }

    /**
     * Decrements the TTL of the IPv4 header at {@code ipOffset} and updates its checksum
     * incrementally. Returns the new TTL, or -1 without changing anything when the TTL is 0 or 1 (the
     * packet must not be forwarded: hand it to the kernel, which sends ICMP time exceeded).
     *
     * <p>Hot path: one 32-bit load and one 32-bit store of the word at offset 8
     * ({@code ttl | protocol | check}, big-endian). Kept this small on purpose: a helper full of segment
     * accesses compiles to more code than C2 inlines into a node's loop ("callee is too large"), and
     * an out-of-line call per packet costs more than the work.
     */
    public static int decrementTtl(final MemorySegment frame, final long ipOffset) {
        final long offset = ipOffset + Ip4HeaderLayout.TTL_OFFSET;
        final int word = frame.get(U32, offset);
        final int ttl = word >>> 24;
        if (ttl <= 1) {
            return -1;
        }
        frame.set(U32, offset, (word - 0x0100_0000) & 0xFFFF_0000 | afterTtlDecrement(word & 0xFFFF));
        return ttl - 1;
    }

    /**
     * The one's-complement sum of the {@code headerLength} bytes at {@code ipOffset} (an even number),
     * folded to 16 bits; the checksum field is included as it is.
     */
    public static int sum(final MemorySegment frame, final long ipOffset, final int headerLength) {
        int sum = 0;
        for (int i = 0; i < headerLength; i += 2) {
            sum += frame.get(U16, ipOffset + i) & 0xFFFF;
        }
        return fold(sum);
    }

    /**
     * The checksum the header at {@code ipOffset} should carry: the complement of the sum of all its
     * words with the checksum field taken as zero. Full recomputation, for validation and for
     * building headers.
     */
    public static int compute(final MemorySegment frame, final long ipOffset, final int headerLength) {
        final int current = frame.get(U16, ipOffset + Ip4HeaderLayout.CHECKSUM_OFFSET) & 0xFFFF;
        // Subtracting the field from the sum is adding its complement (one's complement arithmetic).
        return ~fold(sum(frame, ipOffset, headerLength) + (~current & 0xFFFF)) & 0xFFFF;
    }

    /** Whether the header at {@code ipOffset} has a correct checksum (its words sum to 0xFFFF). */
    public static boolean isValid(final MemorySegment frame, final long ipOffset, final int headerLength) {
        return sum(frame, ipOffset, headerLength) == 0xFFFF;
    }

    /** Writes {@link #compute} into the header's checksum field. */
    public static void fill(final MemorySegment frame, final long ipOffset, final int headerLength) {
        frame.set(U16, ipOffset + Ip4HeaderLayout.CHECKSUM_OFFSET,
                (short) 0);
        frame.set(U16, ipOffset + Ip4HeaderLayout.CHECKSUM_OFFSET,
                (short) (~sum(frame, ipOffset, headerLength) & 0xFFFF));
    }
}
