package dev.meshboot.clusterconfig.store;

import dev.meshboot.clusterconfig.ClusterConfig;
import dev.meshboot.clusterconfig.ConfigError;
import java.util.List;
import java.util.Optional;

/**
 * What the boot policy serves from the store. Replication must converge, so the store accepts a remote document even
 * when it makes the documents invalid together (say, two nodes given one address on the two sides of a partition).
 * Serving nothing would stop every boot in the fleet over one mistake, so the view keeps the last valid
 * {@link ClusterConfig} and reports why the current documents are not valid, until an operator fixes them.
 *
 * @param config the last valid configuration this member built (empty until the documents were once valid since
 *     this process started)
 * @param errors why the current documents are invalid; empty when {@code config} reflects them exactly
 */
public record ConfigView(Optional<ClusterConfig> config, List<ConfigError> errors) {
    public ConfigView {
        errors = List.copyOf(errors);
    }

    /** True when the configuration served is built from exactly the documents held now. */
    public boolean current() {
        return config.isPresent() && errors.isEmpty();
    }
}
