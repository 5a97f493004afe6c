package dev.meshboot.images.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.luben.zstd.Zstd;
import dev.meshboot.images.ChunkIntegrityException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The chunk directory's housekeeping: listing, quarantine, removal, ageing, and checking a chunk by its id alone. */
class ChunkStoreTest {
    @TempDir
    Path dir;

    private ChunkStore chunks;
    private final byte[] content = "a chunk's content, long enough to compress a little: aaaaaaaaaaaaaaaaaaaaaaaa"
            .getBytes(StandardCharsets.US_ASCII);
    private final String id = ChunkStore.idOf(content);

    @BeforeEach
    void store() throws Exception {
        chunks = SnapshotStore.open(dir).chunks();
        chunks.put(id, Zstd.compress(content, 3));
    }

    @Test
    void ids_listsStoredChunks_andIgnoresStrangers() throws Exception {
        byte[] other = "another".getBytes(StandardCharsets.US_ASCII);
        chunks.put(ChunkStore.idOf(other), Zstd.compress(other, 3));
        Files.writeString(chunks.pathOf(id).resolveSibling("notes.txt"), "not a chunk");
        Files.writeString(chunks.pathOf(id).resolveSibling("ff" + id.substring(2) + ".zst"), "in the wrong fan-out dir");

        assertEquals(List.of(id, ChunkStore.idOf(other)).stream().sorted().toList(), chunks.ids());
    }

    @Test
    void quarantine_movesTheFileAside_soTheStoreNoLongerHoldsIt() throws Exception {
        byte[] stored = chunks.readCompressed(id);

        Optional<Path> aside = chunks.quarantine(id);

        assertEquals(Optional.of(dir.resolve("quarantine").resolve(id + ".zst")), aside);
        assertArrayEquals(stored, Files.readAllBytes(aside.get()));
        assertFalse(chunks.contains(id));
        assertEquals(Optional.empty(), chunks.quarantine(id), "nothing left to move");
        chunks.put(id, stored);
        assertTrue(chunks.contains(id), "a repaired chunk is stored again under its name");
    }

    @Test
    void remove_andTouch_reportWhetherTheChunkWasThere() throws Exception {
        Instant then = Instant.parse("2020-01-01T00:00:00Z");
        assertTrue(chunks.touch(id, then));
        assertEquals(then, Files.getLastModifiedTime(chunks.pathOf(id)).toInstant());
        assertTrue(chunks.remove(id));
        assertFalse(chunks.remove(id));
        assertFalse(chunks.touch(id, then));
    }

    @Test
    void verifyById_acceptsTheStoredFrame_andRefusesOtherContentOrGarbage() throws Exception {
        assertArrayEquals(content, ChunkStore.verify(id, chunks.readCompressed(id), "test"));

        byte[] other = Zstd.compress("other content".getBytes(StandardCharsets.US_ASCII), 3);
        assertThrows(ChunkIntegrityException.class, () -> ChunkStore.verify(id, other, "test"));
        byte[] garbage = chunks.readCompressed(id);
        garbage[garbage.length / 2] ^= 0x55;
        assertThrows(ChunkIntegrityException.class, () -> ChunkStore.verify(id, garbage, "test"));
        assertThrows(ChunkIntegrityException.class, () -> ChunkStore.verify(id, new byte[] {1, 2, 3}, "test"));
    }
}
