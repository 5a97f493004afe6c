package dev.meshboot.node.cluster;

import dev.meshboot.clusterconfig.store.StoreCodec;
import dev.meshboot.clusterconfig.store.StoreDigest;
import dev.meshboot.clusterconfig.store.StoreFormatException;
import dev.meshboot.clusterconfig.store.VersionSummary;
import dev.meshboot.clusterconfig.store.VersionedDocument;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

/**
 * The bodies of the store's anti-entropy messages, as pure functions over {@link StoreCodec}'s formats. Every
 * decoder checks lengths before it allocates and throws {@link StoreFormatException} for anything else.
 *
 * <pre>
 * STORE_DIGEST    = digest (256 x 32 bytes)
 * STORE_SUMMARIES = u8 flags (1: reply with yours) u16 n { u8 bucket }*n summaries
 * STORE_PUSH      = u8 flags (1: last message of the round) versions
 * STORE_VERSIONS  = versions
 * </pre>
 */
final class AntiEntropyMessages {
    private AntiEntropyMessages() {}

    /** Summaries of some buckets; {@code replyWanted} asks the receiver for its own summaries of them. */
    record Summaries(boolean replyWanted, TreeSet<Integer> buckets, List<VersionSummary> summaries) {}

    /** Versions the receiver lacks; {@code last} ends the round its receiver started. */
    record Push(boolean last, List<VersionedDocument> versions) {}

    static byte[] summaries(boolean replyWanted, Collection<Integer> buckets, Collection<VersionSummary> summaries) {
        byte[] tail = StoreCodec.encodeSummaries(summaries);
        byte[] out = new byte[3 + buckets.size() + tail.length];
        out[0] = (byte) (replyWanted ? 1 : 0);
        out[1] = (byte) (buckets.size() >> 8);
        out[2] = (byte) buckets.size();
        int i = 3;
        for (int b : buckets) {
            out[i++] = (byte) b;
        }
        System.arraycopy(tail, 0, out, i, tail.length);
        return out;
    }

    static Summaries summaries(byte[] bytes) throws StoreFormatException {
        if (bytes.length < 3) {
            throw new StoreFormatException("summaries message of " + bytes.length + " bytes");
        }
        int flags = bytes[0] & 0xff;
        int n = ((bytes[1] & 0xff) << 8) | (bytes[2] & 0xff);
        if (flags > 1 || n > StoreDigest.BUCKETS || 3 + n > bytes.length) {
            throw new StoreFormatException("summaries message: flags " + flags + ", " + n + " buckets in "
                    + bytes.length + " bytes (at most " + StoreDigest.BUCKETS + ")");
        }
        TreeSet<Integer> buckets = new TreeSet<>();
        for (int i = 0; i < n; i++) {
            buckets.add(bytes[3 + i] & 0xff);
        }
        return new Summaries(flags == 1, buckets,
                StoreCodec.decodeSummaries(Arrays.copyOfRange(bytes, 3 + n, bytes.length)));
    }

    static byte[] push(boolean last, Collection<VersionedDocument> versions) {
        byte[] tail = StoreCodec.encodeAll(versions);
        byte[] out = new byte[1 + tail.length];
        out[0] = (byte) (last ? 1 : 0);
        System.arraycopy(tail, 0, out, 1, tail.length);
        return out;
    }

    static Push push(byte[] bytes) throws StoreFormatException {
        if (bytes.length < 1 || (bytes[0] & 0xff) > 1) {
            throw new StoreFormatException("push message without a valid flags byte (" + bytes.length + " bytes)");
        }
        return new Push(bytes[0] == 1, StoreCodec.decodeAll(Arrays.copyOfRange(bytes, 1, bytes.length)));
    }
}
