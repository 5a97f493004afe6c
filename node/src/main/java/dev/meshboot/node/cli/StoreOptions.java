package dev.meshboot.node.cli;

import dev.meshboot.images.signing.KeyFiles;
import dev.meshboot.images.store.SnapshotStore;
import java.io.IOException;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** What every command that reads one snapshot shares: the store, the snapshot, and whom to trust. */
final class StoreOptions {
    @Parameters(index = "0", paramLabel = "ID", description = "Snapshot id or unique prefix (at least 4 digits).")
    String id;

    @Option(names = "--store", required = true, paramLabel = "DIR", description = "The snapshot store directory.")
    Path store;

    @Option(names = "--trust", paramLabel = "PUBKEY",
            description = "Also trust snapshots signed by this public key (FILE.pub from 'key generate').")
    List<Path> trust = new ArrayList<>();

    @Option(names = "--insecure", description = "Accept unsigned snapshots and snapshots signed by a foreign key.")
    boolean insecure;

    SnapshotStore open() throws IOException {
        return SnapshotStore.open(store);
    }

    SnapshotStore.Snapshot load(SnapshotStore s) throws IOException {
        List<PublicKey> keys = new ArrayList<>();
        for (Path p : trust) {
            keys.add(KeyFiles.readPublicKey(p));
        }
        return s.load(id, insecure, keys);
    }
}
