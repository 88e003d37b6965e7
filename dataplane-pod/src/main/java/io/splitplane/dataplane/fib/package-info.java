/**
 * IPv4 forwarding tables for the CNET graph: the FIB ({@link io.splitplane.dataplane.fib.Ip4Fib},
 * DIR-24-8 longest-prefix match), next hops and neighbours
 * ({@link io.splitplane.dataplane.fib.NextHopTable}), ECMP groups
 * ({@link io.splitplane.dataplane.fib.EcmpGroupTable}, {@link io.splitplane.dataplane.fib.FlowHash}),
 * the header helpers ip4-rewrite needs ({@link io.splitplane.dataplane.fib.Ip4Checksum},
 * {@link io.splitplane.dataplane.fib.Adjacency#writeMacs}) and the reclamation protocol that lets one
 * control thread change all of it while workers read without locks
 * ({@link io.splitplane.dataplane.fib.Quiescence}).
 *
 * <h2>Per packet (ip4-lookup, ip4-rewrite)</h2>
 * <pre>{@code
 * int r = fib.lookup(dst);                                   // or fib.lookupBatch over the vector
 * int nh;
 * switch (FibResult.kind(r)) {
 *   case KIND_NEXT_HOP -> nh = FibResult.id(r);
 *   case KIND_GROUP    -> nh = groups.select(FibResult.id(r), FlowHash.ip4(src, dst, proto, sport, dport));
 *   case KIND_LOCAL    -> next = IP4_LOCAL;          // deliver (FibResult.id(r) is the local id)
 *   case KIND_NO_ROUTE -> next = DROP_NO_ROUTE;      // or punt
 *   case KIND_PUNT     -> next = PUNT;
 *   default            -> next = DROP[kind];         // blackhole / unreachable / prohibit, each counted
 * }
 * long adj = nextHops.resolve(nh, dst);              // gateway MAC, or the destination's own (connected)
 * switch (Adjacency.state(adj)) {
 *   case Adjacency.RESOLVED -> {
 *     if (Ip4Checksum.decrementTtl(frame, ipOffset) < 0) { next = PUNT; break; } // TTL expiry: kernel sends ICMP
 *     int port = Adjacency.port(adj);
 *     Adjacency.writeMacs(frame, l2Offset, adj, nextHops.portMac(port));
 *     next = TX[port];
 *   }
 *   case Adjacency.UNRESOLVED -> next = PUNT;        // needs resolution: the kernel ARPs
 *   default -> next = DROP_NO_ADJACENCY;             // INVALID (next hop gone) or DROP (blackhole nexthop)
 * }
 * // once per loop iteration, between vectors:
 * reader.quiescent();
 * }</pre>
 *
 * <h2>Threads</h2>
 * One control thread (the netlink agent) calls every mutating method; workers call only the hot-path
 * readers ({@code lookup}, {@code lookupBatch}, {@code select}, {@code adjacency}, {@code resolve},
 * {@code portMac}, {@code NeighbourTable.lookup}) and {@code Quiescence.Reader.quiescent()}. Hot-path
 * methods never lock, allocate or throw. Each class documents which release store pairs with which
 * acquire load.
 */
package io.splitplane.dataplane.fib;
