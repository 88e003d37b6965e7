package io.splitplane.cni.ipam;

import io.splitplane.cni.FutureJoin;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * One exec of the IPAM delegate running on a thread of its own, while the call moves the device
 * (ADD) or brings it home (DEL): the delegate needs neither the netdev nor the pod's namespace, only
 * its config and the call's variables, and its exec (a process start, its own file lock, its answer)
 * would otherwise add to the kernel's namespace move and XDP attach instead of hiding behind them.
 * The thread starts in the calling thread's network namespace (the host's) and inherits its log.
 *
 * @param <T> what the delegate's answer becomes
 */
public final class IpamCall<T> {
    private final CompletableFuture<T> answer = new CompletableFuture<>();

    private IpamCall(String name, Supplier<T> call) {
        Thread.ofPlatform().name(name).daemon(true).start(() -> {
            try {
                answer.complete(call.get());
            } catch (Throwable t) {
                answer.completeExceptionally(t);
            }
        });
    }

    /** Starts {@code call} (an {@link IpamDelegate} method) now. */
    public static <T> IpamCall<T> start(String name, Supplier<T> call) {
        return new IpamCall<>(name, call);
    }

    /** Waits for the delegate's answer; its failure is thrown here as it was thrown on its thread. */
    public T join() {
        return FutureJoin.join(answer);
    }

    /**
     * Waits for the delegate to finish, whatever it answered: a rollback must not release a lease
     * while the ADD that takes it is still running.
     */
    public void awaitQuietly() {
        try {
            join();
        } catch (RuntimeException | Error e) {
            // the caller's rollback releases whatever it may hold either way
        }
    }
}
