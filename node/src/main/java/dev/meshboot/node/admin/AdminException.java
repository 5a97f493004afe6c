package dev.meshboot.node.admin;

import java.io.IOException;

/** The CLI could not talk to the agent: no socket, no permission, or an answer that is not the protocol's. */
public final class AdminException extends IOException {
    private static final long serialVersionUID = 1L;

    public AdminException(String message) {
        super(message);
    }

    public AdminException(String message, Throwable cause) {
        super(message, cause);
    }
}
