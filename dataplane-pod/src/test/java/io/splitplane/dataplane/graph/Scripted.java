package io.splitplane.dataplane.graph;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;

/** Test nodes driven by lambdas, recording every call in a shared log. */
final class Scripted {
    private Scripted() {
    }

    /** One call of a node: which node, which vector object, which packets (by address). */
    record Call(String node, PacketVector vector, long[] addrs) {
        @Override
        public String toString() {
            return node + Arrays.toString(addrs);
        }
    }

    /** Decides where packets go: fills nexts and/or returns an edge, PER_PACKET or CONSUMED. */
    @FunctionalInterface
    interface Router {
        int route(PacketVector v, int[] nexts);

        static Router all(int edge) {
            return (v, nexts) -> edge;
        }

        /** Per-packet: edge = f(addr). */
        static Router each(java.util.function.LongToIntFunction edgeOf) {
            return (v, nexts) -> {
                for (int i = 0; i < v.count(); i++) {
                    nexts[i] = edgeOf.applyAsInt(v.addr[i]);
                }
                return Node.PER_PACKET;
            };
        }
    }

    static long[] addrs(PacketVector v) {
        return Arrays.copyOf(v.addr, v.count());
    }

    /** An internal node that logs and routes. */
    static final class Hop extends Node {
        final List<Call> log;
        final Router router;

        Hop(String name, List<String> next, List<Call> log, Router router) {
            super(name, next);
            this.log = log;
            this.router = router;
        }

        @Override
        protected int process(PacketVector v, int[] nexts) {
            log.add(new Call(name(), v, addrs(v)));
            return router.route(v, nexts);
        }
    }

    /** An input node emitting scripted batches of addresses (port index -1: no owner). */
    static final class Source extends InputNode {
        final Deque<long[]> batches = new ArrayDeque<>();
        final List<Call> log;
        final Router router;
        int port = -1;

        Source(String name, List<String> next, List<Call> log, Router router) {
            super(name, next);
            this.log = log;
            this.router = router;
        }

        /** Queues a batch of {@code n} packets with addresses first, first+1, ... */
        Source batch(long first, int n) {
            long[] b = new long[n];
            for (int i = 0; i < n; i++) {
                b[i] = first + i;
            }
            batches.add(b);
            return this;
        }

        @Override
        protected int poll(PacketVector out, int max, int[] nexts) {
            long[] b = batches.peek();
            if (b == null) {
                return DROP;
            }
            int n = Math.min(max, b.length);
            for (int i = 0; i < n; i++) {
                out.add(b[i], 64, port);
            }
            batches.poll();
            if (n < b.length) {
                batches.addFirst(Arrays.copyOfRange(b, n, b.length));
            }
            log.add(new Call(name(), out, addrs(out)));
            return router.route(out, nexts);
        }
    }
}
