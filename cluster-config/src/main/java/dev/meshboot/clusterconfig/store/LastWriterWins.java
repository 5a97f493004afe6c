package dev.meshboot.clusterconfig.store;

import java.util.Optional;

/**
 * The merge rule for one document: of two versions, the greater under {@link VersionedDocument#ORDER} is kept. This
 * is a maximum over a total order, hence commutative, associative and idempotent: any members that received the
 * same versions, in any order and any number of times, hold the same one.
 *
 * <p>Whether the loser was a <em>conflict</em> is decided from the winner's {@code base}, the version its writer
 * replaced. If the base is at or after the loser, the writer had (transitively) seen the loser and overwrote it on
 * purpose: an ordinary update. If the base is before the loser, the writer never saw it: two concurrent writes, and
 * one is lost, which the conflict log records.
 */
public final class LastWriterWins {
    private LastWriterWins() {}

    /**
     * @param winner the version kept
     * @param loser the version dropped, if the two differ
     * @param concurrent true when the loser was written without knowledge of the winner (a conflict)
     * @param reason why the winner won, for the conflict log
     */
    public record Outcome(VersionedDocument winner, Optional<VersionedDocument> loser, boolean concurrent, String reason) {}

    public static Outcome merge(VersionedDocument held, VersionedDocument incoming) {
        if (!held.key().equals(incoming.key())) {
            throw new IllegalArgumentException("versions of different documents: " + held.key() + ", " + incoming.key());
        }
        if (held.equals(incoming)) {
            return new Outcome(held, Optional.empty(), false, "same version");
        }
        VersionedDocument winner = incoming.beats(held) ? incoming : held;
        VersionedDocument loser = winner == incoming ? held : incoming;
        boolean concurrent = winner.base().filter(b -> b.compareTo(loser.version()) >= 0).isEmpty();
        return new Outcome(winner, Optional.of(loser), concurrent, reason(winner, loser));
    }

    static String reason(VersionedDocument winner, VersionedDocument loser) {
        HlcTimestamp w = winner.version();
        HlcTimestamp l = loser.version();
        if (!w.sameClock(l)) {
            return "later hybrid-logical-clock time (" + w + " after " + l + ")";
        }
        if (!w.member().equals(l.member())) {
            return "same clock time " + w.millis() + "." + w.logical() + "; tie broken by the greater origin id ("
                    + w.member() + " over " + l.member() + ")";
        }
        return "same clock time and origin; tie broken by the greater version hash";
    }
}
