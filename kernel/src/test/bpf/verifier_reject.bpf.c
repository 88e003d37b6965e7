// SPDX-License-Identifier: GPL-2.0
/*
 * Deliberately broken for the libbpf binding tests: compiles fine, but reads packet data without a
 * bounds check, which the verifier rejects ("invalid access to packet").
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int unchecked_read(struct xdp_md *ctx)
{
	unsigned char *data = (unsigned char *)(long)ctx->data;

	return data[12] == 0x08 ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
