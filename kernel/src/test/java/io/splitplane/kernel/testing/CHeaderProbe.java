package io.splitplane.kernel.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Reads constants, sizes and offsets from the system's C headers by compiling and running a small
 * C program with {@code cc}: the way layout tests prove that Java's view of a kernel struct is the
 * kernel's.
 */
public final class CHeaderProbe {
    private CHeaderProbe() {
    }

    /**
     * The value of each C expression ({@code sizeof(struct xdp_desc)}, {@code offsetof(struct
     * nlmsghdr, nlmsg_type)}, {@code XDP_COPY}, ...) with {@code includes} in scope, keyed by the
     * expression's text.
     */
    public static Map<String, Long> evaluate(String includes, Collection<String> expressions) {
        StringBuilder c = new StringBuilder("#include <stdio.h>\n#include <stddef.h>\n").append(includes)
                .append("\nint main(void) {\n");
        int i = 0;
        for (String expression : expressions) {
            c.append("  printf(\"e").append(i++).append(" %lld\\n\", (long long) (").append(expression).append("));\n");
        }
        c.append("  return 0;\n}\n");
        Map<String, Long> byIndex = run(c.toString());
        Map<String, Long> values = new LinkedHashMap<>();
        i = 0;
        for (String expression : expressions) {
            values.put(expression, byIndex.get("e" + i++));
        }
        return values;
    }

    /**
     * Like {@link #evaluate}, with a shorthand for struct facts: {@code sizeof(name)} is
     * {@code sizeof(struct name)}, {@code name.field} is {@code offsetof(struct name, field)}, and
     * anything else is a C expression as it stands. Keyed by the shorthand.
     */
    public static Map<String, Long> structFacts(String includes, Collection<String> keys) {
        Map<String, String> expressions = new LinkedHashMap<>();
        for (String key : keys) {
            String expression;
            if (key.startsWith("sizeof(")) {
                expression = "sizeof(struct " + key.substring(7, key.length() - 1) + ")";
            } else if (key.matches("[A-Za-z_][A-Za-z0-9_]*\\.[A-Za-z_][A-Za-z0-9_.]*")) {
                int dot = key.indexOf('.');
                expression = "offsetof(struct " + key.substring(0, dot) + ", " + key.substring(dot + 1) + ")";
            } else {
                expression = key;
            }
            expressions.put(key, expression);
        }
        Map<String, Long> byExpression = evaluate(includes, expressions.values());
        Map<String, Long> values = new LinkedHashMap<>();
        expressions.forEach((key, expression) -> values.put(key, byExpression.get(expression)));
        return values;
    }

    /** Compiles and runs {@code program}, which prints {@code name value} lines; returns them in order. */
    public static Map<String, Long> run(String program) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("spt-cprobe");
            Path source = Files.writeString(dir.resolve("probe.c"), program);
            Path binary = dir.resolve("probe");
            Shell.run("cc", "-Wall", "-Werror", "-o", binary.toString(), source.toString());
            Map<String, Long> values = new LinkedHashMap<>();
            for (String line : Shell.run(binary.toString()).strip().split("\n")) {
                int space = line.lastIndexOf(' ');
                values.put(line.substring(0, space), Long.parseLong(line.substring(space + 1)));
            }
            return values;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            deleteRecursively(dir);
        }
    }

    private static void deleteRecursively(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp dir left in /tmp is harmless
        }
    }
}
