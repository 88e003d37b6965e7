// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * The baseline of ClassifierCostBenchmark: an XDP program that does nothing but pass. What the
 * classifier costs is its time per packet minus this program's, measured in the same run.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("xdp")
int bare_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}
