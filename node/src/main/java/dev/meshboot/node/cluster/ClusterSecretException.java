package dev.meshboot.node.cluster;

import java.io.IOException;

/** The cluster secret file cannot be used: missing, readable by others, or too short to derive keys from. */
public final class ClusterSecretException extends IOException {
    private static final long serialVersionUID = 1L;

    public ClusterSecretException(String message) {
        super(message);
    }
}
