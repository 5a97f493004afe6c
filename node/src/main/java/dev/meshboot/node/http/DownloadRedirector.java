package dev.meshboot.node.http;

import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * The hook that lets a busy server send a downloader to a less loaded peer holding the same snapshot (the mesh
 * issue fills it in, to spread a boot storm across every booted node). Empty serves the request here.
 */
@FunctionalInterface
public interface DownloadRedirector {
    Optional<String> redirect(String path, InetSocketAddress client);

    DownloadRedirector NONE = (path, client) -> Optional.empty();
}
