package io.splitplane.api.classifier;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.splitplane.api.InvalidConfigException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.Objects;

/**
 * An IPv4 or IPv6 network prefix. JSON: {@code "10.1.0.0/16"}, {@code "2001:db8::/32"}, or an
 * address alone for a host ({@code /32}, {@code /128}). Parsed strictly, without name resolution:
 * dotted-quad IPv4 only (no octal, no short forms), IPv6 without zone or IPv4-mapped addresses, and
 * no bits set after the prefix length (a typo there would silently widen or move the prefix).
 *
 * @param address the network address, 4 or 16 bytes in network order
 * @param length  the prefix length, 0-32 or 0-128
 */
public record IpPrefix(byte[] address, int length) {
    public IpPrefix {
        Objects.requireNonNull(address, "address");
        if (address.length != 4 && address.length != 16) {
            throw InvalidConfigException.field("", "an address has 4 or 16 bytes, not " + address.length);
        }
        address = address.clone();
        int max = address.length * 8;
        if (length < 0 || length > max) {
            throw InvalidConfigException.field("", "prefix length must be 0-" + max + ", was " + length);
        }
        if (!hostBitsZero(address, length)) {
            byte[] network = network(address, length);
            throw InvalidConfigException.field("", format(address) + "/" + length + " has host bits set; the network is "
                    + format(network) + "/" + length);
        }
    }

    /** Parses {@code "address/length"} or a bare address. */
    @JsonCreator
    public static IpPrefix parse(String text) {
        if (text == null || text.isEmpty()) {
            throw InvalidConfigException.field("", "a prefix must not be empty");
        }
        int slash = text.indexOf('/');
        String addressText = slash < 0 ? text : text.substring(0, slash);
        byte[] address = text.indexOf(':') >= 0 ? parseIpv6(addressText, text) : parseIpv4(addressText, text);
        int length = address.length * 8;
        if (slash >= 0) {
            String digits = text.substring(slash + 1);
            if (digits.isEmpty() || digits.length() > 3 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw InvalidConfigException.field("", "'" + text + "' has no valid prefix length after '/'");
            }
            length = Integer.parseInt(digits);
            if (length > address.length * 8) {
                throw InvalidConfigException.field("", "'" + text + "': an IPv" + (address.length == 4 ? "4" : "6")
                        + " prefix length is at most " + address.length * 8);
            }
        }
        return new IpPrefix(address, length);
    }

    private static byte[] parseIpv4(String s, String text) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            throw notAnAddress(text);
        }
        byte[] a = new byte[4];
        for (int i = 0; i < 4; i++) {
            String p = parts[i];
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9')
                    || (p.length() > 1 && p.charAt(0) == '0')) {
                throw notAnAddress(text);
            }
            int v = Integer.parseInt(p);
            if (v > 255) {
                throw notAnAddress(text);
            }
            a[i] = (byte) v;
        }
        return a;
    }

    private static byte[] parseIpv6(String s, String text) {
        if (s.indexOf('%') >= 0 || s.indexOf('[') >= 0 || s.indexOf(']') >= 0) {
            throw InvalidConfigException.field("", "'" + text + "': write the IPv6 address without zone or brackets");
        }
        InetAddress parsed;
        try {
            parsed = InetAddress.ofLiteral(s);
        } catch (IllegalArgumentException e) {
            throw notAnAddress(text);
        }
        if (parsed instanceof Inet4Address) {
            throw InvalidConfigException.field("", "'" + text + "' is an IPv4-mapped IPv6 address; write the IPv4"
                    + " prefix instead");
        }
        return parsed.getAddress();
    }

    private static InvalidConfigException notAnAddress(String text) {
        return InvalidConfigException.field("", "'" + text + "' is not an IPv4 or IPv6 prefix (e.g. 10.1.0.0/16,"
                + " 2001:db8::/32)");
    }

    /** 4 or 6. */
    public int version() {
        return address.length == 4 ? 4 : 6;
    }

    @Override
    public byte[] address() {
        return address.clone();
    }

    /** Whether every address of {@code other} is in this prefix (a prefix contains itself). */
    public boolean contains(IpPrefix other) {
        if (other.address.length != address.length || other.length < length) {
            return false;
        }
        int whole = length / 8;
        for (int i = 0; i < whole; i++) {
            if (other.address[i] != address[i]) {
                return false;
            }
        }
        int rest = length % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xff00 >>> rest) & 0xff;
        return ((other.address[whole] ^ address[whole]) & mask) == 0;
    }

    private static boolean hostBitsZero(byte[] address, int length) {
        return Arrays.equals(network(address, length), address);
    }

    private static byte[] network(byte[] address, int length) {
        byte[] n = address.clone();
        for (int bit = length; bit < n.length * 8; bit++) {
            n[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IpPrefix p && p.length == length && Arrays.equals(p.address, address);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(address) * 31 + length;
    }

    /** The JSON form, canonical: dotted quad, or IPv6 compressed as RFC 5952 says; always with the length. */
    @JsonValue
    @Override
    public String toString() {
        return format(address) + "/" + length;
    }

    private static String format(byte[] a) {
        if (a.length == 4) {
            return (a[0] & 0xff) + "." + (a[1] & 0xff) + "." + (a[2] & 0xff) + "." + (a[3] & 0xff);
        }
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((a[2 * i] & 0xff) << 8) | (a[2 * i + 1] & 0xff);
        }
        // RFC 5952: the longest run of two or more zero groups (the first of equals) becomes "::".
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j;
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                b.append("::");
                i += bestLength - 1;
                continue;
            }
            if (!b.isEmpty() && b.charAt(b.length() - 1) != ':') {
                b.append(':');
            }
            b.append(Integer.toHexString(groups[i]));
        }
        return b.toString();
    }
}
