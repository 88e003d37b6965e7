package io.splitplane.kernel.netlink;

/** Receives what {@link RtnetlinkSubscription#poll} reads, on the polling thread. */
public interface RtnetlinkListener {
    /** One change notification. */
    void onEvent(RtnetlinkEvent event);

    /**
     * The receive buffer overflowed (ENOBUFS): notifications were lost, and anything mirrored from
     * them may be stale. Dump everything again on an {@link RtnetlinkSocket} and reconcile
     * (mark-and-sweep); the subscription itself keeps working and needs nothing.
     */
    void onResyncNeeded();
}
