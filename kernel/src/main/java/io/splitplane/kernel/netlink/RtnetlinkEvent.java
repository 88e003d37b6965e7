package io.splitplane.kernel.netlink;

import java.util.Objects;

/**
 * A change notification from an {@link RtnetlinkSubscription}. Each event carries the full object,
 * so applying it is an idempotent upsert or delete by the object's key; replaying events after a
 * resync dump is therefore safe.
 *
 * <p>The kernel sends the "added"/"changed" kinds for creation and for every later change alike
 * (a replaced route is a {@link RouteAdded}); compare with what you hold to tell them apart.
 */
public sealed interface RtnetlinkEvent {

    /** RTM_NEWLINK: a link appeared or changed (flags, name, MTU, XDP, ...). */
    record LinkChanged(Link link) implements RtnetlinkEvent {
        public LinkChanged {
            Objects.requireNonNull(link, "link");
        }
    }

    /** RTM_DELLINK: a link was deleted, or moved to another namespace. */
    record LinkRemoved(Link link) implements RtnetlinkEvent {
        public LinkRemoved {
            Objects.requireNonNull(link, "link");
        }
    }

    /** RTM_NEWADDR. */
    record AddressAdded(Address address) implements RtnetlinkEvent {
        public AddressAdded {
            Objects.requireNonNull(address, "address");
        }
    }

    /** RTM_DELADDR. */
    record AddressRemoved(Address address) implements RtnetlinkEvent {
        public AddressRemoved {
            Objects.requireNonNull(address, "address");
        }
    }

    /** RTM_NEWROUTE: added or replaced. */
    record RouteAdded(Route route) implements RtnetlinkEvent {
        public RouteAdded {
            Objects.requireNonNull(route, "route");
        }
    }

    /** RTM_DELROUTE. */
    record RouteRemoved(Route route) implements RtnetlinkEvent {
        public RouteRemoved {
            Objects.requireNonNull(route, "route");
        }
    }

    /** RTM_NEWNEXTHOP: added or replaced. */
    record NexthopAdded(Nexthop nexthop) implements RtnetlinkEvent {
        public NexthopAdded {
            Objects.requireNonNull(nexthop, "nexthop");
        }
    }

    /**
     * RTM_DELNEXTHOP. The kernel also deletes the routes using the object, but sends no
     * RTM_DELROUTE for them: drop them from a mirror here.
     */
    record NexthopRemoved(Nexthop nexthop) implements RtnetlinkEvent {
        public NexthopRemoved {
            Objects.requireNonNull(nexthop, "nexthop");
        }
    }

    /** RTM_NEWNEIGH: a new entry or a state change; see {@link Neighbour#isUsable()}. */
    record NeighbourChanged(Neighbour neighbour) implements RtnetlinkEvent {
        public NeighbourChanged {
            Objects.requireNonNull(neighbour, "neighbour");
        }
    }

    /** RTM_DELNEIGH. */
    record NeighbourRemoved(Neighbour neighbour) implements RtnetlinkEvent {
        public NeighbourRemoved {
            Objects.requireNonNull(neighbour, "neighbour");
        }
    }
}
