/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * The XDP classifier's maps and structs, shared by the BPF program and (through Java layout classes
 * that ClassifierLayoutTest checks against this file) by io.splitplane.bpf. Change both together.
 *
 * A rule set is one value (struct sp_ruleset, about 410 KiB of tables) of the two-slot ARRAY map
 * `rulesets`; the global `ruleset_index` names the active slot. The program reads everything of a
 * packet's decision from that one value, plus, for large prefix sets, the LPM tries under the
 * value's generation. A packet is decided by the slot of one read of the index (the full path reads
 * it again after its parser's call and keeps to that read), so it sees one whole rule set, never
 * half of one: the writer only ever writes the slot no packet reads.
 *
 * Writer (io.splitplane.bpf.RuleSetWriter), one at a time:
 *   1. wait until no program run that may read the inactive slot is still running: a store into
 *      `swap_barrier` (map-in-map) returns only after an RCU grace period, so every run that started
 *      before it, and could have read the index before the last flip, has ended;
 *   2. delete trie entries of any generation but the active one;
 *   3. zero the counters of rule_stats slots given to new rules, name them in rule_names;
 *   4. insert the new generation's trie entries (if the set needs tries);
 *   5. write the new set into the inactive slot, then flip ruleset_index with a release store
 *      (through the mmapped global), so a packet that reads the new index sees the whole new set;
 *   6. free the counter slots of rules that are gone (their zeroing waits for step 1 of a later swap);
 *      if the old set had trie entries, wait as in step 1 and delete them.
 * The waiting is at the start, not after the flip, so a swap costs one grace period and a writer
 * that died anywhere leaves the active set whole for the next one.
 */
#ifndef SPLITPLANE_CLASSIFIER_H
#define SPLITPLANE_CLASSIFIER_H

#include <linux/types.h>

#define SP_MAX_RULES        64   /* rules per set: every mask is a u64, one bit per rule */
#define SP_MAX_COUNTERS     256  /* per-rule counter slots; a rule keeps its slot across swaps */
#define SP_MAX_PREFIXES     8192 /* trie entries per family and direction, over two generations */
#define SP_MAX_QUEUES       256  /* XSKMAP slots (one per rx queue) */
#define SP_RULE_NAME_LEN    64   /* rule names: at most 63 bytes and a NUL */

#define SP_MAX_PROTOS       256  /* IP protocol numbers */
#define SP_MAX_CLASSES      256  /* port / VLAN classes: intervals where the same rules match */
#define SP_PORTS            65536
#define SP_VLAN_KEYS        8192 /* VLAN ids 0-4095, SP_NO_VLAN for untagged frames (13 bits) */
#define SP_NO_VLAN          4096
#define SP_PREFIX_BOUNDS    128  /* interval starts of an inline prefix table */

/*
 * Classification is by bit vectors: bit i of a mask stands for rule i (priority i, 0 first). For
 * each field the rule set holds, per value, the mask of rules the value satisfies (rules that do not
 * constrain the field have their bit set everywhere). A packet's candidates are the AND of its
 * fields' masks; the first match is the lowest set bit. The cost does not grow with the rule count.
 *
 * Ports and VLAN ids go through a class table: class[value] names the interval of values that the
 * same rules accept, class_rules[class] is that interval's mask (at most 2 * 64 + 1 intervals). A
 * field's tables are read only when a remaining candidate constrains the field (any_dport, any_sport,
 * any_dst, any_src name the rules that do not), so a packet reads just the tables that decide it.
 *
 * Prefixes of one family and direction use one of three modes (sp_ruleset.flags):
 *   none  - no rule has such a prefix: the mask is any_dst / any_src;
 *   table - an inline interval table (struct sp_prefix_table): the prefixes' starts and ends cut the
 *           address space into at most SP_PREFIX_BOUNDS intervals, each with the mask of rules
 *           whose prefix covers it (rules without a prefix included); a block index finds most
 *           keys' interval in one load, a binary search the rest. IPv6 tables work on the upper 64
 *           bits, so they hold prefixes of at most /64;
 *   trie  - the LPM trie of that family and direction, for sets the table cannot hold: keys carry the
 *           set's generation, values are the masks of rules whose prefix contains the entry's prefix,
 *           so the longest match yields exactly the rules whose prefix contains the address.
 *
 * Non-first fragments carry no L4 header. They match only rules in later_fragment_rules: rules that
 * opted in (laterFragments=true) and constrain no port. Otherwise they take the default, pass, so the
 * kernel reassembles them; first fragments (offset 0) classify by their ports like any packet (their
 * UDP length may exceed what the fragment holds: it counts the whole datagram). A
 * datagram whose first fragment is redirected therefore arrives split: AF_XDP gets the first
 * fragment, the kernel the rest, and the kernel drops the incomplete datagram when its reassembly
 * times out. Redirect rules for protocols that fragment need laterFragments=true (and no ports), or
 * fragment-free senders (PMTU discovery, DF).
 */

/* Rule set flags (sp_ruleset.flags): how prefixes of each family and direction are matched, and
 * whether the VLAN table is in use. */
#define SP_F_DST4_TABLE (1u << 0)
#define SP_F_SRC4_TABLE (1u << 1)
#define SP_F_DST6_TABLE (1u << 2)
#define SP_F_SRC6_TABLE (1u << 3)
#define SP_F_DST4_TRIE  (1u << 4)
#define SP_F_SRC4_TRIE  (1u << 5)
#define SP_F_DST6_TRIE  (1u << 6)
#define SP_F_SRC6_TRIE  (1u << 7)
#define SP_F_TRIES      (SP_F_DST4_TRIE | SP_F_SRC4_TRIE | SP_F_DST6_TRIE | SP_F_SRC6_TRIE)
/* Some rule constrains the VLAN id; without, the program skips the VLAN table's two loads. */
#define SP_F_VLAN       (1u << 8)

enum sp_action {
	SP_ACT_PASS = 0,
	SP_ACT_DROP = 1,
	SP_ACT_REDIRECT = 2,
};

#define SP_FAST_INDEX(is_v6, is_tcp) ((is_v6) * 2 + (is_tcp))

/*
 * rules[] is in De Bruijn order: rule i (bit i of the masks) sits at SP_RULE_SLOT(1 << i), so the
 * first match of a mask is rules[SP_RULE_SLOT(mask & -mask)] without a table to translate.
 */
#define SP_DEBRUIJN64      0x03f79d71b4cb0a89ULL
#define SP_RULE_SLOT(bit)  ((__u32)(((bit) * SP_DEBRUIJN64) >> 58))

/* What a matching rule does (8 bytes). */
struct sp_rule {
	__u32 counter;       /* slot in rule_stats (and rule_names); the program's key for the lookup as is */
	__u8  action;        /* enum sp_action */
	__u8  pad[3];
};

/*
 * An inline prefix table (2 KiB of intervals, and a 64 KiB block index kept apart, see sp_ruleset):
 * start[i] (host order;
 * IPv4 in the low 32 bits, IPv6 the upper 64 bits of the address) ascending, start[0] = 0, unused
 * entries ~0; rules[i] is the mask of rules matching keys from start[i] up to start[i + 1], and
 * unused entries repeat the last one.
 *
 * Most keys find their interval in one load: the block index cuts a region of keys, 2^16 blocks of
 * 2^block_shift keys, into blocks, and block[b] (the table's *_block array in sp_ruleset) is the
 * interval holding all of block b, or
 * SP_BLOCK_REFINE when an interval starts inside the block. The region is the aligned range that
 * holds every start but start[0] (their common leading bits), so keys below it are in interval 0
 * and keys above it in the last used interval, `last`. Refined blocks take the binary search, which
 * takes only the steps the used entries need: its first step is top_step, the largest power of two
 * below the number of used entries (0 with one entry).
 */
#define SP_BLOCKS        65536
#define SP_BLOCK_REFINE  0x80

struct sp_prefix_table {
	__u64 start[SP_PREFIX_BOUNDS];
	__u64 rules[SP_PREFIX_BOUNDS];
	__u64 region_lo;     /* first key of the block index's region */
	__u64 region_hi;     /* last key of the region */
	__u32 block_shift;   /* block of key x: (x - region_lo) >> block_shift */
	__u32 last;          /* index of the last used interval */
	__u32 top_step;
	__u32 pad;
};

/*
 * A whole rule set: one value of the `rulesets` map.
 *
 * What a packet reads for every rule set comes first, within the first 32 KiB: a BPF load encodes
 * offsets up to 32767 in the instruction itself, and a field beyond needs two more instructions
 * for every read. The large byte tables follow.
 */
struct sp_ruleset {
	__u32 generation;    /* tags this set's entries in the prefix tries; 0 = the empty initial set */
	__u32 rule_count;
	__u32 flags;         /* SP_F_* */
	__u32 pad;
	__u64 any_dst;       /* rules without a destination prefix */
	__u64 any_src;       /* rules without a source prefix */
	__u64 any_dport;     /* rules without a destination port range */
	__u64 any_sport;     /* rules without a source port range */
	__u64 version_rules[2];       /* [0]: rules an IPv4 packet may match, [1]: IPv6 */
	__u64 portless_rules;         /* rules without port constraints (all a packet without ports may match) */
	__u64 later_fragment_rules;   /* rules a non-first fragment may match */
	/* The fast paths' first mask: what an untagged UDP or TCP packet of either version may match
	 * by version, protocol and VLAN, by SP_FAST_INDEX(version is 6, protocol is TCP). */
	__u64 fast_rules[4];
	struct sp_rule rules[SP_MAX_RULES];   /* in De Bruijn order, see SP_RULE_SLOT */
	__u64 proto_rules[SP_MAX_PROTOS];
	__u64 dport_rules[SP_MAX_CLASSES];
	__u64 sport_rules[SP_MAX_CLASSES];
	__u64 vlan_rules[SP_MAX_CLASSES];
	struct sp_prefix_table dst4, src4, dst6, src6;
	__u8  dport_class[SP_PORTS];
	__u8  sport_class[SP_PORTS];
	__u8  vlan_class[SP_VLAN_KEYS];
	__u8  dst4_block[SP_BLOCKS], src4_block[SP_BLOCKS], dst6_block[SP_BLOCKS], src6_block[SP_BLOCKS];
};

/* Prefix trie keys. The generation is part of the prefix, so two sets never see each other's
 * entries; prefixlen counts the 32 generation bits plus the address prefix length. */
struct sp_lpm4_key {
	__u32 prefixlen;
	__u32 generation;   /* big-endian, so that it is the leading bits of the prefix */
	__u8  addr[4];
};

struct sp_lpm6_key {
	__u32 prefixlen;
	__u32 generation;   /* big-endian */
	__u8  addr[16];
};

/* Trie value: the rules whose prefix (in this direction) contains this entry's prefix. Longest-prefix
 * match then yields exactly the rules whose prefix contains the packet's address. */
struct sp_lpm_value {
	__u64 rules;
};

/* Outcome counters (verdict_stats index). Every packet counts in exactly one. */
enum sp_stat {
	SP_STAT_PASS_DEFAULT = 0,     /* no rule matched */
	SP_STAT_PASS_RULE,            /* a pass rule matched */
	SP_STAT_DROP,                 /* a drop rule matched */
	SP_STAT_REDIRECT,             /* redirected into the queue's AF_XDP socket */
	SP_STAT_REDIRECT_NO_SOCKET,   /* a redirect rule matched, no socket on the queue: passed */
	SP_STAT_NOT_IP,               /* neither IPv4 nor IPv6 (ARP, LLDP, ...): passed */
	SP_STAT_LATER_FRAGMENT,       /* non-first fragment taking the default: passed */
	SP_STAT_TRUNCATED,            /* the frame ends inside a header, or before the IP length: passed */
	SP_STAT_MALFORMED,            /* IHL < 5, bad version, inconsistent lengths: passed */
	SP_STAT_TOO_DEEP,             /* more VLAN tags or IPv6 extension headers than parsed: passed */
	SP_STAT_MAX,
};

struct sp_counter {
	__u64 packets;
	__u64 bytes;
};

/* rule_names value: the name of the rule owning a rule_stats slot (empty: free). Only user space
 * reads and writes it; it is a map so that a process reopening the pins finds it. */
struct sp_rule_name {
	char name[SP_RULE_NAME_LEN];
};

/* classifier_state value: where the program is attached, so that another process (which reopens
 * the pins) can detach exactly it. Only user space reads and writes it. */
struct sp_attach_state {
	__u32 ifindex;      /* 0: not attached */
	__u32 xdp_flags;    /* XDP_FLAGS_DRV_MODE or XDP_FLAGS_SKB_MODE */
	__u64 netns_inode;  /* the network namespace the ifindex belongs to */
};

#endif
