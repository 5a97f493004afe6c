package dev.meshboot.images.manifest;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.meshboot.images.ManifestFormatException;
import dev.meshboot.images.paths.ConfinedPath;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The manifest's JSON form. Writing is canonical (properties and map keys sorted, no white space, UTF-8), so the
 * same manifest always gives the same bytes; the snapshot id is the SHA-256 of exactly the bytes stored, so a reader
 * never re-serialises to check it. Reading validates every field a reader will trust with a size or a name.
 */
public final class ManifestCodec {
    /** Largest manifest accepted: about 200,000 chunks, far beyond a 100 GB snapshot at 1 MiB chunks. */
    public static final int MAX_MANIFEST_BYTES = 64 << 20;
    /** Largest chunk a reader will decompress into memory (the chunker's maximum for a 16 MiB average). */
    public static final long MAX_CHUNK_BYTES = 128L << 20;

    private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._+-]{1,128}");

    private final ObjectMapper mapper = JsonMapper.builder()
            .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .disable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    public byte[] write(SnapshotManifest manifest) {
        try {
            return mapper.writeValueAsBytes(manifest);
        } catch (JacksonException e) {
            throw new IllegalStateException("manifest does not serialise", e);
        }
    }

    public SnapshotManifest read(byte[] json) throws ManifestFormatException {
        if (json.length > MAX_MANIFEST_BYTES) {
            throw new ManifestFormatException("manifest is " + json.length + " bytes, limit " + MAX_MANIFEST_BYTES);
        }
        SnapshotManifest m;
        try {
            m = mapper.readValue(json, SnapshotManifest.class);
        } catch (java.io.IOException e) {
            throw new ManifestFormatException("manifest is not valid JSON: " + e.getMessage(), e);
        }
        validate(m);
        return m;
    }

    private static void validate(SnapshotManifest m) throws ManifestFormatException {
        if (!SnapshotManifest.FORMAT.equals(m.format())) {
            throw new ManifestFormatException("manifest field 'format' is '" + m.format() + "': expected '"
                    + SnapshotManifest.FORMAT + "'");
        }
        if (m.name() == null || !NAME.matcher(m.name()).matches()) {
            throw new ManifestFormatException("manifest field 'name' is '" + printable(m.name())
                    + "': expected 1-128 letters, digits or ._+-");
        }
        if (m.parent() != null && !HEX64.matcher(m.parent()).matches()) {
            throw new ManifestFormatException("manifest field 'parent' is '" + printable(m.parent())
                    + "': expected a snapshot id (64 hex digits)");
        }
        Set<String> names = new HashSet<>();
        for (ArchiveManifest a : m.archives()) {
            String where = "archive '" + printable(a.name()) + "'";
            if (a.name() == null || !NAME.matcher(a.name()).matches() || !names.add(a.name())) {
                throw new ManifestFormatException("manifest " + where + ": name missing, malformed or repeated");
            }
            if (a.sha256() == null || !HEX64.matcher(a.sha256()).matches()) {
                throw new ManifestFormatException("manifest " + where + " field 'sha256' is '"
                        + printable(a.sha256()) + "': expected 64 hex digits");
            }
            long tar = 0;
            long compressed = 0;
            for (int i = 0; i < a.chunks().size(); i++) {
                ChunkRef c = a.chunks().get(i);
                if (c.id() == null || !HEX64.matcher(c.id()).matches()) {
                    throw new ManifestFormatException("manifest " + where + " chunk " + i + " field 'id' is '"
                            + printable(c.id()) + "': expected 64 hex digits");
                }
                if (c.size() <= 0 || c.size() > MAX_CHUNK_BYTES || c.csize() <= 0 || c.csize() > MAX_CHUNK_BYTES * 2) {
                    throw new ManifestFormatException("manifest " + where + " chunk " + i + " (" + c.id()
                            + ") has size " + c.size() + " and csize " + c.csize() + ": each must be 1.."
                            + MAX_CHUNK_BYTES);
                }
                tar += c.size();
                compressed += c.csize();
            }
            if (tar != a.tarBytes() || compressed != a.compressedBytes()) {
                throw new ManifestFormatException("manifest " + where + ": chunk sizes add up to " + tar + "/"
                        + compressed + " bytes, the archive says tarBytes " + a.tarBytes() + ", compressedBytes "
                        + a.compressedBytes());
            }
        }
    }

    private static String printable(String s) {
        return s == null ? "null" : ConfinedPath.printable(s);
    }
}
