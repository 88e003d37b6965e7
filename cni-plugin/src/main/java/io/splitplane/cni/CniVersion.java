package io.splitplane.cni;

import java.util.List;

/**
 * The CNI spec versions this plugin speaks, and the order between them. 0.1.0 and 0.2.0 had a
 * different result format (ip4/ip6 objects) that no runtime of today asks for; they are not offered.
 */
public final class CniVersion {
    public static final String CURRENT = "1.1.0";
    public static final List<String> SUPPORTED = List.of("0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0");

    private CniVersion() {
    }

    public static boolean isSupported(String version) {
        return SUPPORTED.contains(version);
    }

    /** Compares two {@code major.minor.patch} versions numerically. */
    public static int compare(String a, String b) {
        int[] x = parse(a);
        int[] y = parse(b);
        for (int i = 0; i < 3; i++) {
            if (x[i] != y[i]) {
                return Integer.compare(x[i], y[i]);
            }
        }
        return 0;
    }

    public static boolean atLeast(String version, String minimum) {
        return compare(version, minimum) >= 0;
    }

    /**
     * The highest of {@code offered} that is not above {@code ceiling}, or null: the version to speak
     * with a delegate that supports {@code offered}.
     */
    public static String highestCommon(List<String> offered, String ceiling) {
        String best = null;
        for (String v : offered) {
            if (valid(v) && atLeast(ceiling, v) && (best == null || compare(v, best) > 0)) {
                best = v;
            }
        }
        return best;
    }

    public static boolean valid(String version) {
        return version != null && version.matches("\\d+\\.\\d+\\.\\d+");
    }

    private static int[] parse(String v) {
        if (!valid(v)) {
            throw new IllegalArgumentException("not a version: '" + v + "'");
        }
        String[] parts = v.split("\\.");
        return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1]), Integer.parseInt(parts[2])};
    }
}
