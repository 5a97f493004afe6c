package dev.meshboot.clusterconfig;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.meshboot.clusterconfig.template.NodeVariables;
import dev.meshboot.clusterconfig.template.ParsedTemplate;
import dev.meshboot.clusterconfig.template.TemplateException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Reads the cluster's documents from YAML ({@code ---} between documents) or JSON (one object or an array) and
 * validates them as a whole. Every mistake is collected with its file, field, value and reason, so one run tells an
 * operator everything to fix; nothing is accepted until there is none.
 *
 * <p>Each document is an envelope ({@link Envelope}): {@code kind}, {@code name}, optional {@code meta}, and
 * {@code spec}. docs/configuration.md lists every field.
 */
public final class ConfigLoader {
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    private static final Pattern CHANNEL = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
    private static final Set<String> ENVELOPE = Set.of("kind", "name", "meta", "spec");
    /** The document kinds, in the order docs/configuration.md describes them. */
    public static final List<String> KINDS = List.of("Cluster", "Profile", "Node", "Channel", "Template");
    private static final Pattern FILE_PATH = Pattern.compile("[A-Za-z0-9@+_-][A-Za-z0-9@+._-]*(/[A-Za-z0-9@+_-][A-Za-z0-9@+._-]*)*");

    private final ObjectMapper yaml = YAMLMapper.builder().build();
    private final ObjectMapper json = JsonMapper.builder().build();

    /** A document as read, before validation; {@code document} is the whole of it, envelope and spec. */
    private record Raw(String file, Envelope envelope, JsonNode spec, JsonNode document) {}

    public ClusterConfig load(List<Path> files) throws IOException, ConfigException {
        List<ConfigError> errors = new ArrayList<>();
        List<Raw> raws = new ArrayList<>();
        for (Path f : files) {
            read(f, raws, errors);
        }
        return validate(raws, errors);
    }

    /**
     * Reads documents from files into their canonical form, for the replicated store ({@code config apply}). Each
     * file must parse and each document must have a valid envelope; whether the documents make a valid cluster
     * together with the store's others is {@link #loadCanonical}'s question.
     */
    public List<CanonicalDocument> read(List<Path> files) throws IOException, ConfigException {
        List<ConfigError> errors = new ArrayList<>();
        List<Raw> raws = new ArrayList<>();
        for (Path f : files) {
            read(f, raws, errors);
        }
        if (!errors.isEmpty()) {
            throw new ConfigException(errors);
        }
        return raws.stream().map(r -> CanonicalDocument.of(r.envelope().kind(), r.envelope().name(), r.document()))
                .toList();
    }

    /**
     * Validates documents held in canonical form (the replicated store's), exactly as {@link #load(List)} validates
     * files. An error's file is {@code store:KIND/NAME}.
     */
    public ClusterConfig loadCanonical(Collection<CanonicalDocument> documents) throws ConfigException {
        List<ConfigError> errors = new ArrayList<>();
        List<Raw> raws = new ArrayList<>();
        for (CanonicalDocument d : documents) {
            String where = "store:" + d.kind() + "/" + d.name();
            try {
                document(where, "document 1", json.readTree(d.json()), raws, errors);
            } catch (IOException e) {
                errors.add(new ConfigError(where, "(document)", "", "not valid JSON: " + e.getMessage()));
            }
        }
        return validate(raws, errors);
    }

    private void read(Path file, List<Raw> out, List<ConfigError> errors) throws IOException {
        String where = file.toString();
        List<JsonNode> docs = new ArrayList<>();
        try {
            boolean isJson = file.toString().endsWith(".json");
            ObjectMapper mapper = isJson ? json : yaml;
            try (MappingIterator<JsonNode> it = mapper.readerFor(JsonNode.class).readValues(Files.readAllBytes(file))) {
                while (it.hasNextValue()) {
                    JsonNode n = it.nextValue();
                    if (n != null && n.isArray()) {
                        n.forEach(docs::add);
                    } else if (n != null && !n.isNull() && !n.isMissingNode()) {
                        docs.add(n);
                    }
                }
            }
        } catch (JacksonException e) {
            String why = e.getOriginalMessage() == null ? "" : e.getOriginalMessage().replaceAll("\\s+", " ").strip();
            errors.add(new ConfigError(where, "(file)", "", "not valid YAML/JSON"
                    + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr()) + ": " + why));
            return;
        }
        for (int i = 0; i < docs.size(); i++) {
            document(where, "document " + (i + 1), docs.get(i), out, errors);
        }
    }

    /** Checks one document's envelope; a valid one joins {@code out}. */
    private static void document(String where, String label, JsonNode d, List<Raw> out, List<ConfigError> errors) {
        {
            if (!d.isObject()) {
                errors.add(new ConfigError(where, label, d.toString(), "a document is a mapping with kind, name and spec"));
                return;
            }
            for (Iterator<String> it = d.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                if (!ENVELOPE.contains(k)) {
                    errors.add(new ConfigError(where, label + " " + k, "", "unknown field (a document has " + ENVELOPE + ")"));
                }
            }
            String kind = d.path("kind").asText("");
            String name = d.path("name").asText("");
            if (!KINDS.contains(kind)) {
                errors.add(new ConfigError(where, label + " kind", kind, "must be one of " + KINDS));
                return;
            }
            if (!DNS_LABEL.matcher(name).matches()) {
                errors.add(new ConfigError(where, kind + " " + (name.isEmpty() ? "(" + label + ")" : name) + " name", name,
                        "a name is 1-63 lower-case letters, digits or '-', not starting or ending with '-'"));
                return;
            }
            Map<String, String> meta = new HashMap<>();
            d.path("meta").properties().forEach(e -> meta.put(e.getKey(), e.getValue().asText()));
            out.add(new Raw(where, new Envelope(kind, name, meta), d.path("spec"), d));
        }
    }

    private ClusterConfig validate(List<Raw> raws, List<ConfigError> errors) throws ConfigException {
        Map<String, Raw> seen = new HashMap<>();
        for (Raw r : raws) {
            Raw before = seen.putIfAbsent(r.envelope().kind() + "/" + r.envelope().name(), r);
            if (before != null) {
                errors.add(new ConfigError(r.file(), r.envelope().kind() + " " + r.envelope().name(), r.envelope().name(),
                        "defined twice (also in " + before.file() + ")"));
            }
        }
        List<Raw> clusters = raws.stream().filter(r -> r.envelope().kind().equals("Cluster")).toList();
        if (clusters.size() != 1) {
            if (clusters.isEmpty() && !errors.isEmpty()) {
                throw new ConfigException(errors); // a file that did not parse is the cause; say only that
            }
            errors.add(new ConfigError(clusters.isEmpty() ? "(all files)" : clusters.get(1).file(), "Cluster", "",
                    clusters.isEmpty() ? "no Cluster document" : "more than one Cluster document"));
            throw new ConfigException(errors);
        }
        Cluster cluster = cluster(clusters.getFirst(), errors);
        List<ProfileDraft> drafts = new ArrayList<>();
        for (Raw r : raws) {
            if (r.envelope().kind().equals("Profile")) {
                drafts.add(profile(r, errors));
            }
        }
        ProfileChain chain = new ProfileChain(drafts);
        Map<String, Profile> profiles = chain.resolve(errors);
        List<Node> nodes = new ArrayList<>();
        Map<Mac, String> macs = new HashMap<>();
        Map<Ipv4, String> addresses = new HashMap<>();
        for (Raw r : raws) {
            if (r.envelope().kind().equals("Node")) {
                node(r, cluster, chain.declared(), profiles, macs, addresses, errors).ifPresent(nodes::add);
            }
        }
        Map<String, String> channels = new HashMap<>();
        for (Raw r : raws) {
            if (r.envelope().kind().equals("Channel")) {
                channel(r, errors).ifPresent(id -> channels.put(r.envelope().name(), id));
            }
        }
        List<Template> templates = new ArrayList<>();
        Map<String, String> templatePaths = new HashMap<>();
        for (Raw r : raws) {
            if (r.envelope().kind().equals("Template")) {
                template(r, templatePaths, errors).ifPresent(templates::add);
            }
        }
        if (cluster.bootServers() > Math.max(1, nodes.size())) {
            Raw c = clusters.getFirst();
            errors.add(new ConfigError(c.file(), "Cluster " + c.envelope().name() + " spec.bootServers",
                    Integer.toString(cluster.bootServers()), "more active boot servers than nodes (" + nodes.size() + ")"));
        }
        if (!errors.isEmpty()) {
            throw new ConfigException(errors);
        }
        return new ClusterConfig(cluster, profiles.values(), nodes, channels, templates);
    }

    /** A channel names the snapshot its nodes boot: {@code spec.snapshot}, a snapshot id (64 hex digits). */
    private Optional<String> channel(Raw r, List<ConfigError> errors) {
        Spec s = new Spec(r, errors, Set.of("snapshot"));
        if (!CHANNEL.matcher(r.envelope().name()).matches()) {
            s.error("name", r.envelope().name(), "a channel is a name like stable or canary");
        }
        return s.parsed("snapshot", true, v -> {
            if (!v.matches("[0-9a-f]{64}")) {
                throw new IllegalArgumentException("a snapshot id is 64 lower-case hex digits");
            }
            return v;
        });
    }

    /**
     * A template: the OS family it is for, the file it renders ({@code path}, {@code mode}) and its {@code body}.
     * The body is parsed here, so a template that uses an unknown variable or a broken block is refused at load time
     * with its line, not when a node first boots. Two templates for the same family and path would make the output
     * depend on document order, so that is refused too.
     */
    private Optional<Template> template(Raw r, Map<String, String> paths, List<ConfigError> errors) {
        Spec s = new Spec(r, errors, Set.of("os", "path", "mode", "body"));
        Optional<Profile.OsFamily> os = s.choice("os", Profile.OsFamily.class, true);
        Optional<String> path = s.parsed("path", true, v -> {
            if (!FILE_PATH.matcher(v).matches() || v.length() > 255) {
                throw new IllegalArgumentException("a relative path inside the node's root, like etc/motd (no leading"
                        + " '/', no '..' or hidden segments, at most 255 characters)");
            }
            return v;
        });
        boolean unquoted = !s.at("mode").isMissingNode() && !s.at("mode").isTextual();
        int mode = s.parsed("mode", false, v -> {
            if (unquoted || !v.matches("0?[0-7]{3}")) { // YAML reads an unquoted 0644 as the number 420
                throw new IllegalArgumentException("permission bits in octal, quoted, like \"0644\"");
            }
            return Integer.parseInt(v, 8);
        }).orElse(0644);
        Optional<String> body = s.text("body", true);
        String name = r.envelope().name();
        if (os.isPresent() && path.isPresent()) {
            String other = paths.putIfAbsent(os.get() + " " + path.get(), name);
            if (other != null) {
                s.error("spec.path", path.get(), "Template " + other + " renders the same file for "
                        + os.get().name().toLowerCase(Locale.ROOT));
            }
        }
        if (body.isPresent()) {
            try {
                ParsedTemplate.parse(name, body.get(), NodeVariables.KNOWN);
            } catch (TemplateException e) {
                s.error("spec.body line " + e.line(), e.variable(), e.reason());
                return Optional.empty();
            }
        }
        if (os.isEmpty() || path.isEmpty() || body.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Template(name, os.get(), path.get(), mode, body.get()));
    }

    /** Reads the fields of one spec, recording each mistake against its path. */
    private static final class Spec {
        final Raw raw;
        final List<ConfigError> errors;
        final String label;

        Spec(Raw raw, List<ConfigError> errors, Set<String> known) {
            this.raw = raw;
            this.errors = errors;
            this.label = raw.envelope().kind() + " " + raw.envelope().name();
            if (!raw.spec().isObject()) {
                error("spec", raw.spec().toString(), "missing, or not a mapping");
                return;
            }
            raw.spec().fieldNames().forEachRemaining(k -> {
                if (!known.contains(k)) {
                    error("spec." + k, "", "unknown field (known: " + known.stream().sorted().toList() + ")");
                }
            });
        }

        void error(String field, String value, String reason) {
            errors.add(new ConfigError(raw.file(), label + " " + field, value, reason));
        }

        JsonNode at(String path) {
            JsonNode n = raw.spec();
            for (String p : path.split("\\.")) {
                n = n.isArray() && p.matches("[0-9]+") ? n.path(Integer.parseInt(p)) : n.path(p);
            }
            return n;
        }

        Optional<String> text(String path, boolean required) {
            JsonNode n = at(path);
            if (n.isMissingNode() || n.isNull()) {
                if (required) {
                    error("spec." + path, "", "required");
                }
                return Optional.empty();
            }
            if (!n.isValueNode()) {
                error("spec." + path, n.toString(), "expected a single value");
                return Optional.empty();
            }
            return Optional.of(n.asText());
        }

        <T> Optional<T> parsed(String path, boolean required, Function<String, T> parser) {
            Optional<String> s = text(path, required);
            if (s.isEmpty()) {
                return Optional.empty();
            }
            try {
                return Optional.of(parser.apply(s.get()));
            } catch (IllegalArgumentException e) {
                error("spec." + path, s.get(), e.getMessage());
                return Optional.empty();
            }
        }

        int integer(String path, int fallback, int min, int max) {
            Optional<String> s = text(path, false);
            if (s.isEmpty()) {
                return fallback;
            }
            if (!s.get().matches("-?[0-9]{1,9}") || Integer.parseInt(s.get()) < min || Integer.parseInt(s.get()) > max) {
                error("spec." + path, s.get(), "expected a whole number from " + min + " to " + max);
                return fallback;
            }
            return Integer.parseInt(s.get());
        }

        <E extends Enum<E>> Optional<E> choice(String path, Class<E> type, boolean required) {
            return parsed(path, required, v -> {
                try {
                    return Enum.valueOf(type, v.toUpperCase(Locale.ROOT));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("expected one of "
                            + java.util.Arrays.stream(type.getEnumConstants()).map(c -> c.name().toLowerCase(Locale.ROOT)).toList());
                }
            });
        }

        List<JsonNode> list(String path) {
            JsonNode n = at(path);
            if (n.isMissingNode() || n.isNull()) {
                return List.of();
            }
            if (!n.isArray()) {
                error("spec." + path, n.toString(), "expected a list");
                return List.of();
            }
            List<JsonNode> out = new ArrayList<>();
            n.forEach(out::add);
            return out;
        }
    }

    private Cluster cluster(Raw r, List<ConfigError> errors) {
        Spec s = new Spec(r, errors, Set.of("bootServers", "networks", "rollout"));
        int k = s.integer("bootServers", 1, 1, 64);
        s.at("rollout").fieldNames().forEachRemaining(f -> {
            if (!Set.of("batch", "maxFailures", "healthTimeout").contains(f)) {
                s.error("spec.rollout." + f, "", "unknown field (known: [batch, healthTimeout, maxFailures])");
            }
        });
        Cluster.Rollout rollout = new Cluster.Rollout(
                s.integer("rollout.batch", Cluster.Rollout.DEFAULTS.batch(), 1, 1000),
                s.integer("rollout.maxFailures", Cluster.Rollout.DEFAULTS.maxFailures(), 0, 1000),
                s.parsed("rollout.healthTimeout", false, ConfigLoader::duration)
                        .orElse(Cluster.Rollout.DEFAULTS.healthTimeout()));
        List<Network> networks = new ArrayList<>();
        List<JsonNode> nets = s.list("networks");
        if (nets.isEmpty()) {
            s.error("spec.networks", "", "at least one network is required");
        }
        Set<String> names = new java.util.HashSet<>();
        for (int i = 0; i < nets.size(); i++) {
            network(r, s, "networks." + i, nets.get(i)).ifPresent(n -> {
                if (!names.add(n.name())) {
                    s.error("spec.networks", n.name(), "network name used twice");
                }
                networks.add(n);
            });
        }
        return new Cluster(r.envelope().name(), k, networks, rollout);
    }

    /** "90s", "15m", "2h": at least 10 seconds, at most a day. */
    static java.time.Duration duration(String v) {
        java.util.regex.Matcher m = Pattern.compile("([0-9]{1,6})(s|m|h)").matcher(v.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("a duration like 90s, 15m or 2h");
        }
        long n = Long.parseLong(m.group(1));
        java.time.Duration d = switch (m.group(2)) {
            case "s" -> java.time.Duration.ofSeconds(n);
            case "m" -> java.time.Duration.ofMinutes(n);
            default -> java.time.Duration.ofHours(n);
        };
        if (d.compareTo(java.time.Duration.ofSeconds(10)) < 0 || d.compareTo(java.time.Duration.ofDays(1)) > 0) {
            throw new IllegalArgumentException("between 10s and 24h");
        }
        return d;
    }

    private Optional<Network> network(Raw r, Spec s, String path, JsonNode n) {
        Set<String> known = Set.of("name", "subnet", "gateway", "dns", "domain", "leaseSeconds", "pool");
        n.fieldNames().forEachRemaining(f -> {
            if (!known.contains(f)) {
                s.error("spec." + path + "." + f, "", "unknown field (known: " + known.stream().sorted().toList() + ")");
            }
        });
        Optional<String> name = s.text(path + ".name", true).filter(v -> {
            if (!DNS_LABEL.matcher(v).matches()) {
                s.error("spec." + path + ".name", v, "a name is 1-63 lower-case letters, digits or '-'");
                return false;
            }
            return true;
        });
        Optional<Ipv4.Subnet> subnet = s.parsed(path + ".subnet", true, Ipv4.Subnet::parse);
        Optional<Ipv4> gateway = s.parsed(path + ".gateway", false, Ipv4::parse);
        List<Ipv4> dns = new ArrayList<>();
        List<JsonNode> dnsNodes = s.list(path + ".dns");
        for (int i = 0; i < dnsNodes.size(); i++) {
            try {
                dns.add(Ipv4.parse(dnsNodes.get(i).asText()));
            } catch (IllegalArgumentException e) {
                s.error("spec." + path + ".dns." + i, dnsNodes.get(i).asText(), e.getMessage());
            }
        }
        String domain = s.text(path + ".domain", false).orElse("");
        int lease = s.integer(path + ".leaseSeconds", 3600, 60, 31_536_000);
        Optional<Ipv4> poolStart = s.parsed(path + ".pool.start", false, Ipv4::parse);
        Optional<Ipv4> poolEnd = s.parsed(path + ".pool.end", false, Ipv4::parse);
        if (name.isEmpty() || subnet.isEmpty()) {
            return Optional.empty();
        }
        Ipv4.Subnet net = subnet.get();
        gateway.filter(g -> !net.hasHost(g)).ifPresent(g -> s.error("spec." + path + ".gateway", g.toString(),
                "outside subnet " + net));
        Optional<Network.Pool> pool = Optional.empty();
        if (poolStart.isPresent() != poolEnd.isPresent()) {
            s.error("spec." + path + ".pool", "", "a pool needs both start and end");
        } else if (poolStart.isPresent()) {
            Network.Pool p = new Network.Pool(poolStart.get(), poolEnd.get());
            boolean ok = true;
            for (Ipv4 a : List.of(p.start(), p.end())) {
                if (!net.hasHost(a)) {
                    s.error("spec." + path + ".pool", a.toString(), "outside subnet " + net);
                    ok = false;
                }
            }
            if (ok && Integer.compareUnsigned(p.start().bits(), p.end().bits()) > 0) {
                s.error("spec." + path + ".pool", p.start() + "-" + p.end(), "start is after end");
                ok = false;
            }
            if (ok && gateway.isPresent() && p.contains(gateway.get())) {
                s.error("spec." + path + ".pool", p.start() + "-" + p.end(), "contains the gateway " + gateway.get());
                ok = false;
            }
            pool = ok ? Optional.of(p) : Optional.empty();
        }
        return Optional.of(new Network(name.get(), net, gateway, dns, domain, lease, pool));
    }

    /**
     * A profile as written: each field present or not, so that a missing one can be taken from the parent. Only
     * {@link ProfileChain} turns drafts into {@link Profile}s.
     */
    record ProfileDraft(Raw raw, Optional<String> parent, Optional<Profile.OsFamily> os,
            Optional<Profile.InstallMode> install, Optional<Boolean> extras, Optional<List<String>> services,
            Optional<Profile.Disk> disk) {
        String name() {
            return raw.envelope().name();
        }

        void error(List<ConfigError> errors, String field, String value, String reason) {
            errors.add(new ConfigError(raw.file(), "Profile " + name() + " " + field, value, reason));
        }
    }

    private ProfileDraft profile(Raw r, List<ConfigError> errors) {
        Spec s = new Spec(r, errors, Set.of("parent", "os", "install", "extras", "services", "disk"));
        Optional<String> parent = s.text("parent", false);
        Optional<Profile.OsFamily> os = s.choice("os", Profile.OsFamily.class, false);
        Optional<Profile.InstallMode> install = s.choice("install", Profile.InstallMode.class, false);
        JsonNode extrasNode = s.at("extras");
        if (!extrasNode.isMissingNode() && !extrasNode.isBoolean()) {
            s.error("spec.extras", extrasNode.asText(), "expected true or false");
        }
        Optional<Boolean> extras = extrasNode.isBoolean() ? Optional.of(extrasNode.asBoolean()) : Optional.empty();
        Optional<List<String>> services = Optional.empty();
        if (!s.at("services").isMissingNode()) {
            List<String> list = new ArrayList<>();
            for (JsonNode n : s.list("services")) {
                if (!n.isTextual() || !n.asText().matches("[A-Za-z0-9@._-]{1,128}")) {
                    s.error("spec.services", n.asText(), "a service is a unit name like sshd or chronyd");
                } else {
                    list.add(n.asText());
                }
            }
            services = Optional.of(list);
        }
        Optional<Profile.Disk> disk = s.at("disk").isMissingNode() ? Optional.empty() : Optional.of(disk(s));
        return new ProfileDraft(r, parent, os, install, extras, services, disk);
    }

    /** The disk layout of a disk-mode profile: which disk, the root size, and an optional persistent partition. */
    private static Profile.Disk disk(Spec s) {
        s.at("disk").fieldNames().forEachRemaining(k -> {
            if (!Set.of("device", "root", "persistent").contains(k)) {
                s.error("spec.disk." + k, "", "unknown field (known: [device, persistent, root])");
            }
        });
        Optional<String> device = s.parsed("disk.device", false, v -> {
            if (!v.matches("/dev/[A-Za-z0-9/_-]{1,64}")) {
                throw new IllegalArgumentException("a disk is a device path like /dev/vda or /dev/disk/by-path/...");
            }
            return v;
        });
        long rootMiB = s.parsed("disk.root", false, ConfigLoader::mebibytes).orElse(Profile.Disk.DEFAULT_ROOT_MIB);
        Optional<String> persistent = s.parsed("disk.persistent", false, v -> {
            if (!v.matches("(/[A-Za-z0-9._-]+)+") || v.contains("/../") || v.endsWith("/..")) {
                throw new IllegalArgumentException("the persistent partition's mount point, an absolute path like /persist");
            }
            return v;
        });
        return new Profile.Disk(device, rootMiB, persistent);
    }

    /** "512MiB", "8GiB" or a plain number of MiB; at least 64 MiB. */
    static long mebibytes(String v) {
        java.util.regex.Matcher m = Pattern.compile("([0-9]{1,7})\\s*(MiB|GiB|TiB)?").matcher(v);
        if (!m.matches()) {
            throw new IllegalArgumentException("a size like 512MiB, 8GiB or 1TiB");
        }
        long n = Long.parseLong(m.group(1));
        long mib = m.group(2) == null || m.group(2).equals("MiB") ? n : m.group(2).equals("GiB") ? n << 10 : n << 20;
        if (mib < 64) {
            throw new IllegalArgumentException("at least 64MiB");
        }
        return mib;
    }

    private Optional<Node> node(Raw r, Cluster cluster, Set<String> declaredProfiles, Map<String, Profile> profiles,
            Map<Mac, String> macs, Map<Ipv4, String> addresses, List<ConfigError> errors) {
        Spec s = new Spec(r, errors, Set.of("mac", "hostname", "network", "address", "profile", "channel", "install",
                "reinstall", "hooks", "snapshot"));
        String name = r.envelope().name();
        Optional<Mac> mac = s.parsed("mac", true, Mac::parse);
        mac.ifPresent(m -> {
            String other = macs.putIfAbsent(m, name);
            if (other != null) {
                s.error("spec.mac", m.toString(), "duplicate MAC: node " + other + " has it too");
            }
        });
        String hostname = s.text("hostname", false).orElse(name);
        if (!DNS_LABEL.matcher(hostname).matches()) {
            s.error("spec.hostname", hostname, "a host name is 1-63 lower-case letters, digits or '-'");
        }
        Optional<String> networkName = s.text("network", cluster.networks().size() != 1);
        Optional<Network> network = networkName.isPresent()
                ? cluster.network(networkName.get())
                : cluster.networks().size() == 1 ? Optional.of(cluster.networks().getFirst()) : Optional.empty();
        if (networkName.isPresent() && network.isEmpty()) {
            s.error("spec.network", networkName.get(), "no such network in Cluster " + cluster.name());
        }
        Optional<Ipv4> address = s.parsed("address", true, Ipv4::parse);
        if (address.isPresent() && network.isPresent()) {
            Network n = network.get();
            Ipv4 a = address.get();
            if (!n.subnet().hasHost(a)) {
                s.error("spec.address", a.toString(), "outside subnet " + n.subnet() + " of network " + n.name());
            } else if (n.gateway().filter(a::equals).isPresent()) {
                s.error("spec.address", a.toString(), "is the gateway of network " + n.name());
            } else if (n.pool().filter(p -> p.contains(a)).isPresent()) {
                s.error("spec.address", a.toString(), "inside the dynamic pool of network " + n.name());
            }
            String other = addresses.putIfAbsent(a, name);
            if (other != null) {
                s.error("spec.address", a.toString(), "duplicate address: node " + other + " has it too");
            }
        }
        Optional<String> profile = s.text("profile", true);
        profile.filter(p -> !declaredProfiles.contains(p)).ifPresent(p -> s.error("spec.profile", p, "no such Profile"));
        String channel = s.text("channel", false).orElse("stable");
        if (!CHANNEL.matcher(channel).matches()) {
            s.error("spec.channel", channel, "a channel is a name like stable or canary");
        }
        Optional<String> pinned = s.text("snapshot", false);
        pinned.filter(p -> !p.matches("[0-9a-f]{64}")).ifPresent(p -> s.error("spec.snapshot", p,
                "a snapshot id: 64 lower-case hex digits (meshboot image ls)"));
        Optional<Profile.InstallMode> install = s.choice("install", Profile.InstallMode.class, false);
        int reinstall = s.integer("reinstall", 0, 0, Integer.MAX_VALUE - 1);
        // A declared profile that did not resolve (a cycle, a missing os) has its own error already.
        if (mac.isEmpty() || address.isEmpty() || network.isEmpty() || profile.filter(profiles::containsKey).isEmpty()) {
            return Optional.empty();
        }
        Node.Hooks hooks = hooks(s);
        return Optional.of(new Node(name, mac.get(), hostname, network.get().name(), address.get(), profile.get(),
                channel, install, reinstall, hooks, pinned.filter(p -> p.matches("[0-9a-f]{64}"))));
    }

    /** A node's rollout hooks: each a command as a list of arguments (no shell), or a single string split on spaces. */
    private static Node.Hooks hooks(Spec s) {
        s.at("hooks").fieldNames().forEachRemaining(f -> {
            if (!Set.of("drain", "undrain", "power").contains(f)) {
                s.error("spec.hooks." + f, "", "unknown field (known: [drain, power, undrain])");
            }
        });
        return new Node.Hooks(command(s, "hooks.drain"), command(s, "hooks.undrain"), command(s, "hooks.power"));
    }

    private static List<String> command(Spec s, String path) {
        JsonNode n = s.at(path);
        List<String> argv = new ArrayList<>();
        if (n.isMissingNode() || n.isNull()) {
            return argv;
        }
        if (n.isTextual()) {
            argv.addAll(List.of(n.asText().trim().split("\\s+")));
        } else if (n.isArray()) {
            n.forEach(a -> argv.add(a.asText()));
        }
        if (argv.isEmpty() || argv.getFirst().isEmpty() || !argv.getFirst().startsWith("/")) {
            s.error("spec." + path, n.toString(), "a command: an absolute program path and its arguments");
            return List.of();
        }
        return argv;
    }
}
