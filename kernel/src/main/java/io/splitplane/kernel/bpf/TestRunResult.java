package io.splitplane.kernel.bpf;

/**
 * What BPF_PROG_TEST_RUN reported.
 *
 * @param retval     the program's return value (for XDP the action: 0 ABORTED, 1 DROP, 2 PASS, 3 TX,
 *                   4 REDIRECT)
 * @param dataOut    the packet as the program left it (empty if no output was asked for)
 * @param durationNs the average time of one run in nanoseconds, as the kernel measured it
 * @param contextOut the context as the program left it, or empty without a context input
 */
public record TestRunResult(int retval, byte[] dataOut, long durationNs, byte[] contextOut) {
    public TestRunResult {
        dataOut = dataOut.clone();
        contextOut = contextOut.clone();
    }

    @Override
    public byte[] dataOut() {
        return dataOut.clone();
    }

    @Override
    public byte[] contextOut() {
        return contextOut.clone();
    }
}
