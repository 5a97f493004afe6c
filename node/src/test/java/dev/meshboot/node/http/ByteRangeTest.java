package dev.meshboot.node.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ByteRangeTest {
    @Test
    void forms_ofASingleRange() throws Exception {
        assertEquals(Optional.of(new ByteRange(0, 99)), ByteRange.parse("bytes=0-99", 1000));
        assertEquals(Optional.of(new ByteRange(900, 999)), ByteRange.parse("bytes=900-", 1000));
        assertEquals(Optional.of(new ByteRange(950, 999)), ByteRange.parse("bytes=-50", 1000));
        assertEquals(Optional.of(new ByteRange(0, 999)), ByteRange.parse("bytes=-5000", 1000));
        assertEquals(Optional.of(new ByteRange(10, 999)), ByteRange.parse("bytes=10-5000", 1000), "clamped to the end");
    }

    @Test
    void ignorable_headersServeTheWhole() throws Exception {
        for (String h : List.of("items=0-1", "bytes=0-1,5-6", "bytes=x-y", "bytes=-", "bytes=9-3")) {
            assertEquals(Optional.empty(), ByteRange.parse(h, 1000), h);
        }
        assertEquals(Optional.empty(), ByteRange.parse(null, 1000));
    }

    @Test
    void rangesPastTheEnd_areUnsatisfiable() {
        assertThrows(ByteRange.Unsatisfiable.class, () -> ByteRange.parse("bytes=1000-", 1000));
        assertThrows(ByteRange.Unsatisfiable.class, () -> ByteRange.parse("bytes=-0", 1000));
    }

    @Test
    void aRange_mapsOntoSpansAcrossChunkBoundaries() {
        Representation r = Representation.of("x", "e", List.of(
                new Representation.FileSpan(Path.of("a"), 0, 100),
                new Representation.FileSpan(Path.of("b"), 0, 100),
                new Representation.FileSpan(Path.of("c"), 0, 100)));
        assertEquals(List.of(new Representation.FileSpan(Path.of("a"), 90, 10),
                new Representation.FileSpan(Path.of("b"), 0, 100),
                new Representation.FileSpan(Path.of("c"), 0, 5)), r.slice(new ByteRange(90, 204)));
        assertEquals(List.of(new Representation.FileSpan(Path.of("b"), 50, 1)), r.slice(new ByteRange(150, 150)));
    }
}
