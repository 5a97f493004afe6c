#!/bin/bash
# Makes the small rootfs the network-boot tests snapshot: busybox-static, an /sbin/init that prints a marker carrying
# values only the node's config archive and the persistent partition hold, then powers off; and Debian's kernel with
# only the modules a QEMU VM needs (fetched with apt-get download, unpacked with dpkg -x, never installed).
# usage: make-test-rootfs.sh CACHE_DIR OUT_DIR
set -euo pipefail
CACHE=$1 OUT=$2
mkdir -p "$CACHE/debs"
if ! ls "$CACHE"/debs/linux-image-[0-9]*.deb >/dev/null 2>&1; then
    (cd "$CACHE/debs" && apt-get download linux-image-amd64 >/dev/null 2>&1 \
        && dep=$(dpkg-deb -f linux-image-amd64_*.deb Depends | sed 's/ .*//; s/,.*//') \
        && apt-get download "$dep" >/dev/null 2>&1)
fi
DEB=$(ls "$CACHE"/debs/linux-image-[0-9]*.deb | head -1)
KROOT=$CACHE/kernel-$(basename "$DEB" .deb)
if [ ! -d "$KROOT/boot" ]; then
    rm -rf "$KROOT.tmp" && dpkg -x "$DEB" "$KROOT.tmp" && mv "$KROOT.tmp" "$KROOT"
fi
KVER=$(ls "$KROOT/lib/modules" | head -1)
[ -f "$KROOT/lib/modules/$KVER/modules.dep" ] || depmod -b "$KROOT" "$KVER"

rm -rf "$OUT"; mkdir -p "$OUT"/{bin,sbin,etc,proc,sys,dev,run,tmp,boot,persist,lib/modules/$KVER}
chmod 1777 "$OUT/tmp"
cp /bin/busybox "$OUT/bin/busybox"
for a in $(/bin/busybox --list); do [ "$a" = busybox ] || ln -sf busybox "$OUT/bin/$a"; done
cp "$KROOT/boot/vmlinuz-$KVER" "$OUT/boot/"
MODS="e1000 virtio_net virtio_pci virtio_blk crc32c_generic crc32c_intel libcrc32c ext4 vfat nls_cp437 nls_ascii nls_iso8859_1 nls_utf8"
DEP=$KROOT/lib/modules/$KVER/modules.dep
for m in $MODS; do
    line=$(grep -E "/${m//_/[_-]}\.ko(\.xz|\.zst)?:" "$DEP" || true)
    [ -n "$line" ] || continue
    for ko in ${line%%:*} ${line#*:}; do
        mkdir -p "$OUT/lib/modules/$KVER/$(dirname "$ko")"
        cp "$KROOT/lib/modules/$KVER/$ko" "$OUT/lib/modules/$KVER/$ko"
    done
done
cp "$KROOT/lib/modules/$KVER/modules.builtin" "$KROOT/lib/modules/$KVER/modules.order" "$OUT/lib/modules/$KVER/"
depmod -b "$OUT" "$KVER"
cat > "$OUT/sbin/init" <<'INIT'
#!/bin/sh
export PATH=/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
echo "TEST-ROOT: booted.json $(cat /etc/meshboot/booted.json | tr -d '\n')"
root=$(grep ' / ' /proc/mounts | head -1 | cut -d' ' -f3)
persist=none
if [ -d /persist ] && grep -q ' /persist ' /proc/mounts; then
    persist=$(cat /persist/stamp 2>/dev/null || echo empty)
    [ -f /persist/stamp ] || echo "written-at-uptime-$(cut -d' ' -f1 /proc/uptime)" > /persist/stamp
    sync
fi
echo "MESHBOOT-MARKER hostname=$(cat /etc/hostname) rootfs=$root persist=$persist"
sync
poweroff -f
INIT
chmod 755 "$OUT/sbin/init"
echo "rootfs $OUT: kernel $KVER, $(du -sh "$OUT" | cut -f1)"
