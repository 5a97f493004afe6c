#!/usr/bin/env bash
# Snapshot benchmark: meshboot against GNU tar + zstd, measured in the same run on the same tree.
# Prints ratios (meshboot / reference), so a noisy machine moves both sides together.
#
#   bash bench/snapshot.sh            # needs root (it reads a JDK and /usr/share, and restores owners)
#
# Environment: BENCH_WORK (default /tmp/meshboot-bench), BENCH_RUNS (default 3; the median is kept),
# BENCH_CHUNK_SIZES (default "64K 256K 1M 4M").
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
work=${BENCH_WORK:-/tmp/meshboot-bench}
runs=${BENCH_RUNS:-3}
chunk_sizes=${BENCH_CHUNK_SIZES:-64K 256K 1M 4M}
export LC_ALL=C.UTF-8

for p in zstd tar time rsync; do dpkg -s "$p" >/dev/null 2>&1 || missing="${missing:-} $p"; done
if [ -n "${missing:-}" ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null; fi

"$top/node/meshboot" --version >/dev/null   # builds the jar if needed, outside the timings
# Run a private copy of the jar: edits to the sources during the run must not trigger a rebuild mid-benchmark.
mkdir -p "$work"
cp "$top/node/target/meshboot.jar" "$work/meshboot.jar"
java_home=$(sed -n 's/^JAVA_HOME=//p' <(bash -c 'source /dev/null; for c in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64; do [ -x "$c/bin/java" ] && "$c/bin/java" -version 2>&1 | grep -q "version \"25" && { echo "JAVA_HOME=$c"; break; }; done'))
meshboot=("$java_home/bin/java" -XX:+UseSerialGC --enable-native-access=ALL-UNNAMED -jar "$work/meshboot.jar")

jdk=${BENCH_JDK:-/usr/lib/jvm/temurin-25-jdk-amd64}
mkdir -p "$work"
small="$work/tree-small"
large="$work/tree-large"

make_tree() { # DIR EXTRA...: a JDK, docs and man pages, plus a config dir and a 1 MiB data file
  local dir=$1; shift
  [ -f "$dir/.complete" ] && return
  rm -rf "$dir"; mkdir -p "$dir/usr/lib/jvm" "$dir/usr/share" "$dir/etc/app" "$dir/usr/lib/app"
  cp -a "$jdk" "$dir/usr/lib/jvm/jdk"
  cp -a /usr/share/doc /usr/share/man "$dir/usr/share/"
  for extra in "$@"; do cp -a "$extra" "$dir/usr/lib/jvm/$(basename "$extra")" 2>/dev/null || cp -a "$extra" "$dir/usr/share/"; done
  for i in $(seq -w 1 20); do printf 'setting_%s = %s\n' "$i" "$RANDOM" > "$dir/etc/app/$i.conf"; done
  head -c 1048576 /dev/urandom > "$dir/usr/lib/app/data.bin"
  touch "$dir/.complete"
}
make_tree "$small"
make_tree "$large" /usr/lib/jvm/java-17-openjdk-amd64 /usr/share/locale
size_mb() { du -sm --apparent-size --exclude=.complete "$1" | cut -f1; }

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
now() { date +%s.%N; }
elapsed() { echo "$(now) - $1" | bc -l; }
# seconds KB-RSS of a command (GNU time), output discarded
timed() { /usr/bin/time -f '%e %M' -o "$work/time.out" "$@" >/dev/null 2>"$work/cmd.err" || { cat "$work/cmd.err" >&2; return 1; }; cat "$work/time.out"; }
timed_sh() { timed bash -o pipefail -c "$1"; }

ref_build() { # TREE OUT
  timed_sh "tar -C '$1' --exclude=./.complete -c --xattrs --xattrs-include='*' --acls --numeric-owner . | zstd -q -3 -T0 > '$2'"
}
mb_build() { # TREE STORE [CHUNK]
  rm -rf "$2"
  timed "${meshboot[@]}" image build "$1" --store "$2" --name bench --chunk-size "${3:-1M}" --json
}

command -v bc >/dev/null || { apt-get install -y -qq bc >/dev/null; }
echo "== tree: $(size_mb "$small") MB ($(find "$small" | wc -l) entries); large tree $(size_mb "$large") MB; $(nproc) cores"

echo "== 1. build time (median of $runs, warm page cache)"
echo "   reference: tar -c --xattrs --acls | zstd -3 -T0 > file; 'durable' adds sync FILE, since meshboot fsyncs every chunk"
printf '   %-6s %8s %10s %12s %10s %12s %14s\n' tree MB "tar|zstd" "+ sync" meshboot ratio "ratio(durable)"
for t in small large; do
  tree=$work/tree-$t
  tar -C "$tree" -cf - . | cat >/dev/null   # warm the page cache for both sides
  ref_t=(); refs_t=(); mb_t=()
  for r in $(seq "$runs"); do
    ref_t+=("$(ref_build "$tree" "$work/ref.tar.zst" | cut -d' ' -f1)")
    refs_t+=("$(timed_sh "tar -C '$tree' --exclude=./.complete -c --xattrs --xattrs-include='*' --acls --numeric-owner . | zstd -q -3 -T0 > '$work/ref-sync.tar.zst' && sync '$work/ref-sync.tar.zst'" | cut -d' ' -f1)")
    mb_t+=("$(mb_build "$tree" "$work/store" | cut -d' ' -f1)")
  done
  ref_b=$(printf '%s\n' "${ref_t[@]}" | median); refs_b=$(printf '%s\n' "${refs_t[@]}" | median)
  mb_b=$(printf '%s\n' "${mb_t[@]}" | median)
  printf '   %-6s %8d %9.2fs %11.2fs %9.2fs %12.2f %14.2f\n' "$t" "$(size_mb "$tree")" "$ref_b" "$refs_b" "$mb_b" \
    "$(echo "$mb_b / $ref_b" | bc -l)" "$(echo "$mb_b / $refs_b" | bc -l)"
  if [ "$t" = small ]; then
    echo "   compressed: tar|zstd $(( $(stat -c %s "$work/ref.tar.zst") >> 20 )) MB, meshboot chunks $(( $(du -sb "$work/store/chunks" | cut -f1) >> 20 )) MB"
    ref_keep=$work/ref-small.tar.zst; cp "$work/ref.tar.zst" "$ref_keep"
  fi
done
echo "   goal: ratio <= 1.0"

echo "== 2. update cost: new bytes stored by the second build"
cp -a "$small/usr/lib/app/data.bin" "$work/data.bin.orig"
cp -a "$small/etc/app" "$work/app.orig"
mapfile -t scattered < <(cd "$small" && find . -type f -size -16k -not -path './etc/app/*' -not -name .complete | sort | awk 'NR % 997 == 1' | head -10)
for f in "${scattered[@]}"; do mkdir -p "$work/scattered.orig/$(dirname "$f")"; cp -a "$small/$f" "$work/scattered.orig/$f"; done
restore() {
  cp -a "$work/data.bin.orig" "$small/usr/lib/app/data.bin"
  rm -rf "$small/etc/app"; cp -a "$work/app.orig" "$small/etc/app"
  for f in "${scattered[@]}"; do cp -a "$work/scattered.orig/$f" "$small/$f"; done
}
config_update() {
  head -c 1048576 /dev/urandom > "$small/usr/lib/app/data.bin"
  for i in $(seq -w 1 10); do echo "changed = $RANDOM" >> "$small/etc/app/$i.conf"; done
}
scattered_update() { for f in "${scattered[@]}"; do echo "# changed $RANDOM" >> "$small/$f"; done; }
new_bytes() { # CHUNK MUTATION -> "newBytes newChunks totalChunks"
  restore
  rm -rf "$work/store-d"
  "${meshboot[@]}" image build "$small" --store "$work/store-d" --name d --chunk-size "$1" --json >/dev/null 2>&1
  $2
  "${meshboot[@]}" image build "$small" --store "$work/store-d" --name d --chunk-size "$1" --json 2>/dev/null \
    | python3 -c 'import json,sys; o=json.load(sys.stdin); print(o["newBytes"], o["newChunks"], o["chunks"])'
}
printf '   %-6s %26s %26s %10s\n' chunk "1 MB file + 10 in one dir" "10 scattered small files" "chunks"
for c in $chunk_sizes; do
  read -r cb cn total < <(new_bytes "$c" config_update)
  read -r sb sn _ < <(new_bytes "$c" scattered_update)
  printf '   %-6s %17.2f MB (%3d) %17.2f MB (%3d) %10d\n' "$c" "$(echo "$cb / 1048576" | bc -l)" "$cn" \
    "$(echo "$sb / 1048576" | bc -l)" "$sn" "$total"
done
restore
echo "   goal: config update <= 3 MB at the default chunk size (1M)"

echo "== 3. extract time (median of $runs)"
mb_build "$small" "$work/store" >/dev/null
id=$("${meshboot[@]}" image ls --store "$work/store" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[-1]["id"])')
ref_x=(); mb_x=()
for r in $(seq "$runs"); do
  rm -rf "$work/x-ref"; mkdir -p "$work/x-ref"
  ref_x+=("$(timed_sh "zstd -q -d < '$work/ref-small.tar.zst' | tar -x --xattrs --xattrs-include='*' --acls --numeric-owner -C '$work/x-ref'" | cut -d' ' -f1)")
  rm -rf "$work/x-mb"
  mb_x+=("$(timed "${meshboot[@]}" image extract --store "$work/store" "$id" --to "$work/x-mb" --insecure | cut -d' ' -f1)")
done
ref_e=$(printf '%s\n' "${ref_x[@]}" | median); mb_e=$(printf '%s\n' "${mb_x[@]}" | median)
printf '   zstd -d | tar -x: %6.2f s\n   meshboot extract: %6.2f s\n   ratio (meshboot / reference): %.2f\n' \
  "$ref_e" "$mb_e" "$(echo "$mb_e / $ref_e" | bc -l)"
diffs=$(rsync -aHAXS --checksum --numeric-ids --dry-run --itemize-changes --exclude=/.complete "$small/" "$work/x-mb/" | wc -l)
echo "   rsync differences between source and meshboot extract: $diffs"

echo "== 4. peak RSS (MB), flat as the tree grows"
printf '   %-8s %10s %10s %10s\n' tree size build extract
for t in small large; do
  tree=$work/tree-$t
  read -r _ rss_b < <(mb_build "$tree" "$work/store-$t")
  idt=$("${meshboot[@]}" image ls --store "$work/store-$t" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[-1]["id"])')
  rm -rf "$work/x-$t"
  read -r _ rss_x < <(timed "${meshboot[@]}" image extract --store "$work/store-$t" "$idt" --to "$work/x-$t" --insecure)
  printf '   %-8s %7d MB %7d MB %7d MB\n' "$t" "$(size_mb "$tree")" $((rss_b / 1024)) $((rss_x / 1024))
  rm -rf "$work/x-$t" "$work/store-$t"
done
