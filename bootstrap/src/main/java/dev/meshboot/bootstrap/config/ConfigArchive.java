package dev.meshboot.bootstrap.config;

import dev.meshboot.clusterconfig.render.RenderedFile;
import dev.meshboot.images.tar.TarEntry;
import dev.meshboot.images.tar.TarWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;

/**
 * A node's config archive: the rendered files as a plain (uncompressed) tar, owned by root, mtime 0, in the order
 * rendered, which {@code /init} extracts over the new root before {@code switch_root} (docs/boot-flow.md). No
 * directory members: extracting must not change the modes or times of directories the snapshot already has.
 */
public final class ConfigArchive {
    private ConfigArchive() {}

    public static byte[] tar(List<RenderedFile> files) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        TarWriter tar = new TarWriter(bytes);
        for (RenderedFile f : files) {
            boolean link = f.linkTarget().isPresent();
            TarEntry e = new TarEntry(link ? TarEntry.Type.SYMLINK : TarEntry.Type.REGULAR, f.path(),
                    f.linkTarget().orElse(""), f.mode(), 0, 0, link ? 0 : f.content().length, 0, 0, 0, 0, Map.of(),
                    null);
            OutputStream out = tar.begin(e);
            if (!link) {
                out.write(f.content());
            }
            tar.end();
        }
        tar.finish();
        return bytes.toByteArray();
    }
}
