package io.splitplane.cni;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The {@code CNI_*} environment of one call, checked for the command it names: a missing or
 * malformed variable is error 4 naming the variable.
 *
 * @param command     ADD, DEL, CHECK, GC, STATUS or VERSION
 * @param containerId {@code CNI_CONTAINERID}, or null where the command does not need it
 * @param netns       {@code CNI_NETNS}, or null
 * @param ifname      {@code CNI_IFNAME}, or null
 * @param args        {@code CNI_ARGS}, or empty
 * @param path        the directories of {@code CNI_PATH}, possibly empty
 * @param environment the call's {@code CNI_*} variables as given, which delegates receive (in a node
 *                    daemon serving many calls they are not the process's own environment)
 */
public record Invocation(Command command, String containerId, String netns, String ifname, String args,
                         List<Path> path, Map<String, String> environment) {
    private static final Pattern CONTAINER_ID = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.\\-]*");

    /** The CNI commands. */
    public enum Command { ADD, DEL, CHECK, GC, STATUS, VERSION }

    public static Invocation fromEnvironment(Map<String, String> env) {
        String name = env.get("CNI_COMMAND");
        if (name == null || name.isEmpty()) {
            throw invalid("CNI_COMMAND", "is not set (one of ADD, DEL, CHECK, GC, STATUS, VERSION)");
        }
        Command command;
        try {
            command = Command.valueOf(name);
        } catch (IllegalArgumentException e) {
            throw invalid("CNI_COMMAND", "'" + name + "' is not a CNI command (one of ADD, DEL, CHECK, GC, STATUS,"
                    + " VERSION)");
        }
        boolean perContainer = command == Command.ADD || command == Command.DEL || command == Command.CHECK;
        String containerId = env.get("CNI_CONTAINERID");
        String netns = emptyToNull(env.get("CNI_NETNS"));
        String ifname = env.get("CNI_IFNAME");
        if (perContainer) {
            if (containerId == null || containerId.isEmpty()) {
                throw invalid("CNI_CONTAINERID", "is not set");
            }
            if (!CONTAINER_ID.matcher(containerId).matches()) {
                throw invalid("CNI_CONTAINERID", "'" + containerId + "' must be letters, digits, '_', '.' or '-',"
                        + " starting with a letter or digit");
            }
            if (command != Command.DEL && netns == null) {
                throw invalid("CNI_NETNS", "is not set");
            }
            if (netns != null && !Path.of(netns).isAbsolute()) {
                throw invalid("CNI_NETNS", "'" + netns + "' is not an absolute path");
            }
            if (ifname == null || ifname.isEmpty()) {
                throw invalid("CNI_IFNAME", "is not set");
            }
            String why = interfaceNameProblem(ifname);
            if (why != null) {
                throw invalid("CNI_IFNAME", "'" + ifname + "' " + why);
            }
        }
        List<Path> path = new ArrayList<>();
        String cniPath = env.get("CNI_PATH");
        if (cniPath != null) {
            for (String dir : cniPath.split(":")) {
                if (!dir.isEmpty()) {
                    path.add(Path.of(dir));
                }
            }
        }
        String args = env.getOrDefault("CNI_ARGS", "");
        return new Invocation(command, perContainer ? containerId : null, perContainer ? netns : null,
                perContainer ? ifname : null, args, List.copyOf(path), cniVariables(env));
    }

    private static Map<String, String> cniVariables(Map<String, String> env) {
        Map<String, String> cni = new java.util.HashMap<>();
        env.forEach((k, v) -> {
            if (k.startsWith("CNI_") && v != null) {
                cni.put(k, v);
            }
        });
        return Map.copyOf(cni);
    }

    /** Why {@code name} cannot be an interface name, or null if it can (the spec's rules, and the kernel's). */
    static String interfaceNameProblem(String name) {
        if (name.length() > 15) {
            return "is longer than 15 characters";
        }
        if (name.equals(".") || name.equals("..")) {
            return "is not a usable name";
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '/' || c == ':' || Character.isWhitespace(c) || c < 33 || c > 126) {
                return "contains '" + c + "' (no '/', ':', whitespace or non-ASCII)";
            }
        }
        return null;
    }

    /** {@code CNI_PATH} is needed for a delegate: error 4 if it is empty. */
    public List<Path> requirePath(String why) {
        if (path.isEmpty()) {
            throw invalid("CNI_PATH", "is not set, but is needed " + why);
        }
        return path;
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    private static CniException invalid(String variable, String problem) {
        return new CniException(CniException.INVALID_ENVIRONMENT, "invalid environment variable " + variable,
                variable + " " + problem);
    }
}
