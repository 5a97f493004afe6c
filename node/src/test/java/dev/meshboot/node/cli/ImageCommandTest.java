package dev.meshboot.node.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.github.luben.zstd.ZstdInputStream;
import dev.meshboot.images.sample.SampleTree;
import dev.meshboot.images.tar.TarEntry;
import dev.meshboot.images.tar.TarLimits;
import dev.meshboot.images.tar.TarReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The image commands in-process, as an operator or script drives them: output, exit codes, messages. */
class ImageCommandTest {
    @TempDir
    Path dir;

    private Path rootfs;
    private Path store;
    private Path key;

    record Run(int code, String out, String err) {
        List<String> lines() {
            return out.lines().toList();
        }
    }

    private Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @BeforeEach
    void setUp() throws IOException {
        rootfs = new SampleTree(3).create(dir.resolve("rootfs"));
        store = dir.resolve("store");
        key = dir.resolve("cluster.key");
        assertEquals(0, run("key", "generate", "--out", key.toString()).code());
    }

    private String build(String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("image", "build", rootfs.toString(), "--store",
                store.toString(), "--key", key.toString(), "--chunk-size", "64K"));
        args.addAll(List.of(extra));
        Run r = run(args.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        return r.lines().getLast();
    }

    @Test
    void keyGenerate_refusesToOverwrite_andWritesAPrivateFile() throws IOException {
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(key)));
        assertTrue(Files.readString(dir.resolve("cluster.key.pub")).startsWith("-----BEGIN PUBLIC KEY-----"));
        Run again = run("key", "generate", "--out", key.toString());
        assertEquals(1, again.code());
        assertTrue(again.err().contains("refusing to overwrite"), again.err());
    }

    @Test
    void build_printsTheIdLast_andVerifyAcceptsIt() {
        String id = build("--name", "base");
        assertTrue(id.matches("[0-9a-f]{64}"), id);
        Run verify = run("image", "verify", "--store", store.toString(), id.substring(0, 10));
        assertEquals(0, verify.code(), verify.err());
        assertTrue(verify.out().contains("OK: signed by"), verify.out());
    }

    @Test
    void buildJson_isOneParsableObject() throws IOException {
        Run r = run("image", "build", rootfs.toString(), "--store", store.toString(), "--key", key.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        assertEquals(1, r.lines().size());
        JsonNode o = JsonMapper.builder().build().readTree(r.out());
        assertTrue(o.get("id").asText().matches("[0-9a-f]{64}"));
        assertEquals(2, o.get("archives").size());
    }

    @Test
    void verify_namesTheFirstBadChunkAndItsArchive_andExitsNonZero() throws IOException {
        String id = build();
        Path chunk;
        try (Stream<Path> s = Files.walk(store.resolve("chunks"))) {
            chunk = s.filter(Files::isRegularFile).sorted().findFirst().orElseThrow();
        }
        Files.write(chunk, new byte[] {1, 2, 3});
        Run r = run("image", "verify", "--store", store.toString(), id);
        assertEquals(1, r.code());
        String chunkId = chunk.getFileName().toString().replace(".zst", "");
        assertTrue(r.err().contains(chunkId) && r.err().contains("archive '"), r.err());
    }

    @Test
    void unsignedBuild_isRefusedByVerifyAndExtract_unlessInsecure() {
        Run b = run("image", "build", rootfs.toString(), "--store", store.toString());
        assertEquals(0, b.code());
        assertTrue(b.err().contains("unsigned"), b.err());
        String id = b.lines().getLast();
        Run verify = run("image", "verify", "--store", store.toString(), id);
        assertEquals(1, verify.code());
        assertTrue(verify.err().contains("is unsigned"), verify.err());
        Run extract = run("image", "extract", "--store", store.toString(), id, "--to", dir.resolve("x").toString());
        assertEquals(1, extract.code());
        assertFalse(Files.exists(dir.resolve("x")));
        assertEquals(0, run("image", "verify", "--store", store.toString(), id, "--insecure").code());
    }

    @Test
    void extractCore_leavesExtrasOut() {
        String id = build();
        Path to = dir.resolve("core-only");
        Run r = run("image", "extract", "--store", store.toString(), id, "--to", to.toString(), "--archive", "core");
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.exists(to.resolve("usr/bin/tool-2")));
        assertFalse(Files.exists(to.resolve("usr/share/doc/package-2")));
        Run bad = run("image", "extract", "--store", store.toString(), id, "--to", dir.resolve("y").toString(),
                "--archive", "docs");
        assertEquals(2, bad.code());
    }

    @Test
    void extract_refusesANonEmptyTarget() throws IOException {
        String id = build();
        Path to = Files.createDirectories(dir.resolve("busy"));
        Files.writeString(to.resolve("precious"), "keep me");
        Run r = run("image", "extract", "--store", store.toString(), id, "--to", to.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("not an empty directory"), r.err());
        assertEquals("keep me", Files.readString(to.resolve("precious")));
    }

    @Test
    void cat_writesTheStoredFramesAsOneZstdStream_ofAWholeTarArchive() throws IOException {
        String id = build();
        ImageCommand.Cat cat = new ImageCommand.Cat();
        CommandLine cli = new CommandLine(cat);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        cat.stdout = bytes;
        assertEquals(0, cli.execute("--store", store.toString(), id, "extras"));
        int entries = 0;
        try (ZstdInputStream z = new ZstdInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            TarReader tar = new TarReader(z, TarLimits.DEFAULT);
            TarEntry e;
            while ((e = tar.next()) != null) {
                entries++;
                assertTrue(e.name().isEmpty() || e.name().startsWith("usr"), e.name());
            }
        }
        assertTrue(entries > 80, entries + " entries");
    }

    @Test
    void lsAndDiff_describeTheStore() throws IOException {
        String a = build("--name", "base");
        Files.writeString(rootfs.resolve("etc/hostname"), "changed\n");
        String b = build("--name", "base");
        Run ls = run("image", "ls", "--store", store.toString());
        assertEquals(0, ls.code());
        assertEquals(3, ls.lines().size(), ls.out());
        assertTrue(ls.out().contains(a.substring(0, 12)) && ls.out().contains(b.substring(0, 12)));

        Run diff = run("image", "diff", "--store", store.toString(), a, b, "--json");
        assertEquals(0, diff.code(), diff.err());
        JsonNode total = JsonMapper.builder().build().readTree(diff.out()).get("total");
        assertTrue(total.get("newChunks").asLong() >= 1 && total.get("newChunks").asLong() <= 2, diff.out());
        assertTrue(total.get("sharedChunks").asLong() > 20, diff.out());
        Run text = run("image", "diff", "--store", store.toString(), a, b);
        assertTrue(text.out().contains("SHARED CHUNKS") && text.out().contains("total"), text.out());
    }

    @Test
    void build_withBadOptions_saysWhichAndWhy() {
        Run size = run("image", "build", rootfs.toString(), "--store", store.toString(), "--chunk-size", "3M");
        assertEquals(1, size.code());
        assertTrue(size.err().contains("chunk size 3145728: must be a power of two"), size.err());
        Run level = run("image", "build", rootfs.toString(), "--store", store.toString(), "--level", "40");
        assertEquals(1, level.code());
        assertTrue(level.err().contains("zstd level 40"), level.err());
        Run missing = run("image", "build", dir.resolve("nope").toString(), "--store", store.toString());
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("nope: not a directory"), missing.err());
    }

    @Test
    void unknownSnapshot_isAClearError() {
        Run r = run("image", "verify", "--store", store.toString(), "abcdef");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("no snapshot abcdef"), r.err());
    }
}
