#!/usr/bin/env python3
"""Writes the hostile tar fixtures beside it. Each is a raw (uncompressed) tar stream that meshboot must refuse.
Run from this directory; the outputs are committed, so the tests do not need Python."""
import io
import tarfile


def build(entries, pax=None):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        for info, data in entries:
            if pax and info.name in pax:
                info.pax_headers = pax[info.name]
            t.addfile(info, io.BytesIO(data) if data is not None else None)
    return buf.getvalue()


def member(name, data=b"", kind=tarfile.REGTYPE, link=""):
    i = tarfile.TarInfo(name)
    i.type = kind
    i.linkname = link
    i.mode = 0o644
    i.mtime = 1700000000
    if kind == tarfile.REGTYPE:
        i.size = len(data)
        return i, data
    return i, None


def write(name, data):
    with open(name, "wb") as f:
        f.write(data)


write("path-escape-dotdot-fail.tar", build([member("ok"), member("../escaped", b"evil\n")]))
write("path-escape-nested-dotdot-fail.tar", build([member("a/b/../../../escaped", b"evil\n")]))
write("path-escape-absolute-fail.tar", build([member("/tmp/meshboot-absolute-escape", b"evil\n")]))
write("symlink-then-file-fail.tar",
      build([member("link", kind=tarfile.SYMTYPE, link=".."), member("link/escaped", b"evil\n")]))
write("symlink-absolute-then-file-fail.tar",
      build([member("etc", kind=tarfile.SYMTYPE, link="/etc"), member("etc/meshboot-escape", b"evil\n")]))
write("hardlink-escape-fail.tar", build([member("h", kind=tarfile.LNKTYPE, link="../outside/secret")]))

# A pax header that claims 16 MiB: refused before anything that size is allocated.
pax = tarfile.TarInfo("PaxHeaders/victim")
pax.type = tarfile.XHDTYPE
pax.size = 16 << 20
pax.mtime = 0
write("oversized-pax-header-fail.tar", pax.tobuf(format=tarfile.USTAR_FORMAT) + b"99 path=x\n".ljust(512, b"\0"))

# Truncated: the file claims 10000 bytes, the stream stops after 1024 of them.
whole = build([member("big", b"A" * 10000)])
write("truncated-in-content-fail.tar", whole[:512 + 1024])

# Complete members but no end-of-archive marker: a stream cut at a member boundary.
write("truncated-no-end-marker-fail.tar", build([member("a", b"hello\n")])[:1024])

# A header whose checksum does not match.
bad = bytearray(build([member("file", b"data\n")]))
bad[0] ^= 0x01
write("bad-checksum-fail.tar", bytes(bad))

# A GNU sparse 1.0 member whose map puts data beyond the file's real size.
sparse_data = b"1\n4096\n512\n".ljust(512, b"\0") + b"B" * 512
info = tarfile.TarInfo("GNUSparseFile.0/s")
info.size = len(sparse_data)
info.mtime = 1700000000
info.pax_headers = {"GNU.sparse.major": "1", "GNU.sparse.minor": "0", "GNU.sparse.name": "s",
                    "GNU.sparse.realsize": "1024"}
buf = io.BytesIO()
with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
    t.addfile(info, io.BytesIO(sparse_data))
write("sparse-map-beyond-size-fail.tar", buf.getvalue())
