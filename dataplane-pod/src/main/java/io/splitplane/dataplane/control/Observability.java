package io.splitplane.dataplane.control;

import io.splitplane.api.dataplane.ControlConfig;
import io.splitplane.dataplane.Dataplane;
import io.splitplane.dataplane.metrics.MetricsEndpoint;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A dataplane's way to be looked at: its command registry (always there, so in-process callers and
 * later parts can run and add commands), the control socket, and the metrics endpoint when configured.
 */
public final class Observability implements AutoCloseable {
    private final CommandRegistry commands;
    private final ControlServer control;
    private final MetricsEndpoint metrics;

    private Observability(CommandRegistry commands, ControlServer control, MetricsEndpoint metrics) {
        this.commands = commands;
        this.control = control;
        this.metrics = metrics;
    }

    /** Registers the built-in commands and starts what {@code config} asks for (null: nothing served). */
    public static Observability start(Dataplane dataplane, ControlConfig config) {
        CommandRegistry commands = new CommandRegistry();
        DataplaneCommands.register(commands, dataplane);
        if (config == null) {
            return new Observability(commands, null, null);
        }
        ControlServer control = ControlServer.start(Path.of(config.socketPath(dataplane.config().name())), commands);
        MetricsEndpoint metrics = null;
        try {
            if (config.metrics() != null) {
                metrics = MetricsEndpoint.start(dataplane, config.metricsHost(), config.metricsPort());
            }
        } catch (RuntimeException e) {
            control.close();
            throw e;
        }
        return new Observability(commands, control, metrics);
    }

    public CommandRegistry commands() {
        return commands;
    }

    /** The control socket's path, when one is served. */
    public Optional<Path> controlSocket() {
        return Optional.ofNullable(control).map(ControlServer::path);
    }

    /** The metrics endpoint's port, when one is served. */
    public Optional<Integer> metricsPort() {
        return Optional.ofNullable(metrics).map(MetricsEndpoint::port);
    }

    @Override
    public void close() {
        if (metrics != null) {
            metrics.close();
        }
        if (control != null) {
            control.close();
        }
    }
}
