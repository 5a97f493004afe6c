package dev.meshboot.node.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The one executable, {@code meshboot}. Every command of the agent and of its tools hangs off this root, so an
 * operator learns one binary and one {@code --help}.
 */
@Command(
        name = "meshboot",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "A self-replicating peer boot mesh.",
        subcommands = {KeyCommand.class, ImageCommand.class, ArtifactsCommand.class, NodeCommand.class, ConfigCommand.class,
                StatusCommand.class, MeshCommand.class,
                DemoCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    /** Runs the CLI and exits with its code. */
    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI in-process and returns its exit code; tests call this. */
    public static int run(String... args) {
        return commandLine().execute(args);
    }

    /** The configured command tree, shared by {@link #main} and tests that capture its output. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true);
        cli.setExecutionExceptionHandler(new FaultHandler());
        return cli;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
