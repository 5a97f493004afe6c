package dev.meshboot.clusterconfig;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A document in the form the replicated store keeps: compact JSON with every object's keys sorted. The same document
 * written as YAML or JSON, in any key order, gives the same bytes, so an unchanged document re-applied hashes the
 * same and merges as the same content.
 */
public record CanonicalDocument(String kind, String name, byte[] json) {
    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    public CanonicalDocument {
        json = json.clone();
    }

    @Override
    public byte[] json() {
        return json.clone();
    }

    public String text() {
        return new String(json, StandardCharsets.UTF_8);
    }

    static CanonicalDocument of(String kind, String name, JsonNode document) {
        try {
            return new CanonicalDocument(kind, name, MAPPER.writeValueAsBytes(sorted(document)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a parsed tree always serialises", e);
        }
    }

    private static JsonNode sorted(JsonNode n) {
        if (n.isObject()) {
            List<String> names = new ArrayList<>();
            n.fieldNames().forEachRemaining(names::add);
            names.sort(null);
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            names.forEach(k -> out.set(k, sorted(n.get(k))));
            return out;
        }
        if (n.isArray()) {
            var out = JsonNodeFactory.instance.arrayNode();
            n.forEach(e -> out.add(sorted(e)));
            return out;
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CanonicalDocument d && kind.equals(d.kind) && name.equals(d.name)
                && java.util.Arrays.equals(json, d.json);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(json);
    }

    @Override
    public String toString() {
        return kind + "/" + name + " " + text();
    }
}
