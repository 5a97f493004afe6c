package dev.meshboot.node.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InstallRecordsTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-22T04:00:00Z"), ZoneOffset.UTC);
    private static final String SNAP = "ab".repeat(32);

    private static byte[] booted(String node, String mode, int reinstall) {
        return ("{\"format\":\"meshboot-booted/1\",\"node\":\"" + node + "\",\"snapshot\":\"" + SNAP + "\",\"mode\":\""
                + mode + "\",\"reinstall\":" + reinstall + ",\"phases\":{}}").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aDiskInstall_isRecorded_andSurvivesARestart(@TempDir Path dir) throws Exception {
        InstallRecords r = new InstallRecords(dir.resolve("installs.json"), CLOCK);
        assertTrue(r.report("vm-01", booted("vm-01", "disk", 2)));
        InstallRecords reopened = new InstallRecords(dir.resolve("installs.json"), CLOCK);
        assertEquals(Optional.of(new InstallRecords.Installed(SNAP, 2, "2026-11-22T04:00:00Z")), reopened.of("vm-01"));
    }

    @Test
    void aRamBoot_isAcceptedButNotRecorded_andForeignOrMalformedReportsAreRefused(@TempDir Path dir) throws Exception {
        InstallRecords r = new InstallRecords(dir.resolve("installs.json"), CLOCK);
        assertTrue(r.report("vm-01", booted("vm-01", "ram", 0)));
        assertEquals(Optional.empty(), r.of("vm-01"));
        assertFalse(r.report("vm-01", booted("vm-02", "disk", 0)), "a report naming another node");
        assertFalse(r.report("vm-01", "not json".getBytes(StandardCharsets.UTF_8)));
        assertEquals(Optional.empty(), r.of("vm-01"));
    }
}
