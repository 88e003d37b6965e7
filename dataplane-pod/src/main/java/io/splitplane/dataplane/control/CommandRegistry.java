package io.splitplane.dataplane.control;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The commands the control socket answers ({@code show runtime}, {@code show ip fib 10.0.0.0/8}, ...),
 * by their words. A line runs the command whose words are the longest prefix of the line's words; the
 * remaining words are its arguments. Registering words that exist replaces the command, which is how
 * a part of the dataplane that starts later fills in a placeholder ({@code show channels}).
 *
 * <p>Thread-safe: commands may be registered while the server runs; each command must be safe to run
 * from the server's threads (read snapshots, never stop the workers).
 */
public final class CommandRegistry {
    /** One command: gets its argument words, returns its output (text, ending with a newline). */
    @FunctionalInterface
    public interface Command {
        /** @throws IllegalArgumentException for bad arguments, with a message that says what is wrong */
        String run(List<String> args);
    }

    private record Entry(String words, String help, Command command) {
    }

    private final Map<String, Entry> commands = new ConcurrentSkipListMap<>();

    /**
     * Registers {@code words} (e.g. {@code "show ip fib"}), replacing a command with the same words.
     *
     * @param usage how to call it and what it shows, for {@code help} (e.g. {@code "show ip fib [prefix] -- ..."})
     */
    public void register(String words, String usage, Command command) {
        Objects.requireNonNull(command, "command");
        String normalized = normalize(words);
        if (normalized.isEmpty()) {
            throw new IllegalArgumentException("a command needs at least one word");
        }
        commands.put(normalized, new Entry(normalized, Objects.requireNonNull(usage, "usage"), command));
    }

    /** Whether {@code words} are registered. */
    public boolean has(String words) {
        return commands.containsKey(normalize(words));
    }

    /**
     * Runs {@code line}.
     *
     * @throws IllegalArgumentException for an unknown command (listing the known ones) or bad arguments
     */
    public String execute(String line) {
        List<String> words = split(line);
        if (words.isEmpty()) {
            throw new IllegalArgumentException("empty command; try 'help'");
        }
        for (int n = words.size(); n > 0; n--) {
            Entry e = commands.get(String.join(" ", words.subList(0, n)));
            if (e != null) {
                return e.command().run(List.copyOf(words.subList(n, words.size())));
            }
        }
        throw new IllegalArgumentException("unknown command '" + String.join(" ", words) + "'; commands: "
                + String.join(", ", commands.keySet()));
    }

    /** One line per command: its usage. */
    public String help() {
        StringBuilder sb = new StringBuilder();
        for (Entry e : commands.values()) {
            sb.append(e.help()).append('\n');
        }
        return sb.toString();
    }

    /** The registered commands' words, sorted. */
    public List<String> names() {
        return new ArrayList<>(commands.keySet());
    }

    private static String normalize(String words) {
        return String.join(" ", split(Objects.requireNonNull(words, "words")));
    }

    private static List<String> split(String line) {
        String trimmed = line.strip();
        return trimmed.isEmpty() ? List.of() : Arrays.asList(trimmed.split("\\s+"));
    }
}
