package dev.meshboot.node.mesh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshboot.images.testing.ManualClock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class HealthCheckTest {
    @Test
    void everyFailingProbeIsNamed_aThrowingProbeFails_andResultsAreReusedWithinThePeriod() {
        ManualClock clock = new ManualClock(java.time.Instant.parse("2026-11-22T08:00:00Z"));
        AtomicBoolean dhcp = new AtomicBoolean(true);
        AtomicInteger calls = new AtomicInteger();
        Map<String, HealthCheck.Probe> probes = new LinkedHashMap<>();
        probes.put("http", () -> {
            calls.incrementAndGet();
            return Optional.empty();
        });
        probes.put("dhcp", HealthCheck.require(dhcp::get, "a socket stopped serving"));
        probes.put("disk", () -> {
            throw new IllegalStateException("statvfs failed");
        });
        HealthCheck check = new HealthCheck(probes, clock, Duration.ofSeconds(1));
        HealthCheck.Health h = check.current();
        assertFalse(h.healthy());
        assertEquals(1, h.problems().size());
        assertTrue(h.problems().getFirst().startsWith("disk: "), h.problems().toString());

        probes.remove("disk");
        dhcp.set(false);
        assertEquals(h, check.current(), "asked again within the period: not probed again");
        assertEquals(1, calls.get());
        clock.advance(Duration.ofSeconds(1));
        assertEquals(List.of("dhcp: a socket stopped serving"), check.current().problems());
        dhcp.set(true);
        clock.advance(Duration.ofSeconds(2));
        assertTrue(check.current().healthy());
    }
}
