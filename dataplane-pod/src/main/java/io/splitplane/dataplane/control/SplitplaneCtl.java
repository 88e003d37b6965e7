package io.splitplane.dataplane.control;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code splitplanectl}: runs one command on a running dataplane through its control socket, like
 * {@code vppctl}. The words after the options are the command ({@code show runtime},
 * {@code show ip fib 10.0.0.0/8}, {@code clear runtime}, {@code help} lists them all); the dataplane
 * decides what exists, so commands added by later parts work without a new client.
 *
 * <pre>
 *   splitplanectl [-s SOCKET | -n NAME] COMMAND...
 * </pre>
 * Exit codes: 0 the command ran (output on stdout), 1 the dataplane refused it (message on stderr),
 * 2 usage error or no dataplane answering on the socket.
 */
@Command(name = "splitplanectl", mixinStandardHelpOptions = true, version = "splitplanectl 0.1.0",
        description = "Run a command on a running splitplane dataplane (try: splitplanectl help).")
public final class SplitplaneCtl implements Callable<Integer> {
    public static final int EXIT_OK = 0;
    public static final int EXIT_REFUSED = 1;
    public static final int EXIT_UNREACHABLE = 2;

    @Option(names = {"-s", "--socket"}, paramLabel = "SOCKET", description = "control socket path")
    Path socket;

    @Option(names = {"-n", "--name"}, paramLabel = "NAME", defaultValue = "dataplane",
            description = "dataplane name: socket /run/splitplane/NAME.sock (default: ${DEFAULT-VALUE})")
    String name;

    @Parameters(paramLabel = "COMMAND", arity = "1..*", description = "the command words, e.g. show runtime")
    List<String> words;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        Path path = socket != null ? socket : Path.of("/run/splitplane", name + ".sock");
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ControlClient.Reply reply;
        try {
            reply = ControlClient.send(path, String.join(" ", words));
        } catch (IOException e) {
            err.println("splitplanectl: no dataplane answers on " + path + ": " + e.getMessage());
            return EXIT_UNREACHABLE;
        }
        if (!reply.ok()) {
            err.println(reply.text());
            return EXIT_REFUSED;
        }
        out.print(reply.text());
        out.flush();
        return EXIT_OK;
    }

    /** Runs the client with {@code args}, printing to {@code out}/{@code err}; returns the exit code. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new SplitplaneCtl());
        cl.setOut(out);
        cl.setErr(err);
        // "show ip fib 10.0.0.0/8": every word after the options is the command, even ones starting with '-'.
        cl.setStopAtPositional(true);
        int code = cl.execute(args);
        out.flush();
        err.flush();
        return code == CommandLine.ExitCode.USAGE ? EXIT_UNREACHABLE : code;
    }

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }
}
