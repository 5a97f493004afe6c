package dev.meshboot.clusterconfig.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshboot.clusterconfig.CanonicalDocument;
import dev.meshboot.clusterconfig.ConfigLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplicatedStoreTest {
    @TempDir
    Path dir;

    private final MutableClock wall = new MutableClock(1_700_000_000_000L);

    private static final String CLUSTER = """
            kind: Cluster
            name: lab
            spec:
              networks: [{name: prov, subnet: 10.99.0.0/24, gateway: 10.99.0.1}]
            ---
            kind: Profile
            name: compute
            spec: {os: debian}
            """;

    private static String node(String name, int host) {
        return node(name, host, host);
    }

    private static String node(String name, int mac, int host) {
        return """
                ---
                kind: Node
                name: %s
                spec: {mac: "52:54:00:00:00:%02x", address: 10.99.0.%d, profile: compute}
                """.formatted(name, mac, host);
    }

    private List<CanonicalDocument> documents(String yaml) throws Exception {
        Path f = Files.createTempFile(dir, "docs", ".yaml");
        Files.writeString(f, yaml);
        return new ConfigLoader().read(List.of(f));
    }

    private static DocumentKey key(String name) {
        return new DocumentKey("Node", name);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Full anti-entropy round between two members, as the agent would run it over the channel. */
    private static void sync(ReplicatedStore a, ReplicatedStore b) throws Exception {
        Set<Integer> buckets = a.digest().differingBuckets(StoreDigest.fromBytes(b.digest().toBytes()));
        List<VersionedDocument> toB = a.missingFrom(StoreCodec.decodeSummaries(StoreCodec.encodeSummaries(
                b.summaries(buckets))), buckets);
        List<VersionedDocument> toA = b.missingFrom(a.summaries(buckets), buckets);
        b.applyRemote(StoreCodec.decodeAll(StoreCodec.encodeAll(toB)));
        a.applyRemote(toA);
    }

    @Test
    void write_isDurable_andReopenGivesTheSameStore_andLaterWritesOrderAfterIt() throws Exception {
        ReplicatedStore s = ReplicatedStore.open(dir, "m1", wall);
        for (CanonicalDocument d : documents(CLUSTER + node("node-01", 11))) {
            s.write(d);
        }
        DocumentKey lease = new DocumentKey("Lease", "gone"); // a kind the config view ignores
        VersionedDocument deleted = s.write(lease, bytes("{}"));
        s.delete(lease);
        byte[] before = s.snapshot();
        HlcTimestamp last = s.clock();

        wall.set(1_000); // the restarted machine's clock is far behind
        ReplicatedStore reopened = ReplicatedStore.open(dir, "m1", wall);
        assertArrayEquals(before, reopened.snapshot());
        assertTrue(reopened.get(lease).orElseThrow().tombstone(), "the tombstone survives the restart");
        VersionedDocument next = reopened.write(new DocumentKey("Lease", "new"), bytes("{}"));
        assertTrue(next.version().compareTo(last) > 0, next.version() + " after " + last);
        assertNotEquals(deleted, reopened.get(lease).orElseThrow());
        assertTrue(reopened.view().current(), reopened.view().errors().toString());
    }

    @Test
    void writingTheSameContentAgain_writesNoNewVersion() throws Exception {
        ReplicatedStore s = ReplicatedStore.inMemory("m1", wall);
        VersionedDocument first = s.write(key("a"), bytes("{\"x\":1}"));
        wall.advance(Duration.ofSeconds(1));
        assertEquals(first, s.write(key("a"), bytes("{\"x\":1}")));
        assertNotEquals(first, s.write(key("a"), bytes("{\"x\":2}")));
    }

    @Test
    void canonicalForm_makesYamlAndJsonOfOneDocumentTheSameBytes() throws Exception {
        CanonicalDocument yaml = documents("kind: Profile\nname: p\nspec:\n  services: [a]\n  os: rhel\n").getFirst();
        Path json = dir.resolve("p.json");
        Files.writeString(json, "{\"spec\": {\"os\": \"rhel\", \"services\": [\"a\"]}, \"name\": \"p\", \"kind\": \"Profile\"}");
        assertEquals(yaml, new ConfigLoader().read(List.of(json)).getFirst());
        assertEquals("{\"kind\":\"Profile\",\"name\":\"p\",\"spec\":{\"os\":\"rhel\",\"services\":[\"a\"]}}", yaml.text());
    }

    /**
     * Five members split 2|3; both sides write, including to the same document; after the partition heals every
     * member holds the same store, the losing write is in the conflict log of the members that held it, and no other
     * write is lost.
     */
    @Test
    void partition_thenMerge_convergesEverywhere_logsTheLoser_andLosesNoOtherWrite() throws Exception {
        List<ReplicatedStore> m = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            m.add(ReplicatedStore.inMemory("m" + i, wall));
        }
        VersionedDocument base = m.get(0).write(key("shared"), bytes("{\"v\":0}"));
        for (ReplicatedStore s : m.subList(1, 5)) {
            s.applyRemote(List.of(base));
        }
        List<ReplicatedStore> left = m.subList(0, 2);
        List<ReplicatedStore> right = m.subList(2, 5);
        wall.advance(Duration.ofSeconds(1));
        VersionedDocument l = left.get(1).write(key("shared"), bytes("{\"v\":\"left\"}"));
        VersionedDocument lOnly = left.get(0).write(key("left-only"), bytes("{}"));
        wall.advance(Duration.ofSeconds(1));
        VersionedDocument r = right.get(2).write(key("shared"), bytes("{\"v\":\"right\"}"));
        VersionedDocument rOnly = right.get(0).write(key("right-only"), bytes("{}"));
        for (List<ReplicatedStore> side : List.of(left, right)) { // each side replicates within itself
            for (ReplicatedStore a : side) {
                for (ReplicatedStore b : side) {
                    sync(a, b);
                }
            }
        }
        for (ReplicatedStore a : m) { // healed
            for (ReplicatedStore b : m) {
                sync(a, b);
            }
        }
        for (ReplicatedStore s : m) {
            assertArrayEquals(m.get(0).snapshot(), s.snapshot(), s.member());
            assertEquals(Optional.of(r), s.get(key("shared")), "the later write wins: " + s.member());
            assertEquals(Optional.of(lOnly), s.get(key("left-only")));
            assertEquals(Optional.of(rOnly), s.get(key("right-only")));
        }
        for (ReplicatedStore s : left) {
            Conflict c = s.conflicts().stream().filter(x -> x.key().equals(key("shared"))).findFirst().orElseThrow();
            assertEquals(l, c.loser());
            assertEquals(r, c.winner());
            assertTrue(c.reason().startsWith("later hybrid-logical-clock time"), c.reason());
        }
    }

    @Test
    void tombstone_keepsAnOlderConcurrentWriteFromResurrectingTheDocument() throws Exception {
        ReplicatedStore a = ReplicatedStore.inMemory("a", wall);
        ReplicatedStore b = ReplicatedStore.inMemory("b", wall);
        VersionedDocument v1 = a.write(key("x"), bytes("{}"));
        b.applyRemote(List.of(v1));
        wall.advance(Duration.ofMillis(10));
        VersionedDocument stale = b.write(key("x"), bytes("{\"old\":true}"));
        wall.advance(Duration.ofMillis(10));
        VersionedDocument tomb = a.delete(key("x")).orElseThrow();
        MergeResult onA = a.applyRemote(List.of(stale));
        assertEquals(List.of(), onA.changed());
        assertEquals(stale, onA.conflicts().getFirst().loser());
        b.applyRemote(List.of(tomb));
        assertEquals(Optional.of(tomb), b.get(key("x")));
        assertFalse(b.documents().stream().anyMatch(v -> v.key().equals(key("x"))));
        assertEquals(Optional.empty(), b.delete(key("x")), "nothing left to delete");
    }

    @Test
    void invalidRemoteDocument_isStoredAnyway_butTheViewServesTheLastValidConfig() throws Exception {
        ReplicatedStore s = ReplicatedStore.inMemory("m1", wall);
        for (CanonicalDocument d : documents(CLUSTER + node("node-01", 11))) {
            s.write(d);
        }
        assertTrue(s.view().current());
        ReplicatedStore peer = ReplicatedStore.inMemory("m2", wall);
        VersionedDocument clash = peer.write(documents(node("node-02", 12, 11).substring(4)).getFirst()); // same address
        MergeResult result = s.applyRemote(List.of(clash));
        assertEquals(List.of(clash), result.changed(), "replication converges even on a bad document");
        ConfigView view = s.view();
        assertFalse(view.current());
        assertEquals(List.of("node-01"), view.config().orElseThrow().nodes().stream().map(n -> n.name()).toList());
        assertEquals("Node node-02 spec.address", view.errors().getFirst().field());
        assertEquals("store:Node/node-02", view.errors().getFirst().file());
        assertEquals(List.of(), s.check(documents(node("node-02", 12, 12).substring(4))),
                "check: fixing the address would make the documents valid");
        assertEquals(1, s.check(documents(node("node-03", 13, 11).substring(4))).stream()
                .filter(e -> e.field().equals("Node node-03 spec.address")).count());
    }

    @Test
    void aFutureTimestamp_isAcceptedAndReported_andALaterLocalWriteStillWins() throws Exception {
        ReplicatedStore s = ReplicatedStore.inMemory("m1", wall);
        VersionedDocument future = new VersionedDocument(key("x"),
                new HlcTimestamp(wall.millis() + Duration.ofHours(1).toMillis(), 0, "fast"), Optional.empty(), false,
                bytes("{\"from\":\"future\"}"));
        MergeResult r = s.applyRemote(List.of(future));
        assertEquals(List.of(future), r.aheadOfClock());
        VersionedDocument mine = s.write(key("x"), bytes("{\"from\":\"me\"}"));
        assertTrue(mine.beats(future));
        assertEquals(Optional.of(future.version()), mine.base());
    }

    @Test
    void restore_catchesUpAMemberFromAPeersSnapshot_andRefusesATornOne() throws Exception {
        ReplicatedStore a = ReplicatedStore.inMemory("a", wall);
        for (int i = 0; i < 50; i++) {
            a.write(key("n" + i), bytes("{\"i\":" + i + "}"));
        }
        ReplicatedStore b = ReplicatedStore.open(dir, "b", wall);
        byte[] snapshot = a.snapshot();
        assertEquals(50, b.restore(snapshot).changed().size());
        assertArrayEquals(snapshot, b.snapshot());
        assertArrayEquals(snapshot, ReplicatedStore.open(dir, "b", wall).snapshot(), "and it is on b's disk");
        byte[] torn = java.util.Arrays.copyOf(snapshot, snapshot.length - 100);
        assertThrows(StoreFormatException.class, () -> b.restore(torn));
    }

    @Test
    void tornOrGarbageDocumentFile_isReported_notSilentlyLoaded() throws Exception {
        ReplicatedStore s = ReplicatedStore.open(dir, "m1", wall);
        s.write(key("good"), bytes("{}"));
        s.write(key("torn"), bytes("{\"some\":\"content\"}"));
        Path torn = dir.resolve("documents/Node.torn");
        byte[] whole = Files.readAllBytes(torn);
        Files.write(torn, java.util.Arrays.copyOf(whole, whole.length - 7));
        Files.writeString(dir.resolve("documents/Node.garbage"), "not a document");
        StoreCorruptException e = assertThrows(StoreCorruptException.class, () -> ReplicatedStore.open(dir, "m1", wall));
        assertEquals(List.of(dir.resolve("documents/Node.garbage"), torn),
                e.files().stream().map(StoreCorruptException.BadFile::file).toList());
        assertTrue(e.files().get(1).reason().contains("truncated or torn"), e.getMessage());
    }

    @Test
    void leftoverTemporaryFile_isAWriteThatNeverHappened() throws Exception {
        ReplicatedStore s = ReplicatedStore.open(dir, "m1", wall);
        VersionedDocument v = s.write(key("x"), bytes("{\"v\":1}"));
        Files.writeString(dir.resolve("documents/.tmp.Node.x"), "half a write");
        ReplicatedStore reopened = ReplicatedStore.open(dir, "m1", wall);
        assertEquals(Optional.of(v), reopened.get(key("x")));
        assertFalse(Files.exists(dir.resolve("documents/.tmp.Node.x")));
    }

    @Test
    void conflictLog_survivesARestart() throws Exception {
        ReplicatedStore s = ReplicatedStore.open(dir, "a", wall);
        s.write(key("x"), bytes("{\"v\":\"a\"}"));
        VersionedDocument theirs = new VersionedDocument(key("x"), new HlcTimestamp(wall.millis() + 5, 0, "b"),
                Optional.empty(), false, bytes("{\"v\":\"b\"}"));
        assertEquals(1, s.applyRemote(List.of(theirs)).conflicts().size());
        assertEquals(s.conflicts(), ReplicatedStore.open(dir, "a", wall).conflicts());
    }

    @Test
    void tombstones_areCollectedOnlyAfterTheRetention() throws Exception {
        ReplicatedStore s = ReplicatedStore.open(dir, "m1", wall);
        s.write(key("x"), bytes("{}"));
        s.delete(key("x"));
        wall.advance(Duration.ofDays(6));
        assertEquals(List.of(), s.collectTombstones(Duration.ofDays(7)));
        wall.advance(Duration.ofDays(2));
        assertEquals(List.of(key("x")), s.collectTombstones(Duration.ofDays(7)));
        assertEquals(Optional.empty(), ReplicatedStore.open(dir, "m1", wall).get(key("x")));
    }
}
