package dev.meshboot.node.cli;

import picocli.CommandLine;

/** Reads the version Maven stamped into the jar, so {@code meshboot --version} never drifts from the build. */
final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        String version = Main.class.getPackage().getImplementationVersion();
        return new String[] {"meshboot " + (version == null ? "(development build)" : version),
                "Java " + Runtime.version()};
    }
}
