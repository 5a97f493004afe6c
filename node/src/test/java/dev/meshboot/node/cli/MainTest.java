package dev.meshboot.node.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class MainTest {

    @Test
    void help_exitsZeroAndNamesTheProgram() {
        StringWriter out = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out));
        assertEquals(0, cli.execute("--help"));
        assertTrue(out.toString().startsWith("Usage: meshboot"), out.toString());
    }

    @Test
    void everyCommand_hasHelp() {
        List<List<String>> paths = new ArrayList<>();
        collect(Main.commandLine(), new ArrayList<>(), paths);
        assertTrue(paths.size() >= 10, "commands found: " + paths);
        for (List<String> path : paths) {
            StringWriter out = new StringWriter();
            CommandLine cli = Main.commandLine();
            cli.setOut(new PrintWriter(out));
            List<String> args = new ArrayList<>(path);
            args.add("--help");
            assertEquals(0, cli.execute(args.toArray(String[]::new)), "meshboot " + String.join(" ", args));
            assertTrue(out.toString().contains("Usage: meshboot"), String.join(" ", args) + ": " + out);
        }
    }

    private static void collect(CommandLine cli, List<String> prefix, List<List<String>> paths) {
        paths.add(List.copyOf(prefix));
        cli.getSubcommands().forEach((name, sub) -> {
            if (!name.equals("help")) {
                List<String> p = new ArrayList<>(prefix);
                p.add(name);
                collect(sub, p, paths);
            }
        });
    }

    @Test
    void unknownCommand_exitsWithUsageError() {
        CommandLine cli = Main.commandLine();
        cli.setErr(new PrintWriter(new StringWriter()));
        assertEquals(2, cli.execute("no-such-command"));
    }
}
