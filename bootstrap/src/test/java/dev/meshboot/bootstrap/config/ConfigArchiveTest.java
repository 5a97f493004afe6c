package dev.meshboot.bootstrap.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.meshboot.clusterconfig.render.RenderedFile;
import dev.meshboot.images.tar.TarEntry;
import dev.meshboot.images.tar.TarLimits;
import dev.meshboot.images.tar.TarReader;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigArchiveTest {
    @Test
    void renderedFiles_becomeARootOwnedTar_withModesAndSymlinks_andNoDirectories() throws Exception {
        byte[] tar = ConfigArchive.tar(List.of(RenderedFile.text("etc/hostname", "alpha\n"),
                new RenderedFile("etc/secret.conf", 0600, "k".getBytes(StandardCharsets.UTF_8), java.util.Optional.empty()),
                RenderedFile.symlink("etc/systemd/system/multi-user.target.wants/ssh.service", "/lib/systemd/system/ssh.service")));
        TarReader r = new TarReader(new ByteArrayInputStream(tar), TarLimits.DEFAULT);
        TarEntry e = r.next();
        assertEquals("etc/hostname", e.name());
        assertEquals(0644, e.mode());
        assertEquals(0, e.uid());
        assertArrayEquals("alpha\n".getBytes(StandardCharsets.UTF_8), r.data().readAllBytes());
        e = r.next();
        assertEquals(0600, e.mode());
        r.data().readAllBytes();
        e = r.next();
        assertEquals(TarEntry.Type.SYMLINK, e.type());
        assertEquals("/lib/systemd/system/ssh.service", e.linkName());
        assertEquals(null, r.next());
        assertArrayEquals(tar, ConfigArchive.tar(List.of(RenderedFile.text("etc/hostname", "alpha\n"),
                new RenderedFile("etc/secret.conf", 0600, "k".getBytes(StandardCharsets.UTF_8), java.util.Optional.empty()),
                RenderedFile.symlink("etc/systemd/system/multi-user.target.wants/ssh.service", "/lib/systemd/system/ssh.service"))));
    }
}
