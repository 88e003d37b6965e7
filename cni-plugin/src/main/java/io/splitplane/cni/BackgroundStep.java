package io.splitplane.cni;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * A step of ADD or DEL running on a thread of its own while the call goes on: the classifier's load
 * or its claim with rules (which wait for the verifier or an RCU grace period), the IPAM delegate's
 * exec. None of them needs the netdev or the pod's namespace, so they hide behind the kernel's
 * namespace move and XDP attach instead of adding to them. The thread starts in the calling thread's
 * network namespace (the host's) and inherits its log.
 *
 * @param <T> the step's result
 */
final class BackgroundStep<T> {
    private final CompletableFuture<T> result = new CompletableFuture<>();

    private BackgroundStep(String name, Supplier<T> step) {
        Thread.ofPlatform().name(name).daemon(true).start(() -> {
            try {
                result.complete(step.get());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
    }

    /** Starts {@code step} now, on a thread called {@code name}. */
    static <T> BackgroundStep<T> start(String name, Supplier<T> step) {
        return new BackgroundStep<>(name, step);
    }

    /** Waits for the result; the step's failure is thrown here as it was thrown on its thread. */
    T join() {
        try {
            return result.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw e;
        }
    }

    /**
     * Waits for the step to end, whatever its result: a rollback must not, for example, release a lease
     * while the IPAM ADD that takes it is still running.
     */
    void awaitQuietly() {
        try {
            join();
        } catch (RuntimeException | Error e) {
            // the caller's rollback undoes whatever the step may have left either way
        }
    }
}
