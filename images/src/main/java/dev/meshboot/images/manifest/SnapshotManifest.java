package dev.meshboot.images.manifest;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What a snapshot is: its archives and their chunks, and where it came from. Its canonical JSON bytes
 * ({@link ManifestCodec}) hash to the snapshot id and are what the signature covers.
 *
 * @param format always {@link #FORMAT}; a reader refuses anything else
 * @param name the operator's name for the snapshot (e.g. {@code debian-12-base})
 * @param created build time, ISO-8601 UTC
 * @param parent id of the snapshot this one was built after (same name, same store), or null
 * @param build facts about the build: builder version, host, source root, chunking and compression parameters
 * @param archives {@code core} first, then {@code extras}
 */
public record SnapshotManifest(
        String format, String name, String created, String parent, Map<String, String> build,
        List<ArchiveManifest> archives) {

    public static final String FORMAT = "meshboot-snapshot/1";

    public SnapshotManifest {
        build = new TreeMap<>(build == null ? Map.of() : build);
        archives = List.copyOf(archives);
    }

    public Optional<ArchiveManifest> archive(String archiveName) {
        return archives.stream().filter(a -> a.name().equals(archiveName)).findFirst();
    }
}
