package io.splitplane.api.deviceplugin;

import io.splitplane.api.InvalidConfigException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/** Reading and matching the lists a selector and an exclusion share: names, drivers, PCI and MAC addresses. */
final class DeviceFields {
    private static final Pattern NAME_PATTERN = Pattern.compile("[^/\\s:]{1,15}");
    private static final Pattern DRIVER = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,31}");
    private static final Pattern PCI = Pattern.compile("[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\\.[0-7]");
    private static final Pattern MAC = Pattern.compile("[0-9a-f]{2}(:[0-9a-f]{2}){5}");

    private DeviceFields() {
    }

    /** Netdev names, each exact or a glob with {@code *} (any run) and {@code ?} (one character). */
    static List<String> names(String field, List<String> values) {
        return read(field, values, v -> {
            if (!NAME_PATTERN.matcher(v).matches() || v.equals(".") || v.equals("..")) {
                return "not an interface name or pattern (1-15 characters, no '/', ':' or space; '*' and '?'"
                        + " are wildcards): '" + v + "'";
            }
            return null;
        }, false);
    }

    static List<String> drivers(String field, List<String> values) {
        return read(field, values, v -> DRIVER.matcher(v).matches() ? null
                : "not a driver name (1-32 letters, digits, '_', '.', '-'): '" + v + "'", false);
    }

    /** PCI addresses in the full {@code domain:bus:device.function} form; stored lower-case. */
    static List<String> pciAddresses(String field, List<String> values) {
        return read(field, values, v -> PCI.matcher(v).matches() ? null
                : "not a PCI address (expected dddd:bb:dd.f, e.g. 0000:18:00.1): '" + v + "'", true);
    }

    /** MAC addresses as six colon-separated hex pairs; stored lower-case. */
    static List<String> macAddresses(String field, List<String> values) {
        return read(field, values, v -> MAC.matcher(v).matches() ? null
                : "not a MAC address (expected six hex pairs, e.g. 02:00:00:00:00:01): '" + v + "'", true);
    }

    private interface Check {
        /** Null when {@code value} is acceptable, otherwise the reason. */
        String problem(String value);
    }

    private static List<String> read(String field, List<String> values, Check check, boolean lowerCase) {
        if (values == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>(values.size());
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < values.size(); i++) {
            String v = values.get(i);
            String at = field + "[" + i + "]";
            if (v == null || v.isEmpty()) {
                throw InvalidConfigException.field(at, "must not be empty");
            }
            String value = lowerCase ? v.toLowerCase(Locale.ROOT) : v;
            String problem = check.problem(value);
            if (problem != null) {
                throw InvalidConfigException.field(at, problem);
            }
            if (!seen.add(value)) {
                throw InvalidConfigException.field(at, "'" + v + "' is listed twice");
            }
            out.add(value);
        }
        return List.copyOf(out);
    }

    static boolean isPattern(String name) {
        return name.indexOf('*') >= 0 || name.indexOf('?') >= 0;
    }

    /** Glob match: {@code *} any run of characters (also none), {@code ?} exactly one. */
    static boolean globMatches(String pattern, String text) {
        int p = 0;
        int t = 0;
        int star = -1;
        int resume = 0;
        while (t < text.length()) {
            if (p < pattern.length() && (pattern.charAt(p) == '?' || pattern.charAt(p) == text.charAt(t))) {
                p++;
                t++;
            } else if (p < pattern.length() && pattern.charAt(p) == '*') {
                star = p++;
                resume = t;
            } else if (star >= 0) {
                p = star + 1;
                t = ++resume;
            } else {
                return false;
            }
        }
        while (p < pattern.length() && pattern.charAt(p) == '*') {
            p++;
        }
        return p == pattern.length();
    }

    static boolean anyNameMatches(List<String> patterns, String name) {
        for (String p : patterns) {
            if (globMatches(p, name)) {
                return true;
            }
        }
        return false;
    }

    /** For PCI and MAC addresses, which are stored lower-case and compared regardless of case. */
    static boolean containsAddress(List<String> values, String value) {
        return value != null && values.contains(value.toLowerCase(Locale.ROOT));
    }
}
