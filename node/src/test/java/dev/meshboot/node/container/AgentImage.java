package dev.meshboot.node.container;

import dev.meshboot.bootstrap.initramfs.SharedLibraries;
import dev.meshboot.images.testing.Processes;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;

/**
 * The agent as a container image, built {@code FROM scratch} from files this machine has (no registry is
 * reachable): a jlink'ed JRE with the shared libraries its ELF files load, busybox-static, and the meshboot jar
 * (LAB.md, "Docker engine for Testcontainers"). Built once per test JVM; about 60 MB.
 */
public final class AgentImage {
    public static final String NAME = "meshboot-agent:test";
    /** What {@code jdeps --print-module-deps} says the shaded jar needs (JGroups brings scripting and jgss), plus DNS. */
    static final String MODULES = "java.base,java.desktop,java.logging,java.management,java.naming,java.net.http,"
            + "java.scripting,java.security.jgss,java.sql,java.xml,jdk.jfr,jdk.net,jdk.unsupported,jdk.naming.dns";

    private static String built;

    private AgentImage() {}

    /** Builds the image (once) from {@code jar} and returns its name. */
    public static synchronized String build(Path jar, Path work) throws Exception {
        if (built != null) {
            return built;
        }
        Path ctx = Files.createDirectories(work.resolve("image"));
        Path root = Files.createDirectories(ctx.resolve("rootfs"));
        Path jre = root.resolve("jre");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(log, true, java.nio.charset.StandardCharsets.UTF_8);
        int rc = ToolProvider.findFirst("jlink").orElseThrow().run(ps, ps, "--add-modules", MODULES, "--output",
                jre.toString(), "--strip-debug", "--no-header-files", "--no-man-pages", "--generate-cds-archive");
        if (rc != 0) {
            throw new IOException("jlink failed: " + log);
        }
        List<Path> elves = new ArrayList<>();
        elves.add(jre.resolve("bin/java"));
        try (Stream<Path> s = Files.walk(jre.resolve("lib"))) {
            s.filter(p -> p.toString().endsWith(".so")).forEach(elves::add);
        }
        Set<String> libs = new java.util.TreeSet<>();
        for (Path elf : elves) {
            for (String lib : SharedLibraries.of(elf, List.of(jre.resolve("lib"), jre.resolve("lib/server")))) {
                if (!lib.startsWith(jre.toString())) {
                    libs.add(lib);
                }
            }
        }
        for (String lib : libs) {
            Path target = root.resolve(lib.substring(1));
            Files.createDirectories(target.getParent());
            Files.copy(Path.of(lib), target, StandardCopyOption.REPLACE_EXISTING); // follows the symlink
        }
        Files.createDirectories(root.resolve("bin"));
        Files.copy(Path.of("/bin/busybox"), root.resolve("bin/busybox"), StandardCopyOption.REPLACE_EXISTING,
                LinkOption.NOFOLLOW_LINKS);
        Files.createDirectories(root.resolve("app"));
        Files.copy(jar, root.resolve("app/meshboot.jar"), StandardCopyOption.REPLACE_EXISTING);
        for (String d : List.of("tmp", "etc/meshboot", "srv/meshboot/tftp", "srv/meshboot/boot", "var/lib/meshboot",
                "run", "root")) {
            Files.createDirectories(root.resolve(d));
        }
        // Users, as on any booted node: the JDK names the admin socket's owner and its peers from these.
        Files.writeString(root.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n"
                + "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n");
        Files.writeString(root.resolve("etc/group"), "root:x:0:\nnogroup:x:65534:\n");
        Files.writeString(ctx.resolve("Dockerfile"), """
                FROM scratch
                COPY rootfs/ /
                RUN ["/bin/busybox", "--install", "-s", "/bin"]
                ENV PATH=/bin:/jre/bin LC_ALL=C.UTF-8
                ENTRYPOINT ["/jre/bin/java", "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC", "-jar", "/app/meshboot.jar"]
                """);
        Processes.must(ctx, "chmod 1777 rootfs/tmp && docker build -q -t " + NAME + " .");
        built = NAME;
        return built;
    }
}
