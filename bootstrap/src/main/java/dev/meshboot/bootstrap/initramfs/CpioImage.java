package dev.meshboot.bootstrap.initramfs;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.cpio.CpioArchiveEntry;
import org.apache.commons.compress.archivers.cpio.CpioArchiveOutputStream;
import org.apache.commons.compress.archivers.cpio.CpioConstants;

/**
 * An initramfs image being assembled: a tree of directories, files, symlinks and device nodes, written as a cpio
 * "newc" archive (the format the kernel unpacks, Documentation/driver-api/early-userspace/buffer-format.rst)
 * compressed with gzip.
 *
 * <p>Reproducible: members are written in path order, parents first, owned by root with mtime 0 and inode numbers
 * in that order; gzip's header carries no time or name. The same tree always gives the same bytes.
 */
public final class CpioImage {
    private sealed interface Member permits Dir, File, Link, Device {}

    private record Dir(int mode) implements Member {}

    private record File(int mode, byte[] content) implements Member {}

    private record Link(String target) implements Member {}

    private record Device(int mode, boolean block, int major, int minor) implements Member {}

    private final Map<String, Member> members = new TreeMap<>();

    public CpioImage directory(String path, int mode) {
        String p = clean(path);
        parents(p);
        members.putIfAbsent(p, new Dir(mode));
        return this;
    }

    public CpioImage file(String path, int mode, byte[] content) {
        String p = clean(path);
        parents(p);
        members.put(p, new File(mode, content.clone()));
        return this;
    }

    public CpioImage symlink(String path, String target) {
        String p = clean(path);
        parents(p);
        members.put(p, new Link(target));
        return this;
    }

    public CpioImage characterDevice(String path, int mode, int major, int minor) {
        String p = clean(path);
        parents(p);
        members.put(p, new Device(mode, false, major, minor));
        return this;
    }

    public boolean contains(String path) {
        return members.containsKey(clean(path));
    }

    private void parents(String p) {
        int slash = p.lastIndexOf('/');
        if (slash > 0) {
            String parent = p.substring(0, slash);
            if (!members.containsKey(parent)) {
                parents(parent);
                members.put(parent, new Dir(0755));
            } else if (!(members.get(parent) instanceof Dir)) {
                throw new IllegalArgumentException(parent + " is not a directory, so " + p + " cannot be placed");
            }
        }
    }

    private static String clean(String path) {
        String p = path.startsWith("/") ? path.substring(1) : path;
        if (p.isEmpty() || p.contains("//") || p.equals("..") || p.startsWith("../") || p.contains("/../")
                || p.endsWith("/..")) {
            throw new IllegalArgumentException("not a clean relative path: " + path);
        }
        return p;
    }

    /** The gzip-compressed cpio archive. */
    public byte[] toGzip() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bytes, 1 << 16)) {
            writeCpio(gz);
        }
        return bytes.toByteArray();
    }

    void writeCpio(OutputStream out) throws IOException {
        CpioArchiveOutputStream cpio = new CpioArchiveOutputStream(out, CpioConstants.FORMAT_NEW, 512, "UTF-8");
        long inode = 1;
        // "." first, mode 0755: it becomes the mode of the kernel's rootfs.
        put(cpio, ".", CpioConstants.C_ISDIR | 0755, new byte[0], inode++, 0, 0);
        for (Map.Entry<String, Member> e : members.entrySet()) {
            switch (e.getValue()) {
                case Dir d -> put(cpio, e.getKey(), CpioConstants.C_ISDIR | d.mode(), new byte[0], inode++, 0, 0);
                case File f -> put(cpio, e.getKey(), CpioConstants.C_ISREG | f.mode(), f.content(), inode++, 0, 0);
                case Link l -> put(cpio, e.getKey(), CpioConstants.C_ISLNK | 0777,
                        l.target().getBytes(StandardCharsets.UTF_8), inode++, 0, 0);
                case Device d -> put(cpio, e.getKey(), (d.block() ? CpioConstants.C_ISBLK : CpioConstants.C_ISCHR)
                        | d.mode(), new byte[0], inode++, d.major(), d.minor());
            }
        }
        cpio.finish();
    }

    private static void put(CpioArchiveOutputStream cpio, String name, int mode, byte[] content, long inode,
            int rdevMajor, int rdevMinor) throws IOException {
        CpioArchiveEntry entry = new CpioArchiveEntry(CpioConstants.FORMAT_NEW, name, content.length);
        entry.setMode(mode);
        entry.setInode(inode);
        entry.setUID(0);
        entry.setGID(0);
        entry.setNumberOfLinks((mode & CpioConstants.S_IFMT) == CpioConstants.C_ISDIR ? 2 : 1);
        entry.setTime(0);
        entry.setDeviceMaj(0);
        entry.setDeviceMin(0);
        entry.setRemoteDeviceMaj(rdevMajor);
        entry.setRemoteDeviceMin(rdevMinor);
        cpio.putArchiveEntry(entry);
        cpio.write(content);
        cpio.closeArchiveEntry();
    }
}
