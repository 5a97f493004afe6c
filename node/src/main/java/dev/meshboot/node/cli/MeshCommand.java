package dev.meshboot.node.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code meshboot mesh ...}: operator actions on the mesh that are not documents. */
@Command(name = "mesh", mixinStandardHelpOptions = true, description = "Operator actions on the mesh.",
        subcommands = MeshCommand.QuorumBaseCommand.class)
final class MeshCommand {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /**
     * Lowers the cluster size the quorum counts against, after members were removed for good: otherwise the
     * survivors, remembering the largest view they saw, lease no pool address (docs/cluster.md).
     */
    @Command(name = "quorum-base", mixinStandardHelpOptions = true,
            description = "Set the cluster size the pool's quorum counts against, after removing members for good"
                    + " (never below the members in view now).")
    static final class QuorumBaseCommand implements Callable<Integer> {
        @Spec
        private picocli.CommandLine.Model.CommandSpec spec;

        @Mixin
        ConfigCommand.SocketOption socket;

        @Parameters(paramLabel = "MEMBERS", description = "How many members the cluster has now.")
        int members;

        @Override
        public Integer call() throws IOException {
            JsonNode r = socket.call(JSON.createObjectNode().put("op", "quorum-base").put("members", members));
            if (!r.path("ok").asBoolean()) {
                return ConfigCommand.refused(r, spec.commandLine().getErr());
            }
            spec.commandLine().getOut().printf("quorum base %d; quorum now: %s%n", r.path("quorumBase").asInt(),
                    r.path("quorum").asBoolean() ? "yes" : "no");
            return 0;
        }
    }
}
