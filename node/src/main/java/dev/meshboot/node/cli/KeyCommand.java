package dev.meshboot.node.cli;

import dev.meshboot.images.signing.KeyFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code meshboot key}: the cluster's Ed25519 signing key. */
@Command(name = "key", mixinStandardHelpOptions = true, description = "Manage the cluster's Ed25519 signing key.",
        subcommands = {KeyCommand.Generate.class})
final class KeyCommand implements Runnable {
    @Spec
    private picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "generate", mixinStandardHelpOptions = true,
            description = "Generate an Ed25519 key pair: FILE (private, mode 0600) and FILE.pub (public).")
    static final class Generate implements Callable<Integer> {
        @Spec
        private picocli.CommandLine.Model.CommandSpec spec;

        @Option(names = "--out", required = true, paramLabel = "FILE", description = "Where to write the key pair.")
        Path out;

        @Option(names = "--force", description = "Overwrite an existing key file.")
        boolean force;

        @Override
        public Integer call() throws IOException {
            if (Files.exists(out) && !force) {
                throw new IOException(out + " exists; refusing to overwrite a key (use --force)");
            }
            KeyPair pair = KeyFiles.generate();
            KeyFiles.write(pair, out);
            spec.commandLine().getOut().println("key " + KeyFiles.keyId(pair.getPublic()) + " written to " + out
                    + " and " + KeyFiles.publicKeyFile(out));
            return 0;
        }
    }
}
