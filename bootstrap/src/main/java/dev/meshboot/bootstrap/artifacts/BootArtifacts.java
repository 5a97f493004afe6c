package dev.meshboot.bootstrap.artifacts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The boot artifacts of one snapshot: the files a machine needs to boot it (its kernel, the initramfs made from
 * that kernel's modules, the iPXE binaries, GRUB's images for disk installs), each a content-addressed blob. Stored
 * as {@code artifacts/SNAPSHOT.json} beside the manifest, in canonical JSON:
 * <pre>
 *   {"files":{"vmlinuz":{"sha256":"...","size":8247232},...},"format":"meshboot-artifacts/1",
 *    "kernelVersion":"6.1.0-56-amd64","snapshot":"..."}
 * </pre>
 * The mesh replicates this index and its blobs with the snapshot, so every node can serve a complete boot.
 */
public record BootArtifacts(String snapshot, String kernelVersion, Map<String, Blob> files) {
    public static final String FORMAT = "meshboot-artifacts/1";
    private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._+-]{1,64}");
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS).build();

    /** One file: the SHA-256 that names its blob, and its size. */
    public record Blob(String sha256, long size) {}

    public BootArtifacts {
        files = Map.copyOf(new TreeMap<>(files));
    }

    public Optional<Blob> file(String name) {
        return Optional.ofNullable(files.get(name));
    }

    public byte[] toJson() {
        Map<String, Object> root = new TreeMap<>();
        Map<String, Object> fs = new TreeMap<>();
        files.forEach((k, v) -> {
            Map<String, Object> b = new LinkedHashMap<>();
            b.put("sha256", v.sha256());
            b.put("size", v.size());
            fs.put(k, b);
        });
        root.put("files", fs);
        root.put("format", FORMAT);
        root.put("kernelVersion", kernelVersion);
        root.put("snapshot", snapshot);
        try {
            return JSON.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Parses and validates an index; anything unexpected is refused, since its names become HTTP paths. */
    public static BootArtifacts parse(byte[] json) throws IOException {
        JsonNode root = JSON.readTree(json);
        if (root == null || !FORMAT.equals(root.path("format").asText())) {
            throw new IOException("not a " + FORMAT + " index");
        }
        String snapshot = root.path("snapshot").asText();
        if (!HEX64.matcher(snapshot).matches()) {
            throw new IOException("artifact index: snapshot '" + snapshot + "' is not a snapshot id");
        }
        Map<String, Blob> files = new TreeMap<>();
        for (Map.Entry<String, JsonNode> e : root.path("files").properties()) {
            String sha = e.getValue().path("sha256").asText();
            long size = e.getValue().path("size").asLong(-1);
            if (!NAME.matcher(e.getKey()).matches() || !HEX64.matcher(sha).matches() || size < 0) {
                throw new IOException("artifact index: bad entry '" + e.getKey() + "'");
            }
            files.put(e.getKey(), new Blob(sha, size));
        }
        return new BootArtifacts(snapshot, root.path("kernelVersion").asText(), files);
    }
}
