package dev.meshboot.clusterconfig.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 6, test 4: a crash during a write leaves the on-disk store readable and holding either the old or the new
 * version. A child JVM ({@link CrashingWriter}) writes in a loop and is killed with SIGKILL ({@code destroyForcibly})
 * 20 times at the fault point between fsync and rename, and 20 times at a random moment. After each kill the store
 * must open without error, the document being written must be the last acknowledged version or the next one, and
 * every acknowledged write must be there.
 */
class StoreCrashIT {
    static final DocumentKey VICTIM = new DocumentKey("Node", "victim");
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    static byte[] body(int i) {
        return ("{\"i\":" + i + "}").getBytes(StandardCharsets.UTF_8);
    }

    static int valueOf(VersionedDocument v) {
        String t = v.bodyText();
        return Integer.parseInt(t.substring(t.indexOf(':') + 1, t.length() - 1));
    }

    /** What the child said before it died: its last acknowledged victim value and the w-i it acknowledged. */
    private record Run(int lastVictim, List<Integer> acknowledgedW, boolean pausedAtFault) {}

    /** Every w-i acknowledged in any round so far; a victim renamed but not acknowledged may have no w-i at all. */
    private final java.util.SortedSet<Integer> acknowledgedW = new java.util.TreeSet<>();

    @Test
    void killAtTheFaultPointBetweenFsyncAndRename_leavesTheOldVersion_20Times() throws Exception {
        Random random = new Random(6);
        for (int round = 0; round < 20; round++) {
            int before = victim().orElse(0);
            int pauseAt = 1 + random.nextInt(5);
            Run run = runAndKill(pauseAt, -1);
            assertTrue(run.pausedAtFault(), "round " + round + ": the child reached the fault point");
            assertTrue(Files.exists(dir.resolve("documents/.tmp.Node.victim")), "the synced temporary file is there");
            int expectedOld = before + pauseAt - 1;
            assertEquals(expectedOld, run.lastVictim() == 0 ? before : run.lastVictim());
            assertEquals(Optional.of(expectedOld).filter(v -> v > 0), victim(),
                    "round " + round + ": killed before the rename, so the old version");
            assertAcknowledgedWritesPresent(run);
        }
        assertTrue(acknowledgedW.size() >= 10, "the writer got some work done: " + acknowledgedW);
    }

    @Test
    void killAtRandomMoments_leavesTheOldOrTheNewVersion_andLosesNoAcknowledgedWrite_20Times() throws Exception {
        Random random = new Random(66);
        for (int round = 0; round < 20; round++) {
            int before = victim().orElse(0);
            Run run = runAndKill(0, random.nextInt(40));
            int acknowledged = Math.max(before, run.lastVictim());
            int found = victim().orElse(0);
            assertTrue(found == acknowledged || found == acknowledged + 1,
                    "round " + round + ": victim is " + found + ", acknowledged " + acknowledged);
            assertAcknowledgedWritesPresent(run);
        }
        assertTrue(acknowledgedW.size() >= 50, "kills landed across many writes: " + acknowledgedW.size());
    }

    private Optional<Integer> victim() throws Exception {
        return ReplicatedStore.open(dir, "checker", Clock.systemUTC()).get(VICTIM).map(StoreCrashIT::valueOf);
    }

    /** Every w-i the child acknowledged, in this and earlier rounds, is there with its content. */
    private void assertAcknowledgedWritesPresent(Run run) throws Exception {
        acknowledgedW.addAll(run.acknowledgedW());
        ReplicatedStore store = ReplicatedStore.open(dir, "checker", Clock.systemUTC()); // throws if anything is torn
        for (int i : acknowledgedW) {
            int n = i;
            assertEquals(Optional.of(i), store.get(new DocumentKey("Node", "w-" + i)).map(StoreCrashIT::valueOf),
                    () -> "acknowledged write w-" + n + " lost");
        }
    }

    /**
     * Runs the writer until it pauses at the fault point ({@code pauseAt > 0}) or has acknowledged
     * {@code killAfterLines} more lines, then kills it with SIGKILL and collects what it printed.
     */
    private Run runAndKill(int pauseAt, int killAfterLines) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-Xmx64m", "-XX:TieredStopAtLevel=1", "-cp",
                System.getProperty("java.class.path"), CrashingWriter.class.getName(), dir.toString(),
                Integer.toString(pauseAt)).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = Thread.ofVirtual().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) {
                    lines.add(l);
                }
            } catch (IOException e) {
                lines.add("READ_ERROR " + e);
            }
            lines.add("EOF");
        });
        List<String> seen = new ArrayList<>();
        Instant deadline = Instant.now().plus(DEADLINE);
        int counted = 0;
        boolean paused = false;
        try {
            while (true) {
                String l = lines.poll(Duration.between(Instant.now(), deadline).toMillis(), TimeUnit.MILLISECONDS);
                if (l == null) {
                    fail("the writer said nothing for " + DEADLINE + "; it printed " + seen);
                }
                if (l.equals("EOF")) {
                    fail("the writer exited on its own: " + seen);
                }
                seen.add(l);
                if (l.startsWith("AT_FAULT")) {
                    paused = true;
                    break;
                }
                if ((l.startsWith("victim ") || l.startsWith("w ")) && ++counted > killAfterLines && pauseAt == 0) {
                    break;
                }
            }
        } finally {
            p.destroyForcibly();
            p.waitFor();
            reader.join(DEADLINE);
        }
        for (String l; (l = lines.poll()) != null; ) {
            seen.add(l);
        }
        int lastVictim = 0;
        List<Integer> w = new ArrayList<>();
        for (String l : seen) {
            if (l.startsWith("victim ")) {
                lastVictim = Integer.parseInt(l.substring(7));
            } else if (l.startsWith("w ")) {
                w.add(Integer.parseInt(l.substring(2)));
            }
        }
        return new Run(lastVictim, w, paused);
    }
}
