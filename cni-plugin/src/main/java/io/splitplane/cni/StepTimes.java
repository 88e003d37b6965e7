package io.splitplane.cni;

/**
 * Milliseconds per step of one call, to a tenth, for the log line that reports it: where an ADD or DEL
 * spends its time (most steps take well under a millisecond, a few the kernel's grace periods).
 */
final class StepTimes {
    private final StringBuilder text = new StringBuilder();
    private final long startNs = System.nanoTime();
    private long lastNs = startNs;

    void mark(String step) {
        long now = System.nanoTime();
        text.append(text.isEmpty() ? "" : ", ").append(step).append(' ').append(tenths(now - lastNs)).append(" ms");
        lastNs = now;
    }

    @Override
    public String toString() {
        return text + " (" + tenths(lastNs - startNs) + " ms)";
    }

    private static String tenths(long ns) {
        long t = ns / 100_000;
        return t / 10 + "." + t % 10;
    }
}
