package dev.meshboot.bootstrap.initramfs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The shared libraries a dynamically linked program loads, as the system's dynamic loader resolves them
 * ({@code ldd}). Each is placed in the initramfs at the path the loader names, so the program runs there unchanged;
 * the interpreter ({@code /lib64/ld-linux-x86-64.so.2}) is among them.
 */
public final class SharedLibraries {
    private static final Pattern RESOLVED = Pattern.compile("^\\s*\\S+ => (/\\S+) \\(0x[0-9a-f]+\\)$");
    private static final Pattern DIRECT = Pattern.compile("^\\s*(/\\S+) \\(0x[0-9a-f]+\\)$");
    private static final Pattern MISSING = Pattern.compile("^\\s*(\\S+) => not found$");

    private SharedLibraries() {}

    /** The absolute library paths {@code ldd} prints for {@code program}; empty for a static program. */
    public static List<String> of(Path program) throws IOException, InterruptedException {
        return of(program, List.of());
    }

    /**
     * The same, with more directories searched first ({@code LD_LIBRARY_PATH}): for libraries that find their
     * siblings through an {@code $ORIGIN} run path, as a JRE's do.
     */
    public static List<String> of(Path program, List<Path> searchFirst) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("ldd", program.toString()).redirectErrorStream(true);
        if (!searchFirst.isEmpty()) {
            pb.environment().put("LD_LIBRARY_PATH", String.join(":", searchFirst.stream().map(Path::toString).toList()));
        }
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("ldd " + program + " did not finish");
        }
        return parse(program, out);
    }

    static List<String> parse(Path program, String lddOutput) throws IOException {
        List<String> libs = new ArrayList<>();
        for (String line : lddOutput.split("\n")) {
            if (line.contains("not a dynamic executable") || line.contains("statically linked")) {
                return List.of();
            }
            Matcher m;
            if ((m = MISSING.matcher(line)).matches()) {
                throw new IOException(program + " needs " + m.group(1) + ", which the system does not have");
            }
            if ((m = RESOLVED.matcher(line)).matches() || (m = DIRECT.matcher(line)).matches()) {
                libs.add(m.group(1));
            }
        }
        return libs;
    }
}
