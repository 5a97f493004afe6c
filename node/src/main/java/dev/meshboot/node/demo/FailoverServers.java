package dev.meshboot.node.demo;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code /init}'s list of servers ({@code meshboot.servers=}, docs/boot-flow.md, "Fetching and verifying"): fetches
 * go to the current server, first the list's first; a fetch that fails moves on to the next server, which then
 * serves the following fetches too; a server that served wrong bytes (a manifest that is not the snapshot's, a chunk
 * that does not hash to its id) is avoided for the rest of the boot. Pure state, no I/O.
 */
final class FailoverServers {
    private final List<String> servers;
    private final Set<String> avoided = new HashSet<>();
    private int current;

    FailoverServers(List<String> servers) {
        if (servers.isEmpty()) {
            throw new IllegalArgumentException("no servers to fetch from");
        }
        this.servers = List.copyOf(servers);
    }

    /** Parses {@code meshboot.servers=H:P,H:P,...}. */
    static FailoverServers parse(String param) {
        List<String> out = new ArrayList<>();
        for (String s : param.split(",")) {
            if (s.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}:[0-9]{1,5}")) {
                out.add(s);
            }
        }
        return new FailoverServers(out);
    }

    /** The server the next fetch goes to, or empty when every server is avoided. */
    Optional<String> current() {
        for (int i = 0; i < servers.size(); i++) {
            String s = servers.get((current + i) % servers.size());
            if (!avoided.contains(s)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    /** A fetch from {@code server} failed: the next server in the list takes over. */
    void failed(String server) {
        int i = servers.indexOf(server);
        if (i >= 0 && server.equals(current().orElse(null))) {
            current = (i + 1) % servers.size();
        }
    }

    /** {@code server} served wrong bytes: it is not asked again during this boot. */
    void avoid(String server) {
        failed(server);
        avoided.add(server);
    }

    /** How many servers one fetch may try: each not avoided, once. */
    int size() {
        return servers.size();
    }

    List<String> all() {
        return servers;
    }
}
