// SPDX-License-Identifier: GPL-2.0
/*
 * The default AF_XDP steering program, as libxdp's: a frame that arrives on receive queue N goes to
 * the AF_XDP socket bound to queue N if user space put one into xsks_map[N]; every other frame goes
 * on to the kernel stack. Verdicts are counted per CPU in xsk_verdicts, indexed by XDP action.
 *
 * Java: io.splitplane.kernel.bpf.XskRedirect names the program, the maps and XSK_REDIRECT_MAX_QUEUES.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* One slot per receive queue; queues beyond this fall back to the kernel (counted as XDP_PASS). */
#define XSK_REDIRECT_MAX_QUEUES 64
/* XDP_ABORTED .. XDP_REDIRECT */
#define XSK_REDIRECT_ACTIONS (XDP_REDIRECT + 1)

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, XSK_REDIRECT_MAX_QUEUES);
	__type(key, __u32);
	__type(value, __u32);
} xsks_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XSK_REDIRECT_ACTIONS);
	__type(key, __u32);
	__type(value, __u64);
} xsk_verdicts SEC(".maps");

static __always_inline int record_verdict(int action)
{
	__u32 key = (__u32)action;
	__u64 *count;

	/* Anything outside the known actions would index past the array: count it as aborted. */
	if (key >= XSK_REDIRECT_ACTIONS)
		key = XDP_ABORTED;
	count = bpf_map_lookup_elem(&xsk_verdicts, &key);
	/* Per-CPU slot: only this CPU writes it while the program runs, so no atomic add is needed. */
	if (count)
		*count += 1;
	return action;
}

SEC("xdp")
int xsk_redirect(struct xdp_md *ctx)
{
	__u32 queue = ctx->rx_queue_index;
	int action = XDP_PASS;

	/*
	 * The lookup keeps an empty slot away from the redirect on kernels that ignore the fallback
	 * action; the XDP_PASS fallback covers a socket that leaves between the lookup and the redirect.
	 */
	if (bpf_map_lookup_elem(&xsks_map, &queue))
		action = bpf_redirect_map(&xsks_map, queue, XDP_PASS);

	return record_verdict(action);
}

char LICENSE[] SEC("license") = "GPL";
