package dev.meshboot.node.boot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.meshboot.images.store.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What each disk-mode node last installed, as its {@code /init} reported it ({@code booted.json}): the snapshot and
 * the reinstall generation. The boot policy sends a disk node to its local disk only when that matches what the
 * documents ask for now, so raising a node's {@code reinstall}, or moving its channel, reinstalls it exactly once.
 *
 * <p>Kept in one JSON file, rewritten atomically on every change (a handful of writes per boot, not per packet).
 * The mesh issue moves it into the replicated store, so that every boot server knows.
 */
public final class InstallRecords {
    /** One node's last install. */
    public record Installed(String snapshot, int reinstall, String at) {}

    private static final ObjectMapper JSON = JsonMapper.builder().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .build();

    private final Path file;
    private final Clock clock;
    private final Map<String, Installed> records = new TreeMap<>();

    public InstallRecords(Path file, Clock clock) throws IOException {
        this.file = file;
        this.clock = clock;
        if (Files.isRegularFile(file)) {
            JsonNode root = JSON.readTree(Files.readAllBytes(file));
            for (Map.Entry<String, JsonNode> e : root.path("nodes").properties()) {
                JsonNode n = e.getValue();
                records.put(e.getKey(), new Installed(n.path("snapshot").asText(), n.path("reinstall").asInt(),
                        n.path("at").asText()));
            }
        }
    }

    public synchronized Optional<Installed> of(String node) {
        return Optional.ofNullable(records.get(node));
    }

    /**
     * Takes a node's {@code booted.json}; records it when it reports a completed disk install of that node.
     * Returns false for a report that is not JSON, names another node, or is not a disk install.
     */
    public synchronized boolean report(String node, byte[] bootedJson) throws IOException {
        JsonNode r;
        try {
            r = JSON.readTree(bootedJson);
        } catch (IOException e) {
            return false;
        }
        if (r == null || !node.equals(r.path("node").asText()) || !r.path("snapshot").asText().matches("[0-9a-f]{64}")) {
            return false;
        }
        if (!"disk".equals(r.path("mode").asText())) {
            return true; // a ramdisk boot: nothing to remember
        }
        records.put(node, new Installed(r.path("snapshot").asText(), r.path("reinstall").asInt(0),
                clock.instant().toString()));
        save();
        return true;
    }

    private void save() throws IOException {
        Map<String, Object> nodes = new TreeMap<>();
        records.forEach((k, v) -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("at", v.at());
            m.put("reinstall", v.reinstall());
            m.put("snapshot", v.snapshot());
            nodes.put(k, m);
        });
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        AtomicFiles.write(dir, file, JSON.writeValueAsBytes(Map.of("nodes", nodes)));
        AtomicFiles.syncDirectory(dir);
    }
}
