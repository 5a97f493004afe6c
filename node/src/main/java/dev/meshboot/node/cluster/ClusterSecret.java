package dev.meshboot.node.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * The secret every member of a cluster shares, read from a file only its owner may read (mode 0600 or stricter).
 * The channel never uses the file's bytes directly: it derives one key per purpose with HMAC-SHA256 (the
 * expand step of HKDF, RFC 5869, with the secret as the pseudo-random key), so the encryption key and the join
 * token are independent and the secret itself never travels.
 */
public final class ClusterSecret {
    /** Shorter secrets are refused: 32 bytes from {@code head -c 32 /dev/urandom} or a long passphrase. */
    public static final int MIN_BYTES = 32;
    /** A secret file is small; a larger file is a mistake (a key store, a log) and is refused before reading. */
    public static final int MAX_BYTES = 4096;
    private static final Set<PosixFilePermission> OTHERS = EnumSet.of(PosixFilePermission.GROUP_READ,
            PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    private final byte[] secret;

    private ClusterSecret(byte[] secret) {
        this.secret = secret.clone();
    }

    /** Reads a secret file, refusing one that group or others may access, or that is too short or too long. */
    public static ClusterSecret read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new ClusterSecretException(file + ": no such file (the cluster secret; create it with mode 0600)");
        }
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
        if (perms.stream().anyMatch(OTHERS::contains)) {
            throw new ClusterSecretException(file + ": mode " + java.nio.file.attribute.PosixFilePermissions
                    .toString(perms) + " lets others read the cluster secret; chmod 600 it");
        }
        if (Files.size(file) > MAX_BYTES) {
            throw new ClusterSecretException(file + ": " + Files.size(file) + " bytes; a cluster secret is at most "
                    + MAX_BYTES);
        }
        byte[] bytes = Files.readAllBytes(file);
        int end = bytes.length;
        while (end > 0 && (bytes[end - 1] == '\n' || bytes[end - 1] == '\r')) {
            end--; // "echo secret > file" adds a newline that other members' files may not have
        }
        if (end < MIN_BYTES) {
            throw new ClusterSecretException(file + ": " + end + " bytes; a cluster secret is at least " + MIN_BYTES);
        }
        return new ClusterSecret(Arrays.copyOf(bytes, end));
    }

    /** A secret from bytes (tests). */
    public static ClusterSecret of(byte[] secret) {
        if (secret.length < MIN_BYTES) {
            throw new IllegalArgumentException("a cluster secret is at least " + MIN_BYTES + " bytes");
        }
        return new ClusterSecret(secret);
    }

    /** The AES-128 key that SYM_ENCRYPT uses for every message. */
    SecretKey encryptionKey() {
        return new SecretKeySpec(Arrays.copyOf(derive("meshboot channel encryption v1"), 16), "AES");
    }

    /** What a joiner proves it holds: the same value on every member with the same secret. */
    byte[] joinToken(String cluster) {
        return derive("meshboot join token v1 " + cluster);
    }

    private byte[] derive(String purpose) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return mac.doFinal(purpose.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JDK has HmacSHA256", e);
        }
    }

    /** Compares in constant time, so a joiner learns nothing from how fast it is refused. */
    static boolean sameToken(byte[] a, byte[] b) {
        return MessageDigest.isEqual(a, b);
    }
}
