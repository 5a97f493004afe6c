package dev.meshboot.images.sample;

import dev.meshboot.images.posix.Posix;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Generates a small root filesystem that exercises everything a snapshot must keep: the demo builds it, and the
 * fidelity tests compare it with what comes back. Deterministic for a given seed.
 *
 * <p>Without root it still has hard links, a sparse file, symlinks, special mode bits, {@code user.*} xattrs, an
 * ACL, long and UTF-8 names and a fifo; with root it adds foreign ownership, device nodes, {@code trusted.*} and
 * {@code security.*} xattrs and a file capability. {@link #features} says which were made.
 */
public final class SampleTree {
    /** A 1 GiB file with a few KiB of data: it must stay small on disk after a round trip. */
    public static final long SPARSE_SIZE = 1L << 30;

    private final SplittableRandom random;
    private final boolean privileged;
    private final List<String> features = new ArrayList<>();

    public SampleTree(long seed) {
        this.random = new SplittableRandom(seed);
        this.privileged = Posix.isRoot();
    }

    /** What the last {@link #create} made, for the demo's report. */
    public List<String> features() {
        return List.copyOf(features);
    }

    public Path create(Path root) throws IOException {
        features.clear();
        Files.createDirectories(root);
        Path etc = dir(root, "etc", 0755);
        Files.writeString(etc.resolve("hostname"), "sample\n");
        Files.writeString(etc.resolve("machine-id"), "0123456789abcdef0123456789abcdef\n");
        Path ssh = dir(etc, "ssh", 0755);
        Files.writeString(ssh.resolve("ssh_host_ed25519_key"), "-----BEGIN OPENSSH PRIVATE KEY-----\nsecret\n");
        Files.writeString(ssh.resolve("sshd_config"), "PermitRootLogin prohibit-password\n");
        Path conf = dir(etc, "app.d", 0755);
        for (int i = 0; i < 12; i++) {
            Files.writeString(conf.resolve(String.format("%02d-setting.conf", i)), "setting" + i + " = " + i + "\n");
        }

        Path bin = dir(dir(root, "usr", 0755), "bin", 0755);
        for (int i = 0; i < 24; i++) {
            write(bin.resolve("tool-" + i), text(64 * 1024 + random.nextInt(256 * 1024)));
            Posix.chmod(bin.resolve("tool-" + i), 0755);
        }
        write(bin.resolve("su-helper"), text(20_000));
        Posix.chmod(bin.resolve("su-helper"), 04755);
        write(bin.resolve("group-helper"), text(9_000));
        Posix.chmod(bin.resolve("group-helper"), 02755);
        features.add("setuid and setgid files");

        Path lib = dir(dir(root, "usr", 0755), "lib", 0755);
        write(lib.resolve("libbig.so.1"), binary(3 * 1024 * 1024));
        Files.createSymbolicLink(lib.resolve("libbig.so"), Path.of("libbig.so.1"));
        Files.createSymbolicLink(lib.resolve("absolute-link"), Path.of("/usr/bin/tool-1"));
        Files.createSymbolicLink(lib.resolve("dangling-link"), Path.of("../nowhere/at/all"));
        features.add("relative, absolute and dangling symlinks");

        write(bin.resolve("busybox"), binary(300_000));
        Files.createLink(bin.resolve("sh"), bin.resolve("busybox"));
        Files.createLink(bin.resolve("ls"), bin.resolve("busybox"));
        Files.createLink(lib.resolve("busybox-copy"), bin.resolve("busybox"));
        features.add("a hard-link group of four names");

        Path data = dir(dir(root, "var", 0755), "lib", 0755);
        Path sparse = data.resolve("sparse.img");
        try (FileChannel ch = FileChannel.open(sparse, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(text(4096)), 0);
            ch.write(ByteBuffer.wrap(text(4096)), 512L << 20);
        }
        Posix.truncate(sparse, SPARSE_SIZE);
        features.add("a 1 GiB sparse file with 8 KiB of data");

        Path tmp = dir(root, "tmp", 01777);
        Files.writeString(tmp.resolve("leftover"), "temporary\n");
        Path shared = dir(data, "shared", 03775);
        Files.writeString(shared.resolve("readme"), "setgid + sticky directory\n");
        features.add("sticky and setgid directories");

        Path xattrs = dir(data, "xattrs", 0755);
        Path tagged = xattrs.resolve("tagged");
        Files.writeString(tagged, "has xattrs\n");
        Posix.setXattr(tagged, "user.comment", "hello xattr".getBytes(StandardCharsets.UTF_8));
        Posix.setXattr(tagged, "user.binary", new byte[] {0, 1, 2, (byte) 0xff, '\n', '='});
        Posix.setXattr(tagged, "system.posix_acl_access", acl(1000, 1001));
        Posix.setXattr(xattrs, "system.posix_acl_default", acl(1000, 1001));
        features.add("user.* xattrs (binary values too) and POSIX ACLs (access and default)");
        if (privileged) {
            Posix.setXattr(tagged, "trusted.overlay", "trusted value".getBytes(StandardCharsets.UTF_8));
            Posix.setXattr(tagged, "security.selinux", "system_u:object_r:etc_t:s0\0".getBytes(StandardCharsets.UTF_8));
            Path ping = bin.resolve("ping");
            write(ping, text(5000));
            Posix.chmod(ping, 0755);
            // VFS_CAP_REVISION_2 with cap_net_raw (13) permitted and effective.
            ByteBuffer cap = ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN);
            cap.putInt(0x02000001).putInt(1 << 13).putInt(0).putInt(0).putInt(0);
            Posix.setXattr(ping, "security.capability", cap.array());
            features.add("trusted.* and security.* xattrs, a file capability (cap_net_raw+ep)");
        }

        Path dev = dir(root, "dev", 0755);
        Posix.mknod(dev.resolve("initctl"), 010600, 0);
        if (privileged) {
            Posix.mknod(dev.resolve("null"), 020666, Posix.makedev(1, 3));
            Posix.mknod(dev.resolve("sda"), 060660, Posix.makedev(8, 0));
            Posix.mknod(dev.resolve("big-minor"), 020600, Posix.makedev(300, 70000));
            features.add("character and block devices");
        }
        features.add("a fifo");

        Path home = dir(root, "home", 0755);
        Path user = dir(home, "user", 0750);
        Files.writeString(user.resolve("notes.txt"), "owned by someone else\n");
        Files.createFile(user.resolve("empty-file"));
        Files.createSymbolicLink(user.resolve("link-to-notes"), Path.of("notes.txt"));
        if (privileged) {
            Posix.lchown(user.resolve("notes.txt"), 1000, 1000);
            Posix.lchown(user.resolve("link-to-notes"), 1001, 1002);
            Posix.lchown(user, 1000, 100);
            Posix.lchown(user.resolve("empty-file"), 4_000_000, 3_000_000);
            features.add("numeric owners other than root (one above 2^21, beyond ustar's octal field)");
        }
        features.add("an empty file");

        Path names = dir(root, "names", 0755);
        String longName = "a-file-name-that-is-longer-than-one-hundred-bytes-".repeat(3) + "end";
        Files.writeString(names.resolve(longName), "long name\n");
        Path deep = names;
        for (int i = 0; i < 6; i++) {
            deep = dir(deep, "nested-directory-level-" + i + "-with-a-fairly-long-name", 0755);
        }
        Files.writeString(deep.resolve("deep-file"), "path over 255 bytes\n");
        Files.writeString(names.resolve("ünïcödé-名前-файл.txt"), "UTF-8 name\n");
        Files.createSymbolicLink(names.resolve("long-target-link"), names.relativize(deep.resolve("deep-file")));
        features.add("names over 100 bytes, paths over 255 bytes, UTF-8 names, a long symlink target");

        Path doc = dir(dir(dir(root, "usr", 0755), "share", 0755), "doc", 0755);
        for (int i = 0; i < 40; i++) {
            Path pkg = dir(doc, "package-" + i, 0755);
            write(pkg.resolve("README"), text(4000 + random.nextInt(40_000)));
            write(pkg.resolve("changelog"), text(8000 + random.nextInt(80_000)));
        }
        Files.createLink(doc.resolve("busybox-doc-link"), bin.resolve("busybox"));
        Path include = dir(root.resolve("usr"), "include", 0755);
        write(include.resolve("sample.h"), text(12_000));
        features.add("extras content (usr/share/doc, usr/include) with a hard link into core");

        setTimes(root);
        return root;
    }

    /** Gives every entry a distinct mtime with nanoseconds, directories last (writing into one changes it). */
    private void setTimes(Path root) throws IOException {
        List<Path> all;
        try (var s = Files.walk(root)) {
            all = new ArrayList<>(s.toList());
        }
        all.sort((a, b) -> b.getNameCount() - a.getNameCount());
        long base = 1_700_000_000L;
        for (int i = 0; i < all.size(); i++) {
            Posix.setTimes(all.get(i), base + i * 97L, (i * 7919) % 1_000_000_000);
        }
    }

    private static Path dir(Path parent, String name, int mode) throws IOException {
        Path d = parent.resolve(name);
        Files.createDirectories(d);
        Posix.chmod(d, mode);
        return d;
    }

    private static void write(Path p, byte[] data) throws IOException {
        Files.write(p, data);
    }

    /** Compressible text: words from a small vocabulary, as in config files and docs. */
    private byte[] text(int size) {
        String[] words = {"boot", "mesh", "node", "kernel", "chunk", "snapshot", "the", "a", "of", "server", "disk",
            "network", "= 1\n", "\n", "service", "enable", "# comment"};
        StringBuilder b = new StringBuilder(size + 16);
        while (b.length() < size) {
            b.append(words[random.nextInt(words.length)]).append(' ');
        }
        return b.substring(0, size).getBytes(StandardCharsets.US_ASCII);
    }

    /** Half-compressible bytes, like machine code. */
    private byte[] binary(int size) {
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = (byte) (random.nextInt(4) == 0 ? random.nextInt(256) : (i % 61));
        }
        return b;
    }

    /** A POSIX ACL xattr: owner rw, named user r, group r, named group r, mask r, other r. */
    private static byte[] acl(int user, int group) {
        ByteBuffer b = ByteBuffer.allocate(4 + 6 * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(2);
        b.putShort((short) 0x01).putShort((short) 6).putInt(-1);
        b.putShort((short) 0x02).putShort((short) 4).putInt(user);
        b.putShort((short) 0x04).putShort((short) 4).putInt(-1);
        b.putShort((short) 0x08).putShort((short) 4).putInt(group);
        b.putShort((short) 0x10).putShort((short) 4).putInt(-1);
        b.putShort((short) 0x20).putShort((short) 4).putInt(-1);
        return b.array();
    }
}
