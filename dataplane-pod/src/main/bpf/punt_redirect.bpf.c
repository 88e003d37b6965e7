// SPDX-License-Identifier: GPL-2.0
/*
 * The punt path's injection program: a tc ingress filter on each port's punt TAP. The dataplane
 * writes a frame it gives back to the kernel into the TAP; this program moves the skb onto the
 * ingress path of the real port (bpf_redirect with BPF_F_INGRESS), so the kernel processes it with
 * skb->dev and skb_iif = the real port: rp_filter, ICMP source selection, neighbour resolution and
 * forwarding behave as if the frame had never left the kernel.
 *
 * punt_targets maps the TAP's ifindex to the real port's ifindex (one program serves every TAP of
 * a namespace). A TAP without an entry (being set up or torn down) drops: nothing the kernel would
 * see on the TAP itself is meant for it.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __u32);   /* TAP ifindex */
	__type(value, __u32); /* real port ifindex */
} punt_targets SEC(".maps");

SEC("tc")
int punt_redirect(struct __sk_buff *skb)
{
	__u32 tap = skb->ifindex;
	__u32 *target = bpf_map_lookup_elem(&punt_targets, &tap);

	if (!target)
		return TC_ACT_SHOT;
	return bpf_redirect(*target, BPF_F_INGRESS);
}

char LICENSE[] SEC("license") = "GPL";
