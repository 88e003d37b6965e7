// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * splitplane's XDP classifier: per packet, redirect into the AF_XDP socket of this rx queue, pass to
 * the kernel, or drop, by the first matching rule of the active rule set (see classifier.h).
 * Behaviour is data: one compiled object serves every configuration.
 *
 * Every packet leaves through one exit that counts its outcome. Packets the parser cannot read
 * (truncated, malformed, nested deeper than it follows) are passed without looking at the rules:
 * the kernel drops or answers them as it would without us, and a counter says how many there were.
 *
 * Lengths: a header that ends past the frame is "truncated"; one that ends past what the IP
 * header says the datagram holds (tot_len, payload_len), or a length field that contradicts the
 * others, is "malformed". The IP length may be shorter than the frame (Ethernet padding).
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <linux/tcp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "classifier.h"

#define VLAN_MAX_DEPTH      2
#define IPV6_EXT_MAX_DEPTH  6
#define IP_OFFSET           0x1fff
#define IP_MF               0x2000
#define IP6_MF              0x0001
#define IP6_OFFSET_MASK     0xfff8
#define ETH_P_8021Q_BE      bpf_htons(0x8100)
#define ETH_P_8021AD_BE     bpf_htons(0x88A8)
#define SCTP_COMMON_HDR_LEN 12
#define IPPROTO_SCTP_NUM    132
#define ICMP_HDR_LEN        8    /* sizeof(struct icmphdr) and of struct icmp6hdr */
#define IPV6_EXT_MIN_LEN    8
#define TCP_MIN_DOFF        5
/* Where an untagged IPv6 frame's addresses start. */
#define V6_SADDR            (sizeof(struct ethhdr) + offsetof(struct ipv6hdr, saddr))
#define V6_DADDR            (sizeof(struct ethhdr) + offsetof(struct ipv6hdr, daddr))
/* The shortest frame a fast path takes: Ethernet, IPv4 without options, a TCP header's length. */
#define FAST_MIN_FRAME      (sizeof(struct ethhdr) + sizeof(struct iphdr) + sizeof(struct tcphdr))

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* The active rule set and the one being written (see classifier.h). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct sp_ruleset);
} rulesets SEC(".maps");

/*
 * The active slot of `rulesets`, 0 or 1. A global rather than a map entry, so reading it is one load
 * from an address the verifier fixes, not a lookup; user space flips it through the mmapped section.
 */
__u32 ruleset_index SEC(".data.active") = 0;

/* User space only: the writer's way to wait for running programs (see classifier.h). Any map of
 * this shape can be stored into it. */
struct barrier_slot {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1);
	__type(key, __u32);
	__array(values, struct barrier_slot);
} swap_barrier SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, SP_MAX_PREFIXES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct sp_lpm4_key);
	__type(value, struct sp_lpm_value);
} dst4_prefixes SEC(".maps"), src4_prefixes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, SP_MAX_PREFIXES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct sp_lpm6_key);
	__type(value, struct sp_lpm_value);
} dst6_prefixes SEC(".maps"), src6_prefixes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, SP_MAX_QUEUES);
	__type(key, __u32);
	__type(value, __u32);
} xsks_map SEC(".maps");

/* Per-CPU, so the counting needs no atomics: each CPU runs one program instance at a time. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SP_STAT_MAX);
	__type(key, __u32);
	__type(value, struct sp_counter);
} verdict_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SP_MAX_COUNTERS);
	__type(key, __u32);
	__type(value, struct sp_counter);
} rule_stats SEC(".maps");

/* User space only (see classifier.h): the program never reads these two. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SP_MAX_COUNTERS);
	__type(key, __u32);
	__type(value, struct sp_rule_name);
} rule_names SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sp_attach_state);
} classifier_state SEC(".maps");

/* What the parser learnt about a packet. */
struct packet {
	__u16 vlan;        /* outermost VLAN id, SP_NO_VLAN if untagged */
	__u8  ip_version;
	__u8  l4_proto;
	__u8  has_ports;
	__u8  later_fragment;
	__u8  first_fragment; /* offset 0, more to come: the L4 header is whole, the datagram is not */
	__u16 src_port;    /* host byte order; 0 without ports */
	__u16 dst_port;
	__u64 src[2];      /* as on the wire (network order); IPv4 in the low-addressed 4 bytes of src[0] */
	__u64 dst[2];
};

enum parse_result {
	PARSE_OK = 0,
	PARSE_NOT_IP,
	PARSE_TRUNCATED,
	PARSE_MALFORMED,
	PARSE_TOO_DEEP,
};

/* Parser position: pos/end bound the frame for the verifier, remaining is what the IP header says
 * is left of the datagram from pos on (never more than end - pos once the IP header is read). */
struct cursor {
	void *pos;
	void *end;
	__u32 remaining;
};

static __always_inline int parse_eth(struct cursor *c, struct packet *p, __be16 *proto)
{
	struct ethhdr *eth = c->pos;

	if ((void *)(eth + 1) > c->end)
		return PARSE_TRUNCATED;
	c->pos = eth + 1;
	*proto = eth->h_proto;
	p->vlan = SP_NO_VLAN;

#pragma unroll
	for (int i = 0; i < VLAN_MAX_DEPTH; i++) {
		struct vlan { __be16 tci; __be16 proto; } *tag = c->pos;

		if (*proto != ETH_P_8021Q_BE && *proto != ETH_P_8021AD_BE)
			return PARSE_OK;
		if ((void *)(tag + 1) > c->end)
			return PARSE_TRUNCATED;
		if (i == 0)
			p->vlan = bpf_ntohs(tag->tci) & 0x0fff;
		*proto = tag->proto;
		c->pos = tag + 1;
	}
	if (*proto == ETH_P_8021Q_BE || *proto == ETH_P_8021AD_BE)
		return PARSE_TOO_DEEP;
	return PARSE_OK;
}

static __always_inline int parse_ipv4(struct cursor *c, struct packet *p)
{
	struct iphdr *ip = c->pos;
	__u32 hdr_len, tot_len;

	if ((void *)(ip + 1) > c->end)
		return PARSE_TRUNCATED;
	if (ip->version != 4 || ip->ihl < 5)
		return PARSE_MALFORMED;
	hdr_len = ip->ihl * 4;
	tot_len = bpf_ntohs(ip->tot_len);
	if (tot_len < hdr_len)
		return PARSE_MALFORMED;
	if (c->pos + tot_len > c->end)
		return PARSE_TRUNCATED;
	/* Implied by the check above; the verifier needs it in this form for the options. */
	if (c->pos + hdr_len > c->end)
		return PARSE_TRUNCATED;

	p->ip_version = 4;
	p->l4_proto = ip->protocol;
	p->src[0] = ip->saddr;
	p->dst[0] = ip->daddr;
	p->later_fragment = (bpf_ntohs(ip->frag_off) & IP_OFFSET) != 0;
	p->first_fragment = (bpf_ntohs(ip->frag_off) & (IP_OFFSET | IP_MF)) == IP_MF;
	c->pos += hdr_len;
	c->remaining = tot_len - hdr_len;
	return PARSE_OK;
}

static __always_inline int is_ipv6_ext(__u8 next)
{
	return next == IPPROTO_HOPOPTS || next == IPPROTO_ROUTING || next == IPPROTO_DSTOPTS ||
	       next == IPPROTO_FRAGMENT || next == IPPROTO_AH;
}

static __always_inline int parse_ipv6(struct cursor *c, struct packet *p)
{
	struct ipv6hdr *ip6 = c->pos;
	__u32 payload_len;
	__u8 next;

	if ((void *)(ip6 + 1) > c->end)
		return PARSE_TRUNCATED;
	if (ip6->version != 6)
		return PARSE_MALFORMED;
	payload_len = bpf_ntohs(ip6->payload_len);
	if ((void *)(ip6 + 1) + payload_len > c->end)
		return PARSE_TRUNCATED;

	p->ip_version = 6;
	__builtin_memcpy(p->src, &ip6->saddr, 16);
	__builtin_memcpy(p->dst, &ip6->daddr, 16);
	next = ip6->nexthdr;
	c->pos = ip6 + 1;
	c->remaining = payload_len;

#pragma unroll
	for (int i = 0; i < IPV6_EXT_MAX_DEPTH; i++) {
		struct { __u8 next; __u8 len; __be16 frag_off; } *ext = c->pos;
		__u32 len;

		if (!is_ipv6_ext(next))
			break;
		if (c->remaining < IPV6_EXT_MIN_LEN)
			return PARSE_MALFORMED;
		if ((void *)(ext + 1) > c->end)
			return PARSE_TRUNCATED;
		if (next == IPPROTO_FRAGMENT) {
			/* Fixed 8 bytes; offset in the upper 13 bits of frag_off. */
			len = IPV6_EXT_MIN_LEN;
			p->later_fragment = (bpf_ntohs(ext->frag_off) & IP6_OFFSET_MASK) != 0;
			p->first_fragment = (bpf_ntohs(ext->frag_off) & (IP6_OFFSET_MASK | IP6_MF)) == IP6_MF;
		} else if (next == IPPROTO_AH) {
			/* AH length is in 4-byte units minus 2. */
			len = ((__u32)ext->len + 2) * 4;
		} else {
			len = ((__u32)ext->len + 1) * 8;
		}
		if (len > c->remaining)
			return PARSE_MALFORMED;
		next = ext->next;
		c->pos += len;
		c->remaining -= len;
		if (c->pos > c->end)
			return PARSE_TRUNCATED;
		/* The upper-layer header of a later fragment is in the first fragment, not here. */
		if (p->later_fragment)
			break;
	}
	if (!p->later_fragment && is_ipv6_ext(next))
		return PARSE_TOO_DEEP;
	p->l4_proto = next;
	return PARSE_OK;
}

/* Reads the ports at c->pos after checking that `need` bytes are in the datagram and the frame. */
static __always_inline int parse_ports(struct cursor *c, struct packet *p, __u32 need)
{
	__be16 *ports = c->pos;

	if (c->remaining < need)
		return PARSE_MALFORMED;
	if (c->pos + need > c->end)
		return PARSE_TRUNCATED;
	if ((void *)(ports + 2) > c->end)
		return PARSE_TRUNCATED;
	p->src_port = bpf_ntohs(ports[0]);
	p->dst_port = bpf_ntohs(ports[1]);
	p->has_ports = 1;
	return PARSE_OK;
}

static __always_inline int parse_l4(struct cursor *c, struct packet *p)
{
	if (p->later_fragment)
		return PARSE_OK;

	switch (p->l4_proto) {
	case IPPROTO_UDP: {
		struct udphdr *udp = c->pos;
		__u32 udp_len;
		int r = parse_ports(c, p, sizeof(*udp));

		if (r != PARSE_OK)
			return r;
		if ((void *)(udp + 1) > c->end)
			return PARSE_TRUNCATED;
		udp_len = bpf_ntohs(udp->len);
		/* A first fragment carries the whole datagram's UDP length but only part of it. */
		if (udp_len < sizeof(*udp) || (udp_len > c->remaining && !p->first_fragment))
			return PARSE_MALFORMED;
		return PARSE_OK;
	}
	case IPPROTO_TCP: {
		struct tcphdr *tcp = c->pos;
		int r = parse_ports(c, p, sizeof(*tcp));

		if (r != PARSE_OK)
			return r;
		if ((void *)(tcp + 1) > c->end)
			return PARSE_TRUNCATED;
		if (tcp->doff < TCP_MIN_DOFF || tcp->doff * 4 > c->remaining)
			return PARSE_MALFORMED;
		return PARSE_OK;
	}
	case IPPROTO_SCTP_NUM:
		return parse_ports(c, p, SCTP_COMMON_HDR_LEN);
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		if (c->remaining < ICMP_HDR_LEN)
			return PARSE_MALFORMED;
		if (c->pos + ICMP_HDR_LEN > c->end)
			return PARSE_TRUNCATED;
		return PARSE_OK;
	default:
		return PARSE_OK;
	}
}

/*
 * The full parser and the matcher below are global functions, which the verifier checks once each,
 * on their own, instead of once per path through the caller: inlined, every way through the parser
 * (VLAN tags, extension headers, L4 protocols) multiplied every way through the matcher, and loading
 * the program took most of a second. Only packets off the fast paths pay for the two calls.
 */
__noinline int parse_packet(struct xdp_md *ctx, struct packet *p)
{
	if (!p)
		return PARSE_MALFORMED;

	struct cursor c = { .pos = (void *)(long)ctx->data, .end = (void *)(long)ctx->data_end };
	__be16 proto;
	int r;

	r = parse_eth(&c, p, &proto);
	if (r != PARSE_OK)
		return r;
	if (proto == bpf_htons(ETH_P_IP))
		r = parse_ipv4(&c, p);
	else if (proto == bpf_htons(ETH_P_IPV6))
		r = parse_ipv6(&c, p);
	else
		return PARSE_NOT_IP;
	if (r != PARSE_OK)
		return r;
	return parse_l4(&c, p);
}

/* UDP/TCP header checks shared by the fast paths: l4 has 20 bytes in the frame, len is what the IP
 * header says the datagram holds from l4 on; negative (an IPv4 total length shorter than its
 * header) fails every check, so it needs no test of its own. */
static __always_inline int fast_l4_ok(__u8 proto, __u8 *l4, __s32 len)
{
	if (proto == IPPROTO_UDP) {
		__s32 udp_len = bpf_ntohs(((struct udphdr *)l4)->len);

		return udp_len >= (__s32)sizeof(struct udphdr) && udp_len <= len;
	}
	if (proto == IPPROTO_TCP) {
		__s32 doff = ((struct tcphdr *)l4)->doff;

		return doff >= TCP_MIN_DOFF && doff * 4 <= len;
	}
	return 0;
}

/*
 * The common cases with one bounds check: untagged IPv4 without options, or IPv6 without extension
 * headers, carrying UDP or TCP, not a fragment, with consistent lengths. They fill exactly what
 * parse_packet() would and return 1; for anything else (including whatever parse_packet() would
 * call truncated or malformed) they return 0 and parse_packet() decides. ClassifierDifferentialTest
 * holds both paths to the same model.
 */
/* What both fast paths know of a packet besides its addresses. */
static __always_inline void fast_fill(struct packet *p, __u8 version, __u8 proto, __u8 *l4)
{
	p->vlan = SP_NO_VLAN;
	p->ip_version = version;
	p->l4_proto = proto;
	p->has_ports = 1;
	p->later_fragment = 0;
	p->first_fragment = 0;
	p->src_port = bpf_ntohs(((__be16 *)l4)[0]);
	p->dst_port = bpf_ntohs(((__be16 *)l4)[1]);
}

static __always_inline int parse_fast4(void *data, void *end, struct packet *p)
{
	struct iphdr *ip = data + sizeof(struct ethhdr);
	__u8 *l4 = (void *)(ip + 1);
	__u32 tot_len;

	/* The caller checked for FAST_MIN_FRAME bytes: room for a TCP header, so a shorter UDP
	 * datagram takes the full parser. */
	if (*(__u8 *)ip != 0x45 || (ip->frag_off & bpf_htons(IP_OFFSET)))
		return 0;
	tot_len = bpf_ntohs(ip->tot_len);
	if ((void *)ip + tot_len > end)
		return 0;
	if (!fast_l4_ok(ip->protocol, l4, (__s32)tot_len - (__s32)sizeof(*ip)))
		return 0;
	fast_fill(p, 4, ip->protocol, l4);
	p->src[0] = ip->saddr;
	p->src[1] = 0;
	p->dst[0] = ip->daddr;
	p->dst[1] = 0;
	return 1;
}

static __always_inline int parse_fast6(void *data, void *end, struct packet *p)
{
	struct ipv6hdr *ip6 = data + sizeof(struct ethhdr);
	__u8 *l4 = (void *)(ip6 + 1);
	__u32 payload_len;

	if ((void *)(l4 + sizeof(struct tcphdr)) > end)
		return 0;
	if (ip6->version != 6)
		return 0;
	payload_len = bpf_ntohs(ip6->payload_len);
	if ((void *)l4 + payload_len > end)
		return 0;
	if (!fast_l4_ok(ip6->nexthdr, l4, payload_len))
		return 0;
	fast_fill(p, 6, ip6->nexthdr, l4);
	/* Through `data`, whose alignment the compiler does not know, so that each half is one 64-bit
	 * load: through ip6 it would trust the addresses' 4-byte alignment and load 32 bits at a time. */
	p->src[0] = *(__u64 *)(data + V6_SADDR);
	p->src[1] = *(__u64 *)(data + V6_SADDR + 8);
	p->dst[0] = *(__u64 *)(data + V6_DADDR);
	p->dst[1] = *(__u64 *)(data + V6_DADDR + 8);
	return 1;
}

/* The mask of the interval holding x: the largest i with start[i] <= x (start[0] is 0). `block` is
 * the table's block index. */
static __always_inline __u64 table_rules(const struct sp_prefix_table *t, const __u8 *block, __u64 x)
{
	__u32 top, i;

	if (x < t->region_lo)
		return t->rules[0];
	if (x > t->region_hi)
		return t->rules[t->last & (SP_PREFIX_BOUNDS - 1)];
	i = block[((x - t->region_lo) >> (t->block_shift & 63)) & (SP_BLOCKS - 1)];
	if (!(i & SP_BLOCK_REFINE))
		return t->rules[i];

	/* An interval starts inside x's block: binary search, in log2(used entries) steps. */
	top = t->top_step;
	i = 0;
#pragma unroll
	for (__u32 step = SP_PREFIX_BOUNDS / 2; step > 0; step >>= 1) {
		if (step <= top && t->start[i + step] <= x)
			i += step;
	}
	return t->rules[i & (SP_PREFIX_BOUNDS - 1)];
}

/* The rules whose prefix (in one direction) contains the address, in the set's mode for it. */
static __always_inline __u64 prefix_rules(const struct sp_ruleset *rs, const struct packet *p, const __u64 *addr,
					  const struct sp_prefix_table *t4, const __u8 *block4,
					  const struct sp_prefix_table *t6, const __u8 *block6,
					  void *trie4, void *trie6, __u32 table4, __u32 table6, __u32 trie4_flag,
					  __u32 trie6_flag, __u64 any)
{
	struct sp_lpm_value *v;

	if (p->ip_version == 4) {
		if (rs->flags & table4)
			return table_rules(t4, block4, bpf_ntohl((__u32)addr[0]));
		if (rs->flags & trie4_flag) {
			struct sp_lpm4_key k = { .prefixlen = 64, .generation = bpf_htonl(rs->generation) };

			__builtin_memcpy(k.addr, addr, 4);
			v = bpf_map_lookup_elem(trie4, &k);
			return v ? (v->rules | any) : any;
		}
		return any;
	}
	if (rs->flags & table6)
		return table_rules(t6, block6, bpf_be64_to_cpu(addr[0]));
	if (rs->flags & trie6_flag) {
		struct sp_lpm6_key k = { .prefixlen = 160, .generation = bpf_htonl(rs->generation) };

		__builtin_memcpy(k.addr, addr, 16);
		v = bpf_map_lookup_elem(trie6, &k);
		return v ? (v->rules | any) : any;
	}
	return any;
}

/* Counts a packet of `bytes` in the counter of `map` at *key. */
static __always_inline void count(void *map, const __u32 *key, __u64 bytes)
{
	struct sp_counter *c = bpf_map_lookup_elem(map, key);

	if (c) {
		c->packets++;
		c->bytes += bytes;
	}
}

/* The active rule set; NULL only if user space wrote an index out of range. The global itself is
 * the key: the inlined lookup reads it once, straight from its fixed address. */
static __always_inline const struct sp_ruleset *active_set(void)
{
	return bpf_map_lookup_elem(&rulesets, &ruleset_index);
}

/* The rules a parsed packet satisfies. Every field narrows the candidates; rules a field does not
 * constrain keep their bit. Tables of fields no rule constrains are skipped. */
static __always_inline __u64 match(const struct sp_ruleset *rs, const struct packet *p)
{
	__u32 flags = rs->flags;
	__u64 candidates = rs->version_rules[p->ip_version == 6] & rs->proto_rules[p->l4_proto];

	if (flags & SP_F_VLAN)
		candidates &= rs->vlan_rules[rs->vlan_class[p->vlan & (SP_VLAN_KEYS - 1)]];
	if (p->has_ports) {
		if (candidates & ~rs->any_dport)
			candidates &= rs->dport_rules[rs->dport_class[p->dst_port]];
		if (candidates & ~rs->any_sport)
			candidates &= rs->sport_rules[rs->sport_class[p->src_port]];
	} else {
		candidates &= rs->portless_rules;
	}
	if (p->later_fragment)
		candidates &= rs->later_fragment_rules;
	/* Prefixes last, and only if a remaining candidate has one in that direction: the others are in
	 * any_dst / any_src, which every prefix lookup returns anyway. */
	if (candidates & ~rs->any_dst)
		candidates &= prefix_rules(rs, p, p->dst, &rs->dst4, rs->dst4_block, &rs->dst6, rs->dst6_block,
					   &dst4_prefixes, &dst6_prefixes,
					   SP_F_DST4_TABLE, SP_F_DST6_TABLE, SP_F_DST4_TRIE, SP_F_DST6_TRIE,
					   rs->any_dst);
	if (candidates & ~rs->any_src)
		candidates &= prefix_rules(rs, p, p->src, &rs->src4, rs->src4_block, &rs->src6, rs->src6_block,
					   &src4_prefixes, &src6_prefixes,
					   SP_F_SRC4_TABLE, SP_F_SRC6_TABLE, SP_F_SRC4_TRIE, SP_F_SRC6_TRIE,
					   rs->any_src);
	return candidates;
}

/*
 * match() for a fast-path packet of IP version `version` (a constant) from a set without tries:
 * untagged UDP or TCP, not a fragment, so version, protocol and VLAN are one precomputed mask, most
 * of match()'s tests fold away, and no call is left.
 */
static __always_inline __u64 match_fast(const struct sp_ruleset *rs, const struct packet *p, const int version)
{
	__u32 flags = rs->flags;
	__u64 candidates = rs->fast_rules[SP_FAST_INDEX(version == 6, p->l4_proto == IPPROTO_TCP)];

	if (candidates & ~rs->any_dport)
		candidates &= rs->dport_rules[rs->dport_class[p->dst_port]];
	if (candidates & ~rs->any_sport)
		candidates &= rs->sport_rules[rs->sport_class[p->src_port]];
	if (candidates & ~rs->any_dst)
		candidates &= !(flags & (version == 4 ? SP_F_DST4_TABLE : SP_F_DST6_TABLE)) ? rs->any_dst :
			      version == 4 ? table_rules(&rs->dst4, rs->dst4_block, bpf_ntohl((__u32)p->dst[0])) :
			      table_rules(&rs->dst6, rs->dst6_block, bpf_be64_to_cpu(p->dst[0]));
	if (candidates & ~rs->any_src)
		candidates &= !(flags & (version == 4 ? SP_F_SRC4_TABLE : SP_F_SRC6_TABLE)) ? rs->any_src :
			      version == 4 ? table_rules(&rs->src4, rs->src4_block, bpf_ntohl((__u32)p->src[0])) :
			      table_rules(&rs->src6, rs->src6_block, bpf_be64_to_cpu(p->src[0]));
	return candidates;
}

__noinline __u64 match_packet(const struct sp_ruleset *rs, const struct packet *p)
{
	if (!rs || !p)
		return 0;
	return match(rs, p);
}

/*
 * The verdict for a packet whose candidate rules are `candidates` (none: `stat` is its outcome),
 * counted. Inlined into each exit, so that the fast paths keep the rule set in a register: with one
 * shared tail, the rule set would have to outlive the full path's calls and would live on the stack.
 */
static __always_inline int decide(struct xdp_md *ctx, const struct sp_ruleset *rs, __u64 candidates, __u32 stat,
				  __u64 bytes)
{
	const struct sp_rule *hit;
	int action = XDP_PASS;

	if (rs && candidates) {
		/* The first match: the lowest set bit, whose rule sits at its De Bruijn slot. */
		hit = &rs->rules[SP_RULE_SLOT(candidates & -candidates)];
		/* The key straight from the rule set: no copy through the stack on the way to the counter. */
		count(&rule_stats, &hit->counter, bytes);
		if (hit->action == SP_ACT_DROP) {
			stat = SP_STAT_DROP;
			action = XDP_DROP;
		} else if (hit->action == SP_ACT_REDIRECT) {
			__u32 queue = ctx->rx_queue_index;

			/* An empty slot must fall back to the kernel, never drop silently. The (inlined)
			 * lookup spares the helper call when the queue has no socket; should the socket go
			 * away right after it, XDP_PASS in the flags makes bpf_redirect_map return XDP_PASS. */
			stat = SP_STAT_REDIRECT_NO_SOCKET;
			if (bpf_map_lookup_elem(&xsks_map, &queue)) {
				action = bpf_redirect_map(&xsks_map, queue, XDP_PASS);
				if (action == XDP_REDIRECT)
					stat = SP_STAT_REDIRECT;
			}
		} else {
			stat = SP_STAT_PASS_RULE;
		}
	}
	count(&verdict_stats, &stat, bytes);
	return action;
}

SEC("xdp")
int classify(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	const struct sp_ruleset *rs = active_set();
	struct packet p;
	__u32 stat;
	int r;

	/* Sets with a prefix trie take the full path: a trie lookup is a real call, and the registers it
	 * clobbers would make the compiler spill the fast paths' fields. */
	if (rs && !(rs->flags & SP_F_TRIES) && data + FAST_MIN_FRAME <= end) {
		__be16 proto = *(__be16 *)(data + offsetof(struct ethhdr, h_proto));
		/* Apart from p, whose address the full parser takes: this one stays in registers. */
		struct packet fp;

		if (proto == bpf_htons(ETH_P_IP) && parse_fast4(data, end, &fp))
			return decide(ctx, rs, match_fast(rs, &fp, 4), SP_STAT_PASS_DEFAULT, end - data);
		if (proto == bpf_htons(ETH_P_IPV6) && parse_fast6(data, end, &fp))
			return decide(ctx, rs, match_fast(rs, &fp, 6), SP_STAT_PASS_DEFAULT, end - data);
	}

	/* The full parser relies on zeroed fields. */
	__builtin_memset(&p, 0, sizeof(p));
	r = parse_packet(ctx, &p);
	if (r != PARSE_OK) {
		stat = r == PARSE_NOT_IP ? SP_STAT_NOT_IP :
		       r == PARSE_TRUNCATED ? SP_STAT_TRUNCATED :
		       r == PARSE_TOO_DEEP ? SP_STAT_TOO_DEEP : SP_STAT_MALFORMED;
		return decide(ctx, NULL, 0, stat, ctx->data_end - ctx->data);
	}
	stat = p.later_fragment ? SP_STAT_LATER_FRAGMENT : SP_STAT_PASS_DEFAULT;
	/* The set is looked up again rather than kept across the parser's call (see decide()); the
	 * packet is still decided by one whole set, the one read here. */
	rs = active_set();
	return decide(ctx, rs, rs ? match_packet(rs, &p) : 0, stat, ctx->data_end - ctx->data);
}
