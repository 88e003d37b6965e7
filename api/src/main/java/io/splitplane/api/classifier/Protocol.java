package io.splitplane.api.classifier;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.splitplane.api.InvalidConfigException;
import java.util.Map;

/**
 * An L4 protocol: the IPv4 protocol field, or for IPv6 the next header after the extension headers
 * the classifier skips. JSON: a name ({@code "udp"}, {@code "tcp"}, {@code "sctp"}, {@code "icmp"},
 * {@code "icmpv6"}) or a number 0-255 (as a number or a string).
 *
 * @param number the IANA protocol number
 */
public record Protocol(int number) {
    public static final Protocol ICMP = new Protocol(1);
    public static final Protocol TCP = new Protocol(6);
    public static final Protocol UDP = new Protocol(17);
    public static final Protocol ICMPV6 = new Protocol(58);
    public static final Protocol SCTP = new Protocol(132);

    private static final Map<String, Integer> NAMES = Map.of("icmp", 1, "tcp", 6, "udp", 17, "icmpv6", 58, "sctp", 132);
    private static final String KNOWN = "udp, tcp, sctp, icmp, icmpv6, or a number 0-255";

    public Protocol {
        if (number < 0 || number > 255) {
            throw InvalidConfigException.field("", "protocol number must be 0-255, was " + number);
        }
    }

    /** The protocol with this number (JSON: a number). */
    @JsonCreator
    public static Protocol of(int number) {
        return new Protocol(number);
    }

    /** Parses a name or a decimal number. */
    @JsonCreator
    public static Protocol parse(String text) {
        if (text == null || text.isEmpty()) {
            throw InvalidConfigException.field("", "protocol must not be empty (" + KNOWN + ")");
        }
        Integer known = NAMES.get(text);
        if (known != null) {
            return new Protocol(known);
        }
        if (text.chars().allMatch(c -> c >= '0' && c <= '9') && text.length() <= 3) {
            return new Protocol(Integer.parseInt(text));
        }
        throw InvalidConfigException.field("", "unknown protocol '" + text + "' (known: " + KNOWN + ")");
    }

    /** Whether packets of this protocol carry ports the classifier reads (UDP, TCP, SCTP). */
    public boolean hasPorts() {
        return number == 6 || number == 17 || number == 132;
    }

    /** The IP version this protocol belongs to (ICMP: 4, ICMPv6: 6), or 0 if both carry it. */
    public int ipVersion() {
        return number == 1 ? 4 : number == 58 ? 6 : 0;
    }

    /** The JSON form: the name if it has one, else the number. */
    @JsonValue
    @Override
    public String toString() {
        for (Map.Entry<String, Integer> e : NAMES.entrySet()) {
            if (e.getValue() == number) {
                return e.getKey();
            }
        }
        return Integer.toString(number);
    }
}
