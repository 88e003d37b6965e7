package io.splitplane.kernel.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Raises {@code vm.nr_hugepages} by a few pages for one test and puts the old value back on close,
 * so hugepage code is tested on machines that reserve none, and the machine is left as it was.
 */
public final class HugePages implements AutoCloseable {
    private static final Path NR_HUGEPAGES = Path.of("/proc/sys/vm/nr_hugepages");
    private static final Path MEMINFO = Path.of("/proc/meminfo");

    private final long previousTotal;
    private final long freeBefore;

    private HugePages(long previousTotal, long freeBefore) {
        this.previousTotal = previousTotal;
        this.freeBefore = freeBefore;
    }

    /** Adds {@code pages} default-size hugepages to the pool; fails if the kernel cannot find them. */
    public static HugePages reserve(int pages) {
        long total = Long.parseLong(read(NR_HUGEPAGES).strip());
        long free = meminfo("HugePages_Free:");
        write(NR_HUGEPAGES, Long.toString(total + pages));
        HugePages reserved = new HugePages(total, free);
        if (reserved.reservedFree() < free + pages) {
            reserved.close();
            throw new IllegalStateException("the kernel could not reserve " + pages + " hugepages");
        }
        return reserved;
    }

    /** Free hugepages before this reservation. */
    public long free() {
        return freeBefore;
    }

    /** Free hugepages now. */
    public long reservedFree() {
        return meminfo("HugePages_Free:");
    }

    public long pageSize() {
        return meminfo("Hugepagesize:") * 1024;
    }

    @Override
    public void close() {
        write(NR_HUGEPAGES, Long.toString(previousTotal));
    }

    private static long meminfo(String key) {
        return read(MEMINFO).lines().filter(l -> l.startsWith(key)).findFirst()
                .map(l -> Long.parseLong(l.replaceAll("\\D", ""))).orElseThrow();
    }

    private static String read(Path path) {
        try {
            return Files.readString(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(Path path, String value) {
        try {
            Files.writeString(path, value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
