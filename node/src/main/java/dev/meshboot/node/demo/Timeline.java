package dev.meshboot.node.demo;

import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The demo's readable output: one line per event, with the seconds since the start and who it happened to, printed
 * as it happens and kept for the summary and the tests. Safe to call from any thread; lines never interleave.
 */
public final class Timeline {
    /** One event: when (since the start), who, what. */
    public record Event(Duration at, String who, String what) {}

    private final PrintWriter out;
    private final Clock clock;
    private final Instant start;
    private final List<Event> events = new ArrayList<>();

    public Timeline(PrintWriter out, Clock clock) {
        this.out = out;
        this.clock = clock;
        this.start = clock.instant();
    }

    /** Records and prints an event. */
    public synchronized void event(String who, String what) {
        Event e = new Event(elapsed(), who, what);
        events.add(e);
        out.printf("%7.1f s  %-10s  %s%n", e.at().toMillis() / 1000.0, who, what);
        out.flush();
    }

    /** Prints a line that is not an event (headings, tables). */
    public synchronized void print(String line) {
        out.println(line);
        out.flush();
    }

    public Duration elapsed() {
        return Duration.between(start, clock.instant());
    }

    public synchronized List<Event> events() {
        return List.copyOf(events);
    }
}
