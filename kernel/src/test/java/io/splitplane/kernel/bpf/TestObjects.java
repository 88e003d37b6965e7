package io.splitplane.kernel.bpf;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;

/** The BPF objects compiled from src/test/bpf into test-classes/bpf by the build. */
final class TestObjects {
    /** Counts frames per IPv4 protocol, returns the verdict configured per protocol. */
    static final String PROTO_COUNTER = "proto_counter";
    /** Compiles, but the verifier rejects it. */
    static final String VERIFIER_REJECT = "verifier_reject";

    private TestObjects() {
    }

    static Path path(String name) {
        URL url = TestObjects.class.getResource("/bpf/" + name + ".bpf.o");
        if (url == null) {
            throw new IllegalStateException("test BPF object " + name + ".bpf.o was not built (src/test/bpf)");
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** proto_counter, loaded. */
    static BpfObject loadedProtoCounter() {
        BpfObject object = BpfObject.open(path(PROTO_COUNTER));
        try {
            object.load();
            return object;
        } catch (RuntimeException e) {
            object.close();
            throw e;
        }
    }
}
