package dev.meshboot.clusterconfig.render;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * One entry of a node's config archive: a path relative to the new root, a mode, and either content or a symlink
 * target (enabled services are symlinks, as {@code systemctl enable} makes them).
 */
public record RenderedFile(String path, int mode, byte[] content, Optional<String> linkTarget) {
    public RenderedFile {
        if (path.startsWith("/") || path.contains("..") || path.isEmpty()) {
            throw new IllegalArgumentException("a config archive path is relative and confined: " + path);
        }
    }

    public static RenderedFile text(String path, String text) {
        return text(path, 0644, text);
    }

    public static RenderedFile text(String path, int mode, String text) {
        return new RenderedFile(path, mode, text.getBytes(StandardCharsets.UTF_8), Optional.empty());
    }

    public static RenderedFile symlink(String path, String target) {
        return new RenderedFile(path, 0777, new byte[0], Optional.of(target));
    }
}
