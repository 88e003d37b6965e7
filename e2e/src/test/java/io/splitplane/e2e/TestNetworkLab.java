package io.splitplane.e2e;

import io.splitplane.kernel.testing.TestNetwork;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The scenario's lab on the kernel module's {@link TestNetwork}: every name starts with {@code spt}. */
final class TestNetworkLab implements Lab {
    private final TestNetwork net = new TestNetwork();

    @Override
    public String namespace(String role) {
        return net.namespace(role);
    }

    @Override
    public Veth veth(String nsA, String nsB) {
        TestNetwork.Veth v = net.veth(nsA, nsB);
        return new Veth(v.a(), v.nsA(), v.b(), v.nsB());
    }

    @Override
    public Path directory(String role) {
        Path dir = Path.of("/run", net.uniqueName(role));
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        net.onClose(() -> DemoLab.deleteTree(dir));
        return dir;
    }

    @Override
    public Path bpffs() {
        return net.bpffs();
    }

    @Override
    public void onClose(Runnable action) {
        net.onClose(action);
    }

    @Override
    public void close() {
        net.close();
    }
}
