package io.splitplane.api.dataplane;

import io.splitplane.api.InvalidConfigException;

/**
 * The dataplane's observability endpoints: the control socket {@code splitplanectl} talks to, and the
 * Prometheus metrics endpoint.
 *
 * <pre>{@code "control": {"socket": "/run/splitplane/r1.sock", "metrics": "127.0.0.1:9464"}}</pre>
 *
 * @param socket  path of the unix control socket; absent means {@code /run/splitplane/<name>.sock}
 * @param metrics {@code host:port} the metrics endpoint listens on ({@code GET /metrics}); absent means
 *                no endpoint. Port 0 picks a free port (tests).
 */
public record ControlConfig(String socket, String metrics) {
    /** Where control sockets live unless configured otherwise. */
    public static final String DEFAULT_SOCKET_DIRECTORY = "/run/splitplane";

    public ControlConfig {
        if (socket != null && (socket.isEmpty() || !socket.startsWith("/") || socket.length() > 107)) {
            throw InvalidConfigException.field("socket", "must be an absolute path of at most 107 characters, was '"
                    + socket + "'");
        }
        if (metrics != null) {
            int colon = metrics.lastIndexOf(':');
            if (colon <= 0 || colon == metrics.length() - 1) {
                throw InvalidConfigException.field("metrics", "must be host:port, was '" + metrics + "'");
            }
            int port;
            try {
                port = Integer.parseInt(metrics.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw InvalidConfigException.field("metrics", "port must be a number, was '" + metrics + "'");
            }
            if (port < 0 || port > 65535) {
                throw InvalidConfigException.field("metrics", "port must be 0-65535, was " + port);
            }
        }
    }

    /** The control socket of dataplane {@code name}. */
    public String socketPath(String name) {
        return socket != null ? socket : DEFAULT_SOCKET_DIRECTORY + "/" + name + ".sock";
    }

    /** The metrics host, or null when there is no endpoint. */
    public String metricsHost() {
        return metrics == null ? null : metrics.substring(0, metrics.lastIndexOf(':'));
    }

    /** The metrics port, or -1 when there is no endpoint. */
    public int metricsPort() {
        return metrics == null ? -1 : Integer.parseInt(metrics.substring(metrics.lastIndexOf(':') + 1));
    }
}
