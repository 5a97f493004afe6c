package dev.meshboot.node.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshboot.node.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code meshboot demo} as a user runs it, in this JVM: three agents, ten machines, a crash. It must end with
 * every machine booted, the killed server gone from the view by failure detection, another server active in its
 * place, and exit code 0.
 */
class DemoCommandIT {
    @TempDir
    Path dir;

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void demo_bootsEveryMachine_whileAnActiveServerIsKilled() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int rc = cli.execute("demo", "--work", dir.resolve("work").toString());
        String o = out.toString();
        System.out.println(o);
        assertEquals(0, rc, o + err);
        assertTrue(o.contains("10/10 machines booted; none lost."), o);
        int killed = o.indexOf(" KILLED (crash");
        assertTrue(killed > 0, o);
        String after = o.substring(killed);
        assertTrue(after.matches("(?s).*excluded by failure detection, [0-9.]+ s after the crash.*"), after);
        assertTrue(after.matches("(?s).*agent-\\d +now an active boot server.*"), after);
        assertTrue(o.matches("(?s).*agent-\\d took over as an active boot server [0-9.]+ s after agent-\\d was killed.*"),
                o);
        for (int i = 1; i <= 10; i++) {
            assertTrue(o.matches("(?s).*machine-%02d +/init: .* BOOTED.*".formatted(i)), "machine " + i + ": " + o);
        }
        assertTrue(o.contains("by TFTP from agent-") && o.contains("by HTTP from agent-"), o);
        assertTrue(!o.contains("WARNING") && !o.contains("INFO"), "agent logs belong in agents.log, not here: " + o);
    }
}
