package dev.meshboot.node.mesh;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * What a member tells the others about itself, on the channel ({@code MEMBER_STATE}): its {@link MemberState}, the
 * HTTP base URL peers and booting machines fetch from, and its load (archive and chunk downloads it is sending now,
 * what a busy member compares to redirect a download: {@link StormRedirector}). JSON, small (a snapshot id per
 * snapshot held), sent on every change and every few seconds, so a member that missed one catches up with the next.
 */
public record MemberAdvert(MemberState state, String http, int load) {
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    /** An advert with no load (tests; members that serve nothing yet). */
    public MemberAdvert(MemberState state, String http) {
        this(state, http, 0);
    }

    public byte[] encode() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("member", state.member());
        m.put("http", http);
        m.put("bootServices", state.bootServices());
        m.put("healthy", state.healthy());
        m.put("snapshots", new TreeSet<>(state.snapshots()));
        m.put("active", state.active());
        m.put("slot", state.slot().orElse(-1));
        m.put("load", load);
        try {
            return JSON.writeValueAsBytes(m);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Parses an advert; anything malformed is refused (the sender is then simply not eligible). */
    public static MemberAdvert decode(byte[] bytes) throws IOException {
        JsonNode n = JSON.readTree(bytes);
        if (n == null || !n.path("member").isTextual() || !n.path("http").isTextual()) {
            throw new IOException("not a member advert");
        }
        List<String> snaps = new java.util.ArrayList<>();
        for (JsonNode s : n.path("snapshots")) {
            if (s.asText().matches("[0-9a-f]{64}")) {
                snaps.add(s.asText());
            }
        }
        int slot = n.path("slot").asInt(-1);
        return new MemberAdvert(new MemberState(n.path("member").asText(), n.path("bootServices").asBoolean(),
                n.path("healthy").asBoolean(), java.util.Set.copyOf(snaps), n.path("active").asBoolean(),
                slot >= 0 ? Optional.of(slot) : Optional.empty()), n.path("http").asText(),
                Math.max(0, n.path("load").asInt(0)));
    }
}
