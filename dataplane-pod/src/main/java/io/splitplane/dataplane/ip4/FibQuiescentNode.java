package io.splitplane.dataplane.ip4;

import io.splitplane.dataplane.fib.Quiescence;
import io.splitplane.dataplane.graph.InputNode;
import io.splitplane.dataplane.graph.PacketVector;
import java.util.List;
import java.util.Objects;

/**
 * {@code fib-quiescent}: an input node that receives nothing and, polled first in every dispatch
 * loop, reports the worker's quiescent point to the forwarding tables' {@link Quiescence}: at that
 * moment the worker holds no pointer into the FIB (the previous loop's vectors are all done), so tbl8
 * groups and pools the control thread retired before can be reclaimed once every worker has passed
 * here. One acquire load and one release store per loop.
 *
 * <p>Register it before the port-rx nodes.
 */
public final class FibQuiescentNode extends InputNode {
    public static final String NAME = "fib-quiescent";

    private final Quiescence.Reader reader;

    /** @param reader this worker's reader, registered for this graph's thread */
    public FibQuiescentNode(final Quiescence.Reader reader) {
        super(NAME, List.of(DROP_NODE));
        this.reader = Objects.requireNonNull(reader, "reader");
    }

    @Override
    protected int poll(final PacketVector out, final int max, final int[] nexts) {
        reader.quiescent();
        return DROP;
    }
}
