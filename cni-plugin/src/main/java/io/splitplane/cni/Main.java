package io.splitplane.cni;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import io.splitplane.bpf.ClassifierSpares;
import io.splitplane.cni.server.CniServer;

/**
 * The {@code splitplane} CNI binary (run through its launcher script). Nothing but the answer may
 * reach stdout: the real stdout is kept for the answer, and {@link System#out} is pointed at stderr
 * for anything else that prints.
 *
 * <p>Two arguments outside the CNI protocol: {@code --train} (the build's AOT training run) and
 * {@code --prepare-spare <bpffsRoot>} (loads one classifier ahead of time into the spares under that
 * root, as the device plugin does; ADD then claims it instead of waiting for the verifier). And
 * {@code --serve <socket>}: serves calls from the launcher on that unix socket until SIGTERM, which
 * removes the socket ({@link CniServer}; the device plugin runs the same server in its own process).
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
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
        if (args.length == 2 && args[0].equals("--serve")) {
            CniServer server = CniServer.start(Path.of(args[1]), CniServer.DEFAULT_MAX_CALLS, CniServer.DEFAULT_TIMEOUT);
            Runtime.getRuntime().addShutdownHook(new Thread(server::close, "cni-server-stop"));
            server.awaitClose();
            return;
        }
        if (args.length > 0) {
            System.err.println("splitplane: unknown arguments " + java.util.List.of(args) + "; the CNI plugin takes"
                    + " none (or --serve <socket>, --prepare-spare <bpffsRoot>)");
            System.exit(2);
        }
        byte[] stdin = System.in.readAllBytes();
        int status = new Plugin(System.getenv(), answer).run(stdin);
        answer.flush();
        System.exit(status);
    }
}
