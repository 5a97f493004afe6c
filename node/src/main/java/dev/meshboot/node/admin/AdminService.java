package dev.meshboot.node.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshboot.clusterconfig.CanonicalDocument;
import dev.meshboot.clusterconfig.ClusterConfig;
import dev.meshboot.clusterconfig.ConfigError;
import dev.meshboot.clusterconfig.ConfigLoader;
import dev.meshboot.clusterconfig.Node;
import dev.meshboot.clusterconfig.Profile;
import dev.meshboot.clusterconfig.render.ConfigRenderer;
import dev.meshboot.clusterconfig.render.RenderedFile;
import dev.meshboot.clusterconfig.store.Conflict;
import dev.meshboot.clusterconfig.store.ConfigView;
import dev.meshboot.clusterconfig.store.ReplicatedStore;
import dev.meshboot.clusterconfig.store.VersionedDocument;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What each admin request does, against this member's store. Requests are JSON objects with an {@code op}:
 *
 * <ul>
 *   <li>{@code apply} {@code documents: [{kind, name, json}]}: refused whole with every {@link ConfigError} if the
 *       store's documents with these written would not be valid; otherwise written and replicated;
 *   <li>{@code get} [{@code kind} [{@code name}]]: the live documents with their versions;
 *   <li>{@code conflicts}: the conflicts this member resolved, both versions each;
 *   <li>{@code render} {@code node, os}: the files the node's config archive would hold, from the configuration
 *       this member serves;
 *   <li>{@code status}: this member, the view, the store's size and whether its documents are valid.
 * </ul>
 *
 * Every response has {@code ok}; a refusal has {@code error} and, for invalid documents, {@code errors}.
 */
public final class AdminService {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** Writes documents to the store and replicates them (the agent's replicator, or the store alone). */
    @FunctionalInterface
    public interface DocumentWriter {
        List<VersionedDocument> write(Collection<CanonicalDocument> documents) throws IOException;
    }

    /** An operation the agent adds beyond the store's own (publishing a snapshot, the mesh's status). */
    @FunctionalInterface
    public interface Operation {
        ObjectNode handle(JsonNode request) throws AdminRequestException, IOException;
    }

    private final ReplicatedStore store;
    private final DocumentWriter writer;
    private final Supplier<List<String>> members;
    private final java.util.Map<String, Operation> more = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * @param members the names of the current view's members (this member alone for a standalone agent)
     */
    public AdminService(ReplicatedStore store, DocumentWriter writer, Supplier<List<String>> members) {
        this.store = store;
        this.writer = writer;
        this.members = members;
    }

    ObjectNode handle(JsonNode r) throws AdminRequestException, IOException {
        String op = r.path("op").asText("");
        return switch (op) {
            case "apply" -> apply(r);
            case "get" -> get(r);
            case "conflicts" -> conflicts();
            case "render" -> render(r);
            case "status" -> status();
            default -> {
                Operation o = more.get(op);
                if (o == null) {
                    throw new AdminRequestException("unknown op '" + op + "' (apply, get, conflicts, render, status"
                            + (more.isEmpty() ? "" : ", " + String.join(", ", new java.util.TreeSet<>(more.keySet())))
                            + ")");
                }
                yield o.handle(r);
            }
        };
    }

    /** Adds an operation; the agent registers those that need more than the store. */
    public void register(String op, Operation operation) {
        more.put(op, operation);
    }

    /** A successful response, for operations registered from outside. */
    public static ObjectNode success() {
        return ok();
    }

    static ObjectNode error(String message) {
        ObjectNode o = JSON.createObjectNode();
        o.put("ok", false);
        o.put("error", message);
        return o;
    }

    private static ObjectNode ok() {
        ObjectNode o = JSON.createObjectNode();
        o.put("ok", true);
        return o;
    }

    private ObjectNode apply(JsonNode r) throws AdminRequestException, IOException {
        JsonNode docs = r.path("documents");
        if (!docs.isArray() || docs.isEmpty()) {
            throw new AdminRequestException("apply needs documents: [{kind, name, json}]");
        }
        List<CanonicalDocument> documents = new ArrayList<>();
        for (JsonNode d : docs) {
            String kind = d.path("kind").asText("");
            String name = d.path("name").asText("");
            byte[] json = d.path("json").asText("").getBytes(StandardCharsets.UTF_8);
            JsonNode parsed;
            try {
                parsed = JSON.readTree(json);
            } catch (IOException e) {
                throw new AdminRequestException(kind + "/" + name + ": json is not JSON");
            }
            if (!ConfigLoader.KINDS.contains(kind) || parsed == null || !kind.equals(parsed.path("kind").asText())
                    || !name.equals(parsed.path("name").asText())) {
                throw new AdminRequestException("document " + kind + "/" + name + " does not match its json's kind"
                        + " and name, or is not a config kind " + ConfigLoader.KINDS);
            }
            documents.add(new CanonicalDocument(kind, name, json));
        }
        List<ConfigError> errors = store.check(documents);
        if (!errors.isEmpty()) {
            ObjectNode o = error(errors.size() + (errors.size() == 1 ? " mistake" : " mistakes")
                    + " with these documents in the store; nothing was written");
            ArrayNode list = o.putArray("errors");
            for (ConfigError e : errors) {
                list.addObject().put("file", e.file()).put("field", e.field()).put("value", e.value())
                        .put("reason", e.reason());
            }
            return o;
        }
        List<VersionedDocument> before = new ArrayList<>();
        for (CanonicalDocument d : documents) {
            store.get(new dev.meshboot.clusterconfig.store.DocumentKey(d.kind(), d.name())).ifPresent(before::add);
        }
        List<VersionedDocument> written = writer.write(documents);
        ObjectNode o = ok();
        ArrayNode list = o.putArray("applied");
        for (VersionedDocument v : written) {
            list.addObject().put("kind", v.key().kind()).put("name", v.key().name())
                    .put("version", v.version().toString()).put("changed", !before.contains(v));
        }
        return o;
    }

    private ObjectNode get(JsonNode r) {
        Optional<String> kind = text(r, "kind");
        Optional<String> name = text(r, "name");
        ObjectNode o = ok();
        ArrayNode list = o.putArray("documents");
        for (VersionedDocument v : store.documents()) {
            if (kind.map(k -> k.equalsIgnoreCase(v.key().kind())).orElse(true)
                    && name.map(n -> n.equals(v.key().name())).orElse(true)) {
                version(list.addObject().put("kind", v.key().kind()).put("name", v.key().name()), v);
            }
        }
        return o;
    }

    private static Optional<String> text(JsonNode r, String field) {
        return r.hasNonNull(field) ? Optional.of(r.get(field).asText()) : Optional.empty();
    }

    private static ObjectNode version(ObjectNode o, VersionedDocument v) {
        o.put("version", v.version().toString()).put("origin", v.origin()).put("deleted", v.tombstone());
        if (!v.tombstone()) {
            try {
                o.set("document", JSON.readTree(v.body()));
            } catch (IOException e) {
                o.put("body", Base64.getEncoder().encodeToString(v.body())); // an opaque kind
            }
        }
        return o;
    }

    private ObjectNode conflicts() {
        ObjectNode o = ok();
        ArrayNode list = o.putArray("conflicts");
        for (Conflict c : store.conflicts()) {
            ObjectNode e = list.addObject().put("kind", c.key().kind()).put("name", c.key().name())
                    .put("reason", c.reason()).put("detectedAt", c.detectedAt().toString());
            version(e.putObject("winner"), c.winner());
            version(e.putObject("loser"), c.loser());
        }
        return o;
    }

    private ObjectNode render(JsonNode r) throws AdminRequestException {
        String nodeName = r.path("node").asText("");
        String os = r.path("os").asText("");
        Profile.OsFamily family;
        try {
            family = Profile.OsFamily.valueOf(os.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new AdminRequestException("os '" + os + "' is not one of debian, gentoo, rhel");
        }
        ConfigView view = store.view();
        ClusterConfig config = view.config().orElseThrow(() -> new AdminRequestException(
                "this member has no valid configuration to render from yet"));
        Node node = config.node(nodeName).orElseThrow(() -> new AdminRequestException("no Node named '" + nodeName
                + "' in the configuration this member serves"));
        ObjectNode o = ok();
        o.put("current", view.current());
        ArrayNode files = o.putArray("files");
        for (RenderedFile f : new ConfigRenderer().render(config, node, family)) {
            ObjectNode e = files.addObject().put("path", f.path()).put("mode", f.mode());
            if (f.linkTarget().isPresent()) {
                e.put("link", f.linkTarget().get());
            } else {
                e.put("content", Base64.getEncoder().encodeToString(f.content()));
            }
        }
        return o;
    }

    private ObjectNode status() {
        ConfigView view = store.view();
        ObjectNode o = ok();
        o.put("member", store.member());
        ArrayNode m = o.putArray("members");
        members.get().forEach(m::add);
        o.put("documents", store.documents().size());
        o.put("conflicts", store.conflicts().size());
        o.put("valid", view.current());
        ArrayNode errors = o.putArray("errors");
        view.errors().forEach(e -> errors.add(e.toString()));
        return o;
    }
}
