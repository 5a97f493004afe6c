package dev.meshboot.images.signing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.meshboot.images.SnapshotTrustException;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;
import java.util.Collection;

/**
 * A detached Ed25519 signature over a manifest's exact bytes, stored beside it as {@code ID.sig}:
 * {@code {"algorithm":"Ed25519","keyId":...,"publicKey":BASE64(X.509),"signature":BASE64}}. The public key is
 * carried for diagnosis only; trust comes from the verifier's own list.
 */
public record ManifestSignature(String algorithm, String keyId, String publicKey, String signature) {
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    public static ManifestSignature sign(byte[] manifest, PrivateKey key, PublicKey publicKey) {
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(key);
            s.update(manifest);
            return new ManifestSignature("Ed25519", KeyFiles.keyId(publicKey),
                    Base64.getEncoder().encodeToString(publicKey.getEncoded()),
                    Base64.getEncoder().encodeToString(s.sign()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign with this key", e);
        }
    }

    public byte[] toJson() {
        try {
            return JSON.writeValueAsBytes(this);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static ManifestSignature fromJson(byte[] json, String where) throws SnapshotTrustException {
        try {
            return JSON.readValue(json, ManifestSignature.class);
        } catch (IOException e) {
            throw new SnapshotTrustException(where + ": signature file is not valid JSON", e);
        }
    }

    /**
     * Checks that one of {@code trusted} made this signature over {@code manifest}; returns that key's id.
     * {@code where} names the snapshot in messages.
     */
    public String verify(byte[] manifest, Collection<PublicKey> trusted, String where) throws SnapshotTrustException {
        if (!"Ed25519".equals(algorithm)) {
            throw new SnapshotTrustException(where + ": signature algorithm '" + algorithm + "' is not Ed25519");
        }
        byte[] sig;
        try {
            sig = Base64.getDecoder().decode(signature == null ? "" : signature);
        } catch (IllegalArgumentException e) {
            throw new SnapshotTrustException(where + ": signature is not base64", e);
        }
        for (PublicKey key : trusted) {
            try {
                Signature s = Signature.getInstance("Ed25519");
                s.initVerify(key);
                s.update(manifest);
                if (s.verify(sig)) {
                    return KeyFiles.keyId(key);
                }
            } catch (GeneralSecurityException e) {
                // a malformed signature fails against every key; fall through to the error below
            }
        }
        if (trusted.isEmpty()) {
            throw new SnapshotTrustException(where + ": signed by key " + keyId + ", but no key is trusted here"
                    + " (give --trust KEY.pub, or --insecure to skip the check)");
        }
        throw new SnapshotTrustException(where + ": signature by key " + keyId
                + " does not verify against any trusted key (foreign or tampered snapshot)");
    }
}
