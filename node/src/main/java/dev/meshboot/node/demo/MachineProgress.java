package dev.meshboot.node.demo;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What one simulated machine has done so far, for the summary table and for the demo's choice of when to kill a
 * server: who served each part of its last (successful) boot attempt, how long it took, how often it rebooted and
 * failed over. Written by the machine's thread, read by others.
 */
final class MachineProgress {
    private final String name;
    private String bootProgram = "-";
    private String script = "-";
    private Map<String, Integer> chunks = Map.of();
    private int reboots;
    private int failovers;
    private Optional<Duration> bootTime = Optional.empty();
    private boolean gaveUp;

    MachineProgress(String name) {
        this.name = name;
    }

    String name() {
        return name;
    }

    synchronized void bootProgram(String from) {
        bootProgram = from;
    }

    synchronized void script(String from) {
        script = from;
    }

    synchronized void booted(Map<String, Integer> chunksFrom, int failoversThisAttempt, Duration took) {
        chunks = new LinkedHashMap<>(chunksFrom);
        failovers += failoversThisAttempt;
        bootTime = Optional.of(took);
    }

    synchronized void rebooted() {
        reboots++;
    }

    synchronized void gaveUp() {
        gaveUp = true;
    }

    synchronized boolean isBooted() {
        return bootTime.isPresent();
    }

    synchronized boolean isDone() {
        return bootTime.isPresent() || gaveUp;
    }

    /** One row of the summary table. */
    synchronized String row() {
        StringBuilder c = new StringBuilder();
        chunks.forEach((k, v) -> c.append(c.isEmpty() ? "" : ", ").append(k).append(" ").append(v));
        return String.format("  %-10s  %-8s  %-8s  %-28s  %6s  %7d  %9d", name, bootProgram, script,
                c.isEmpty() ? "-" : c.toString(),
                bootTime.map(d -> String.format("%.1f s", d.toMillis() / 1000.0)).orElse(gaveUp ? "LOST" : "-"),
                reboots, failovers);
    }

    static String header() {
        return String.format("  %-10s  %-8s  %-8s  %-28s  %6s  %7s  %9s%n  %-10s  %-8s  %-8s  %-28s  %6s  %7s  %9s",
                "machine", "TFTP", "iPXE", "/init: snapshot chunks", "booted", "reboots", "failovers",
                "", "(PXE)", "(HTTP)", "(HTTP, each verified)", "after", "", "");
    }
}
