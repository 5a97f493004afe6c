package dev.meshboot.node.mesh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshboot.clusterconfig.Mac;
import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StormRedirectorTest {
    private static final String SNAP = "a".repeat(64);
    private static final String OTHER = "b".repeat(64);
    private static final String CHUNK = "c".repeat(64);
    private static final InetSocketAddress CLIENT = new InetSocketAddress("10.99.0.50", 40000);

    private static MemberAdvert member(String name, int load, String... snapshots) {
        return new MemberAdvert(new MemberState(name, true, true, Set.of(snapshots), false, Optional.empty()),
                "http://" + name + ":8080", load);
    }

    @Test
    void aBusyMember_sendsArchivesAndChunksToTheLeastLoadedHolder_andNothingElse() {
        List<MemberAdvert> members = List.of(member("self", 10, SNAP), member("busy", 6, SNAP),
                member("idle", 1, SNAP), member("other", 0, OTHER));
        StormRedirector r = new StormRedirector("self", 8, () -> 10, () -> members, c -> Set.of(SNAP));
        assertEquals(Optional.of("http://idle:8080/snapshots/" + SNAP + "/core?redirected=1"),
                r.redirect("/snapshots/" + SNAP + "/core", CLIENT));
        assertEquals(Optional.of("http://idle:8080/chunks/" + CHUNK + "?redirected=1"),
                r.redirect("/chunks/" + CHUNK, CLIENT));
        assertTrue(r.redirect("/snapshots/" + SNAP + "/manifest.json", CLIENT).isEmpty(), "manifests stay");
        assertTrue(r.redirect("/boot/52:54:00:00:00:01.ipxe", CLIENT).isEmpty(), "scripts stay");
        assertEquals(Optional.of("http://other:8080/snapshots/" + OTHER + "/extras?redirected=1"),
                r.redirect("/snapshots/" + OTHER + "/extras", CLIENT), "the holder of that snapshot");
        assertTrue(r.redirect("/snapshots/" + "d".repeat(64) + "/core", CLIENT).isEmpty(), "nobody else holds it");
    }

    @Test
    void belowTheThreshold_orWithNoMemberAtHalfTheLoad_itServesHere() {
        List<MemberAdvert> members = List.of(member("self", 9, SNAP), member("peer", 5, SNAP));
        assertTrue(new StormRedirector("self", 8, () -> 7, () -> members, c -> Set.of(SNAP))
                .redirect("/chunks/" + CHUNK, CLIENT).isEmpty(), "not busy");
        assertTrue(new StormRedirector("self", 8, () -> 9, () -> members, c -> Set.of(SNAP))
                .redirect("/chunks/" + CHUNK, CLIENT).isEmpty(), "5 is more than half of 9: no bouncing");
        assertTrue(new StormRedirector("self", 8, () -> 9, () -> members, c -> Set.of())
                .redirect("/chunks/" + CHUNK, CLIENT).isEmpty(), "a chunk of no snapshot held here");
    }

    @Test
    void equallyIdleHolders_shareTheClients() {
        List<MemberAdvert> members = List.of(member("self", 20, SNAP), member("p1", 0, SNAP), member("p2", 0, SNAP),
                member("p3", 0, SNAP));
        Set<String> chosen = new HashSet<>();
        for (int i = 0; i < 64; i++) {
            StormRedirector.choose("self", 20, Set.of(SNAP), members, i * 7919).ifPresent(m -> chosen.add(
                    m.state().member()));
        }
        assertEquals(Set.of("p1", "p2", "p3"), chosen);
    }

    @Test
    void archiveServers_everyHolderOnce_thisMemberByItsOwnAddress_rotatedPerMachine() {
        List<MemberAdvert> members = List.of(member("self", 0, SNAP), member("p1", 0, SNAP), member("p2", 0, OTHER),
                member("p3", 0, SNAP));
        Set<String> firsts = new HashSet<>();
        for (int i = 0; i < 32; i++) {
            List<String> s = ArchiveServers.forMachine(Mac.parse("02:00:00:00:00:%02x".formatted(i)), SNAP,
                    List.of("10.99.0.1:8080"), members, "self");
            assertEquals(Set.of("10.99.0.1:8080", "p1:8080", "p3:8080"), Set.copyOf(s));
            assertEquals(3, s.size());
            firsts.add(s.getFirst());
        }
        assertEquals(3, firsts.size(), "machines do not start on different holders: " + firsts);
    }
}
