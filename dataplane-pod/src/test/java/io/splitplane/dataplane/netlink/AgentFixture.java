package io.splitplane.dataplane.netlink;

import static org.awaitility.Awaitility.await;

import io.splitplane.dataplane.fib.EcmpGroupTable;
import io.splitplane.dataplane.fib.FibResult;
import io.splitplane.dataplane.fib.FibRoute;
import io.splitplane.dataplane.fib.Ip4;
import io.splitplane.dataplane.fib.NextHop;
import io.splitplane.dataplane.ip4.Ip4Tables;
import io.splitplane.kernel.netlink.AddressFamily;
import io.splitplane.kernel.netlink.Route;
import io.splitplane.kernel.netlink.RtnetlinkSocket;
import io.splitplane.kernel.netns.NetNamespace;
import io.splitplane.kernel.testing.Shell;
import io.splitplane.kernel.testing.TestNetwork;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * A namespace with two owned veths ({@code a} = port 0 with 10.1.0.1/24, {@code b} = port 1 with
 * 10.2.0.1/24; their peers are links the dataplane does not own), tables, and an agent following the
 * namespace. Everything is removed on close, also after a failure.
 */
final class AgentFixture implements AutoCloseable {
    final TestNetwork network = new TestNetwork();
    final String ns;
    final String a;
    final String b;
    final String pa;
    final NetNamespace handle;
    final Ip4Tables tables = new Ip4Tables(1);
    NetlinkAgent agent;

    AgentFixture() {
        NetNamespace opened = null;
        try {
            ns = network.namespace("ag");
            Shell.execIn(ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1").orThrow();
            a = network.uniqueName("a");
            b = network.uniqueName("b");
            pa = network.uniqueName("pa");
            String pb = network.uniqueName("pb");
            ip("link", "add", a, "type", "veth", "peer", "name", pa);
            ip("link", "add", b, "type", "veth", "peer", "name", pb);
            for (String l : List.of(a, b, pa, pb)) {
                ip("link", "set", "dev", l, "up");
            }
            ip("addr", "add", "10.1.0.1/24", "dev", a);
            ip("addr", "add", "10.2.0.1/24", "dev", b);
            opened = NetNamespace.open(ns);
            handle = opened;
        } catch (RuntimeException e) {
            if (opened != null) {
                opened.close();
            }
            tables.close();
            network.close();
            throw e;
        }
    }

    /** Starts the agent with the default receive buffer, or {@code receiveBufferBytes}. */
    NetlinkAgent start(int receiveBufferBytes) {
        agent = NetlinkAgent.start("t", tables, Map.of(a, 0, b, 1), handle, receiveBufferBytes);
        return agent;
    }

    String ip(String... args) {
        return Shell.ipIn(ns, args);
    }

    int fib(String prefix) {
        String[] p = prefix.split("/");
        synchronized (tables) {
            return tables.fib().route(Ip4.parse(p[0]), Integer.parseInt(p[1]));
        }
    }

    /** The FIB entry of {@code prefix} described: "via 10.1.0.2 port 0", "connected port 1", "local 0", "ecmp[...]", kinds. */
    String describe(String prefix) {
        synchronized (tables) {
            return describeTarget(fib(prefix));
        }
    }

    String describeTarget(int target) {
        int id = FibResult.id(target);
        return switch (FibResult.kind(target)) {
            case FibResult.KIND_NEXT_HOP -> nextHop(id);
            case FibResult.KIND_GROUP -> {
                List<String> members = new ArrayList<>();
                for (EcmpGroupTable.Member m : tables.groups().members(id).orElseThrow()) {
                    members.add(nextHop(m.nextHopId()) + " w" + m.weight());
                }
                members.sort(null);
                yield "ecmp" + members;
            }
            case FibResult.KIND_LOCAL -> "local " + id;
            default -> FibResult.kindName(FibResult.kind(target));
        };
    }

    private String nextHop(int id) {
        NextHop nh = tables.nextHops().get(id).orElseThrow();
        return switch (nh.type()) {
            case GATEWAY -> "via " + Ip4.toString(nh.gateway()) + " port " + nh.port();
            case CONNECTED -> "connected port " + nh.port();
            case DROP -> "drop";
        };
    }

    /** Waits (up to 5 s) until {@code prefix} is described as {@code expected}. */
    void awaitFib(String prefix, String expected) {
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(5))
                .until(() -> describeOrNone(prefix), expected::equals);
    }

    String describeOrNone(String prefix) {
        int t = fib(prefix);
        return t == FibResult.NO_ROUTE ? "none" : describe(prefix);
    }

    void awaitTrue(Supplier<Boolean> condition) {
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10)).until(condition::get);
    }

    /** The FIB's prefixes, sorted. */
    TreeSet<String> fibPrefixes() {
        synchronized (tables) {
            TreeSet<String> out = new TreeSet<>();
            for (FibRoute r : tables.fib().routes()) {
                out.add(r.prefixString());
            }
            return out;
        }
    }

    /**
     * What the FIB must hold when it equals the kernel: every main-table IPv4 route, plus each
     * address as a /32 and each subnet broadcast of an owned link's address.
     */
    TreeSet<String> kernelPrefixes() {
        TreeSet<String> out = new TreeSet<>();
        try (RtnetlinkSocket s = RtnetlinkSocket.open(handle)) {
            for (Route r : s.routes(AddressFamily.INET, Route.TABLE_MAIN)) {
                out.add(r.prefix());
            }
            int ia = s.ifindex(a);
            int ib = s.ifindex(b);
            s.addresses(AddressFamily.INET).forEach(addr -> {
                out.add(addr.address().getHostAddress() + "/32");
                if ((addr.ifindex() == ia || addr.ifindex() == ib) && addr.prefixLength() < 31) {
                    int ip = Ip4.of(addr.address());
                    out.add(Ip4.toString(ip | (int) (0xFFFF_FFFFL >>> addr.prefixLength())) + "/32");
                }
            });
        }
        return out;
    }

    static List<String> words(String s) {
        return Arrays.asList(s.split(" "));
    }

    @Override
    public void close() {
        try {
            if (agent != null) {
                agent.close();
            }
        } finally {
            tables.close();
            handle.close();
            network.close();
        }
    }
}
