package io.splitplane.kernel.netlink;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/** A 48-bit Ethernet address. Immutable; {@link #toString()} gives {@code 02:00:5e:10:00:01}. */
public final class MacAddress {
    /** Bytes in an Ethernet address. */
    public static final int LENGTH = 6;
    private static final HexFormat COLON_HEX = HexFormat.ofDelimiter(":");

    private final byte[] bytes;

    private MacAddress(byte[] bytes) {
        this.bytes = bytes;
    }

    /** From exactly six bytes (copied). */
    public static MacAddress of(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        if (bytes.length != LENGTH) {
            throw new IllegalArgumentException("MAC address needs " + LENGTH + " bytes, got length=" + bytes.length);
        }
        return new MacAddress(bytes.clone());
    }

    /** Parses {@code aa:bb:cc:dd:ee:ff} (case-insensitive). */
    public static MacAddress parse(String text) {
        Objects.requireNonNull(text, "text");
        try {
            byte[] bytes = COLON_HEX.parseHex(text);
            if (bytes.length == LENGTH) {
                return new MacAddress(bytes);
            }
        } catch (IllegalArgumentException e) {
            // reported below with the input
        }
        throw new IllegalArgumentException("not a MAC address: '" + text + "'");
    }

    public byte[] bytes() {
        return bytes.clone();
    }

    /** Whether all six bytes are zero (loopback reports this). */
    public boolean isZero() {
        for (byte b : bytes) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MacAddress other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return COLON_HEX.formatHex(bytes);
    }
}
