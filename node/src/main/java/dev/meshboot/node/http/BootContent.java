package dev.meshboot.node.http;

import java.util.Optional;

/**
 * What the HTTP server can serve, by path. The server only speaks HTTP; this decides what a path means: a
 * per-machine iPXE script, a boot file, a snapshot archive, a single chunk. Empty means 404.
 */
public interface BootContent {
    Optional<Representation> resolve(String path);
}
