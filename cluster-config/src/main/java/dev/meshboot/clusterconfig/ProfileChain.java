package dev.meshboot.clusterconfig;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Resolves profile inheritance. A field a profile leaves out comes from its parent, recursively; a field it writes
 * replaces the parent's whole value (a child's {@code services} list is its list, not an addition), because a rule
 * an operator can predict beats a clever merge. A cycle has no root to inherit from, so every profile on it is
 * refused, with one error that names the whole cycle in order.
 */
final class ProfileChain {
    private final Map<String, ConfigLoader.ProfileDraft> drafts = new TreeMap<>();

    ProfileChain(List<ConfigLoader.ProfileDraft> drafts) {
        drafts.forEach(d -> this.drafts.putIfAbsent(d.name(), d));
    }

    /** Every profile name that has a document, resolvable or not. */
    Set<String> declared() {
        return Set.copyOf(drafts.keySet());
    }

    /** The profiles that resolve; each mistake (unknown parent, cycle, no OS anywhere in the chain) is recorded. */
    Map<String, Profile> resolve(List<ConfigError> errors) {
        Set<String> broken = new HashSet<>();
        Set<Set<String>> cyclesReported = new HashSet<>();
        for (ConfigLoader.ProfileDraft d : drafts.values()) {
            d.parent().filter(p -> !drafts.containsKey(p))
                    .ifPresent(p -> d.error(errors, "spec.parent", p, "no such Profile"));
            List<String> path = new ArrayList<>();
            String at = d.name();
            while (at != null && drafts.containsKey(at)) {
                int seen = path.indexOf(at);
                if (seen >= 0) {
                    List<String> cycle = path.subList(seen, path.size());
                    broken.addAll(path);
                    if (cyclesReported.add(Set.copyOf(cycle))) {
                        reportCycle(cycle, errors);
                    }
                    break;
                }
                path.add(at);
                at = drafts.get(at).parent().orElse(null);
            }
            if (at != null && !drafts.containsKey(at)) {
                broken.addAll(path);
            }
        }
        Map<String, Optional<Profile>> done = new HashMap<>();
        Map<String, Profile> resolved = new HashMap<>();
        for (ConfigLoader.ProfileDraft d : drafts.values()) {
            if (!broken.contains(d.name())) {
                resolved(d, done, errors).ifPresent(p -> resolved.put(p.name(), p));
            }
        }
        return resolved;
    }

    /** Reported on the cycle's first profile by name, so the message is the same whatever order files are read in. */
    private void reportCycle(List<String> cycle, List<ConfigError> errors) {
        int start = cycle.indexOf(cycle.stream().sorted().findFirst().orElseThrow());
        List<String> ordered = new ArrayList<>(cycle.subList(start, cycle.size()));
        ordered.addAll(cycle.subList(0, start));
        ordered.add(ordered.getFirst());
        ConfigLoader.ProfileDraft first = drafts.get(ordered.getFirst());
        first.error(errors, "spec.parent", first.parent().orElse(""),
                "inheritance cycle: " + String.join(" -> ", ordered));
    }

    /** Empty when the chain has no OS; the error is recorded once, on the root that lacks it. */
    private Optional<Profile> resolved(ConfigLoader.ProfileDraft d, Map<String, Optional<Profile>> done,
            List<ConfigError> errors) {
        Optional<Profile> known = done.get(d.name());
        if (known != null) {
            return known;
        }
        Optional<Profile> parent = d.parent().flatMap(p -> resolved(drafts.get(p), done, errors));
        Optional<Profile.OsFamily> os = d.os().or(() -> parent.map(Profile::os));
        Optional<Profile> result;
        if (d.parent().isPresent() && parent.isEmpty()) {
            result = Optional.empty(); // the parent's own error says why
        } else if (os.isEmpty()) {
            d.error(errors, "spec.os", "", "required (neither this profile nor a parent names one)");
            result = Optional.empty();
        } else {
            result = Optional.of(new Profile(d.name(), os.get(),
                    d.install().or(() -> parent.map(Profile::install)).orElse(Profile.InstallMode.RAM),
                    d.extras().or(() -> parent.map(Profile::extras)).orElse(false),
                    d.services().or(() -> parent.map(Profile::services)).orElse(List.of()),
                    d.disk().or(() -> parent.map(Profile::disk)).orElse(Profile.Disk.DEFAULTS),
                    d.parent()));
        }
        done.put(d.name(), result);
        return result;
    }
}
