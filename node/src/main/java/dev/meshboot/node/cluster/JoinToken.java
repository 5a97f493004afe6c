package dev.meshboot.node.cluster;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import org.jgroups.Message;
import org.jgroups.auth.AuthToken;

/**
 * AUTH's token: a value derived from the cluster secret ({@link ClusterSecret#joinToken}). A member refuses a join
 * or merge request whose token differs. With the whole message encrypted below (SERIALIZE over SYM_ENCRYPT) a
 * joiner without the secret is already unreadable; this is the second lock, and the one that gives a clear
 * "authentication failed" when two members were given different secrets of the same format.
 *
 * <p>JGroups creates the receiving side's instance reflectively (public no-argument constructor) and fills it
 * with {@link #readFrom}; the configured instance on the stack holds the expected value.
 */
public final class JoinToken extends AuthToken {
    private static final int MAX = 64;
    private byte[] value = new byte[0];

    public JoinToken() {}

    JoinToken(byte[] value) {
        this.value = value.clone();
    }

    @Override
    public String getName() {
        return JoinToken.class.getName();
    }

    @Override
    public int size() {
        return 2 + value.length;
    }

    @Override
    public boolean authenticate(AuthToken token, Message msg) {
        return token instanceof JoinToken other && value.length > 0 && ClusterSecret.sameToken(value, other.value);
    }

    @Override
    public void writeTo(DataOutput out) throws IOException {
        out.writeShort(value.length);
        out.write(value);
    }

    @Override
    public void readFrom(DataInput in) throws IOException {
        int length = in.readUnsignedShort();
        if (length > MAX) {
            throw new IOException("a join token is at most " + MAX + " bytes, not " + length);
        }
        value = new byte[length];
        in.readFully(value);
    }
}
