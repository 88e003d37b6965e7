package io.splitplane.api.dataplane;

import io.splitplane.api.InvalidConfigException;
import java.util.regex.Pattern;

/** Strict parsing of dotted-quad IPv4 addresses, prefixes and MAC addresses for the dataplane config. */
final class Ip4Text {
    private static final Pattern MAC = Pattern.compile("[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}");

    private Ip4Text() {
    }

    /** {@code a.b.c.d} as a host-order int; throws naming {@code field}. */
    static int address(String field, String text) {
        if (text == null || text.isEmpty()) {
            throw InvalidConfigException.field(field, "must be set");
        }
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            throw InvalidConfigException.field(field, "not an IPv4 address: '" + text + "'");
        }
        int a = 0;
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit)) {
                throw InvalidConfigException.field(field, "not an IPv4 address: '" + text + "'");
            }
            int v = Integer.parseInt(p);
            if (v > 255) {
                throw InvalidConfigException.field(field, "not an IPv4 address: '" + text + "'");
            }
            a = a << 8 | v;
        }
        return a;
    }

    /** Prefix length of {@code a.b.c.d/n}; checks host bits. */
    static int prefixLength(String field, String text) {
        if (text == null || text.isEmpty()) {
            throw InvalidConfigException.field(field, "must be set");
        }
        int slash = text.indexOf('/');
        if (slash < 0) {
            throw InvalidConfigException.field(field, "not an IPv4 prefix (a.b.c.d/n): '" + text + "'");
        }
        int address = address(field, text.substring(0, slash));
        String len = text.substring(slash + 1);
        if (len.isEmpty() || len.length() > 2 || !len.chars().allMatch(Character::isDigit)
                || Integer.parseInt(len) > 32) {
            throw InvalidConfigException.field(field, "prefix length must be 0-32: '" + text + "'");
        }
        int length = Integer.parseInt(len);
        int mask = length == 0 ? 0 : -1 << (32 - length);
        if ((address & ~mask) != 0) {
            throw InvalidConfigException.field(field, "host bits set in '" + text + "'");
        }
        return length;
    }

    static void mac(String field, String text) {
        if (text == null || !MAC.matcher(text).matches()) {
            throw InvalidConfigException.field(field, "not a MAC address (xx:xx:xx:xx:xx:xx): '" + text + "'");
        }
    }
}
