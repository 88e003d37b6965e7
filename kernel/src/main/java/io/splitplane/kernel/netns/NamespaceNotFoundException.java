package io.splitplane.kernel.netns;

import io.splitplane.kernel.sys.Errno;
import io.splitplane.kernel.sys.KernelException;

/** The network namespace named or pointed to does not exist (CNI DEL treats this as done). */
public final class NamespaceNotFoundException extends KernelException {
    public NamespaceNotFoundException(String what) {
        super("open network namespace " + what, Errno.ENOENT);
    }
}
