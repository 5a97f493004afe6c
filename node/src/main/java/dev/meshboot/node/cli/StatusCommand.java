package dev.meshboot.node.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code meshboot status}: the mesh as the local agent sees it. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Members, boot-server roles, the snapshots each holds, the catalog, and the store's conflicts.")
final class StatusCommand implements Callable<Integer> {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Spec
    private picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    ConfigCommand.SocketOption socket;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Override
    public Integer call() throws IOException {
        JsonNode mesh = socket.call(JSON.createObjectNode().put("op", "mesh"));
        JsonNode store = socket.call(JSON.createObjectNode().put("op", "status"));
        if (!mesh.path("ok").asBoolean()) {
            return ConfigCommand.refused(mesh, spec.commandLine().getErr());
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(JSON.createObjectNode().<com.fasterxml.jackson.databind.node.ObjectNode>set("mesh", mesh)
                    .set("store", store));
            return 0;
        }
        out.printf("member %s%s%n", mesh.path("member").asText(), mesh.path("bootServer").asBoolean()
                ? " (active boot server)" : "");
        if (mesh.has("active")) {
            out.printf("boot servers %s, pool slots %s%s%n", mesh.path("active"), mesh.path("slots"),
                    mesh.path("quorum").asBoolean() ? "" : " (no quorum: no pool addresses)");
            mesh.path("members").properties().forEach(e -> out.printf("  %-16s %-28s %s%s%n", e.getKey(),
                    e.getValue().path("http").asText(), e.getValue().path("active").asBoolean() ? "active " : "",
                    "holds " + e.getValue().path("snapshots").size() + " snapshot(s)"));
        }
        int catalog = mesh.path("catalog").size();
        long held = 0;
        for (JsonNode c : mesh.path("catalog")) {
            for (JsonNode h : mesh.path("held")) {
                held += h.asText().equals(c.asText()) ? 1 : 0;
            }
        }
        out.printf("catalog: %d snapshot(s), %d held here%s%n", catalog, held, held < catalog ? " (replicating)" : "");
        mesh.path("replicating").properties().forEach(e -> out.printf("  pulling %s: %d of %d chunks%n",
                e.getKey().substring(0, 12), e.getValue().path("held").asLong(), e.getValue().path("chunks").asLong()));
        if (mesh.has("healthy")) {
            out.printf("health: %s%n", mesh.path("healthy").asBoolean() ? "ok" : "UNHEALTHY " + mesh.path("problems"));
        }
        if (mesh.has("quorumBase")) {
            out.printf("quorum: %d of %d members seen at most%s%n", mesh.path("members").size(),
                    mesh.path("quorumBase").asInt(), mesh.path("quorum").asBoolean() ? "" : " (no quorum)");
        }
        JsonNode scrub = mesh.path("scrub");
        if (scrub.has("totals")) {
            JsonNode t = scrub.path("totals");
            out.printf("scrub: %d pass(es), %d corrupt, %d missing, %d repaired, %d unrepairable; %d found while serving%n",
                    t.path("passes").asLong(), t.path("corrupt").asLong(), t.path("missing").asLong(),
                    t.path("repaired").asLong(), t.path("unrepairable").asLong(), t.path("foundWhileServing").asLong());
        }
        out.printf("store: %d documents, %d conflicts%s%n", store.path("documents").asInt(),
                store.path("conflicts").asInt(), store.path("valid").asBoolean(true) ? "" : ", INVALID: "
                        + store.path("errors"));
        return 0;
    }
}
