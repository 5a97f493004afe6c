package dev.meshboot.node.mesh;

import dev.meshboot.node.http.DownloadRedirector;
import java.net.InetSocketAddress;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Spreads a boot storm: when this member is sending {@code threshold} or more downloads at once, a request for a
 * snapshot's archive ({@code /snapshots/ID/core}, {@code /extras}) or one of its chunks ({@code /chunks/ID}) is
 * redirected (HTTP 302) to the least loaded member in view that holds the snapshot whole, if that member is sending
 * at most half as many. The redirected URL carries {@code ?redirected=1}, and such a request is never redirected
 * again, so a download moves at most once. Loads come from the members' adverts (a few seconds old at most), which
 * is why the margin is wide: two busy members must not bounce machines at each other.
 *
 * <p>{@code /init} and iPXE follow redirects (busybox wget and iPXE both do for 302), and every chunk is verified
 * against the manifest whoever serves it, so a redirect costs trust nothing.
 */
public final class StormRedirector implements DownloadRedirector {
    /** The query a redirected URL carries. */
    public static final String MARK = "redirected=1";
    private static final Pattern ARCHIVE = Pattern.compile("/snapshots/([0-9a-f]{64})/(core|extras)");
    private static final Pattern CHUNK = Pattern.compile("/chunks/([0-9a-f]{64})");

    private final String self;
    private final int threshold;
    private final IntSupplier localLoad;
    private final Supplier<List<MemberAdvert>> members;
    private final Function<String, Set<String>> chunkOwners;

    /**
     * @param chunkOwners the snapshots this member holds that reference a chunk
     */
    public StormRedirector(String self, int threshold, IntSupplier localLoad, Supplier<List<MemberAdvert>> members,
            Function<String, Set<String>> chunkOwners) {
        if (threshold < 1) {
            throw new IllegalArgumentException("threshold must be positive");
        }
        this.self = self;
        this.threshold = threshold;
        this.localLoad = localLoad;
        this.members = members;
        this.chunkOwners = chunkOwners;
    }

    @Override
    public Optional<String> redirect(String path, InetSocketAddress client) {
        int mine = localLoad.getAsInt();
        if (mine < threshold) {
            return Optional.empty();
        }
        Set<String> snapshots;
        Matcher a = ARCHIVE.matcher(path);
        Matcher c = CHUNK.matcher(path);
        if (a.matches()) {
            snapshots = Set.of(a.group(1));
        } else if (c.matches()) {
            snapshots = chunkOwners.apply(c.group(1));
        } else {
            return Optional.empty();
        }
        return choose(self, mine, snapshots, members.get(), client.getAddress().hashCode())
                .map(m -> m.http() + path + "?" + MARK);
    }

    /**
     * The member to send a download to: not this one, holding one of {@code snapshots}, sending at most half of
     * {@code mine}; the least loaded, ties spread by the client.
     */
    static Optional<MemberAdvert> choose(String self, int mine, Set<String> snapshots, List<MemberAdvert> members,
            int clientHash) {
        return members.stream()
                .filter(m -> !m.state().member().equals(self))
                .filter(m -> !Collections.disjoint(m.state().snapshots(), snapshots))
                .filter(m -> m.load() * 2 <= mine)
                .min(Comparator.comparingInt(MemberAdvert::load)
                        .thenComparingInt(m -> Integer.hashCode(m.state().member().hashCode() ^ clientHash)));
    }
}
