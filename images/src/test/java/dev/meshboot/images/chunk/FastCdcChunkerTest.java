package dev.meshboot.images.chunk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class FastCdcChunkerTest {
    private static final int AVG = 64 << 10;
    private final FastCdcChunker chunker = new FastCdcChunker(AVG);

    private static byte[] random(long seed, int size) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Chunks through the streaming path, writing in pieces of {@code piece} bytes. */
    private List<byte[]> chunks(byte[] data, int piece) throws IOException {
        List<byte[]> out = new ArrayList<>();
        try (ChunkingOutputStream s = new ChunkingOutputStream(chunker, out::add)) {
            for (int off = 0; off < data.length; off += piece) {
                s.write(data, off, Math.min(piece, data.length - off));
            }
        }
        return out;
    }

    private static List<String> ids(List<byte[]> chunks) {
        return chunks.stream().map(dev.meshboot.images.store.ChunkStore::idOf).toList();
    }

    @Test
    void sameBytes_giveSameChunks() throws IOException {
        byte[] data = random(1, 4 << 20);
        assertEquals(ids(chunks(data, 1 << 20)), ids(chunks(data.clone(), 1 << 20)));
    }

    @Property(tries = 20)
    void chunking_doesNotDependOnWriteSizes(@ForAll @IntRange(min = 1, max = 300_000) int piece) throws IOException {
        byte[] data = random(2, 2 << 20);
        assertEquals(ids(chunks(data, 1 << 20)), ids(chunks(data, piece)));
    }

    @Test
    void chunks_concatenateToTheInput_andRespectMinAndMax() throws IOException {
        byte[] data = random(3, 8 << 20);
        List<byte[]> chunks = chunks(data, 100_000);
        int pos = 0;
        for (int i = 0; i < chunks.size(); i++) {
            byte[] c = chunks.get(i);
            assertTrue(c.length <= chunker.maxSize(), "chunk " + i + " is " + c.length);
            if (i < chunks.size() - 1) {
                assertTrue(c.length >= chunker.minSize(), "chunk " + i + " is " + c.length);
            }
            for (byte b : c) {
                assertEquals(data[pos++], b);
            }
        }
        assertEquals(data.length, pos);
    }

    @Test
    void averageChunkSize_isNearTheTarget() throws IOException {
        byte[] data = random(4, 16 << 20);
        double average = (double) data.length / chunks(data, 1 << 20).size();
        assertTrue(average > AVG * 0.7 && average < AVG * 1.5, "average " + average + " for target " + AVG);
    }

    @Test
    void zeros_cutAtTheMaximum() throws IOException {
        List<byte[]> chunks = chunks(new byte[2 * chunker.maxSize()], 1 << 20);
        assertEquals(2, chunks.size());
        assertEquals(chunker.maxSize(), chunks.get(0).length);
    }

    /**
     * An insert changes one run of chunks around it and nothing else. The run can be longer than one chunk: a cut
     * that moves can bring the next old cut under the minimum size, or change which mask applies past it, until
     * the cuts fall back in step (in practice within a few chunks).
     */
    @Property(tries = 30, seed = "20261122")
    void insertingBytes_changesOnlyOneRunOfChunksAroundTheInsert(
            @ForAll @IntRange(min = 0, max = (6 << 20)) int at, @ForAll @IntRange(min = 1, max = 5000) int length)
            throws IOException {
        byte[] data = random(5, 6 << 20);
        byte[] insert = random(at, length);
        byte[] edited = new byte[data.length + length];
        System.arraycopy(data, 0, edited, 0, at);
        System.arraycopy(insert, 0, edited, at, length);
        System.arraycopy(data, at, edited, at + length, data.length - at);

        Set<String> old = new HashSet<>(ids(chunks(data, 1 << 20)));
        List<byte[]> after = chunks(edited, 1 << 20);
        long offset = 0;
        long runStart = -1;
        long runEnd = -1;
        int changed = 0;
        for (byte[] c : after) {
            if (!old.contains(dev.meshboot.images.store.ChunkStore.idOf(c))) {
                assertTrue(runEnd < 0 || runEnd == offset, "changed chunks are not one contiguous run");
                runStart = runStart < 0 ? offset : runStart;
                runEnd = offset + c.length;
                changed++;
            }
            offset += c.length;
        }
        assertTrue(changed >= 1, "the chunk holding the insert must change");
        assertTrue(runStart <= at && at < runEnd, "the run [" + runStart + ", " + runEnd + ") misses the insert at " + at);
        assertTrue(runEnd - runStart <= 2L * chunker.maxSize() + length,
                changed + " chunks, " + (runEnd - runStart) + " bytes changed for an insert of " + length);
        assertTrue(after.size() > 50);
    }

    @Test
    void averageSize_mustBeAPowerOfTwoInRange() {
        assertThrows(IllegalArgumentException.class, () -> new FastCdcChunker(100_000));
        assertThrows(IllegalArgumentException.class, () -> new FastCdcChunker(8 << 10));
        assertThrows(IllegalArgumentException.class, () -> new FastCdcChunker(32 << 20));
    }
}
