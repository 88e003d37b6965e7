// SPDX-License-Identifier: GPL-2.0
/*
 * Test program for the libbpf bindings: counts frames per IPv4 protocol into proto_counts and returns
 * the verdict configured for that protocol in verdicts (XDP_PASS when none is). An XDP_TX verdict
 * swaps the Ethernet addresses, so a test run also has output data worth checking. Verdicts are
 * counted per CPU in verdict_counts, so tests exercise per-CPU lookups too.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

/* proto_counts keys beyond the 8-bit IP protocol numbers */
#define KEY_NOT_IPV4 256
#define KEY_MALFORMED 257
#define ACTIONS (XDP_REDIRECT + 1)

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 512);
	__type(key, __u32);
	__type(value, __u64);
} proto_counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, __u32);
} verdicts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, ACTIONS);
	__type(key, __u32);
	__type(value, __u64);
} verdict_counts SEC(".maps");

static __always_inline __u32 classify(void *data, void *data_end)
{
	struct ethhdr *eth = data;
	struct iphdr *ip;

	if ((void *)(eth + 1) > data_end)
		return KEY_MALFORMED;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return KEY_NOT_IPV4;
	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end)
		return KEY_MALFORMED;
	if (ip->ihl < 5 || (void *)ip + ip->ihl * 4 > data_end)
		return KEY_MALFORMED;
	return ip->protocol;
}

static __always_inline void count_protocol(__u32 key)
{
	__u64 one = 1, *count;

	count = bpf_map_lookup_elem(&proto_counts, &key);
	if (count) {
		/* Shared between CPUs, unlike verdict_counts. */
		__sync_fetch_and_add(count, 1);
		return;
	}
	/* A racing first insert on another CPU loses one count; fine for a test program. */
	bpf_map_update_elem(&proto_counts, &key, &one, BPF_NOEXIST);
}

static __always_inline void swap_macs(void *data, void *data_end)
{
	struct ethhdr *eth = data;
	unsigned char tmp[ETH_ALEN];

	if ((void *)(eth + 1) > data_end)
		return;
	__builtin_memcpy(tmp, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, tmp, ETH_ALEN);
}

SEC("xdp")
int proto_counter(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 key = classify(data, data_end);
	__u32 *configured;
	__u32 action_key;
	__u64 *verdict_count;
	int action = XDP_PASS;

	count_protocol(key);
	configured = bpf_map_lookup_elem(&verdicts, &key);
	if (configured && *configured < ACTIONS)
		action = *configured;
	if (action == XDP_TX)
		swap_macs(data, data_end);

	action_key = action;
	verdict_count = bpf_map_lookup_elem(&verdict_counts, &action_key);
	if (verdict_count)
		*verdict_count += 1;
	return action;
}

char LICENSE[] SEC("license") = "GPL";
