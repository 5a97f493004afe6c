package dev.meshboot.node.http;

import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * What the HTTP server can serve, by path. The server only speaks HTTP; this decides what a path means: a
 * per-machine iPXE script, a boot file, a snapshot archive, a single chunk. Empty means 404.
 */
public interface BootContent {
    Optional<Representation> resolve(String path);

    /**
     * A booting machine's report ({@code /init} posts its {@code booted.json}); false when the path takes none.
     * Unauthenticated, like everything on the provisioning LAN: docs/threat-model.md says what that allows.
     */
    default boolean report(String path, byte[] body, InetSocketAddress client) {
        return false;
    }
}
