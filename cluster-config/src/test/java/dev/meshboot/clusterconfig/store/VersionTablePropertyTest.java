package dev.meshboot.clusterconfig.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.IntStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * The merge's algebra over arbitrary versions. Keys, clocks and members are drawn from small sets so that the same
 * document, the same clock reading and the same origin recur often: ties are where a merge goes wrong.
 */
class VersionTablePropertyTest {
    @Provide
    Arbitrary<VersionedDocument> versions() {
        Arbitrary<DocumentKey> key = Arbitraries.of("a", "b", "c").map(n -> new DocumentKey("Node", n));
        Arbitrary<HlcTimestamp> ts = Combinators.combine(Arbitraries.longs().between(1, 4),
                Arbitraries.integers().between(0, 2), Arbitraries.of("m1", "m2", "m3")).as(HlcTimestamp::new);
        Arbitrary<String> body = Arbitraries.strings().alpha().ofMaxLength(3);
        return Combinators.combine(key, ts, Arbitraries.integers().between(0, 5), Arbitraries.of(true, false), body)
                .as((k, t, baseMillisBack, tomb, b) -> new VersionedDocument(k, t,
                        baseMillisBack == 0 || t.millis() - 1 < 0 ? Optional.empty()
                                : Optional.of(new HlcTimestamp(Math.max(0, t.millis() - baseMillisBack), 0, "m1")),
                        tomb, tomb ? new byte[0] : b.getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                .filter(v -> v.base().map(x -> x.compareTo(v.version()) < 0).orElse(true));
    }

    private static VersionTable applied(List<VersionedDocument> vs) {
        VersionTable t = new VersionTable();
        vs.forEach(t::offer);
        return t;
    }

    @Property
    void anyOrderOfApplying_givesIdenticalStores(@ForAll @Size(max = 30) List<@From("versions") VersionedDocument> vs,
            @ForAll long seed) {
        List<VersionedDocument> shuffled = new ArrayList<>(vs);
        Collections.shuffle(shuffled, new Random(seed));
        assertArrayEquals(StoreCodec.encodeAll(applied(vs).all()), StoreCodec.encodeAll(applied(shuffled).all()));
    }

    @Property
    void applyingAgain_changesNothing(@ForAll @Size(max = 30) List<@From("versions") VersionedDocument> vs) {
        VersionTable once = applied(vs);
        List<VersionedDocument> twice = new ArrayList<>(vs);
        twice.addAll(vs);
        assertEquals(once.all(), applied(twice).all());
        assertEquals(once.digest(), applied(twice).digest());
    }

    @Property
    void eachDocument_holdsTheGreatestVersionOffered(@ForAll @Size(max = 30) List<@From("versions") VersionedDocument> vs) {
        VersionTable t = applied(vs);
        for (VersionedDocument v : t.all()) {
            VersionedDocument max = vs.stream().filter(x -> x.key().equals(v.key())).max(VersionedDocument.ORDER)
                    .orElseThrow();
            assertEquals(max, v);
        }
    }

    /** Two partitions each take some versions; the digest exchange makes them equal without sending everything. */
    @Property
    void antiEntropy_bringsTwoDivergedStoresToTheSameState(
            @ForAll @Size(max = 30) List<@From("versions") VersionedDocument> left,
            @ForAll @Size(max = 30) List<@From("versions") VersionedDocument> right) {
        VersionTable a = applied(left);
        VersionTable b = applied(right);
        Set<Integer> buckets = a.digest().differingBuckets(b.digest());
        List<VersionedDocument> toB = a.missingFrom(b.summaries(buckets), buckets);
        List<VersionedDocument> toA = b.missingFrom(a.summaries(buckets), buckets);
        toB.forEach(b::offer);
        toA.forEach(a::offer);
        assertEquals(a.all(), b.all());
        assertEquals(new TreeSet<>(), a.digest().differingBuckets(b.digest()));
        List<VersionedDocument> union = new ArrayList<>(left);
        union.addAll(right);
        assertEquals(applied(union).all(), a.all());
    }

    @Property
    void versionsSurviveTheirEncoding(@ForAll @Size(max = 20) List<@From("versions") VersionedDocument> vs) throws Exception {
        assertEquals(vs, StoreCodec.decodeAll(StoreCodec.encodeAll(vs)));
        List<VersionSummary> s = IntStream.range(0, vs.size()).mapToObj(i -> VersionSummary.of(vs.get(i))).toList();
        assertEquals(s, StoreCodec.decodeSummaries(StoreCodec.encodeSummaries(s)));
    }
}
