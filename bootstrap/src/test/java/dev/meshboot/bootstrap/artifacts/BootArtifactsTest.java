package dev.meshboot.bootstrap.artifacts;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BootArtifactsTest {
    private static final String SNAP = "ab".repeat(32);

    @Test
    void theIndex_isCanonicalJson_andReadsBack() throws IOException {
        BootArtifacts a = new BootArtifacts(SNAP, "6.1.0-56-amd64", Map.of(
                "vmlinuz", new BootArtifacts.Blob("11".repeat(32), 8),
                "initrd.img", new BootArtifacts.Blob("22".repeat(32), 9)));
        String json = new String(a.toJson(), StandardCharsets.UTF_8);
        assertEquals("{\"files\":{\"initrd.img\":{\"sha256\":\"" + "22".repeat(32) + "\",\"size\":9},\"vmlinuz\":"
                + "{\"sha256\":\"" + "11".repeat(32) + "\",\"size\":8}},\"format\":\"meshboot-artifacts/1\","
                + "\"kernelVersion\":\"6.1.0-56-amd64\",\"snapshot\":\"" + SNAP + "\"}", json);
        assertEquals(a, BootArtifacts.parse(a.toJson()));
    }

    @Test
    void anIndexWithANameThatCouldEscape_isRefused() {
        String bad = "{\"files\":{\"../x\":{\"sha256\":\"" + "11".repeat(32) + "\",\"size\":1}},\"format\":"
                + "\"meshboot-artifacts/1\",\"kernelVersion\":\"k\",\"snapshot\":\"" + SNAP + "\"}";
        assertThrows(IOException.class, () -> BootArtifacts.parse(bad.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void blobs_areNamedByTheirHash_storedOnce_andTheIndexIsFoundBySnapshot(@TempDir Path dir) throws IOException {
        ArtifactStore store = new ArtifactStore(dir);
        BootArtifacts.Blob b = store.put("kernel".getBytes(StandardCharsets.US_ASCII));
        assertEquals(b, store.put("kernel".getBytes(StandardCharsets.US_ASCII)));
        assertArrayEquals("kernel".getBytes(StandardCharsets.US_ASCII), java.nio.file.Files.readAllBytes(store.blobPath(b.sha256())));
        store.commit(new BootArtifacts(SNAP, "k", Map.of("vmlinuz", b)));
        assertEquals(b, store.of(SNAP).orElseThrow().file("vmlinuz").orElseThrow());
        assertEquals(java.util.Optional.empty(), store.of("cd".repeat(32)));
        assertEquals(java.util.Optional.empty(), store.of("../../etc"));
    }
}
