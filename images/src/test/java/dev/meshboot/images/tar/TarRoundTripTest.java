package dev.meshboot.images.tar;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;

/** TarWriter and TarReader agree, and an independent reader (Commons Compress) reads what we write the same way. */
class TarRoundTripTest {
    private static final String LONG_NAME = "dir/" + "x".repeat(150) + "/ünïcödé-名前";

    private static TarEntry regular(String name, long size, Map<String, byte[]> xattrs, List<TarEntry.Segment> sparse) {
        return new TarEntry(TarEntry.Type.REGULAR, name, "", 04755, 4_000_000, 3_000_000, size, 1_700_000_000L,
                123_456_789, 0, 0, new TreeMap<>(xattrs), sparse);
    }

    private static byte[] write(List<TarEntry> entries, List<byte[]> data) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        TarWriter w = new TarWriter(bytes);
        for (int i = 0; i < entries.size(); i++) {
            OutputStream out = w.begin(entries.get(i));
            out.write(data.get(i));
            w.end();
        }
        w.finish();
        return bytes.toByteArray();
    }

    private final byte[] fileData = "hello, tar\n".getBytes(StandardCharsets.US_ASCII);
    private final byte[] sparseData = new byte[8192];

    private List<TarEntry> entries() {
        java.util.Arrays.fill(sparseData, (byte) 'S');
        return List.of(
                new TarEntry(TarEntry.Type.DIRECTORY, "", "", 0755, 0, 0, 0, 1_700_000_000L, 0, 0, 0, Map.of(), null),
                regular(LONG_NAME, fileData.length,
                        Map.of("user.k", new byte[] {0, '\n', '=', (byte) 0xff}, "trusted.t", "v".getBytes()), null),
                regular("sparse", 1L << 30, Map.of(),
                        List.of(new TarEntry.Segment(4096, 4096), new TarEntry.Segment(512L << 20, 4096))),
                new TarEntry(TarEntry.Type.SYMLINK, "link", "../" + "t".repeat(120), 0777, 0, 0, 0, 5, 0, 0, 0,
                        Map.of(), null),
                new TarEntry(TarEntry.Type.HARDLINK, "hard", LONG_NAME, 04755, 0, 0, 0, 5, 0, 0, 0, Map.of(), null),
                new TarEntry(TarEntry.Type.CHAR_DEVICE, "dev/null", "", 0666, 0, 0, 0, 5, 0, 1, 3, Map.of(), null),
                new TarEntry(TarEntry.Type.FIFO, "fifo", "", 0600, 0, 0, 0, -5, 500_000_000, 0, 0, Map.of(), null));
    }

    private List<byte[]> data() {
        byte[] none = new byte[0];
        return List.of(none, fileData, sparseData, none, none, none, none);
    }

    @Test
    void writeThenRead_givesTheSameEntriesAndData() throws IOException {
        List<TarEntry> entries = entries();
        TarReader r = new TarReader(new ByteArrayInputStream(write(entries, data())), TarLimits.DEFAULT);
        for (int i = 0; i < entries.size(); i++) {
            TarEntry expected = entries.get(i);
            TarEntry actual = r.next();
            assertEquals(expected.name(), actual.name());
            assertEquals(expected.type(), actual.type());
            assertEquals(expected.linkName(), actual.linkName());
            assertEquals(expected.mode(), actual.mode());
            assertEquals(expected.uid(), actual.uid());
            assertEquals(expected.gid(), actual.gid());
            assertEquals(expected.size(), actual.size());
            assertEquals(expected.mtimeSeconds(), actual.mtimeSeconds(), expected.name());
            assertEquals(expected.mtimeNanos(), actual.mtimeNanos(), expected.name());
            assertEquals(expected.devMajor(), actual.devMajor());
            assertEquals(expected.devMinor(), actual.devMinor());
            assertEquals(expected.sparse(), actual.sparse());
            assertEquals(expected.xattrs().keySet(), actual.xattrs().keySet());
            for (String k : expected.xattrs().keySet()) {
                assertArrayEquals(expected.xattrs().get(k), actual.xattrs().get(k), k);
            }
            assertArrayEquals(data().get(i), r.data().readAllBytes(), expected.name());
        }
        assertNull(r.next());
    }

    @Test
    void sameEntries_giveTheSameBytes() throws IOException {
        assertArrayEquals(write(entries(), data()), write(entries(), data()));
    }

    @Test
    void commonsCompress_readsNamesOwnersXattrsAndSparseMaps() throws IOException {
        try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(write(entries(), data())))) {
            TarArchiveEntry root = in.getNextEntry();
            assertEquals("./", root.getName());
            TarArchiveEntry longName = in.getNextEntry();
            assertEquals(LONG_NAME, longName.getName());
            assertEquals(4_000_000, longName.getLongUserId());
            assertEquals(3_000_000, longName.getLongGroupId());
            assertEquals(04755, longName.getMode() & 07777);
            assertEquals("v", longName.getExtraPaxHeader("SCHILY.xattr.trusted.t"));
            assertArrayEquals(fileData, in.readAllBytes());
            TarArchiveEntry sparse = in.getNextEntry();
            assertTrue(sparse.isPaxGNU1XSparse(), "GNU sparse 1.0");
            assertEquals("sparse", sparse.getName());
            assertEquals(1L << 30, sparse.getRealSize());
            assertEquals(3, sparse.getOrderedSparseHeaders().size()); // two segments and the trailing hole
            TarArchiveEntry link = in.getNextEntry();
            assertEquals("../" + "t".repeat(120), link.getLinkName());
        }
    }
}
