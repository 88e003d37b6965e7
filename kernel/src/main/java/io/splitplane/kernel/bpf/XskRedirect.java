package io.splitplane.kernel.bpf;

/**
 * The default AF_XDP steering program shipped in this jar ({@code src/main/bpf/xsk_redirect.bpf.c}):
 * a frame arriving on receive queue N goes to the AF_XDP socket stored at {@code xsks_map[N]}, every
 * other frame to the kernel stack; {@code xsk_verdicts} counts verdicts per CPU, indexed by
 * {@link XdpAction}.
 *
 * <p>Use: {@code open()}, optionally {@code map(XSKS_MAP).setMaxEntries(queues)}, {@code load()},
 * {@code program(PROGRAM).attachXdp(...)}, then store each socket's fd at its queue id.
 */
public final class XskRedirect {
    /** The object's resource name, next to this class. */
    public static final String RESOURCE = "xsk_redirect.bpf.o";
    public static final String PROGRAM = "xsk_redirect";
    /** BPF_MAP_TYPE_XSKMAP: u32 queue id to AF_XDP socket fd. */
    public static final String XSKS_MAP = "xsks_map";
    /** BPF_MAP_TYPE_PERCPU_ARRAY: u32 XDP action to u64 count. */
    public static final String VERDICTS_MAP = "xsk_verdicts";
    /** The XSKMAP's default size (XSK_REDIRECT_MAX_QUEUES in the C source). */
    public static final int MAX_QUEUES = 64;

    private XskRedirect() {
    }

    /** Opens (does not load) the program's object from the class path. */
    public static BpfObject open() {
        return BpfObject.openResource(XskRedirect.class, RESOURCE);
    }
}
