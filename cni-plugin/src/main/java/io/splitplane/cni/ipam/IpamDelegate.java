package io.splitplane.cni.ipam;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.splitplane.cni.CniException;
import io.splitplane.cni.CniVersion;
import io.splitplane.cni.result.CniResult;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The IPAM plugin named by {@code ipam.type}, found on {@code CNI_PATH} and exec'd as the spec says:
 * the same environment with {@code CNI_COMMAND} set to the delegated verb, the whole network config
 * on stdin, its stderr passed through to ours, its stdout read as the result or the error.
 *
 * <p>The delegate is spoken to in the highest version both sides support, not blindly in the
 * runtime's: Debian's host-local (plugins 1.1.1) stops at 1.0.0 and refuses a 1.1.0 config outright.
 * A delegate without STATUS or GC (before 1.1.0) is ready when it answers VERSION, and its
 * reservations are released by the per-attachment DEL that GC runs.
 */
public final class IpamDelegate {
    private static final System.Logger LOG = System.getLogger(IpamDelegate.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long TIMEOUT_S = 60;

    private final String type;
    private final Path binary;
    private final VersionCache versions;
    /** The call's {@code CNI_*} variables: the delegate's environment is the call's, not this process's. */
    private final java.util.Map<String, String> callEnvironment;

    private IpamDelegate(String type, Path binary, VersionCache versions, java.util.Map<String, String> callEnvironment) {
        this.type = type;
        this.binary = binary;
        this.versions = versions;
        this.callEnvironment = callEnvironment;
    }

    /**
     * Finds {@code type} on {@code cniPath}.
     *
     * @throws CniException code 7 naming the plugin and the directories searched if it is not there
     */
    public static IpamDelegate find(String type, List<Path> cniPath, VersionCache versions,
                                    java.util.Map<String, String> callEnvironment) {
        for (Path dir : cniPath) {
            Path candidate = dir.resolve(type);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return new IpamDelegate(type, candidate, versions, callEnvironment);
            }
        }
        throw new CniException(CniException.INVALID_NETWORK_CONFIG, "IPAM plugin '" + type + "' not found",
                "ipam.type '" + type + "' is not an executable in any CNI_PATH directory " + cniPath);
    }

    public String type() {
        return type;
    }

    /** ADD: reserves addresses; returns the (abbreviated) result. */
    public CniResult add(ObjectNode config) {
        String version = speak(config.path("cniVersion").asText());
        String out = exec("ADD", withVersion(config, version));
        try {
            return CniResult.fromJson(JSON.readTree(out), "the result of IPAM plugin " + type);
        } catch (IOException e) {
            throw new CniException(CniException.DECODING_FAILURE, "IPAM plugin " + type + " printed no result",
                    "stdout was: " + out, e);
        }
    }

    /**
     * DEL: releases what ADD reserved for {@code containerId} and {@code ifname} (set in the delegate's
     * environment, since GC runs it without a container of its own); succeeds if nothing was.
     */
    public void del(ObjectNode config, String containerId, String ifname) {
        exec("DEL", withVersion(config, speak(config.path("cniVersion").asText())),
                java.util.Map.of("CNI_CONTAINERID", containerId, "CNI_IFNAME", ifname));
    }

    /** CHECK, if the delegate knows it (0.4.0 and later). */
    public void check(ObjectNode config) {
        String version = speak(config.path("cniVersion").asText());
        if (CniVersion.atLeast(version, "0.4.0")) {
            exec("CHECK", withVersion(config, version));
        }
    }

    /**
     * STATUS: the delegate's own answer if it speaks 1.1.0; otherwise that it answers VERSION with a
     * version in common.
     */
    public void status(ObjectNode config) {
        String version = speak(config.path("cniVersion").asText());
        if (CniVersion.atLeast(version, "1.1.0")) {
            exec("STATUS", withVersion(config, version));
        }
    }

    /** GC, if the delegate knows it (1.1.0); returns whether it was forwarded. */
    public boolean gc(ObjectNode config) {
        String version = speak(config.path("cniVersion").asText());
        if (!CniVersion.atLeast(version, "1.1.0")) {
            return false;
        }
        exec("GC", withVersion(config, version));
        return true;
    }

    /** The version to speak: the runtime's, or the highest below it that the delegate supports. */
    private String speak(String requested) {
        List<String> supported = supportedVersions();
        if (supported.contains(requested)) {
            return requested;
        }
        String common = CniVersion.highestCommon(supported, requested);
        if (common == null) {
            throw new CniException(CniException.INCOMPATIBLE_VERSION, "IPAM plugin " + type + " speaks no version"
                    + " up to " + requested, "it supports " + supported);
        }
        LOG.log(Level.DEBUG, () -> "speaking " + common + " to IPAM plugin " + type + " (it supports " + supported + ")");
        return common;
    }

    private List<String> supportedVersions() {
        List<String> cached = versions.get(binary);
        if (cached != null) {
            return cached;
        }
        String out = exec("VERSION", "{\"cniVersion\":\"" + CniVersion.CURRENT + "\"}");
        List<String> found = new ArrayList<>();
        try {
            for (JsonNode v : JSON.readTree(out).path("supportedVersions")) {
                found.add(v.asText());
            }
        } catch (IOException e) {
            throw new CniException(CniException.DECODING_FAILURE, "IPAM plugin " + type + " answered VERSION with"
                    + " something else", "stdout was: " + out, e);
        }
        if (found.isEmpty()) {
            // A plugin from before VERSION existed.
            found.add("0.1.0");
        }
        versions.put(binary, found);
        return found;
    }

    private static String withVersion(ObjectNode config, String version) {
        ObjectNode copy = config.deepCopy();
        copy.put("cniVersion", version);
        return copy.toString();
    }

    /** Runs the delegate for {@code command}; returns its stdout, or throws its error. */
    private String exec(String command, String stdin) {
        return exec(command, stdin, java.util.Map.of());
    }

    private String exec(String command, String stdin, java.util.Map<String, String> env) {
        ProcessBuilder pb = new ProcessBuilder(binary.toString()).redirectError(ProcessBuilder.Redirect.INHERIT);
        // A server process has CNI_* variables of its own at most by accident: only the call's count.
        pb.environment().keySet().removeIf(k -> k.startsWith("CNI_"));
        pb.environment().putAll(callEnvironment);
        pb.environment().putAll(env);
        pb.environment().put("CNI_COMMAND", command);
        long startNs = System.nanoTime();
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new CniException(CniException.IO_FAILURE, "cannot run IPAM plugin " + type, binary + ": " + e, e);
        }
        String out;
        try {
            try (OutputStream in = p.getOutputStream()) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                // a delegate that exits before reading its stdin; its exit status tells what happened
            }
            try (InputStream stdout = p.getInputStream()) {
                out = new String(stdout.readAllBytes(), StandardCharsets.UTF_8);
            }
            if (!p.waitFor(TIMEOUT_S, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new CniException(CniException.TRY_AGAIN_LATER, "IPAM plugin " + type + " did not finish "
                        + command, "no answer within " + TIMEOUT_S + " s; killed");
            }
        } catch (IOException e) {
            p.destroyForcibly();
            throw new CniException(CniException.IO_FAILURE, "cannot talk to IPAM plugin " + type, e.toString(), e);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new CniException(CniException.TRY_AGAIN_LATER, "interrupted while IPAM plugin " + type + " ran "
                    + command, "", e);
        }
        int exit = p.exitValue();
        LOG.log(Level.DEBUG, () -> "IPAM " + type + " " + command + " exited " + exit + " after "
                + (System.nanoTime() - startNs) / 1_000_000 + " ms");
        if (exit != 0) {
            throw delegateError(command, exit, out);
        }
        return out;
    }

    private CniException delegateError(String command, int exit, String out) {
        try {
            JsonNode e = JSON.readTree(out);
            if (e != null && e.has("code")) {
                return new CniException(e.path("code").asInt(CniException.INTERNAL), "IPAM plugin " + type + " "
                        + command + " failed: " + e.path("msg").asText(""), e.path("details").asText(""));
            }
        } catch (IOException ignored) {
            // not JSON: report it as it is
        }
        return new CniException(CniException.INTERNAL, "IPAM plugin " + type + " " + command + " failed",
                "exit status " + exit + ", stdout: " + out.strip());
    }
}
