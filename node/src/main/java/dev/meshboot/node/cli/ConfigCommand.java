package dev.meshboot.node.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.meshboot.clusterconfig.CanonicalDocument;
import dev.meshboot.clusterconfig.ConfigException;
import dev.meshboot.clusterconfig.ConfigLoader;
import dev.meshboot.clusterconfig.Profile;
import dev.meshboot.images.PathEscapeException;
import dev.meshboot.images.paths.ConfinedPath;
import dev.meshboot.node.admin.AdminClient;
import dev.meshboot.node.agent.AgentConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code meshboot config}: the cluster's documents. {@code validate} works on files alone; the others talk to the
 * local agent over its admin socket (root's only), which reads and writes the replicated store.
 */
@Command(name = "config", mixinStandardHelpOptions = true,
        description = "Validate, apply and inspect the cluster's documents (the replicated config store).",
        subcommands = {ConfigCommand.Validate.class, ConfigCommand.Apply.class, ConfigCommand.Get.class,
                ConfigCommand.Render.class, ConfigCommand.Conflicts.class})
final class ConfigCommand implements Runnable {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Spec
    private picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Where the agent's admin socket is. */
    static final class SocketOption {
        @Option(names = "--socket", paramLabel = "PATH", description = "The agent's admin socket (default: ${DEFAULT-VALUE}).")
        Path socket = AgentConfig.DEFAULT_ADMIN_SOCKET;

        JsonNode call(ObjectNode request) throws IOException {
            return new AdminClient(socket).call(request);
        }
    }

    /** Prints an agent's refusal (its error, and every document mistake) and returns the exit code. */
    static int refused(JsonNode response, PrintWriter err) {
        err.println("meshboot: " + response.path("error").asText("the agent refused"));
        for (JsonNode e : response.path("errors")) {
            String value = e.path("value").asText("");
            err.println("  " + e.path("file").asText() + ": " + e.path("field").asText()
                    + (value.isEmpty() ? "" : " = '" + value + "'") + ": " + e.path("reason").asText());
        }
        err.flush();
        return FaultHandler.FAULT;
    }

    @Command(name = "validate", mixinStandardHelpOptions = true,
            description = "Check files of documents as a whole cluster, without an agent: every mistake with its file,"
                    + " field, value and reason.")
    static final class Validate implements Callable<Integer> {
        @Spec
        private picocli.CommandLine.Model.CommandSpec spec;

        @Parameters(arity = "1..*", paramLabel = "FILE", description = "YAML or JSON files of documents.")
        List<Path> files;

        @Override
        public Integer call() throws IOException {
            ConfigLoader loader = new ConfigLoader();
            try {
                loader.load(files);
                Map<String, Integer> kinds = new TreeMap<>();
                loader.read(files).forEach(d -> kinds.merge(d.kind(), 1, Integer::sum));
                spec.commandLine().getOut().println("valid: " + kinds.values().stream().mapToInt(i -> i).sum()
                        + " documents " + kinds);
                return 0;
            } catch (ConfigException e) {
                spec.commandLine().getErr().println("meshboot: " + e.getMessage());
                return FaultHandler.FAULT;
            }
        }
    }

    @Command(name = "apply", mixinStandardHelpOptions = true,
            description = "Write documents to the replicated store through the local agent. Refused whole if they do"
                    + " not parse, or if the store's documents with them written would not be valid.")
    static final class Apply implements Callable<Integer> {
        @Spec
        private picocli.CommandLine.Model.CommandSpec spec;

        @Mixin
        SocketOption socket;

        @Parameters(arity = "1..*", paramLabel = "FILE", description = "YAML or JSON files of documents.")
        List<Path> files;

        @Override
        public Integer call() throws IOException {
            List<CanonicalDocument> docs;
            try {
                docs = new ConfigLoader().read(files);
            } catch (ConfigException e) {
                spec.commandLine().getErr().println("meshboot: " + e.getMessage());
                return FaultHandler.FAULT;
            }
            ObjectNode request = JSON.createObjectNode().put("op", "apply");
            ArrayNode list = request.putArray("documents");
            docs.forEach(d -> list.addObject().put("kind", d.kind()).put("name", d.name()).put("json", d.text()));
            JsonNode r = socket.call(request);
            if (!r.path("ok").asBoolean()) {
                return refused(r, spec.commandLine().getErr());
            }
            PrintWriter out = spec.commandLine().getOut();
            for (JsonNode a : r.path("applied")) {
                out.println(a.path("kind").asText() + "/" + a.path("name").asText() + ": "
                        + (a.path("changed").asBoolean() ? "written" : "unchanged") + " (" + a.path("version").asText() + ")");
            }
            return 0;
        }
    }

    @Command(name = "get", mixinStandardHelpOptions = true,
            description = "List the documents the local agent's store holds, or print one (as YAML, or JSON with --json).")
    static final class Get implements Callable<Integer> {
        @Spec
        private picocli.CommandLine.Model.CommandSpec spec;

        @Mixin
        SocketOption socket;

        @Parameters(index = "0", arity = "0..1", paramLabel = "KIND", description = "Cluster, Profile, Node, Channel or Template.")
        String kind;

        @Parameters(index = "1", arity = "0..1", paramLabel = "NAME", description = "The document's name.")
        String name;

        @Option(names = "--json", description = "Print the documents with their versions as JSON.")
        boolean json;

        @Override
        public Integer call() throws IOException {
            ObjectNode request = JSON.createObjectNode().put("op", "get");
            if (kind != null) {
                request.put("kind", kind);
            }
            if (name != null) {
                request.put("name", name);
            }
            JsonNode r = socket.call(request);
            if (!r.path("ok").asBoolean()) {
                return refused(r, spec.commandLine().getErr());
            }
            PrintWriter out = spec.commandLine().getOut();
            JsonNode docs = r.path("documents");
            if (name != null && docs.isEmpty()) {
                spec.commandLine().getErr().println("meshboot: no " + kind + " named " + name + " in the store");
                return FaultHandler.FAULT;
            }
            if (json) {
                out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(docs));
            } else if (name != null) {
                out.print(YAMLMapper.builder().build().writeValueAsString(docs.get(0).path("document")));
            } else {
                for (JsonNode d : docs) {
                    out.printf("%-9s %-24s %s%n", d.path("kind").asText(), d.path("name").asText(),
                            d.path("version").asText());
                }
            }
            return 0;
        }
    }

    @Command(name = "render", mixinStandardHelpOptions = true,
            description = "Write the files a node's config archive would hold, from the configuration the local agent"
                    + " serves, to see what the node will get.")
    static final class Render implements Callable<Integer> {
        @Spec
        private picocli.CommandLine.Model.CommandSpec spec;

        @Mixin
        SocketOption socket;

        @Parameters(index = "0", paramLabel = "NODE", description = "The Node document's name.")
        String node;

        @Option(names = "--os", required = true, paramLabel = "FAMILY", description = "debian, gentoo or rhel.")
        Profile.OsFamily os;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where to write the files (created).")
        Path out;

        @Override
        public Integer call() throws IOException {
            JsonNode r = socket.call(JSON.createObjectNode().put("op", "render").put("node", node)
                    .put("os", os.name().toLowerCase(java.util.Locale.ROOT)));
            if (!r.path("ok").asBoolean()) {
                return refused(r, spec.commandLine().getErr());
            }
            if (!r.path("current").asBoolean(true)) {
                spec.commandLine().getErr().println("meshboot: note: the store's documents are not valid now;"
                        + " rendered from the last valid configuration");
            }
            Files.createDirectories(out);
            int n = 0;
            for (JsonNode f : r.path("files")) {
                Path target;
                try {
                    target = ConfinedPath.resolve(out, f.path("path").asText());
                } catch (PathEscapeException e) {
                    throw new IOException("the agent sent a file outside " + out + ": " + e.getMessage(), e);
                }
                Files.createDirectories(target.getParent());
                Files.deleteIfExists(target);
                if (f.has("link")) {
                    Files.createSymbolicLink(target, Path.of(f.path("link").asText()));
                } else {
                    Files.write(target, Base64.getDecoder().decode(f.path("content").asText()));
                    Files.setPosixFilePermissions(target, permissions(f.path("mode").asInt()));
                }
                n++;
            }
            spec.commandLine().getOut().println(n + " files for " + node + " (" + os.name().toLowerCase(java.util.Locale.ROOT)
                    + ") written under " + out);
            return 0;
        }

        private static Set<PosixFilePermission> permissions(int mode) {
            Set<PosixFilePermission> p = EnumSet.noneOf(PosixFilePermission.class);
            PosixFilePermission[] bits = PosixFilePermission.values(); // OWNER_READ .. OTHERS_EXECUTE, high to low
            for (int i = 0; i < 9; i++) {
                if ((mode & (1 << (8 - i))) != 0) {
                    p.add(bits[i]);
                }
            }
            return p;
        }
    }

    @Command(name = "conflicts", mixinStandardHelpOptions = true,
            description = "The concurrent writes this member resolved: which version was kept, which lost, and why.")
    static final class Conflicts implements Callable<Integer> {
        @Spec
        private picocli.CommandLine.Model.CommandSpec spec;

        @Mixin
        SocketOption socket;

        @Option(names = "--json", description = "Print the conflicts, with both documents, as JSON.")
        boolean json;

        @Override
        public Integer call() throws IOException {
            JsonNode r = socket.call(JSON.createObjectNode().put("op", "conflicts"));
            if (!r.path("ok").asBoolean()) {
                return refused(r, spec.commandLine().getErr());
            }
            PrintWriter out = spec.commandLine().getOut();
            JsonNode list = r.path("conflicts");
            if (json) {
                out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(list));
                return 0;
            }
            if (list.isEmpty()) {
                out.println("no conflicts");
            }
            List<String> lines = new ArrayList<>();
            for (JsonNode c : list) {
                lines.add(c.path("detectedAt").asText() + "  " + c.path("kind").asText() + "/" + c.path("name").asText()
                        + ": kept " + c.path("winner").path("version").asText() + ", lost "
                        + c.path("loser").path("version").asText() + (c.path("loser").path("deleted").asBoolean()
                                ? " (a delete)" : "") + ": " + c.path("reason").asText());
            }
            lines.forEach(out::println);
            return 0;
        }
    }
}
