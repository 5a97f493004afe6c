package dev.meshboot.node.demo;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.MessageFormat;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.BiConsumer;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The agents' logs during the demo: kept out of the terminal, where the timeline is, and written to a file instead,
 * each line tagged with the agent it came from. Three agents share one process and one logging system, so the tag
 * comes from the thread: every thread an agent creates while starting inherits its name ({@link #as}), and the
 * threads those create inherit it in turn. A listener also sees every record with its agent, which is how the
 * timeline learns who replicated what from whom.
 *
 * <p>java.util.logging is process-wide; {@link #close} puts back the handlers it took away.
 */
final class AgentLogs implements AutoCloseable {
    private final InheritableThreadLocal<String> agent = new InheritableThreadLocal<>();
    private final Logger root = Logger.getLogger("");
    private final List<Handler> taken;
    private final Level rootLevel;
    private final PrintWriter file;
    private final Handler handler;

    /**
     * @param file where the log lines go
     * @param listener told of every record at INFO or above, with the agent it came from ("-" when unknown)
     */
    AgentLogs(Path file, BiConsumer<String, LogRecord> listener) throws IOException {
        this.file = new PrintWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8), true);
        this.taken = List.of(root.getHandlers());
        this.rootLevel = root.getLevel();
        this.handler = new Handler() {
            @Override
            public void publish(LogRecord r) {
                String who = agent.get() == null ? "-" : agent.get();
                String text = r.getParameters() == null ? r.getMessage() : format(r);
                synchronized (AgentLogs.this.file) {
                    AgentLogs.this.file.printf("%s %-7s %-8s %s: %s%n", r.getInstant(), r.getLevel(), who,
                            r.getLoggerName(), text);
                }
                try {
                    listener.accept(who, r);
                } catch (RuntimeException e) {
                    // the timeline's trouble must not break an agent's logging
                }
            }

            @Override
            public void flush() {
                AgentLogs.this.file.flush();
            }

            @Override
            public void close() {
                AgentLogs.this.file.close();
            }
        };
        handler.setLevel(Level.INFO);
        taken.forEach(root::removeHandler);
        root.addHandler(handler);
        root.setLevel(Level.INFO);
    }

    /** Runs {@code action} (an agent's start) with every thread it creates tagged as {@code name}'s. */
    <T> T as(String name, Callable<T> action) throws Exception {
        String before = agent.get();
        agent.set(name);
        try {
            return action.call();
        } finally {
            agent.set(before);
        }
    }

    /** The message of a record with its parameters filled in. */
    static String format(LogRecord r) {
        try {
            return MessageFormat.format(r.getMessage(), r.getParameters());
        } catch (IllegalArgumentException e) {
            return r.getMessage();
        }
    }

    @Override
    public void close() {
        root.removeHandler(handler);
        taken.forEach(root::addHandler);
        root.setLevel(rootLevel);
        handler.close();
    }
}
