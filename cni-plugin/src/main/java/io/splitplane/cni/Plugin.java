package io.splitplane.cni;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.splitplane.api.ConfigJson;
import io.splitplane.api.InvalidConfigException;
import io.splitplane.api.cni.NetworkConfig;
import io.splitplane.cni.log.PluginLog;
import io.splitplane.kernel.sys.KernelException;
import java.io.PrintStream;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/**
 * One call of the plugin: reads the environment and stdin, runs the command, and answers as the CNI
 * spec says: the result (or nothing) on stdout and exit status 0, or the error JSON
 * ({@code cniVersion}, {@code code}, {@code msg}, {@code details}) on stdout and exit status 1.
 */
public final class Plugin {
    private static final System.Logger LOG = System.getLogger(Plugin.class.getName());
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();

    private final Map<String, String> env;
    private final PrintStream stdout;
    /** The version to answer errors in: the request's, once it is known to be one we speak. */
    private String answerVersion = CniVersion.CURRENT;

    public Plugin(Map<String, String> env, PrintStream stdout) {
        this.env = env;
        this.stdout = stdout;
    }

    /** Runs the call; returns the exit status. */
    public int run(byte[] stdin) {
        try {
            JsonNode out = dispatch(stdin);
            if (out != null) {
                stdout.println(out.toString());
            }
            stdout.flush();
            return 0;
        } catch (CniException e) {
            return fail(e);
        } catch (InvalidConfigException e) {
            int code = e.reason() != null && e.reason().startsWith("unknown field")
                    ? CniException.UNSUPPORTED_FIELD : CniException.INVALID_NETWORK_CONFIG;
            return fail(new CniException(code, "invalid network config", e.getMessage(), e));
        } catch (KernelException e) {
            return fail(new CniException(CniException.KERNEL_FAILURE, "the kernel refused a step", e.getMessage(), e));
        } catch (RuntimeException | Error e) {
            return fail(new CniException(CniException.INTERNAL, "internal error", e.toString(), e));
        } finally {
            PluginLog.endCall();
        }
    }

    private JsonNode dispatch(byte[] stdin) {
        Invocation invocation = Invocation.fromEnvironment(env);
        PluginLog.tag(invocation.command() + (invocation.containerId() == null ? "" : " " + invocation.containerId()));
        if (invocation.command() == Invocation.Command.VERSION) {
            return version(stdin);
        }
        ObjectNode raw = parse(stdin);
        String version = requireVersion(raw);
        answerVersion = version;
        NetworkConfig config = readConfig(raw, invocation.command());
        if (config.logFile() != null) {
            PluginLog.toFile(Path.of(config.logFile()));
        }
        Request request = new Request(invocation, config, raw, version);
        LOG.log(Level.DEBUG, () -> invocation.command() + " network " + config.name() + " version " + version);
        switch (invocation.command()) {
            case ADD -> {
                return AddCommand.run(request);
            }
            case DEL -> DelCommand.run(request);
            case CHECK -> {
                requireAtLeast(version, "0.4.0", "CHECK");
                CheckCommand.run(request);
            }
            case GC -> {
                requireAtLeast(version, "1.1.0", "GC");
                GcCommand.run(request);
            }
            case STATUS -> {
                requireAtLeast(version, "1.1.0", "STATUS");
                StatusCommand.run(request);
            }
            default -> throw new IllegalStateException("unreachable: " + invocation.command());
        }
        return null;
    }

    /**
     * The network config. DEL must succeed whenever there is nothing left to undo, and the runtime
     * sends it the same config as the ADD, even one the ADD refused: so DEL skips a bad value in a
     * key it does not need (the classifier rules, the MTU, ...) with a warning, instead of failing on
     * it for ever. Every other command, and DEL for the keys it needs, refuses a bad config.
     */
    private static NetworkConfig readConfig(ObjectNode raw, Invocation.Command command) {
        ObjectNode attempt = raw;
        while (true) {
            try {
                return ConfigJson.read(attempt.toString(), NetworkConfig.class, "the network config on stdin");
            } catch (InvalidConfigException e) {
                String key = topLevelKey(e.field());
                if (command != Invocation.Command.DEL || DEL_NEEDS.contains(key) || !attempt.has(key)) {
                    throw e;
                }
                LOG.log(Level.WARNING, () -> "DEL ignores '" + key + "': " + e.getMessage());
                attempt = attempt.deepCopy();
                attempt.remove(key);
            }
        }
    }

    /** The keys DEL works from; a bad value in any other is skipped. */
    private static final java.util.Set<String> DEL_NEEDS = java.util.Set.of("cniVersion", "name", "type", "ipam",
            "stateDir", "bpffsRoot", "deviceID", "runtimeConfig", "logFile", "");

    private static String topLevelKey(String field) {
        if (field == null) {
            return "";
        }
        int end = field.length();
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '.' || c == '[') {
                end = i;
                break;
            }
        }
        // cni.dev/ keys contain dots themselves
        return field.startsWith(NetworkConfig.RESERVED_PREFIX) ? field.split("\\[")[0] : field.substring(0, end);
    }

    private ObjectNode version(byte[] stdin) {
        String asked = CniVersion.CURRENT;
        if (stdin.length > 0) {
            JsonNode v = parse(stdin).get("cniVersion");
            if (v != null && v.isTextual() && CniVersion.valid(v.asText())) {
                asked = v.asText();
            }
        }
        ObjectNode out = JSON.createObjectNode();
        out.put("cniVersion", asked);
        ArrayNode list = out.putArray("supportedVersions");
        CniVersion.SUPPORTED.forEach(list::add);
        return out;
    }

    private static ObjectNode parse(byte[] stdin) {
        String text = new String(stdin, StandardCharsets.UTF_8);
        if (text.isBlank()) {
            throw new CniException(CniException.DECODING_FAILURE, "no network config on stdin",
                    "stdin was empty; the runtime passes the network config as JSON");
        }
        try {
            JsonNode n = JSON.readTree(text);
            if (n instanceof ObjectNode o) {
                return o;
            }
            throw new CniException(CniException.DECODING_FAILURE, "cannot decode the network config",
                    "stdin is not a JSON object");
        } catch (JacksonException e) {
            throw new CniException(CniException.DECODING_FAILURE, "cannot decode the network config",
                    "malformed JSON on stdin: " + e.getOriginalMessage(), e);
        }
    }

    private static String requireVersion(ObjectNode raw) {
        JsonNode v = raw.get("cniVersion");
        if (v == null || !v.isTextual() || v.asText().isEmpty()) {
            throw new CniException(CniException.INVALID_NETWORK_CONFIG, "invalid network config",
                    "cniVersion: must be set, e.g. \"" + CniVersion.CURRENT + "\"");
        }
        if (!CniVersion.isSupported(v.asText())) {
            throw new CniException(CniException.INCOMPATIBLE_VERSION, "incompatible CNI version",
                    "the network config has cniVersion '" + v.asText() + "'; this plugin supports "
                            + CniVersion.SUPPORTED);
        }
        return v.asText();
    }

    private static void requireAtLeast(String version, String minimum, String command) {
        if (!CniVersion.atLeast(version, minimum)) {
            throw new CniException(CniException.INCOMPATIBLE_VERSION, "config version does not allow " + command,
                    command + " exists from CNI " + minimum + " on; the network config has cniVersion " + version);
        }
    }

    private int fail(CniException e) {
        if (e.code() == CniException.INTERNAL) {
            LOG.log(Level.ERROR, "failed: " + e.getMessage(), e);
        } else {
            LOG.log(Level.WARNING, () -> "failed with code " + e.code() + ": " + e.getMessage());
        }
        ObjectNode err = JSON.createObjectNode();
        err.put("cniVersion", answerVersion);
        err.put("code", e.code());
        err.put("msg", e.msg());
        err.put("details", e.details());
        stdout.println(err.toString());
        stdout.flush();
        return 1;
    }
}
