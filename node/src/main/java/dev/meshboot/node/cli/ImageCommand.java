package dev.meshboot.node.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.meshboot.images.build.BuildSpec;
import dev.meshboot.images.build.SnapshotBuilder;
import dev.meshboot.images.manifest.ArchiveManifest;
import dev.meshboot.images.manifest.ChunkRef;
import dev.meshboot.images.manifest.SnapshotManifest;
import dev.meshboot.images.read.SnapshotReader;
import dev.meshboot.images.signing.KeyFiles;
import dev.meshboot.images.store.ChunkStore;
import dev.meshboot.images.store.SnapshotStore;
import dev.meshboot.node.mesh.ChunkReplicator;
import dev.meshboot.node.mesh.FetchPlanner;
import dev.meshboot.node.mesh.PeerHttp;
import dev.meshboot.node.mesh.RateLimiter;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code meshboot image}: build, check, read and compare OS snapshots (docs/snapshot-format.md). */
@Command(name = "image", mixinStandardHelpOptions = true, description = "Build, verify, extract and compare OS snapshots.",
        subcommands = {ImageCommand.Build.class, ImageCommand.Verify.class, ImageCommand.Extract.class,
                ImageCommand.Cat.class, ImageCommand.Ls.class, ImageCommand.Diff.class, ImageCommand.Fetch.class,
                ImageCommand.Publish.class, ImageCommand.Withdraw.class, ImageCommand.Scrub.class,
                ImageCommand.Gc.class})
final class ImageCommand implements Runnable {
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    @Spec
    private picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "build", mixinStandardHelpOptions = true,
            description = "Build a snapshot of ROOTFS into the store; prints its id as the last line.")
    static final class Build implements Callable<Integer> {
        @Spec
        private picocli.CommandLine.Model.CommandSpec spec;

        @Parameters(index = "0", paramLabel = "ROOTFS", description = "The root filesystem directory.")
        Path rootfs;

        @Option(names = "--store", required = true, paramLabel = "DIR", description = "The snapshot store directory.")
        Path store;

        @Option(names = "--name", paramLabel = "NAME", description = "The snapshot's name (default: ROOTFS's name).")
        String name;

        @Option(names = "--key", paramLabel = "KEYFILE", description = "Sign with this key (from 'key generate').")
        Path key;

        @Option(names = "--split", paramLabel = "SPECFILE",
                description = "JSON: which paths go to 'extras', which are left out or emptied.")
        Path split;

        @Option(names = "--chunk-size", paramLabel = "SIZE", defaultValue = "1M",
                description = "Average chunk size, a power of two from 16K to 16M (default: ${DEFAULT-VALUE}).")
        String chunkSize;

        @Option(names = "--level", defaultValue = "3", description = "zstd level (default: ${DEFAULT-VALUE}).")
        int level;

        @Option(names = "--parent", paramLabel = "ID",
                description = "Record this snapshot as the parent (default: the newest of the same name).")
        String parent;

        @Option(names = "--json", description = "Print one JSON object instead of text.")
        boolean json;

        @Override
        public Integer call() throws IOException {
            PrintWriter out = spec.commandLine().getOut();
            SnapshotStore s = SnapshotStore.open(store);
            String snapshotName = name != null ? name : rootfs.toAbsolutePath().normalize().getFileName().toString();
            SnapshotBuilder.Options options = SnapshotBuilder.Options.defaults(snapshotName)
                    .withChunkSize(Sizes.parse(chunkSize))
                    .withLevel(level)
                    .withSpec(split == null ? BuildSpec.DEFAULT : BuildSpec.read(split))
                    .withParent(parent == null ? Optional.empty() : Optional.of(s.resolve(parent)));
            if (key != null) {
                KeyPair pair = KeyFiles.readKeyPair(key);
                options = options.withKey(pair);
                if (s.trustedKeys().isEmpty()) {
                    String keyId = s.trust(pair.getPublic());
                    spec.commandLine().getErr().println("store " + store + " now trusts key " + keyId
                            + " (its first signing key)");
                } else if (s.trustedKeys().stream().noneMatch(k -> k.equals(pair.getPublic()))) {
                    spec.commandLine().getErr().println("warning: key " + KeyFiles.keyId(pair.getPublic())
                            + " is not trusted by this store: verify and extract will refuse the snapshot");
                }
            } else {
                spec.commandLine().getErr().println("warning: no --key given: the snapshot is unsigned, and verify"
                        + " and extract will refuse it without --insecure");
            }
            ProgressBar progress = new ProgressBar(spec.commandLine().getErr(), !json && System.console() != null
                    && System.console().isTerminal());
            long start = System.nanoTime();
            SnapshotBuilder.Result r = new SnapshotBuilder(s, Clock.systemUTC(), progress).build(rootfs, options);
            progress.clear();
            double seconds = (System.nanoTime() - start) / 1e9;
            if (json) {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("id", r.id());
                o.put("name", snapshotName);
                o.put("signed", key != null);
                o.put("seconds", Math.round(seconds * 1000) / 1000.0);
                o.put("chunks", r.totalChunks());
                o.put("compressedBytes", r.totalCompressedBytes());
                o.put("newChunks", r.newChunks());
                o.put("newBytes", r.newBytes());
                o.put("archives", summaries(r.manifest()));
                out.println(JSON.writeValueAsString(o));
            } else {
                for (ArchiveManifest a : r.manifest().archives()) {
                    out.printf("%-7s %7d files %6d dirs %5d links  %10s tar -> %10s in %d chunks%n", a.name(),
                            a.files(), a.directories(), a.symlinks() + a.hardlinks(), Sizes.human(a.tarBytes()),
                            Sizes.human(a.compressedBytes()), a.chunks().size());
                }
                out.printf("new in store: %d of %d chunks, %s; built in %.1f s%n", r.newChunks(), r.totalChunks(),
                        Sizes.human(r.newBytes()), seconds);
                out.println(r.id());
            }
            return 0;
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = "Check a snapshot's signature and every chunk's hash; names the first bad chunk.")
    static final class Verify implements Callable<Integer> {
        @Spec
        private picocli.CommandLine.Model.CommandSpec spec;

        @Mixin
        StoreOptions storeOptions;

        @Override
        public Integer call() throws IOException {
            SnapshotStore s = storeOptions.open();
            SnapshotStore.Snapshot snap = storeOptions.load(s);
            SnapshotReader.VerifyReport report = new SnapshotReader(s, snap).verify();
            spec.commandLine().getOut().println("snapshot " + snap.id() + " OK: "
                    + (snap.signerKeyId() != null ? "signed by " + snap.signerKeyId() : "signature NOT checked (--insecure)")
                    + ", " + report.chunks() + " chunks, " + Sizes.human(report.compressedBytes()) + " compressed, "
                    + Sizes.human(report.tarBytes()) + " of tar");
            return 0;
        }
    }

    @Command(name = "extract", mixinStandardHelpOptions = true,
            description = "Extract a snapshot to a new (or empty) directory; the directory appears only when complete.")
    static final class Extract implements Callable<Integer> {
        @Spec
        private picocli.CommandLine.Model.CommandSpec spec;

        @Mixin
        StoreOptions storeOptions;

        @Option(names = "--to", required = true, paramLabel = "DIR", description = "Target directory.")
        Path to;

        @Option(names = "--archive", defaultValue = "all", paramLabel = "core|extras|all",
                description = "Which archives (default: ${DEFAULT-VALUE}).")
        String archive;

        @Override
        public Integer call() throws IOException {
            List<String> archives = switch (archive) {
                case "all" -> List.of("core", "extras");
                case "core", "extras" -> List.of(archive);
                default -> throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                        "--archive must be core, extras or all, not '" + archive + "'");
            };
            SnapshotStore s = storeOptions.open();
            SnapshotStore.Snapshot snap = storeOptions.load(s);
            PrintWriter err = spec.commandLine().getErr();
            new SnapshotReader(s, snap).extract(archives, to, w -> err.println("warning: " + w));
            spec.commandLine().getOut().println("extracted " + String.join("+", archives) + " of snapshot "
                    + snap.shortId() + " to " + to);
            return 0;
        }
    }

    @Command(name = "cat", mixinStandardHelpOptions = true,
            description = "Write an archive's zstd stream to stdout (zstd -d | tar -x reads it).")
    static final class Cat implements Callable<Integer> {
        @Mixin
        StoreOptions storeOptions;

        @Parameters(index = "1", paramLabel = "ARCHIVE", description = "core or extras.")
        String archive;

        /** Where the bytes go; tests replace it. */
        OutputStream stdout = System.out;

        @Override
        public Integer call() throws IOException {
            SnapshotStore s = storeOptions.open();
            SnapshotStore.Snapshot snap = storeOptions.load(s);
            OutputStream out = new BufferedOutputStream(stdout, 1 << 20);
            new SnapshotReader(s, snap).cat(archive, out);
            out.flush();
            return 0;
        }
    }

    @Command(name = "ls", mixinStandardHelpOptions = true, description = "List the snapshots in a store.")
    static final class Ls implements Callable<Integer> {
        @Spec
        private picocli.CommandLine.Model.CommandSpec spec;

        @Option(names = "--store", required = true, paramLabel = "DIR", description = "The snapshot store directory.")
        Path store;

        @Option(names = "--json", description = "Print a JSON array.")
        boolean json;

        @Override
        public Integer call() throws IOException {
            SnapshotStore s = SnapshotStore.open(store);
            PrintWriter out = spec.commandLine().getOut();
            List<SnapshotStore.Snapshot> snapshots = new ArrayList<>();
            for (String id : s.ids()) {
                snapshots.add(s.load(id, true, List.of())); // listing shows signers; trust is checked on use
            }
            snapshots.sort((a, b) -> a.manifest().created().compareTo(b.manifest().created()));
            if (json) {
                List<Map<String, Object>> rows = new ArrayList<>();
                for (SnapshotStore.Snapshot snap : snapshots) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("id", snap.id());
                    row.put("name", snap.manifest().name());
                    row.put("created", snap.manifest().created());
                    row.put("parent", snap.manifest().parent());
                    row.put("signedBy", snap.signatureKeyId());
                    row.put("archives", summaries(snap.manifest()));
                    rows.add(row);
                }
                out.println(JSON.writeValueAsString(rows));
                return 0;
            }
            out.printf("%-12s  %-20s  %-24s  %-16s  %10s  %10s%n", "ID", "NAME", "CREATED", "SIGNED BY", "CORE",
                    "EXTRAS");
            for (SnapshotStore.Snapshot snap : snapshots) {
                SnapshotManifest m = snap.manifest();
                out.printf("%-12s  %-20s  %-24s  %-16s  %10s  %10s%n", snap.shortId(), m.name(), m.created(),
                        Optional.ofNullable(snap.signatureKeyId()).orElse("(unsigned)"),
                        Sizes.human(m.archive("core").map(ArchiveManifest::compressedBytes).orElse(0L)),
                        Sizes.human(m.archive("extras").map(ArchiveManifest::compressedBytes).orElse(0L)));
            }
            return 0;
        }
    }

    @Command(name = "diff", mixinStandardHelpOptions = true,
            description = "Compare two snapshots: chunks and bytes B shares with A, and what B adds.")
    static final class Diff implements Callable<Integer> {
        @Spec
        private picocli.CommandLine.Model.CommandSpec spec;

        @Option(names = "--store", required = true, paramLabel = "DIR", description = "The snapshot store directory.")
        Path store;

        @Parameters(index = "0", paramLabel = "A", description = "The older snapshot.")
        String a;

        @Parameters(index = "1", paramLabel = "B", description = "The newer snapshot.")
        String b;

        @Option(names = "--json", description = "Print one JSON object.")
        boolean json;

        @Override
        public Integer call() throws IOException {
            SnapshotStore s = SnapshotStore.open(store);
            SnapshotManifest ma = s.load(a, true, List.of()).manifest();
            SnapshotManifest mb = s.load(b, true, List.of()).manifest();
            Map<String, Object> result = new LinkedHashMap<>();
            List<Map<String, Object>> perArchive = new ArrayList<>();
            Set<String> allA = new HashSet<>();
            ma.archives().forEach(x -> x.chunks().forEach(c -> allA.add(c.id())));
            long[] total = new long[4];
            Set<String> countedB = new HashSet<>();
            for (ArchiveManifest archive : mb.archives()) {
                long[] t = new long[4]; // shared chunks, shared bytes, new chunks, new bytes (compressed, distinct)
                Set<String> seen = new HashSet<>();
                for (ChunkRef c : archive.chunks()) {
                    if (!seen.add(c.id())) {
                        continue;
                    }
                    int k = allA.contains(c.id()) ? 0 : 2;
                    t[k]++;
                    t[k + 1] += c.csize();
                    if (countedB.add(c.id())) {
                        total[k]++;
                        total[k + 1] += c.csize();
                    }
                }
                perArchive.add(row(archive.name(), t));
            }
            result.put("a", s.resolve(a));
            result.put("b", s.resolve(b));
            result.put("archives", perArchive);
            result.put("total", row("total", total));
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                out.println(JSON.writeValueAsString(result));
                return 0;
            }
            out.printf("%-8s %14s %14s %14s %14s%n", "ARCHIVE", "SHARED CHUNKS", "SHARED BYTES", "NEW CHUNKS",
                    "NEW BYTES");
            for (Map<String, Object> row : perArchive) {
                print(out, row);
            }
            print(out, row("total", total));
            return 0;
        }

        private static Map<String, Object> row(String name, long[] t) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("archive", name);
            m.put("sharedChunks", t[0]);
            m.put("sharedBytes", t[1]);
            m.put("newChunks", t[2]);
            m.put("newBytes", t[3]);
            return m;
        }

        private static void print(PrintWriter out, Map<String, Object> r) {
            out.printf("%-8s %14d %14s %14d %14s%n", r.get("archive"), r.get("sharedChunks"),
                    Sizes.human((Long) r.get("sharedBytes")), r.get("newChunks"), Sizes.human((Long) r.get("newBytes")));
        }
    }

    static List<Map<String, Object>> summaries(SnapshotManifest m) {
        List<Map<String, Object>> list = new ArrayList<>();
        for (ArchiveManifest a : m.archives()) {
            Map<String, Object> o = new HashMap<>();
            o.put("name", a.name());
            o.put("files", a.files());
            o.put("chunks", a.chunks().size());
            o.put("tarBytes", a.tarBytes());
            o.put("compressedBytes", a.compressedBytes());
            o.put("sha256", a.sha256());
            list.add(o);
        }
        return list;
    }

    @Command(name = "fetch", mixinStandardHelpOptions = true,
            description = "Fetch a snapshot from peers' HTTP servers into the store, chunk by chunk: rarest first, "
                    + "spread over the peers, every chunk verified; resumes where a previous run stopped.")
    static final class Fetch implements Callable<Integer> {
        @Spec
        private picocli.CommandLine.Model.CommandSpec spec;

        @Parameters(index = "0", paramLabel = "ID", description = "The snapshot id (64 hex digits).")
        String id;

        @Option(names = "--store", required = true, paramLabel = "DIR", description = "The snapshot store directory.")
        Path store;

        @Option(names = "--peer", required = true, paramLabel = "URL",
                description = "A peer's HTTP base URL, e.g. http://10.0.0.2:8080. Repeatable.")
        List<java.net.URI> peers = new ArrayList<>();

        @Option(names = "--trust", paramLabel = "PUBKEY", description = "Also trust this signing key (FILE.pub).")
        List<Path> trust = new ArrayList<>();

        @Option(names = "--limit", paramLabel = "RATE",
                description = "Cap the download rate, bytes per second with an optional K, M or G suffix (decimal).")
        String limit;

        @Option(names = "--per-peer", paramLabel = "N", description = "Requests in flight to one peer (default: 4).")
        int perPeer = 4;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            if (!id.matches("[0-9a-f]{64}")) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "'" + id + "' is not a snapshot id");
            }
            SnapshotStore s = SnapshotStore.open(store);
            List<java.security.PublicKey> keys = new ArrayList<>();
            for (Path p : trust) {
                keys.add(KeyFiles.readPublicKey(p));
            }
            java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
            byte[][] manifest = manifestFromAnyPeer(http);
            Optional<RateLimiter> cap = limit == null ? Optional.empty()
                    : Optional.of(new RateLimiter(Sizes.parseRate(limit), System::nanoTime,
                            n -> Thread.sleep(n / 1_000_000, (int) (n % 1_000_000))));
            List<ChunkReplicator.Peer> ps = new ArrayList<>();
            for (java.net.URI u : peers) {
                ps.add(new ChunkReplicator.Peer(u.getAuthority(), u));
            }
            long t0 = System.nanoTime();
            ChunkReplicator.Report r = new ChunkReplicator(s, http, new FetchPlanner(perPeer, perPeer * ps.size(),
                    Optional.of(java.util.UUID.randomUUID().toString())), cap,
                    ChunkReplicator.Listener.NONE, java.time.Duration.ofSeconds(60)).replicate(id, manifest[0],
                    manifest[1], ps, keys);
            out.printf("snapshot %s complete: %d chunks fetched in %.1f s from %s%s%n", id, r.chunks(),
                    (System.nanoTime() - t0) / 1e9, new java.util.TreeMap<>(r.fromPeer()),
                    r.avoided().isEmpty() ? "" : "; avoided (served bad chunks): " + r.avoided());
            return 0;
        }

        /** The manifest and its signature from the first peer that holds the snapshot complete. */
        private byte[][] manifestFromAnyPeer(java.net.http.HttpClient http) throws IOException, InterruptedException {
            java.time.Duration deadline = java.time.Duration.ofSeconds(30);
            for (java.net.URI u : peers) {
                Optional<byte[]> m = PeerHttp.get(http, u.resolve("/snapshots/" + id + "/manifest.json"), deadline);
                Optional<byte[]> sig = PeerHttp.get(http, u.resolve("/snapshots/" + id + "/manifest.sig"), deadline);
                if (m.isPresent() && sig.isPresent() && ChunkStore.idOf(m.get()).equals(id)) {
                    return new byte[][] {m.get(), sig.get()};
                }
            }
            throw new IOException("no peer serves the signed manifest of " + id);
        }
    }


    @Command(name = "publish", mixinStandardHelpOptions = true,
            description = "Put a snapshot the local agent holds into the cluster's replicated catalog, so every member "
                    + "pulls it; with --channel, point that channel at it (what its nodes boot next).")
    static final class Publish implements Callable<Integer> {
        @Spec
        private picocli.CommandLine.Model.CommandSpec spec;

        @Parameters(index = "0", paramLabel = "ID", description = "The snapshot id (64 hex digits).")
        String id;

        @Option(names = "--channel", paramLabel = "NAME", description = "Point this channel at the snapshot.")
        String channel;

        @Mixin
        ConfigCommand.SocketOption socket;

        @Override
        public Integer call() throws IOException {
            com.fasterxml.jackson.databind.node.ObjectNode req = JSON.createObjectNode().put("op", "publish").put("id", id);
            if (channel != null) {
                req.put("channel", channel);
            }
            com.fasterxml.jackson.databind.JsonNode r = socket.call(req);
            if (!r.path("ok").asBoolean()) {
                return ConfigCommand.refused(r, spec.commandLine().getErr());
            }
            spec.commandLine().getOut().println("published " + id + (channel == null ? "" : "; channel " + channel
                    + " points at it"));
            return 0;
        }
    }

    @Command(name = "withdraw", mixinStandardHelpOptions = true,
            description = "Take a snapshot out of the replicated catalog (no channel may point at it); every member"
                    + " removes it after a grace, and its chunks at the next garbage collection.")
    static final class Withdraw implements Callable<Integer> {
        @Spec
        private picocli.CommandLine.Model.CommandSpec spec;

        @Parameters(index = "0", paramLabel = "ID", description = "The snapshot id (64 hex digits).")
        String id;

        @Mixin
        ConfigCommand.SocketOption socket;

        @Override
        public Integer call() throws IOException {
            com.fasterxml.jackson.databind.JsonNode r = socket.call(JSON.createObjectNode().put("op", "withdraw")
                    .put("id", id));
            if (!r.path("ok").asBoolean()) {
                return ConfigCommand.refused(r, spec.commandLine().getErr());
            }
            spec.commandLine().getOut().println("withdrew " + id + "; members remove it after "
                    + r.path("graceSeconds").asLong() + " s");
            return 0;
        }
    }

    @Command(name = "scrub", mixinStandardHelpOptions = true,
            description = "Have the local agent verify every chunk its snapshots name now, quarantine the corrupt ones "
                    + "and fetch them again from peers. Exits 1 if some chunk could not be repaired.")
    static final class Scrub implements Callable<Integer> {
        @Spec
        private picocli.CommandLine.Model.CommandSpec spec;

        @Mixin
        ConfigCommand.SocketOption socket;

        @Option(names = "--json", description = "Print the agent's report as one JSON object.")
        boolean json;

        @Override
        public Integer call() throws IOException {
            com.fasterxml.jackson.databind.JsonNode r = socket.call(JSON.createObjectNode().put("op", "scrub"));
            if (!r.path("ok").asBoolean()) {
                return ConfigCommand.refused(r, spec.commandLine().getErr());
            }
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                out.println(JSON.writeValueAsString(r));
            } else {
                out.printf("scrub: %d chunks checked (%s) in %d snapshot(s): %d corrupt, %d missing, %d repaired,"
                        + " %d unrepairable%n", r.path("checked").asLong(), Sizes.human(r.path("bytes").asLong()),
                        r.path("snapshots").asInt(), r.path("corrupt").asInt(), r.path("missing").asInt(),
                        r.path("repaired").asInt(), r.path("unrepairable").asInt());
                r.path("unrepairableChunks").forEach(c -> out.println("  unrepairable: " + c.asText()));
                r.path("avoided").forEach(p -> out.println("  avoided (served a bad chunk): " + p.asText()));
                r.path("unreadableManifests").forEach(m -> out.println("  unreadable manifest: " + m.asText()));
            }
            return r.path("unrepairable").asInt() == 0 && r.path("unreadableManifests").isEmpty() ? 0
                    : FaultHandler.FAULT;
        }
    }

    @Command(name = "gc", mixinStandardHelpOptions = true,
            description = "Have the local agent delete the chunks no snapshot in its store names (older than the "
                    + "agent's scrub.gcMinAgeMinutes).")
    static final class Gc implements Callable<Integer> {
        @Spec
        private picocli.CommandLine.Model.CommandSpec spec;

        @Mixin
        ConfigCommand.SocketOption socket;

        @Option(names = "--json", description = "Print the agent's result as one JSON object.")
        boolean json;

        @Override
        public Integer call() throws IOException {
            com.fasterxml.jackson.databind.JsonNode r = socket.call(JSON.createObjectNode().put("op", "gc"));
            if (!r.path("ok").asBoolean()) {
                return ConfigCommand.refused(r, spec.commandLine().getErr());
            }
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                out.println(JSON.writeValueAsString(r));
                return 0;
            }
            if (r.has("skipped")) {
                out.println("gc: nothing deleted: " + r.path("skipped").asText());
                return FaultHandler.FAULT;
            }
            out.printf("gc: %d of %d chunks unreferenced and deleted (%s freed); %d unreferenced kept as too young%n",
                    r.path("deleted").asInt(), r.path("stored").asInt(), Sizes.human(r.path("freedBytes").asLong()),
                    r.path("young").asInt());
            return 0;
        }
    }
}
