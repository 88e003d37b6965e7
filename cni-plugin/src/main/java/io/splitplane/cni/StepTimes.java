package io.splitplane.cni;

/** Milliseconds per step of one call, for the log line that reports it: where an ADD spends its time. */
final class StepTimes {
    private final StringBuilder text = new StringBuilder();
    private final long startNs = System.nanoTime();
    private long lastNs = startNs;

    void mark(String step) {
        long now = System.nanoTime();
        text.append(text.isEmpty() ? "" : ", ").append(step).append(' ').append((now - lastNs) / 1_000_000).append(" ms");
        lastNs = now;
    }

    @Override
    public String toString() {
        return text + " (" + (lastNs - startNs) / 1_000_000 + " ms)";
    }
}
