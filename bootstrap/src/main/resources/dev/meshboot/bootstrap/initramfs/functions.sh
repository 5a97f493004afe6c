# meshboot /init functions (busybox sh). Sourced by /init, and by the unit tests that run them on the host.

# Debian's busybox-static runs its own applets before anything on PATH (FEATURE_SH_STANDALONE), so the real tools
# are called by path: busybox tar keeps no xattrs, ACLs or sparse files.
TAR=/usr/bin/tar ZSTD=/usr/bin/zstd SFDISK=/usr/sbin/sfdisk MKFS_EXT4=/usr/sbin/mkfs.ext4 MKFS_VFAT=/usr/sbin/mkfs.vfat

say() { echo "meshboot: $*" > /dev/console 2>/dev/null || echo "meshboot: $*" >&2; }
uptime_s() { cut -d' ' -f1 /proc/uptime; }
fatal_forever() {
    say "FATAL: $*"
    say "this machine cannot boot; it will retry from the firmware in 60 s"
    sleep 60
    reboot -f
}

# Reads meshboot.* parameters from a kernel command line file into MB_* variables.
read_cmdline() {
    MB_NODE= MB_SERVERS= MB_SNAPSHOT= MB_MODE=ram MB_EXTRAS=0 MB_DISK= MB_ROOT_MIB=8192 MB_PERSIST= MB_REINSTALL=0
    MB_TIMEOUT=20
    for word in $(cat "$1"); do
        case "$word" in
            meshboot.node=*) MB_NODE=${word#*=} ;;
            meshboot.servers=*) MB_SERVERS=$(echo "${word#*=}" | tr ',' ' ') ;;
            meshboot.snapshot=*) MB_SNAPSHOT=${word#*=} ;;
            meshboot.mode=*) MB_MODE=${word#*=} ;;
            meshboot.extras=*) MB_EXTRAS=${word#*=} ;;
            meshboot.disk=*) MB_DISK=${word#*=} ;;
            meshboot.root=*) MB_ROOT_MIB=${word#*=} ;;
            meshboot.persist=*) MB_PERSIST=${word#*=} ;;
            meshboot.reinstall=*) MB_REINSTALL=${word#*=} ;;
            meshboot.timeout=*) MB_TIMEOUT=${word#*=} ;;
        esac
    done
}

# Loads the drivers the hardware asks for: every device's modalias is matched against the initramfs's alias table
# (a subset of the kernel's modules.alias), and the module is loaded with its dependencies in modules.dep order.
# Buses that appear only once a driver is loaded (virtio behind virtio_pci) are caught by a second round.
load_drivers() {
    dir=/lib/modules/$(uname -r)
    [ -f "$dir/meshboot.alias" ] || { say "no drivers in this initramfs for kernel $(uname -r)"; return; }
    : > /run/loaded
    round=1
    while [ $round -le 4 ]; do
        before=$(wc -l < /run/loaded)
        for f in /sys/bus/*/devices/*/modalias; do
            [ -r "$f" ] || continue
            alias=$(cat "$f")
            while read -r pattern module; do
                case "$alias" in
                    $pattern) load_module "$module" ;;
                esac
            done < "$dir/meshboot.alias"
        done
        [ "$(wc -l < /run/loaded)" = "$before" ] && [ $round -gt 1 ] && break
        round=$((round + 1))
        sleep 0.2
    done
    for m in $(cat "$dir/meshboot.always" 2>/dev/null); do load_module "$m"; done
    say "drivers loaded: $(tr '\n' ' ' < /run/loaded)"
}

load_module() {
    grep -qx "$1" /run/loaded && return 0
    dir=/lib/modules/$(uname -r)
    line=$(grep "^$1:" "$dir/meshboot.dep") || return 0
    for ko in ${line#*:}; do
        name=$(basename "$ko" .ko)
        grep -qx "$name" /run/loaded && continue
        insmod "$dir/$ko" 2>/dev/null || true
        echo "$name" >> /run/loaded
    done
}

# Brings up the first interface that gets a DHCP lease.
network_up() {
    ip link set lo up
    i=0
    while [ -z "$(ls /sys/class/net | grep -v '^lo$')" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    for round in 1 2 3; do
        for itf in $(ls /sys/class/net | grep -v '^lo$'); do
            ip link set "$itf" up
            if udhcpc -i "$itf" -n -q -t 6 -T 1 -s /lib/meshboot/udhcpc.script >/run/udhcpc.log 2>&1; then
                MB_ITF=$itf
                say "network: $(cat /run/lease 2>/dev/null)"
                return 0
            fi
        done
    done
    FAILURE="no DHCP lease on any interface ($(ls /sys/class/net | tr '\n' ' '))"
    return 1
}

# --- fetching with fail-over ---------------------------------------------------------------------------------
# SERVERS is the list to try; CUR indexes the one in use; BAD lists servers that served bad data (avoided).
server_count() { set -- $MB_SERVERS; echo $#; }
server_at() { i=$(($1 + 1)); set -- $MB_SERVERS; eval echo \${$i}; }
is_bad() { case " $BAD " in *" $1 "*) return 0 ;; esac; return 1; }

note_failover() {
    say "$1: $2 failed ($3); failing over"
    reason=$(echo "$3" | tr -d "'\\\\")
    FAILOVERS="$FAILOVERS{\"what\":\"$1\",\"server\":\"$2\",\"reason\":\"$reason\"},"
}

# fetch URL-PATH OUT WHAT: tries each server in turn from CUR; on success SERVED_BY is the server.
fetch() {
    n=$(server_count)
    tries=0
    while [ $tries -lt "$n" ]; do
        s=$(server_at "$CUR")
        if ! is_bad "$s"; then
            timeout "$MB_TIMEOUT" wget -q -O "$2" "http://$s$1" 2>/run/wget.err
            rc=$?
            if [ $rc = 0 ]; then
                SERVED_BY=$s
                return 0
            fi
            if [ $rc -gt 128 ]; then
                note_failover "$3" "$s" "no answer within ${MB_TIMEOUT}s"
            else
                note_failover "$3" "$s" "$(tr '\n"' ' ' < /run/wget.err | cut -c1-80)"
            fi
        fi
        CUR=$(((CUR + 1) % n))
        tries=$((tries + 1))
    done
    FAILURE="no server could serve $3"
    return 1
}

# fetch_chunk ID: the chunk decompressed into /run/chunk, its SHA-256 checked; a server that serves a wrong chunk
# is avoided for the rest of the boot and the chunk is fetched from the next one.
fetch_chunk() {
    while :; do
        fetch "/chunks/$1" /run/chunk.zst "chunk $1" || return 1
        if $ZSTD -dq -c /run/chunk.zst > /run/chunk 2>/dev/null \
                && [ "$(sha256sum < /run/chunk | cut -c1-64)" = "$1" ]; then
            return 0
        fi
        note_failover "chunk $1" "$SERVED_BY" "content does not match its id"
        BAD="$BAD $SERVED_BY"
    done
}

# The archive "name"s line of a canonical manifest (one archive object per line).
archive_json() { sed 's/{"chunks":/\n{"chunks":/g' "$1" | grep "\"name\":\"$2\",\"sha256\""; }
archive_chunks() { archive_json "$1" "$2" | grep -o '"id":"[0-9a-f]*"' | cut -d'"' -f4; }
archive_number() { archive_json "$1" "$2" | grep -o "\"$3\":[0-9]*" | head -1 | cut -d: -f2; }
archive_names() { sed 's/{"chunks":/\n{"chunks":/g' "$1" | grep -o '"name":"[A-Za-z0-9._+-]*","sha256"' | cut -d'"' -f4; }

# extract_archive MANIFEST NAME ROOT: streams verified chunks into GNU tar (hard links, sparse files, xattrs, ACLs,
# capabilities, devices and numeric ownership survive). Records which servers served it. The fetch loop runs in a
# subshell feeding tar through a pipe, so the fail-over state it changes comes back through /run/state.
extract_archive() {
    rm -f /run/fetch.failed /run/state
    (
        count=0 bytes=0 servers=
        for id in $(archive_chunks "$1" "$2"); do
            if ! fetch_chunk "$id"; then
                echo "$FAILURE" > /run/fetch.failed
                break
            fi
            cat /run/chunk || break  # tar stopped reading: its own error says why
            count=$((count + 1)); bytes=$((bytes + $(wc -c < /run/chunk)))
            case " $servers " in *" $SERVED_BY "*) ;; *) servers="$servers $SERVED_BY" ;; esac
        done
        save_state
        echo "count=$count bytes=$bytes servers='$servers'" >> /run/state
    ) | $TAR -x -C "$3" --xattrs --xattrs-include='*' --acls --numeric-owner -p -f - 2>/run/tar.err
    tarrc=$?
    . /run/state
    if [ -f /run/fetch.failed ]; then
        FAILURE=$(cat /run/fetch.failed)
        return 1
    fi
    if [ $tarrc != 0 ]; then
        FAILURE="tar refused archive $2: $(head -c 300 /run/tar.err)"
        return 1
    fi
    SERVED_JSON="$SERVED_JSON\"$2\":\"$(echo $servers | tr ' ' ',')\","
    say "archive $2: $count chunks, $bytes bytes from$servers"
}

# The fail-over state, for a parent shell to read back with ". /run/state".
save_state() {
    echo "CUR=$CUR BAD='$BAD' FAILOVERS='$FAILOVERS'" > /run/state
}

unwind_root() {
    for m in $(grep ' /newroot' /proc/mounts | cut -d' ' -f2 | sort -r); do umount "$m" 2>/dev/null || umount -l "$m"; done
    rm -rf /newroot; mkdir -p /newroot
}

# --- the boot ---------------------------------------------------------------------------------------------------
boot_from_network() {
    FAILOVERS= SERVED_JSON= BAD= CUR=0 FAILURE=
    [ -n "$MB_SERVERS" ] || { FAILURE="no meshboot.servers on the kernel command line"; return 1; }
    echo "$MB_SNAPSHOT" | grep -qx '[0-9a-f]\{64\}' || { FAILURE="meshboot.snapshot is not a snapshot id"; return 1; }
    [ -n "$MB_ITF" ] || network_up || return 1
    T_NET=$(uptime_s)
    fetch "/snapshots/$MB_SNAPSHOT/manifest.json" /run/manifest.json "manifest" || return 1
    while [ "$(sha256sum < /run/manifest.json | cut -c1-64)" != "$MB_SNAPSHOT" ]; do
        note_failover "manifest" "$SERVED_BY" "manifest does not hash to the snapshot id"
        BAD="$BAD $SERVED_BY"
        fetch "/snapshots/$MB_SNAPSHOT/manifest.json" /run/manifest.json "manifest" || return 1
    done
    MANIFEST_BY=$SERVED_BY
    ARCHIVES=core
    if [ "$MB_EXTRAS" = 1 ] && archive_names /run/manifest.json | grep -qx extras; then ARCHIVES="core extras"; fi
    T_MANIFEST=$(uptime_s)
    if [ "$MB_MODE" = disk ]; then
        prepare_disk || return 1
    else
        need=0
        for a in $ARCHIVES; do need=$((need + $(archive_number /run/manifest.json "$a" dataBytes))); done
        size=$(( (need + need / 4) / 1048576 + 64 ))
        mount -t tmpfs -o "size=${size}m,mode=0755" tmpfs /newroot || { FAILURE="cannot mount a ${size} MiB tmpfs"; return 1; }
        say "ramdisk: tmpfs of ${size} MiB for $need bytes of files"
    fi
    for a in $ARCHIVES; do extract_archive /run/manifest.json "$a" /newroot || return 1; done
    T_UNPACK=$(uptime_s)
    fetch "/nodes/$MB_NODE/config.tar" /run/config.tar "node config" || return 1
    CONFIG_BY=$SERVED_BY
    $TAR -x -C /newroot --numeric-owner -p -f /run/config.tar 2>/run/tar.err \
        || { FAILURE="node config archive refused: $(head -c 200 /run/tar.err)"; return 1; }
    if [ "$MB_MODE" = disk ]; then
        install_bootloader || return 1
    fi
    T_DONE=$(uptime_s)
    write_booted_json
    fetch_report
    return 0
}

write_booted_json() {
    mkdir -p /newroot/etc/meshboot
    cat > /newroot/etc/meshboot/booted.json <<JSON
{"format":"meshboot-booted/1","node":"$MB_NODE","snapshot":"$MB_SNAPSHOT","mode":"$MB_MODE","reinstall":$MB_REINSTALL,
"interface":"$MB_ITF","address":"$(cut -d' ' -f1 /run/lease 2>/dev/null)",
"servers":{"manifest":"$MANIFEST_BY",${SERVED_JSON}"config":"$CONFIG_BY"},
"failovers":[${FAILOVERS%,}],
"phases":{"kernelToInit":$T0,"drivers":$(elapsed $T0 $T_DRIVERS),"network":$(elapsed $T_DRIVERS $T_NET),"manifest":$(elapsed $T_NET $T_MANIFEST),"unpack":$(elapsed $T_MANIFEST $T_UNPACK),"configAndBootloader":$(elapsed $T_UNPACK $T_DONE)}}
JSON
    say "booted.json: $(tr -d '\n' < /newroot/etc/meshboot/booted.json)"
}

elapsed() { awk "BEGIN{printf \"%.2f\", $2 - $1}"; }

# Tells the boot servers how the boot went (they record a disk install, so the next boot goes to the local disk).
fetch_report() {
    n=$(server_count); i=0
    while [ $i -lt "$n" ]; do
        s=$(server_at $i)
        timeout "$MB_TIMEOUT" wget -q -O /dev/null --post-file=/newroot/etc/meshboot/booted.json \
            "http://$s/nodes/$MB_NODE/booted" 2>/dev/null && say "reported to $s"
        i=$((i + 1))
    done
}

# --- disk mode ------------------------------------------------------------------------------------------------
first_disk() {
    for b in /sys/block/*; do
        name=${b##*/}
        case "$name" in loop*|ram*|sr*|fd*|zram*|dm-*|md*) continue ;; esac
        [ "$(cat "$b/removable" 2>/dev/null)" = 1 ] && continue
        [ "$(cat "$b/size")" -gt 0 ] && { echo "/dev/$name"; return; }
    done
}

part() { case "$1" in *[0-9]) echo "${1}p$2" ;; *) echo "$1$2" ;; esac; }

# GPT: 1 BIOS boot (GRUB core.img), 2 EFI system, 3 root, 4 persistent (rest of the disk, only when asked).
# A disk that already has the persistent partition keeps its table, and partition 4 is never formatted.
prepare_disk() {
    DISK=${MB_DISK:-$(first_disk)}
    i=0; while [ -z "$DISK" ] && [ $i -lt 50 ]; do sleep 0.1; DISK=$(first_disk); i=$((i + 1)); done
    [ -b "$DISK" ] || { FAILURE="no disk to install onto (meshboot.disk='$MB_DISK')"; return 1; }
    keep=0
    if [ -n "$MB_PERSIST" ] && $SFDISK --dump "$DISK" 2>/dev/null | grep -q 'name="meshpersist"'; then
        keep=1
        say "disk $DISK: keeping its partition table and the persistent partition"
    else
        {
            echo "label: gpt"
            echo "start=2048, size=2048, type=21686148-6449-6E6F-744E-656564454649, name=\"meshboot-bios\""
            echo "size=64MiB, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, name=\"meshboot-esp\""
            if [ -n "$MB_PERSIST" ]; then
                echo "size=${MB_ROOT_MIB}MiB, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, name=\"meshroot\""
                echo "type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, name=\"meshpersist\""
            else
                echo "type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, name=\"meshroot\""
            fi
        } > /run/layout
        $SFDISK -q --wipe always "$DISK" < /run/layout > /run/sfdisk.log 2>&1 \
            || { FAILURE="sfdisk $DISK: $(tail -c 200 /run/sfdisk.log)"; return 1; }
        say "disk $DISK: partitioned ($(tr '\n' ';' < /run/layout))"
    fi
    i=0; while [ ! -b "$(part "$DISK" 3)" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    $MKFS_VFAT -n MESHESP "$(part "$DISK" 2)" > /run/mkfs.log 2>&1 || { FAILURE="mkfs.vfat: $(tail -c 200 /run/mkfs.log)"; return 1; }
    $MKFS_EXT4 -q -F -L meshroot "$(part "$DISK" 3)" > /run/mkfs.log 2>&1 || { FAILURE="mkfs.ext4: $(tail -c 200 /run/mkfs.log)"; return 1; }
    if [ -n "$MB_PERSIST" ] && [ $keep = 0 ]; then
        $MKFS_EXT4 -q -F -L meshpersist "$(part "$DISK" 4)" > /run/mkfs.log 2>&1 || { FAILURE="mkfs.ext4 (persistent): $(tail -c 200 /run/mkfs.log)"; return 1; }
    fi
    mount -t ext4 "$(part "$DISK" 3)" /newroot 2>/run/mount.err \
        || { FAILURE="cannot mount the new root: $(head -c 200 /run/mount.err)"; return 1; }
}

install_bootloader() {
    mkdir -p /newroot/boot/grub /newroot/boot/efi /run/esp
    kernel=$(cd /newroot/boot && ls vmlinuz-* 2>/dev/null | sort | tail -1)
    [ -n "$kernel" ] || { FAILURE="the snapshot has no /boot/vmlinuz-*"; return 1; }
    for f in initrd.img grub-boot.img grub-core.img BOOTX64.EFI; do
        fetch "/snapshots/$MB_SNAPSHOT/boot/$f" "/run/$f" "boot file $f" || return 1
    done
    cp /run/initrd.img /newroot/boot/meshboot-initrd.img
    cat > /newroot/boot/grub/grub.cfg <<CFG
serial --unit=0 --speed=115200
terminal_input serial console
terminal_output serial console
set timeout=1
menuentry "meshboot $MB_NODE ($MB_SNAPSHOT)" {
    search --no-floppy --label --set=root meshroot
    linux /boot/$kernel console=tty0 console=ttyS0,115200 panic=10 meshboot.mode=local meshboot.node=$MB_NODE meshboot.persist=$MB_PERSIST
    initrd /boot/meshboot-initrd.img
}
CFG
    # BIOS: boot.img in the MBR's code area (the partition table after byte 440 is kept), core.img in partition 1.
    dd if=/run/grub-boot.img of="$DISK" bs=440 count=1 conv=notrunc 2>/dev/null || { FAILURE="cannot write the MBR"; return 1; }
    dd if=/run/grub-core.img of="$DISK" bs=512 seek=2048 conv=notrunc 2>/dev/null || { FAILURE="cannot write core.img"; return 1; }
    # UEFI: the removable-media path, which firmware boots with no NVRAM entry.
    mount -t vfat "$(part "$DISK" 2)" /run/esp 2>/run/mount.err \
        || { FAILURE="cannot mount the EFI partition: $(head -c 200 /run/mount.err)"; return 1; }
    mkdir -p /run/esp/EFI/BOOT && cp /run/BOOTX64.EFI /run/esp/EFI/BOOT/BOOTX64.EFI && umount /run/esp
    {
        echo "LABEL=meshroot / ext4 defaults 0 1"
        [ -n "$MB_PERSIST" ] && echo "LABEL=meshpersist $MB_PERSIST ext4 defaults 0 2"
    } > /newroot/etc/fstab
    mount_persist /newroot
    sync
    say "bootloader: GRUB for BIOS (MBR + core.img) and UEFI (EFI/BOOT/BOOTX64.EFI) on $DISK, kernel $kernel"
}

mount_persist() {
    [ -n "$MB_PERSIST" ] || return 0
    pdev=$(findfs LABEL=meshpersist 2>/dev/null) || { say "no persistent partition found"; return 0; }
    mkdir -p "$1$MB_PERSIST" && mount -t ext4 "$pdev" "$1$MB_PERSIST" && say "persistent partition $pdev on $MB_PERSIST"
}

# --- local mode: the installed disk, booted by its own GRUB ---------------------------------------------------
boot_local() {
    i=0 rootdev=
    while [ $i -lt 100 ]; do
        rootdev=$(findfs LABEL=meshroot 2>/dev/null) && break
        sleep 0.1; i=$((i + 1))
    done
    [ -n "$rootdev" ] || return 1
    mount -t ext4 "$rootdev" /newroot || return 1
    mount_persist /newroot
    say "local disk $rootdev: booting $(grep -o '"snapshot":"[0-9a-f]*"' /newroot/etc/meshboot/booted.json 2>/dev/null)"
    umount /sys 2>/dev/null
    exec switch_root /newroot /sbin/init
}
