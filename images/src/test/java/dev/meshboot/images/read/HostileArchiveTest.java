package dev.meshboot.images.read;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshboot.images.ArchiveFormatException;
import dev.meshboot.images.PathEscapeException;
import dev.meshboot.images.SnapshotException;
import dev.meshboot.images.store.SnapshotStore;
import dev.meshboot.images.tar.TarEntry;
import dev.meshboot.images.tar.TarLimits;
import dev.meshboot.images.tar.TarReader;
import dev.meshboot.images.testing.RawArchives;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every hostile fixture is refused with its own exception type and a message naming the cause, and writes nothing outside. */
class HostileArchiveTest {
    @TempDir
    Path sandbox;

    static Stream<Arguments> fixtures() {
        return Stream.of(
                Arguments.of("path-escape-dotdot-fail.tar", PathEscapeException.class, "'..'"),
                Arguments.of("path-escape-nested-dotdot-fail.tar", PathEscapeException.class, "'..'"),
                Arguments.of("path-escape-absolute-fail.tar", PathEscapeException.class, "absolute path"),
                Arguments.of("symlink-then-file-fail.tar", PathEscapeException.class, "is a symlink"),
                Arguments.of("symlink-absolute-then-file-fail.tar", PathEscapeException.class, "is a symlink"),
                Arguments.of("hardlink-escape-fail.tar", PathEscapeException.class, "'..'"),
                Arguments.of("oversized-pax-header-fail.tar", ArchiveFormatException.class, "Oversized PAX header"),
                Arguments.of("truncated-in-content-fail.tar", ArchiveFormatException.class, "Truncated archive"),
                Arguments.of("truncated-no-end-marker-fail.tar", ArchiveFormatException.class, "end-of-archive marker"),
                Arguments.of("bad-checksum-fail.tar", ArchiveFormatException.class, "Bad header checksum"),
                Arguments.of("sparse-map-beyond-size-fail.tar", ArchiveFormatException.class, "Sparse map of 's'"));
    }

    private static byte[] fixture(String name) throws IOException {
        try (InputStream in = HostileArchiveTest.class.getResourceAsStream("/hostile/" + name)) {
            return in.readAllBytes();
        }
    }

    private static List<String> listing(Path root) throws IOException {
        List<String> out = new ArrayList<>();
        try (Stream<Path> s = Files.walk(root)) {
            s.forEach(p -> out.add(root.relativize(p).toString()));
        }
        out.sort(String::compareTo);
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void restorer_refusesFixture_andWritesNothingOutsideTheTarget(String name, Class<? extends SnapshotException> type,
            String message) throws IOException {
        Path target = Files.createDirectories(sandbox.resolve("deep/er/target"));
        Files.writeString(sandbox.resolve("deep/sentinel"), "untouched");
        List<String> before = listing(sandbox);

        TarReader reader = new TarReader(new ByteArrayInputStream(fixture(name)), TarLimits.DEFAULT);
        TreeRestorer restorer = new TreeRestorer(target, w -> {});
        SnapshotException e = assertThrows(SnapshotException.class, () -> {
            TarEntry entry;
            while ((entry = reader.next()) != null) {
                restorer.apply(entry, reader.data());
            }
        });
        assertInstanceOf(type, e, e.getMessage());
        assertTrue(e.getMessage().contains(message), e.getMessage());

        List<String> after = listing(sandbox);
        after.removeIf(p -> p.startsWith("deep/er/target/"));
        assertEquals(before, after, "something was written outside the target");
        assertEquals("untouched", Files.readString(sandbox.resolve("deep/sentinel")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void extract_refusesFixture_andLeavesNoTree(String name, Class<? extends SnapshotException> type, String message)
            throws IOException {
        SnapshotStore store = SnapshotStore.open(sandbox.resolve("store"));
        String id = RawArchives.importAsCore(store, fixture(name));
        SnapshotReader reader = new SnapshotReader(store, store.load(id, true, List.of()));
        Path to = sandbox.resolve("out/target");
        Files.createDirectories(to.getParent());

        SnapshotException e = assertThrows(SnapshotException.class, () -> reader.extract(List.of("core"), to, w -> {}));
        assertInstanceOf(type, e, e.getMessage());
        assertFalse(Files.exists(to), "a failed extraction left a target tree");
        try (Stream<Path> s = Files.list(sandbox.resolve("out"))) {
            assertEquals(List.of(), s.toList(), "the staging directory was not removed");
        }
    }
}
