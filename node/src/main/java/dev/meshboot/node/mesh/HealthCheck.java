package dev.meshboot.node.mesh;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Whether this member is fit to be an active boot server, the "healthy" of its advert ({@link Election} passes over
 * an unhealthy member, and an unhealthy active server loses its role to the next eligible one). Each probe names
 * one thing a booting machine needs from this member and says what is wrong, or nothing: its HTTP server answers,
 * its DHCP and TFTP sockets still serve while it is active, its disk has room for leases and reports. Probes run
 * at most once per {@code every}, so adverts and status pages ask as often as they like.
 */
public final class HealthCheck {
    /** One probe: empty when fine, else why not. */
    @FunctionalInterface
    public interface Probe {
        Optional<String> problem();
    }

    /** The verdict and its reasons. */
    public record Health(boolean healthy, List<String> problems, Instant checked) {}

    private final Map<String, Probe> probes;
    private final Clock clock;
    private final Duration every;
    private Health last;

    /** @param probes by name, in the order they are reported */
    public HealthCheck(Map<String, Probe> probes, Clock clock, Duration every) {
        this.probes = probes;
        this.clock = clock;
        this.every = every;
    }

    public synchronized Health current() {
        Instant now = clock.instant();
        if (last == null || !now.isBefore(last.checked().plus(every))) {
            List<String> problems = new ArrayList<>();
            probes.forEach((name, p) -> {
                try {
                    p.problem().ifPresent(why -> problems.add(name + ": " + why));
                } catch (RuntimeException e) {
                    problems.add(name + ": " + e);
                }
            });
            last = new Health(problems.isEmpty(), List.copyOf(problems), now);
        }
        return last;
    }

    /** A probe from a condition and the message when it fails. */
    public static Probe require(Supplier<Boolean> fine, String otherwise) {
        return () -> fine.get() ? Optional.empty() : Optional.of(otherwise);
    }
}
