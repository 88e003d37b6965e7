package io.splitplane.deviceplugin.kubelet;

import io.grpc.BindableService;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollIoHandler;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * gRPC over unix sockets, the kubelet's transport: a server bound to a socket file (Netty epoll,
 * one event loop thread; calls run on gRPC's default executor, never on the event loop) and a
 * client channel to one.
 */
public final class UdsGrpc {
    // grpc-netty asks every child channel for SO_KEEPALIVE, which unix sockets do not have; Netty
    // warns about it once per connection. Held here so the level is not lost with the logger.
    private static final java.util.logging.Logger BOOTSTRAP_LOG = quietBootstrapLog();

    private UdsGrpc() {
    }

    private static java.util.logging.Logger quietBootstrapLog() {
        java.util.logging.Logger log = java.util.logging.Logger.getLogger(
                "io.grpc.netty.shaded.io.netty.bootstrap.AbstractBootstrap");
        log.setLevel(java.util.logging.Level.SEVERE);
        return log;
    }

    /** A started server; {@link #stop} it. */
    public record Running(Server server, EventLoopGroup loop, Path socket) {
        public void stop() {
            server.shutdownNow();
            try {
                server.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    public static Running serve(Path socket, BindableService... services) {
        BOOTSTRAP_LOG.getLevel(); // initialised before the first server
        EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        NettyServerBuilder builder = NettyServerBuilder.forAddress(new DomainSocketAddress(socket.toString()))
                .channelType(EpollServerDomainSocketChannel.class).bossEventLoopGroup(loop).workerEventLoopGroup(loop);
        for (BindableService s : services) {
            builder.addService(s);
        }
        try {
            return new Running(builder.build().start(), loop, socket);
        } catch (IOException e) {
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw new UncheckedIOException("cannot serve gRPC on " + socket, e);
        }
    }

    /** A plaintext channel to the socket; the kubelet's authority is {@code localhost}. */
    public static ManagedChannel channel(Path socket) {
        return Grpc.newChannelBuilder("unix:" + socket, InsecureChannelCredentials.create())
                .overrideAuthority("localhost").build();
    }

    public static void close(ManagedChannel channel) {
        channel.shutdownNow();
        try {
            channel.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
