package io.splitplane.kernel.netlink;

/**
 * The kernel's rules for interface names ({@code dev_valid_name}), checked before any syscall so
 * a bad name is an {@link IllegalArgumentException} that says what is wrong, not an EINVAL.
 */
public final class InterfaceName {
    /** {@code IFNAMSIZ - 1}: the longest name, without the terminating NUL. */
    public static final int MAX_LENGTH = 15;

    private InterfaceName() {
    }

    /** Returns {@code name} if the kernel would accept it, else throws {@link IllegalArgumentException}. */
    public static String requireValid(String name) {
        if (name == null) {
            throw new IllegalArgumentException("interface name is null");
        }
        if (name.isEmpty()) {
            throw new IllegalArgumentException("interface name is empty");
        }
        if (name.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("interface name '" + name + "' is too long: length="
                    + name.length() + ", max=" + MAX_LENGTH);
        }
        if (name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("interface name '" + name + "' is reserved");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            // The kernel counts bytes and allows any non-space UTF-8; ASCII only keeps length=bytes
            // and keeps names usable in sysfs paths and shell scripts.
            if (c <= ' ' || c >= 0x7f || c == '/' || c == ':') {
                throw new IllegalArgumentException("interface name '" + name + "' contains an invalid character at index="
                        + i + " (no '/', ':', whitespace, control or non-ASCII characters)");
            }
        }
        return name;
    }
}
