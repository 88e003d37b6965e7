package io.splitplane.cni;

import java.io.IOException;
import java.io.PrintStream;

/**
 * The {@code splitplane} CNI binary (run through its launcher script). Nothing but the answer may
 * reach stdout: the real stdout is kept for the answer, and {@link System#out} is pointed at stderr
 * for anything else that prints.
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
        byte[] stdin = System.in.readAllBytes();
        int status = new Plugin(System.getenv(), answer).run(stdin);
        answer.flush();
        System.exit(status);
    }
}
