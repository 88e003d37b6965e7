package io.splitplane.dataplane.fib;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * IPv4 addresses as host-order {@code int}s (the first octet in the top byte), the form every table in
 * this package takes: {@code 10.0.0.1} is {@code 0x0A000001}. Control-side conversions only.
 */
public final class Ip4 {
    private Ip4() {
    }

    /** Parses dotted-quad text ({@code 192.0.2.1}); throws for anything else. */
    public static int parse(final String text) {
        final String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("not an IPv4 address: '" + text + "'");
        }
        int address = 0;
        for (final String part : parts) {
            final int octet;
            try {
                octet = Integer.parseInt(part);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not an IPv4 address: '" + text + "'", e);
            }
            if (octet < 0 || octet > 255 || part.isEmpty() || part.length() > 3) {
                throw new IllegalArgumentException("not an IPv4 address: '" + text + "'");
            }
            address = (address << 8) | octet;
        }
        return address;
    }

    /** From an {@link Inet4Address}. */
    public static int of(final InetAddress address) {
        if (!(address instanceof Inet4Address)) {
            throw new IllegalArgumentException("not an IPv4 address: " + address);
        }
        final byte[] b = address.getAddress();
        return (b[0] & 0xFF) << 24 | (b[1] & 0xFF) << 16 | (b[2] & 0xFF) << 8 | (b[3] & 0xFF);
    }

    /** To an {@link Inet4Address}. */
    public static InetAddress toInetAddress(final int address) {
        try {
            return InetAddress.getByAddress(new byte[] {
                (byte) (address >>> 24), (byte) (address >>> 16), (byte) (address >>> 8), (byte) address});
        } catch (UnknownHostException e) {
            throw new AssertionError("4 bytes are always an address", e);
        }
    }

    /** Dotted quad. */
    public static String toString(final int address) {
        return (address >>> 24) + "." + ((address >>> 16) & 0xFF) + "." + ((address >>> 8) & 0xFF) + "."
                + (address & 0xFF);
    }

    /** The network mask of a prefix length: {@code mask(24) == 0xFFFFFF00}, {@code mask(0) == 0}. */
    public static int mask(final int length) {
        if (length < 0 || length > 32) {
            throw new IllegalArgumentException("prefix length=" + length + " out of range 0..32");
        }
        return PrefixTable.mask(length);
    }
}
