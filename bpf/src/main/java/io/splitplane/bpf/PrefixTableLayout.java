package io.splitplane.bpf;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/**
 * {@code struct sp_prefix_table} (classifier.h): an inline prefix table. {@code start[i]} are
 * ascending interval starts in host order (IPv4: the address; IPv6: its upper 64 bits),
 * {@code start[0] = 0}, unused entries {@code ~0}; {@code rules[i]} is the mask of rules matching the
 * keys from {@code start[i]} on, unused entries repeat the last used one.
 *
 * <p>The program first looks a key up in the table's block index, which sits apart in the rule set
 * ({@link RuleSetLayout}, {@code *_block}): {@code block[(x - region_lo) >> block_shift]} is the
 * interval holding the whole block, or {@link #REFINE} when an interval starts inside it; keys
 * below {@code region_lo} are in interval 0, keys above {@code region_hi} in interval {@code last}.
 * Refined blocks take a binary search starting at {@code top_step}, the largest power of two below
 * the number of used entries.
 *
 * <pre>
 *  0                  1024               2048        2056        2064    2068  2072     2076  2080
 * +------------------+------------------+-----------+-----------+-------+-----+--------+-----+
 * | u64 start[128]   | u64 rules[128]   | region_lo | region_hi | shift | last| top_step| pad |
 * +------------------+------------------+-----------+-----------+-------+-----+--------+-----+
 * </pre>
 */
final class PrefixTableLayout {
    /** SP_PREFIX_BOUNDS. */
    static final int BOUNDS = 128;
    /** SP_BLOCKS: entries of a block index. */
    static final int BLOCKS = 1 << 16;
    /** SP_BLOCK_REFINE: a block in which an interval starts. */
    static final int REFINE = 0x80;

    static final StructLayout LAYOUT = MemoryLayout.structLayout(
            MemoryLayout.sequenceLayout(BOUNDS, JAVA_LONG).withName("start"),
            MemoryLayout.sequenceLayout(BOUNDS, JAVA_LONG).withName("rules"),
            JAVA_LONG.withName("region_lo"),
            JAVA_LONG.withName("region_hi"),
            JAVA_INT.withName("block_shift"),
            JAVA_INT.withName("last"),
            JAVA_INT.withName("top_step"),
            JAVA_INT.withName("pad")).withName("sp_prefix_table");

    static final long SIZE = LAYOUT.byteSize();
    static final long START = LAYOUT.byteOffset(groupElement("start"));
    static final long RULES = LAYOUT.byteOffset(groupElement("rules"));
    static final long REGION_LO = LAYOUT.byteOffset(groupElement("region_lo"));
    static final long REGION_HI = LAYOUT.byteOffset(groupElement("region_hi"));
    static final long BLOCK_SHIFT = LAYOUT.byteOffset(groupElement("block_shift"));
    static final long LAST = LAYOUT.byteOffset(groupElement("last"));
    static final long TOP_STEP = LAYOUT.byteOffset(groupElement("top_step"));

    private PrefixTableLayout() {
    }
}
