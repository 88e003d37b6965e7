package io.splitplane.api.dataplane;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.splitplane.api.InvalidConfigException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The dataplane's configuration file (JSON or YAML): ports, packet memory, workers, static routes
 * and neighbours. Every field is checked where it is read, and the references between fields here;
 * every error names the field by its path ({@code routes[2].port: unknown port 'eth9' (ports: [eth0,
 * eth1])}).
 *
 * <pre>{@code
 * {
 *   "name": "r1",
 *   "ports": [
 *     {"name": "left",  "netdev": "eth1", "queues": [0], "mode": "copy",
 *      "classifier": {"rules": [{"name": "udp", "action": "redirect", "protocol": "udp"}]}},
 *     {"name": "right", "netdev": "eth2", "mode": "copy", "classifier": {"rules": [...]}}
 *   ],
 *   "umem": {"frames": 8192, "frameSize": 2048, "ringSize": 2048},
 *   "workers": [{"cpus": [1], "ports": ["left", "right"]}],
 *   "routes": [
 *     {"prefix": "10.2.0.0/16", "via": "10.0.2.2", "port": "right"},
 *     {"prefix": "10.9.0.0/16", "via": ["10.0.2.2", "10.0.2.3"], "port": "right"},
 *     {"prefix": "192.0.2.0/24", "type": "blackhole"}
 *   ],
 *   "neighbours": [{"ip": "10.0.2.2", "mac": "02:00:00:00:02:02", "port": "right"}]
 * }
 * }</pre>
 *
 * @param name       the dataplane's name (worker threads are {@code graph-<name>-<i>}); default
 *                   {@code "dataplane"}
 * @param ports      at least one; names and netdevs unique
 * @param umem       packet memory per worker; default {@link UmemConfig#defaults()}
 * @param workers    worker threads; default one worker, unpinned, with every port. Every port in
 *                   exactly one worker
 * @param routes     static routes; prefixes unique; ports must exist
 * @param neighbours static neighbours; ports must exist; (port, ip) unique
 * @param mirror     what to mirror into the tables, e.g. {@code {"kernel": true}} (the netlink agent);
 *                   default: nothing. With the kernel mirrored, static routes and neighbours are errors
 * @param control    control socket and metrics endpoint, e.g. {@code {"metrics": "127.0.0.1:9464"}};
 *                   default: none
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DataplaneConfig(String name, List<PortConfig> ports, UmemConfig umem, List<WorkerConfig> workers,
                              List<RouteConfig> routes, List<NeighbourConfig> neighbours, MirrorConfig mirror,
                              ControlConfig control) {
    public DataplaneConfig {
        if (name == null) {
            name = "dataplane";
        }
        if (name.isEmpty() || name.length() > 32 || !name.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
            throw InvalidConfigException.field("name", "must be 1-32 letters, digits, '.', '-' or '_', was '" + name
                    + "'");
        }
        if (ports == null || ports.isEmpty()) {
            throw InvalidConfigException.field("ports", "must list at least one port");
        }
        Map<String, Integer> names = new HashMap<>();
        Map<String, Integer> netdevs = new HashMap<>();
        for (int i = 0; i < ports.size(); i++) {
            PortConfig p = ports.get(i);
            if (p == null) {
                throw InvalidConfigException.field("ports[" + i + "]", "must not be null");
            }
            Integer first = names.putIfAbsent(p.name(), i);
            if (first != null) {
                throw InvalidConfigException.field("ports[" + i + "].name", "duplicate port name '" + p.name()
                        + "' (ports[" + first + "] has it too)");
            }
            first = netdevs.putIfAbsent(p.netdev(), i);
            if (first != null) {
                throw InvalidConfigException.field("ports[" + i + "].netdev", "netdev '" + p.netdev()
                        + "' is used by ports[" + first + "] already");
            }
        }
        ports = List.copyOf(ports);
        List<String> known = ports.stream().map(PortConfig::name).toList();
        if (umem == null) {
            umem = UmemConfig.defaults();
        }
        if (workers == null) {
            workers = List.of(new WorkerConfig(null, known));
        }
        if (workers.isEmpty()) {
            throw InvalidConfigException.field("workers", "must not be empty; leave it out for one worker");
        }
        Map<String, Integer> workerOf = new HashMap<>();
        for (int w = 0; w < workers.size(); w++) {
            WorkerConfig wc = workers.get(w);
            if (wc == null) {
                throw InvalidConfigException.field("workers[" + w + "]", "must not be null");
            }
            for (int i = 0; i < wc.ports().size(); i++) {
                String p = wc.ports().get(i);
                String at = "workers[" + w + "].ports[" + i + "]";
                requirePort(at, p, names, known);
                Integer other = workerOf.putIfAbsent(p, w);
                if (other != null) {
                    throw InvalidConfigException.field(at, "port '" + p + "' is run by workers[" + other
                            + "] already; a port belongs to one worker");
                }
            }
        }
        for (String p : known) {
            if (!workerOf.containsKey(p)) {
                throw InvalidConfigException.field("workers", "port '" + p + "' is in no worker; list it in one");
            }
        }
        workers = List.copyOf(workers);
        routes = routes == null ? List.of() : routes;
        Map<String, Integer> prefixes = new HashMap<>();
        for (int r = 0; r < routes.size(); r++) {
            RouteConfig rc = routes.get(r);
            if (rc == null) {
                throw InvalidConfigException.field("routes[" + r + "]", "must not be null");
            }
            Integer first = prefixes.putIfAbsent(rc.prefix(), r);
            if (first != null) {
                throw InvalidConfigException.field("routes[" + r + "].prefix", "duplicate route for " + rc.prefix()
                        + " (routes[" + first + "] has it too)");
            }
            if (rc.nextHops() != null) {
                for (int i = 0; i < rc.nextHops().size(); i++) {
                    requirePort("routes[" + r + "].nextHops[" + i + "].port", rc.nextHops().get(i).port(), names,
                            known);
                }
            } else if (rc.port() != null) {
                requirePort("routes[" + r + "].port", rc.port(), names, known);
            }
        }
        routes = List.copyOf(routes);
        neighbours = neighbours == null ? List.of() : neighbours;
        Map<String, Integer> neighbourKeys = new HashMap<>();
        for (int n = 0; n < neighbours.size(); n++) {
            NeighbourConfig nc = neighbours.get(n);
            if (nc == null) {
                throw InvalidConfigException.field("neighbours[" + n + "]", "must not be null");
            }
            requirePort("neighbours[" + n + "].port", nc.port(), names, known);
            Integer first = neighbourKeys.putIfAbsent(nc.port() + "/" + nc.ip(), n);
            if (first != null) {
                throw InvalidConfigException.field("neighbours[" + n + "].ip", "neighbour " + nc.ip() + " on port '"
                        + nc.port() + "' is listed twice (neighbours[" + first + "] has it too)");
            }
        }
        neighbours = List.copyOf(neighbours);
        if (mirror == null) {
            mirror = new MirrorConfig(false, null);
        }
        if (mirror.mirrorsKernel() && !routes.isEmpty()) {
            throw InvalidConfigException.field("routes", "must be empty with mirror.kernel: the kernel's routes are"
                    + " mirrored; add static routes to the kernel (ip route) instead");
        }
        if (mirror.mirrorsKernel() && !neighbours.isEmpty()) {
            throw InvalidConfigException.field("neighbours", "must be empty with mirror.kernel: the kernel's"
                    + " neighbours are mirrored; add them with ip neigh instead");
        }
    }

    private static void requirePort(String field, String port, Map<String, Integer> names, List<String> known) {
        if (!names.containsKey(port)) {
            throw InvalidConfigException.field(field, "unknown port '" + port + "' (ports: " + known + ")");
        }
    }

    /** Index of port {@code name} in {@link #ports()} (its dataplane port id), or -1. */
    public int portIndex(String portName) {
        for (int i = 0; i < ports.size(); i++) {
            if (ports.get(i).name().equals(portName)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Checks what depends on the machine: every worker CPU below {@code cpuCount}.
     *
     * @param source for the error message (the config file)
     * @throws InvalidConfigException naming the CPU's path
     */
    public void checkMachine(int cpuCount, String source) {
        for (int w = 0; w < workers.size(); w++) {
            List<Integer> cpus = workers.get(w).cpus();
            if (cpus == null) {
                continue;
            }
            for (int i = 0; i < cpus.size(); i++) {
                if (cpus.get(i) >= cpuCount) {
                    throw new InvalidConfigException(source, "workers[" + w + "].cpus[" + i + "]", "CPU " + cpus.get(i)
                            + " does not exist: this machine has CPUs 0-" + (cpuCount - 1));
                }
            }
        }
    }

    /** The ports of worker {@code w}, as indices into {@link #ports()}. */
    public List<Integer> workerPorts(int w) {
        List<Integer> out = new ArrayList<>();
        for (String p : workers.get(w).ports()) {
            out.add(portIndex(p));
        }
        return out;
    }
}
