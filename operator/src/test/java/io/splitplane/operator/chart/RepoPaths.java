package io.splitplane.operator.chart;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the checked-in CRDs and the chart are, from the build's {@code repoRoot}. */
public final class RepoPaths {
    private RepoPaths() {
    }

    public static Path root() {
        String root = System.getProperty("repoRoot");
        Path p = root != null ? Path.of(root) : Path.of("..");
        p = p.toAbsolutePath().normalize();
        if (!Files.isDirectory(p.resolve("crds")) || !Files.isDirectory(p.resolve("helm/splitplane"))) {
            throw new IllegalStateException("no crds/ and helm/splitplane/ under " + p);
        }
        return p;
    }

    public static Path crds() {
        return root().resolve("crds");
    }

    public static Path chart() {
        return root().resolve("helm/splitplane");
    }
}
