package io.splitplane.deviceplugin.kubelet;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Reports files created and deleted in a few directories (inotify through the JDK's WatchService):
 * the kubelet re-creating kubelet.sock or deleting a plugin's socket, the config file replaced.
 * A watched directory that is itself deleted (a kubelet restart may wipe the device-plugins
 * directory) is watched again as soon as it exists, and reported as {@link Listener#onReset} then,
 * because events in between were missed.
 */
public final class DirectoryWatcher implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(DirectoryWatcher.class.getName());
    private static final long POLL_MS = 100;

    /** Called on the watcher's thread. */
    public interface Listener {
        void onCreated(Path directory, String file);

        void onDeleted(Path directory, String file);

        void onModified(Path directory, String file);

        /** Events in {@code directory} may have been lost: look at it afresh. */
        void onReset(Path directory);
    }

    private final WatchService service;
    private final Listener listener;
    private final List<Path> directories;
    private final Map<WatchKey, Path> keys = new HashMap<>();
    private final Thread thread;
    private volatile boolean running = true;

    public DirectoryWatcher(List<Path> directories, Listener listener) {
        this.listener = Objects.requireNonNull(listener, "listener");
        this.directories = List.copyOf(directories);
        try {
            this.service = FileSystems.getDefault().newWatchService();
        } catch (IOException e) {
            throw new IllegalStateException("cannot watch directories: " + e, e);
        }
        for (Path d : this.directories) {
            watch(d);
        }
        this.thread = Thread.ofPlatform().name("directory-watcher").daemon(true).start(this::run);
    }

    private boolean watch(Path dir) {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try {
            keys.put(dir.register(service, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_DELETE,
                    StandardWatchEventKinds.ENTRY_MODIFY), dir);
            return true;
        } catch (IOException e) {
            LOG.log(Level.WARNING, "event=watch_failed directory=" + dir + " error=\"" + e + "\"");
            return false;
        }
    }

    private void run() {
        while (running) {
            WatchKey key;
            try {
                key = service.poll(POLL_MS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException | ClosedWatchServiceException e) {
                return;
            }
            try {
                if (key != null) {
                    deliver(key);
                }
                for (Path d : directories) {
                    if (!keys.containsValue(d) && watch(d)) {
                        LOG.log(Level.INFO, "event=directory_back directory=" + d);
                        listener.onReset(d);
                    }
                }
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "event=watch_listener_failed error=\"" + e.getMessage() + "\"", e);
            }
        }
    }

    private void deliver(WatchKey key) {
        Path dir = keys.get(key);
        for (WatchEvent<?> event : key.pollEvents()) {
            if (dir == null) {
                continue;
            }
            if (event.kind() == StandardWatchEventKinds.OVERFLOW) {
                listener.onReset(dir);
                continue;
            }
            String file = event.context().toString();
            if (event.kind() == StandardWatchEventKinds.ENTRY_CREATE) {
                listener.onCreated(dir, file);
            } else if (event.kind() == StandardWatchEventKinds.ENTRY_DELETE) {
                listener.onDeleted(dir, file);
            } else {
                listener.onModified(dir, file);
            }
        }
        if (!key.reset()) {
            keys.remove(key); // the directory is gone; run() watches it again when it returns
            LOG.log(Level.INFO, "event=directory_gone directory=" + dir);
        }
    }

    @Override
    public void close() {
        running = false;
        try {
            service.close();
            thread.join(POLL_MS * 20);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "event=watch_close_failed error=\"" + e + "\"");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
