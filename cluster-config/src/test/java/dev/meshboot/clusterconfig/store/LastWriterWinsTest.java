package dev.meshboot.clusterconfig.store;

import static dev.meshboot.clusterconfig.store.Versions.NODE;
import static dev.meshboot.clusterconfig.store.Versions.delete;
import static dev.meshboot.clusterconfig.store.Versions.ts;
import static dev.meshboot.clusterconfig.store.Versions.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class LastWriterWinsTest {
    private final VersionedDocument created = write(NODE, ts(100, 0, "a"), null, "v1");

    @Test
    void laterClock_wins_inEitherOrder() {
        VersionedDocument later = write(NODE, ts(200, 0, "b"), ts(100, 0, "a"), "v2");
        assertEquals(later, LastWriterWins.merge(created, later).winner());
        assertEquals(later, LastWriterWins.merge(later, created).winner());
        assertTrue(LastWriterWins.merge(later, created).reason().startsWith("later hybrid-logical-clock time"));
    }

    @Test
    void update_thatSawTheVersionItReplaces_isNotAConflict() {
        VersionedDocument update = write(NODE, ts(200, 0, "b"), ts(100, 0, "a"), "v2");
        assertFalse(LastWriterWins.merge(created, update).concurrent());
        assertFalse(LastWriterWins.merge(update, created).concurrent(), "a stale copy arriving late is no conflict");
    }

    @Test
    void concurrentWrites_fromTheSameBase_areAConflict_whicheverArrivesFirst() {
        VersionedDocument left = write(NODE, ts(200, 0, "a"), ts(100, 0, "a"), "left");
        VersionedDocument right = write(NODE, ts(300, 0, "b"), ts(100, 0, "a"), "right");
        LastWriterWins.Outcome o = LastWriterWins.merge(left, right);
        assertTrue(o.concurrent());
        assertEquals(right, o.winner());
        assertEquals(Optional.of(left), o.loser());
        assertEquals(o.winner(), LastWriterWins.merge(right, left).winner());
        assertTrue(LastWriterWins.merge(right, left).concurrent());
    }

    @Test
    void sameClock_tieIsBrokenByOriginId_thenByHash() {
        VersionedDocument a = write(NODE, ts(200, 3, "a"), null, "from a");
        VersionedDocument b = write(NODE, ts(200, 3, "b"), null, "from b");
        assertEquals(b, LastWriterWins.merge(a, b).winner());
        assertEquals(b, LastWriterWins.merge(b, a).winner());
        assertTrue(LastWriterWins.merge(a, b).reason().contains("greater origin id (b over a)"));

        VersionedDocument x = write(NODE, ts(200, 3, "a"), null, "x");
        VersionedDocument y = write(NODE, ts(200, 3, "a"), null, "y");
        VersionedDocument byHash = java.util.Arrays.compareUnsigned(x.hash(), y.hash()) > 0 ? x : y;
        assertEquals(byHash, LastWriterWins.merge(x, y).winner());
        assertEquals(byHash, LastWriterWins.merge(y, x).winner());
        assertTrue(LastWriterWins.merge(x, y).reason().contains("version hash"));
    }

    @Test
    void deleteConcurrentWithAnUpdate_isDecidedByTheClock_andLoggedAsAConflict() {
        VersionedDocument update = write(NODE, ts(200, 0, "a"), ts(100, 0, "a"), "v2");
        VersionedDocument tombstone = delete(NODE, ts(250, 0, "b"), ts(100, 0, "a"));
        LastWriterWins.Outcome o = LastWriterWins.merge(update, tombstone);
        assertTrue(o.winner().tombstone());
        assertTrue(o.concurrent());
    }

    @Test
    void sameVersionTwice_changesNothing() {
        LastWriterWins.Outcome o = LastWriterWins.merge(created, write(NODE, ts(100, 0, "a"), null, "v1"));
        assertEquals(Optional.empty(), o.loser());
        assertFalse(o.concurrent());
    }
}
