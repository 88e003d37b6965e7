package io.splitplane.cni;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.splitplane.kernel.testing.Shell;
import io.splitplane.kernel.testing.TestNetwork;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The world one test hands devices around in, all removed on close: pool netdevs (the host end of a
 * veth whose other end sits in a "wire" namespace, the pod's link partner), pod namespaces, a bpffs
 * for the pins, and directories for the plugin's state and host-local's leases.
 */
final class PoolFixture implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    final TestNetwork net = new TestNetwork();
    final Path bpffs;
    final Path stateDir;
    final Path ipamDir;
    final String network;
    /** The /24 this fixture's pods get addresses from: 10.(subnet).0.0/24, gateway .1. */
    final int subnet;

    /** A pool netdev: {@code device} in the host, {@code peer} in namespace {@code wire}. */
    record Device(String device, String wire, String peer) {
    }

    PoolFixture() {
        bpffs = net.bpffs();
        stateDir = directory("st");
        ipamDir = directory("ip");
        network = net.uniqueName("net");
        subnet = 100 + (int) (Math.random() * 150);
    }

    Path directory(String role) {
        Path dir = Path.of("/run", net.uniqueName(role));
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        net.onClose(() -> deleteTree(dir));
        return dir;
    }

    Device device() {
        String wire = net.namespace("w");
        TestNetwork.Veth v = net.veth(null, wire);
        return new Device(v.a(), wire, v.b());
    }

    /** A pod namespace; returns its CNI_NETNS path. */
    String pod() {
        return "/run/netns/" + net.namespace("p");
    }

    static String nsName(String netnsPath) {
        return Path.of(netnsPath).getFileName().toString();
    }

    /** A network config for {@code device} with host-local IPAM and a UDP redirect rule. */
    ObjectNode config(String version, String device) {
        ObjectNode c = JSON.createObjectNode();
        c.put("cniVersion", version);
        c.put("name", network);
        c.put("type", "splitplane");
        if (device != null) {
            c.put("deviceID", device);
        }
        ObjectNode ipam = c.putObject("ipam");
        ipam.put("type", "host-local");
        ipam.put("dataDir", ipamDir.toString());
        ObjectNode range = ipam.putArray("ranges").addArray().addObject();
        range.put("subnet", "10." + subnet + ".0.0/24");
        range.put("gateway", "10." + subnet + ".0.1");
        range.put("rangeStart", "10." + subnet + ".0.10");
        ipam.putArray("routes").addObject().put("dst", "10." + (subnet + 1) + ".0.0/16");
        c.put("mtu", 1400);
        c.put("xdpAttach", "native");
        c.put("bpffsRoot", bpffs.toString());
        c.put("stateDir", stateDir.toString());
        ObjectNode rule = c.putObject("classifier").putArray("rules").addObject();
        rule.put("name", "app");
        rule.put("action", "redirect");
        rule.put("protocol", "udp");
        rule.put("dstPorts", "4789");
        return c;
    }

    /** The addresses host-local holds (its lease files are named after them). */
    List<String> leases() {
        Path dir = ipamDir.resolve(network);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.matches("[0-9.]+|[0-9a-f:]+")).sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Everything under the pin root in the pool devices' directories (the kernel's own
     * {@code *.debug} iterators and iproute2's {@code ip}/{@code tc}/{@code xdp} are not ours).
     */
    List<String> pins() {
        List<String> all = new ArrayList<>();
        try (Stream<Path> files = Files.walk(bpffs)) {
            files.filter(p -> !p.equals(bpffs)).map(p -> bpffs.relativize(p).toString())
                    .filter(n -> n.startsWith(TestNetwork.PREFIX)).forEach(all::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return all;
    }

    /** The attachments the plugin has on record. */
    List<String> states() {
        Path dir = stateDir.resolve("attachments");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code ip -j -d link show dev} in a namespace (null = host), or null if there is no such link. */
    static JsonNode link(String ns, String name) {
        Shell.Result r = ns == null ? Shell.exec("ip", "-j", "-d", "link", "show", "dev", name)
                : Shell.execIn(ns, "ip", "-j", "-d", "link", "show", "dev", name);
        if (r.exitCode() != 0) {
            return null;
        }
        try {
            return JSON.readTree(r.stdout()).get(0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Asserts that {@code d} is back in the host as ADD found it: name, up, MTU 1500, no XDP, no alias. */
    void assertHome(Device d) {
        JsonNode l = link(null, d.device());
        if (l == null) {
            throw new AssertionError(d.device() + " is not in the host namespace");
        }
        if (!l.path("flags").toString().contains("\"UP\"")) {
            throw new AssertionError(d.device() + " is not up again: " + l);
        }
        if (l.path("mtu").asInt() != 1500) {
            throw new AssertionError(d.device() + " has MTU " + l.path("mtu") + ", not 1500 as before");
        }
        if (l.has("xdp")) {
            throw new AssertionError(d.device() + " still has an XDP program: " + l.get("xdp"));
        }
        if (l.has("ifalias")) {
            throw new AssertionError(d.device() + " still has an alias: " + l.get("ifalias"));
        }
    }

    @Override
    public void close() {
        net.close();
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
