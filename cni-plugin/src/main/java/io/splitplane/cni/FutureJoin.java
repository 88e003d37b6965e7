package io.splitplane.cni;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/** Joins the steps ADD and DEL run on threads of their own, with their failures as they were thrown there. */
public final class FutureJoin {
    private FutureJoin() {
    }

    /** The step's result; its RuntimeException or Error is thrown as is, not wrapped. */
    public static <T> T join(CompletableFuture<T> step) {
        try {
            return step.join();
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
}
