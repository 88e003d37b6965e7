package io.splitplane.api.classifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.splitplane.api.InvalidConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IpPrefixTest {
    @ParameterizedTest
    @CsvSource({
            "10.1.0.0/16, 10.1.0.0/16",
            "0.0.0.0/0, 0.0.0.0/0",
            "192.0.2.7, 192.0.2.7/32",
            "2001:db8::/32, 2001:db8::/32",
            "2001:0DB8:0000:0000:0000:0000:0000:0000/32, 2001:db8::/32",
            "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1/128",
            "2001:db8:0:1:1:1:1:1/128, 2001:db8:0:1:1:1:1:1/128",
            "::/0, ::/0",
            "::1, ::1/128",
            "fe80::/10, fe80::/10",
    })
    void parsesAndPrintsCanonically(String text, String canonical) {
        IpPrefix p = IpPrefix.parse(text);
        assertEquals(canonical, p.toString());
        assertEquals(p, IpPrefix.parse(canonical));
        assertEquals(p.hashCode(), IpPrefix.parse(canonical).hashCode());
    }

    @Test
    void containment() {
        IpPrefix eight = IpPrefix.parse("10.0.0.0/8");
        IpPrefix sixteen = IpPrefix.parse("10.1.0.0/16");
        assertTrue(eight.contains(sixteen));
        assertTrue(eight.contains(eight));
        assertFalse(sixteen.contains(eight));
        assertFalse(IpPrefix.parse("11.0.0.0/8").contains(sixteen));
        assertFalse(IpPrefix.parse("::/0").contains(sixteen), "families never contain each other");
        assertTrue(IpPrefix.parse("::/0").contains(IpPrefix.parse("2001:db8::/32")));
        assertEquals(4, eight.version());
        assertEquals(6, IpPrefix.parse("::/0").version());
    }

    @Test
    void theAddressIsCopiedInAndOut() {
        byte[] a = {10, 0, 0, 0};
        IpPrefix p = new IpPrefix(a, 8);
        a[0] = 11;
        assertEquals("10.0.0.0/8", p.toString());
        p.address()[0] = 12;
        assertEquals("10.0.0.0/8", p.toString());
        assertNotEquals(p, IpPrefix.parse("10.0.0.0/9"));
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> new IpPrefix(new byte[5], 0));
        assertEquals("invalid config: an address has 4 or 16 bytes, not 5", e.getMessage());
    }
}
