package io.splitplane.cni;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import io.splitplane.bpf.ClassifierSpares;

/**
 * The {@code splitplane} CNI binary (run through its launcher script). Nothing but the answer may
 * reach stdout: the real stdout is kept for the answer, and {@link System#out} is pointed at stderr
 * for anything else that prints.
 *
 * <p>Two arguments outside the CNI protocol: {@code --train} (the build's AOT training run) and
 * {@code --prepare-spare <bpffsRoot>} (loads one classifier ahead of time into the spares under that
 * root, as the device plugin does; ADD then claims it instead of waiting for the verifier).
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) throws IOException {
        PrintStream answer = System.out;
        System.setOut(System.err);
        if (args.length == 1 && args[0].equals("--train")) {
            Training.run();
            return;
        }
        if (args.length == 2 && args[0].equals("--prepare-spare")) {
            // What the device plugin does between pods, for a node without it (and for the benchmark).
            Path spare = ClassifierSpares.under(Path.of(args[1])).prepare();
            System.err.println("spare classifier pinned at " + spare);
            return;
        }
        byte[] stdin = System.in.readAllBytes();
        int status = new Plugin(System.getenv(), answer).run(stdin);
        answer.flush();
        System.exit(status);
    }
}
