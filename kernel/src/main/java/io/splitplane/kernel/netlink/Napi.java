package io.splitplane.kernel.netlink;

/**
 * One NAPI instance of a netdev, as the kernel's {@code netdev} generic netlink family reports it
 * ({@code NETDEV_CMD_NAPI_GET}).
 *
 * @param id                  the NAPI id (what busy-polling sockets carry in {@code SO_INCOMING_NAPI_ID})
 * @param ifindex             the netdev it belongs to
 * @param irq                 its interrupt, or -1 (veth has none)
 * @param pid                 its kthread in threaded mode, or -1
 * @param deferHardIrqs       how many empty polls the kernel makes before it re-arms the interrupt
 *                            (also how long it leaves the NAPI with a preferring busy poller)
 * @param groFlushTimeoutNs   the watchdog that gives the NAPI back to softirq after deferral
 * @param irqSuspendTimeoutNs how long a busy poller that found work may keep interrupts off (0: off)
 * @param threaded            1 if it polls in its own kthread, 0 in softirq; -1 if the kernel does
 *                            not say (before 6.17)
 */
public record Napi(int id, int ifindex, int irq, int pid, int deferHardIrqs, long groFlushTimeoutNs,
                   long irqSuspendTimeoutNs, int threaded) {
}
