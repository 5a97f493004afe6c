package dev.meshboot.images.signing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Ed25519 keys (RFC 8032) from the JDK, in PEM files OpenSSL reads too: the key file holds the PKCS#8 private key
 * and the X.509 public key (the JDK cannot derive one from the other), and {@code FILE.pub} holds the public key
 * alone, for distribution to whoever verifies.
 */
public final class KeyFiles {
    private static final Pattern PEM = Pattern.compile(
            "-----BEGIN ([A-Z ]+)-----\\s*([A-Za-z0-9+/=\\s]+?)-----END \\1-----");

    private KeyFiles() {}

    public static KeyPair generate() {
        try {
            return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK has no Ed25519", e);
        }
    }

    /** Writes the key pair to {@code file} (mode 0600) and the public key to {@code file.pub}. */
    public static void write(KeyPair pair, Path file) throws IOException {
        String both = pem("PRIVATE KEY", pair.getPrivate().getEncoded()) + pem("PUBLIC KEY", pair.getPublic().getEncoded());
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, both, StandardCharsets.US_ASCII);
        Files.writeString(publicKeyFile(file), pem("PUBLIC KEY", pair.getPublic().getEncoded()),
                StandardCharsets.US_ASCII);
    }

    public static Path publicKeyFile(Path keyFile) {
        return keyFile.resolveSibling(keyFile.getFileName() + ".pub");
    }

    public static KeyPair readKeyPair(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.US_ASCII);
        PrivateKey priv = null;
        PublicKey pub = null;
        Matcher m = PEM.matcher(text);
        try {
            KeyFactory kf = KeyFactory.getInstance("Ed25519");
            while (m.find()) {
                byte[] der = Base64.getMimeDecoder().decode(m.group(2));
                if (m.group(1).equals("PRIVATE KEY")) {
                    priv = kf.generatePrivate(new PKCS8EncodedKeySpec(der));
                } else if (m.group(1).equals("PUBLIC KEY")) {
                    pub = kf.generatePublic(new X509EncodedKeySpec(der));
                }
            }
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IOException(file + ": not an Ed25519 key file: " + e.getMessage(), e);
        }
        if (priv == null || pub == null) {
            throw new IOException(file + ": needs both a PRIVATE KEY and a PUBLIC KEY block (made by 'meshboot key"
                    + " generate')");
        }
        return new KeyPair(pub, priv);
    }

    /** Reads a public key from a {@code .pub} file, or the public half of a key file. */
    public static PublicKey readPublicKey(Path file) throws IOException {
        Matcher m = PEM.matcher(Files.readString(file, StandardCharsets.US_ASCII));
        while (m.find()) {
            if (m.group(1).equals("PUBLIC KEY")) {
                return decodePublicKey(Base64.getMimeDecoder().decode(m.group(2)), file.toString());
            }
        }
        throw new IOException(file + ": no PUBLIC KEY block");
    }

    public static PublicKey decodePublicKey(byte[] x509, String where) throws IOException {
        try {
            return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(x509));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IOException(where + ": not an Ed25519 public key: " + e.getMessage(), e);
        }
    }

    public static String publicKeyPem(PublicKey key) {
        return pem("PUBLIC KEY", key.getEncoded());
    }

    /** A short, stable name for a public key: the first 16 hex digits of SHA-256 of its X.509 encoding. */
    public static String keyId(PublicKey key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getEncoded()), 0, 8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
