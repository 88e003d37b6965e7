package io.splitplane.cni.ipam;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * The versions each delegate binary supports, remembered across calls in a small JSON file so that
 * ADD does not pay an extra exec of the delegate every time. An entry is keyed by the binary's path,
 * size and modification time: an upgraded plugin is asked again. Without a file (null), nothing is kept.
 * Callers hold the plugin's state lock, so the file has one writer at a time.
 */
public final class VersionCache {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path file;
    private ObjectNode entries;

    public VersionCache(Path file) {
        this.file = file;
    }

    List<String> get(Path binary) {
        JsonNode e = load().get(binary.toString());
        if (e == null || !e.path("stamp").asText().equals(stamp(binary))) {
            return null;
        }
        List<String> versions = new ArrayList<>();
        e.path("versions").forEach(v -> versions.add(v.asText()));
        return versions.isEmpty() ? null : versions;
    }

    void put(Path binary, List<String> versions) {
        ObjectNode e = load().putObject(binary.toString());
        e.put("stamp", stamp(binary));
        versions.forEach(e.putArray("versions")::add);
        if (file == null) {
            return;
        }
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, entries.toString());
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e2) {
            // only a cache: the next call asks the delegate again
        }
    }

    private ObjectNode load() {
        if (entries == null) {
            entries = JSON.createObjectNode();
            if (file != null && Files.isRegularFile(file)) {
                try {
                    JsonNode n = JSON.readTree(file.toFile());
                    if (n instanceof ObjectNode o) {
                        entries = o;
                    }
                } catch (IOException e) {
                    // a damaged cache is an empty one
                }
            }
        }
        return entries;
    }

    private static String stamp(Path binary) {
        try {
            BasicFileAttributes a = Files.readAttributes(binary, BasicFileAttributes.class);
            return a.size() + "-" + a.lastModifiedTime().toMillis();
        } catch (IOException e) {
            return "";
        }
    }
}
