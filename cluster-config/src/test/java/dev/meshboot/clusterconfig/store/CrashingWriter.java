package dev.meshboot.clusterconfig.store;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;

/**
 * The child process of {@link StoreCrashIT}: writes to a store in a loop and reports each write on stdout once
 * {@link ReplicatedStore#write} returned (the write is then acknowledged). Iteration {@code i} writes
 * {@code Node/victim} = i, then a new {@code Node/w-i}.
 *
 * <p>Arguments: the store directory, and the iteration at whose victim write to stop between fsync and rename
 * (0: never). There it prints {@code AT_FAULT} and blocks until killed.
 */
public final class CrashingWriter {
    private CrashingWriter() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int pauseAt = Integer.parseInt(args[1]);
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        int[] iteration = {0};
        FaultPoint faults = (written, target) -> {
            if (iteration[0] == pauseAt && target.getFileName().toString().equals("Node.victim")) {
                out.println("AT_FAULT " + written.getFileName());
                blockUntilKilled();
            }
        };
        ReplicatedStore store = ReplicatedStore.open(dir, "writer", Clock.systemUTC(), faults);
        int start = store.get(StoreCrashIT.VICTIM).map(StoreCrashIT::valueOf).orElse(0) + 1;
        out.println("READY " + start);
        for (int i = start; ; i++) {
            iteration[0] = i - start + 1;
            store.write(StoreCrashIT.VICTIM, StoreCrashIT.body(i));
            out.println("victim " + i);
            store.write(new DocumentKey("Node", "w-" + i), StoreCrashIT.body(i));
            out.println("w " + i);
        }
    }

    private static void blockUntilKilled() throws IOException {
        while (System.in.read() >= 0) {
            // the parent never writes; read() blocks until the process is killed
        }
        throw new IOException("stdin closed while paused at the fault point");
    }
}
