package dev.meshboot.node.admin;

/** A request the agent refuses as malformed: unknown operation, missing or wrong field, too large. */
public final class AdminRequestException extends Exception {
    private static final long serialVersionUID = 1L;

    public AdminRequestException(String message) {
        super(message);
    }
}
