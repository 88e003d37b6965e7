package io.splitplane.cni;

import io.splitplane.api.cni.NetworkConfig;
import io.splitplane.cni.ipam.IpamDelegate;
import io.splitplane.cni.state.StateStore;
import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * STATUS: ready for ADD when libbpf loads, the pin root is on a bpffs (or can be made on one), the
 * state directory can be locked, and the IPAM delegate is there and ready itself. Otherwise error 50,
 * naming what is missing.
 */
final class StatusCommand {
    private StatusCommand() {
    }

    static void run(Request request) {
        NetworkConfig config = request.config();
        try (Arena arena = Arena.ofConfined()) {
            // The library the classifier's loader binds to (kernel module, through FFM).
            SymbolLookup.libraryLookup("libbpf.so.1", arena).find("bpf_object__load").orElseThrow();
        } catch (RuntimeException | LinkageError e) {
            throw unavailable("libbpf cannot be loaded", e.toString(), e);
        }
        Path root = config.pinPaths().bpffsRoot();
        Path existing = root;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        try {
            String type = existing == null ? "none" : Files.getFileStore(existing).type();
            if (!"bpf".equals(type)) {
                throw unavailable("no bpffs for the classifier's pins", root + " is on a '" + type
                        + "' file system, not a bpffs (mount -t bpf bpf " + root + ")", null);
            }
        } catch (IOException e) {
            throw unavailable("cannot inspect the pin root", root + ": " + e, e);
        }
        try (StateStore store = StateStore.lock(config.effectiveStateDir())) {
            IpamDelegate ipam = request.ipam(store);
            if (ipam != null) {
                try {
                    ipam.status(request.stdin());
                } catch (CniException e) {
                    throw unavailable("IPAM plugin " + ipam.type() + " is not available", e.getMessage(), e);
                }
            }
        } catch (CniException e) {
            if (e.code() == CniException.NOT_AVAILABLE) {
                throw e;
            }
            throw unavailable(e.msg(), e.details(), e);
        }
    }

    private static CniException unavailable(String msg, String details, Throwable cause) {
        return new CniException(CniException.NOT_AVAILABLE, msg, details, cause);
    }
}
