package io.splitplane.cni;

import java.lang.System.Logger.Level;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The undo of every step taken so far: each kernel or IPAM change registers its undo right after it
 * succeeded, and a failure runs them newest first. An undo that fails is logged and attached to the
 * original failure, and the remaining undos still run.
 */
final class Rollback {
    private static final System.Logger LOG = System.getLogger(Rollback.class.getName());

    private record Step(String what, Runnable undo) {
    }

    private final Deque<Step> steps = new ArrayDeque<>();

    /** Registers the undo of a step that just succeeded. */
    void register(String what, Runnable undo) {
        steps.push(new Step(what, undo));
    }

    /** Runs every registered undo, newest first, after {@code cause} stopped the call. */
    void undo(Throwable cause) {
        while (!steps.isEmpty()) {
            Step s = steps.pop();
            try {
                s.undo().run();
                LOG.log(Level.DEBUG, () -> "rolled back: " + s.what());
            } catch (RuntimeException | Error e) {
                LOG.log(Level.ERROR, "rollback step failed: " + s.what(), e);
                cause.addSuppressed(e);
            }
        }
    }

    /** The call succeeded: nothing is undone. */
    void commit() {
        steps.clear();
    }
}
