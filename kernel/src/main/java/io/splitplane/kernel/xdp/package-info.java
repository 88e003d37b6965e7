/**
 * AF_XDP sockets from raw syscalls (no libxdp): UMEM, the four rings, bind, shared UMEM, kicks,
 * statistics, and a typed front for the default steering program.
 *
 * <h2>Pieces</h2>
 * <ul>
 * <li>{@link io.splitplane.kernel.xdp.Umem} ({@link io.splitplane.kernel.xdp.UmemConfig}): the packet
 *     memory, aligned chunks, optionally hugepages; UMEM address to byte offset without allocation.</li>
 * <li>{@link io.splitplane.kernel.xdp.XskSocket} ({@link io.splitplane.kernel.xdp.XskConfig}): socket,
 *     rings, bind; {@code createShared} for more sockets on one UMEM; {@code kickTx}, {@code wakeupRx},
 *     {@code poll}, {@code statistics}, {@code isZeroCopy}.</li>
 * <li>Rings: {@link io.splitplane.kernel.xdp.FillRing} and {@link io.splitplane.kernel.xdp.TxRing}
 *     (produce: {@code reserve(n)}, {@code set(i, ...)}, {@code submit(n)}),
 *     {@link io.splitplane.kernel.xdp.RxRing} and {@link io.splitplane.kernel.xdp.CompletionRing}
 *     (consume: {@code peek(max)}, {@code addr(i)}/{@code len(i)}, {@code release(n)}), plus bulk
 *     array forms ({@code fillFrom}, {@code sendFrom}, {@code drainTo}) for vector engines.</li>
 * <li>{@link io.splitplane.kernel.xdp.FrameLedger} and {@link io.splitplane.kernel.xdp.FrameStack}:
 *     frame accounting and a free-frame pool.</li>
 * <li>{@link io.splitplane.kernel.xdp.XskRedirectProgram}: load/attach {@code xsk_redirect},
 *     {@code register(queue, socket)}.</li>
 * <li>{@code *Layout} classes and {@link io.splitplane.kernel.xdp.AfXdp}: every struct and constant,
 *     checked against the C headers by {@code XdpLayoutTest}.</li>
 * </ul>
 *
 * <h2>Rules</h2>
 * <ul>
 * <li>One thread drives a socket's rings (single producer, single consumer); nothing locks.</li>
 * <li>The hot path (ring batch calls, kick, wakeup, poll, UMEM offsets) allocates nothing once
 *     compiled and never throws for back-pressure or transient errno: counts and status codes.
 *     Exceptions mean caller bugs or setup failures and name the field or the syscall.</li>
 * <li>Everything holding a kernel resource is {@link java.lang.AutoCloseable} and closes once; any use
 *     afterwards throws {@link java.lang.IllegalStateException}, never crashes.</li>
 * <li>Create sockets and attach programs inside the interface's network namespace
 *     ({@code NetNamespace.call}); drive them from any thread afterwards.</li>
 * </ul>
 */
package io.splitplane.kernel.xdp;
