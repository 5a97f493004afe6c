package dev.meshboot.node.cluster;

/**
 * Receives the messages of one {@link MessageKind}. Called on a JGroups delivery thread, in the sender's order
 * (FIFO per sender); a handler that does slow work hands it to its own executor. An exception is logged and the
 * message dropped; the channel keeps delivering.
 */
@FunctionalInterface
public interface MessageHandler {
    /**
     * @param from the sender (possibly this member itself: multicasts are delivered to their sender too)
     * @param body the message without its kind byte
     */
    void receive(Member from, byte[] body) throws Exception;
}
