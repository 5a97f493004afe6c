package dev.meshboot.images.tar;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;

/**
 * Turns a Linux {@code system.posix_acl_access}/{@code _default} xattr value into the text GNU tar stores as
 * {@code SCHILY.acl.access}/{@code SCHILY.acl.default} (acl(5) long form, one entry a line, numeric ids), so that
 * {@code tar -x --acls} restores ACLs even without {@code --xattrs-include='*'}.
 *
 * <p>The xattr layout (linux/posix_acl_xattr.h): a little-endian u32 version (2), then entries of u16 tag, u16
 * permissions and u32 id.
 */
final class AclText {
    private static final int VERSION = 2;

    private AclText() {}

    static Optional<String> fromXattr(byte[] value) {
        if (value.length < 4 || (value.length - 4) % 8 != 0) {
            return Optional.empty();
        }
        ByteBuffer b = ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN);
        if (b.getInt() != VERSION) {
            return Optional.empty();
        }
        StringBuilder text = new StringBuilder();
        while (b.hasRemaining()) {
            int tag = Short.toUnsignedInt(b.getShort());
            int perm = Short.toUnsignedInt(b.getShort());
            long id = Integer.toUnsignedLong(b.getInt());
            String prefix = switch (tag) {
                case 0x01 -> "user::";
                case 0x02 -> "user:" + id + ":";
                case 0x04 -> "group::";
                case 0x08 -> "group:" + id + ":";
                case 0x10 -> "mask::";
                case 0x20 -> "other::";
                default -> null;
            };
            if (prefix == null) {
                return Optional.empty();
            }
            text.append(prefix)
                    .append((perm & 4) != 0 ? 'r' : '-')
                    .append((perm & 2) != 0 ? 'w' : '-')
                    .append((perm & 1) != 0 ? 'x' : '-')
                    .append('\n');
        }
        return Optional.of(text.toString());
    }
}
