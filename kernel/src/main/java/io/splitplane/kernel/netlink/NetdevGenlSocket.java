package io.splitplane.kernel.netlink;

import io.splitplane.kernel.netns.NetNamespace;
import java.lang.foreign.Arena;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The kernel's {@code netdev} generic netlink family (Linux 6.13+ for NAPI settings): reads a
 * netdev's NAPI instances and sets their interrupt deferral. This is how a process inside a network
 * namespace tunes busy polling for its netdevs: {@code /sys/class/net/<dev>/napi_defer_hard_irqs}
 * shows the namespace that mounted {@code /sys}, not the caller's.
 *
 * <p>Thread-safe: requests are serialised on one socket.
 */
public final class NetdevGenlSocket extends NetlinkRequestSocket {
    static final String FAMILY_NAME = "netdev";
    static final int VERSION = 1;
    static final int CMD_NAPI_GET = 11;
    static final int CMD_NAPI_SET = 14;
    static final int A_NAPI_IFINDEX = 1;
    static final int A_NAPI_ID = 2;
    static final int A_NAPI_IRQ = 3;
    static final int A_NAPI_PID = 4;
    static final int A_NAPI_DEFER_HARD_IRQS = 5;
    static final int A_NAPI_GRO_FLUSH_TIMEOUT = 6;
    static final int A_NAPI_IRQ_SUSPEND_TIMEOUT = 7;
    static final int A_NAPI_THREADED = 8;
    static final int A_NAPI_MAX = 8;
    private static final Duration REPLY_TIMEOUT = Duration.ofSeconds(10);
    private static final int REQUEST_BUFFER_BYTES = 512;

    private final int family;

    private NetdevGenlSocket(NetlinkSocket socket, int family) {
        super("netdev generic netlink socket", socket, REQUEST_BUFFER_BYTES, type -> requestName(type, family));
        this.family = family;
    }

    /**
     * Opens a socket in the calling thread's network namespace and resolves the family.
     *
     * @throws NetlinkException if this kernel has no {@code netdev} family (ENOENT: before 6.3)
     */
    public static NetdevGenlSocket open() {
        NetlinkSocket socket = NetlinkSocket.open("netdev generic netlink socket", Netlink.NETLINK_GENERIC,
                "NETLINK_GENERIC");
        try {
            socket.setReceiveTimeout(REPLY_TIMEOUT);
            socket.trySetOption(Netlink.SOL_NETLINK, Netlink.NETLINK_EXT_ACK, 1);
            socket.trySetOption(Netlink.SOL_NETLINK, Netlink.NETLINK_CAP_ACK, 1);
            return new NetdevGenlSocket(socket, resolveFamily(socket));
        } catch (RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** The family's dynamic id, from the generic netlink controller. */
    private static int resolveFamily(NetlinkSocket socket) {
        try (Arena arena = Arena.ofConfined()) {
            MessageWriter writer = new MessageWriter(arena.allocate(REQUEST_BUFFER_BYTES, 8));
            RequestExchange exchange = new RequestExchange(socket, type -> requestName(type, -1));
            GenericNetlink.begin(writer, GenericNetlink.GENL_ID_CTRL, 0, GenericNetlink.CTRL_CMD_GETFAMILY, 1);
            writer.attributeString(GenericNetlink.CTRL_ATTR_FAMILY_NAME, FAMILY_NAME);
            int id = exchange.get(writer, m -> m.attributes(GenericNetlink.HEADER_SIZE, GenericNetlink.CTRL_ATTR_MAX)
                    .u16(GenericNetlink.CTRL_ATTR_FAMILY_ID, -1), "family '" + FAMILY_NAME + "'");
            if (id < 0) {
                throw new IllegalStateException("the generic netlink controller named no id for family '"
                        + FAMILY_NAME + "'");
            }
            return id;
        }
    }

    /** Opens a socket inside {@code ns}. */
    public static NetdevGenlSocket open(NetNamespace ns) {
        Objects.requireNonNull(ns, "ns");
        return ns.call(NetdevGenlSocket::open);
    }

    private static String requestName(int type, int netdevFamily) {
        if (type == GenericNetlink.GENL_ID_CTRL) {
            return "CTRL_CMD_GETFAMILY";
        }
        return type == netdevFamily ? "netdev generic netlink request" : "generic netlink family " + type;
    }

    /** The NAPI instances of {@code ifindex}; empty if it has none (veth without XDP or GRO). */
    public List<Napi> napis(int ifindex) {
        requireIfindex(ifindex);
        return locked(() -> {
            GenericNetlink.begin(writer, family, Netlink.NLM_F_DUMP, CMD_NAPI_GET, VERSION);
            writer.attributeU32(A_NAPI_IFINDEX, ifindex);
            return exchange.dump(writer, NetdevGenlSocket::napi, "NAPI_GET ifindex=" + ifindex);
        });
    }

    private static Napi napi(NetlinkMessage m) {
        if (!m.hasPayload(GenericNetlink.HEADER_SIZE)) {
            return null;
        }
        Attributes a = m.attributes(GenericNetlink.HEADER_SIZE, A_NAPI_MAX);
        if (!a.has(A_NAPI_ID)) {
            return null;
        }
        return new Napi(a.u32(A_NAPI_ID, 0), a.u32(A_NAPI_IFINDEX, 0), a.u32(A_NAPI_IRQ, -1), a.u32(A_NAPI_PID, -1),
                a.u32(A_NAPI_DEFER_HARD_IRQS, 0), a.uint(A_NAPI_GRO_FLUSH_TIMEOUT, 0),
                a.uint(A_NAPI_IRQ_SUSPEND_TIMEOUT, 0), a.u32(A_NAPI_THREADED, -1));
    }

    /**
     * Sets a NAPI's interrupt deferral ({@code NETDEV_CMD_NAPI_SET}, needs CAP_NET_ADMIN).
     *
     * @param deferHardIrqs     0 .. 2^31-1
     * @param groFlushTimeoutNs 0 or more
     * @throws NetlinkException if the kernel refuses (e.g. ENOENT: no such NAPI, EOPNOTSUPP: older kernel)
     */
    public void configureNapi(int napiId, int deferHardIrqs, long groFlushTimeoutNs) {
        if (napiId <= 0) {
            throw new IllegalArgumentException("napiId=" + napiId + " must be positive");
        }
        if (deferHardIrqs < 0) {
            throw new IllegalArgumentException("deferHardIrqs=" + deferHardIrqs + " must not be negative");
        }
        if (groFlushTimeoutNs < 0) {
            throw new IllegalArgumentException("groFlushTimeoutNs=" + groFlushTimeoutNs + " must not be negative");
        }
        locked(() -> {
            GenericNetlink.begin(writer, family, 0, CMD_NAPI_SET, VERSION);
            writer.attributeU32(A_NAPI_ID, napiId);
            writer.attributeU32(A_NAPI_DEFER_HARD_IRQS, deferHardIrqs);
            writer.attributeU64(A_NAPI_GRO_FLUSH_TIMEOUT, groFlushTimeoutNs);
            exchange.execute(writer, "NAPI_SET napi=" + napiId + " defer_hard_irqs=" + deferHardIrqs
                    + " gro_flush_timeout=" + groFlushTimeoutNs);
            return null;
        });
    }

    /**
     * Moves a NAPI into or out of threaded mode ({@code NETDEV_A_NAPI_THREADED}, Linux 6.17+).
     *
     * @throws NetlinkException if the kernel refuses (e.g. EINVAL: the whole netdev is threaded and
     *                          only sysfs can change it on this kernel)
     */
    public void setNapiThreaded(int napiId, boolean threaded) {
        if (napiId <= 0) {
            throw new IllegalArgumentException("napiId=" + napiId + " must be positive");
        }
        locked(() -> {
            GenericNetlink.begin(writer, family, 0, CMD_NAPI_SET, VERSION);
            writer.attributeU32(A_NAPI_ID, napiId);
            writer.attributeU32(A_NAPI_THREADED, threaded ? 1 : 0);
            exchange.execute(writer, "NAPI_SET napi=" + napiId + " threaded=" + (threaded ? 1 : 0));
            return null;
        });
    }
}
