#!/usr/bin/env bash
# Boot-services benchmark: meshboot's TFTP and HTTP servers against tftpd-hpa and nginx, measured in the same run,
# on loopback, reported as ratios.
#
#   bash bench/boot-services.sh        # root; installs nginx, tftpd-hpa, atftp, curl when missing
#
# TFTP: a 50 MB file through atftp, directly and through a UDP relay that adds 1 ms each way (this kernel has no
# netem), against tftpd-hpa at blksize 1468 (lock-step: it has no windowsize) and meshboot at windowsize 16.
# HTTP: a ~1 GB snapshot archive to 8 parallel curl clients, against nginx with sendfile on serving the same bytes.
# DHCP: perfdhcp (Debian's kea-admin) in a network namespace against meshboot and against dnsmasq (--no-ping, same
# /16 pool) over a veth: offered rates stepped up (8 s each, a fresh server each), 4-way exchanges/s and drops
# (DISCOVERs without an ACK, late replies waited for 2 s); then 1,000 new clients within one second.
# Environment: BENCH_WORK (default /tmp/meshboot-bench-boot), BENCH_RUNS (default 3, median kept),
# BENCH_ONLY (e.g. "dhcp" or "tftp http": run only those sections).
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
work=${BENCH_WORK:-/tmp/meshboot-bench-boot}
runs=${BENCH_RUNS:-3}
export LC_ALL=C.UTF-8

missing=()
for p in nginx tftpd-hpa atftp curl python3 bc kea-admin dnsmasq-base iproute2; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
"$top/node/meshboot" --version >/dev/null
mkdir -p "$work"
cp "$top/node/target/meshboot.jar" "$work/meshboot.jar"
java=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
meshboot=("$java" -XX:+UseSerialGC --enable-native-access=ALL-UNNAMED -jar "$work/meshboot.jar")

pids=()
ns=mbbench$$
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true
  ip netns del "$ns" 2>/dev/null || true; ip link del "${ns}h" 2>/dev/null || true
}
trap cleanup EXIT
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
now() { date +%s.%N; }
ratio() { echo "$1 / $2" | bc -l; }

# --- content -----------------------------------------------------------------------------------------------
mkdir -p "$work/tftp" "$work/boot" "$work/www" "$work/tree"
[ -f "$work/tftp/big.bin" ] || head -c 50000000 /dev/urandom > "$work/tftp/big.bin"
if [ ! -f "$work/snapshot.id" ]; then
  head -c 1000000000 /dev/urandom > "$work/tree/payload.bin"   # incompressible: the archive is ~1 GB
  "${meshboot[@]}" image build "$work/tree" --store "$work/store" --name bench 2>/dev/null | tail -1 > "$work/snapshot.id"
  rm -f "$work/tree/payload.bin"
fi
id=$(cat "$work/snapshot.id")
"${meshboot[@]}" image cat --store "$work/store" --insecure "$id" core > "$work/www/core"
size=$(stat -c %s "$work/www/core")

# --- servers -----------------------------------------------------------------------------------------------
cat > "$work/cluster.yaml" <<YAML
kind: Cluster
name: bench
spec:
  networks: [{name: lo, subnet: 127.0.0.0/8}]
---
kind: Profile
name: p
spec: {os: debian}
---
kind: Node
name: n
spec: {mac: "02:00:00:00:00:01", address: 127.0.0.2, profile: p}
YAML
cat > "$work/agent.yaml" <<YAML
documents: [cluster.yaml]
interfaces: [{device: lo, network: lo, address: 127.0.0.1}]
ports: {dhcp: 10067, dhcpClient: 10068, tftp: 16971, http: 18090}
tftpRoot: tftp
bootDir: boot
store: store
leases: leases.json
YAML
"${meshboot[@]}" node --config "$work/agent.yaml" > "$work/agent.log" 2>&1 & pids+=($!)
in.tftpd -L -a 127.0.0.1:16969 -s "$work/tftp" -u root -B 1468 & pids+=($!)
cat > "$work/nginx.conf" <<NGINX
worker_processes 2;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
daemon off;
events { worker_connections 256; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  server { listen 127.0.0.1:18091; root $work/www; }
}
NGINX
nginx -c "$work/nginx.conf" -p "$work" & pids+=($!)
python3 "$top/bench/udp-delay-relay.py" 16970 127.0.0.1 16969 1 & pids+=($!)
python3 "$top/bench/udp-delay-relay.py" 16972 127.0.0.1 16971 1 & pids+=($!)
for i in $(seq 100); do
  curl -s -o /dev/null "http://127.0.0.1:18090/boot/none" 2>/dev/null && curl -s -o /dev/null http://127.0.0.1:18091/ 2>/dev/null && break
  sleep 0.2
done

want() { [ -z "${BENCH_ONLY:-}" ] || [[ " $BENCH_ONLY " == *" $1 "* ]]; }
if want tftp; then
echo "== TFTP: 50 MB through atftp (median of $runs)"
tftp_time() { # PORT OPTIONS...
  local port=$1; shift
  local out="$work/tftp-out.bin"; rm -f "$out"
  local t0; t0=$(now)
  atftp "$@" -g -r big.bin -l "$out" 127.0.0.1 "$port" >/dev/null 2>&1
  local t1; t1=$(now)
  cmp -s "$out" "$work/tftp/big.bin" || { echo "corrupt transfer from port $port" >&2; exit 1; }
  echo "$t1 - $t0" | bc -l
}
measure() { local r=(); for i in $(seq "$runs"); do r+=("$(tftp_time "$@")"); done; printf '%s\n' "${r[@]}" | median; }
hpa=$(measure 16969 --option "blksize 1468")
mb1=$(measure 16971 --option "blksize 1468")
mb16=$(measure 16971 --option "blksize 1468" --option "windowsize 16")
printf '   loopback      tftpd-hpa lock-step %6.2f s | meshboot lock-step %6.2f s (%.2fx) | meshboot window 16 %6.2f s (%.2fx)\n' \
  "$hpa" "$mb1" "$(ratio "$hpa" "$mb1")" "$mb16" "$(ratio "$hpa" "$mb16")"
hpa_r=$(runs=1 measure 16970 --option "blksize 1468")
mb16_r=$(measure 16972 --option "blksize 1468" --option "windowsize 16")
printf '   1 ms each way tftpd-hpa lock-step %6.2f s | meshboot window 16 %6.2f s: %.1fx faster\n' \
  "$hpa_r" "$mb16_r" "$(ratio "$hpa_r" "$mb16_r")"
echo "   (x = tftpd-hpa time / meshboot time; goal: >= 1 lock-step, >= 3 with a window at 1 ms)"
fi

if want http; then
echo "== HTTP: a $((size / 1000000)) MB archive to 8 parallel clients (median of $runs)"
http_time() { # URL
  local t0; t0=$(now)
  for c in $(seq 8); do curl -s -o /dev/null "$1" & done
  wait $(jobs -p | tail -8)
  local t1; t1=$(now)
  echo "$t1 - $t0" | bc -l
}
ng=(); mb=()
for i in $(seq "$runs"); do
  ng+=("$(http_time http://127.0.0.1:18091/core)")
  mb+=("$(http_time "http://127.0.0.1:18090/snapshots/$id/core")")
done
ngm=$(printf '%s\n' "${ng[@]}" | median); mbm=$(printf '%s\n' "${mb[@]}" | median)
printf '   nginx (sendfile) %6.2f s = %5.2f GB/s | meshboot %6.2f s = %5.2f GB/s | meshboot/nginx throughput %.2f (goal >= 0.9)\n' \
  "$ngm" "$(echo "8 * $size / $ngm / 1000000000" | bc -l)" "$mbm" "$(echo "8 * $size / $mbm / 1000000000" | bc -l)" \
  "$(ratio "$ngm" "$mbm")"
curl -s "http://127.0.0.1:18090/snapshots/$id/core" | cmp -s - "$work/www/core" && echo "   archive bytes identical to 'meshboot image cat'"
fi

want dhcp || exit 0
echo "== DHCP: perfdhcp against meshboot and dnsmasq, /16 pool, over a veth"
ip netns add "$ns"
ip link add "${ns}h" type veth peer name "${ns}c"
ip link set "${ns}c" netns "$ns"
ip addr add 10.97.0.1/16 dev "${ns}h"; ip link set "${ns}h" up
ip -n "$ns" addr add 10.97.0.2/16 dev "${ns}c"; ip -n "$ns" link set "${ns}c" up; ip -n "$ns" link set lo up
cat > "$work/dhcp-cluster.yaml" <<YAML
kind: Cluster
name: bench
spec:
  networks: [{name: load, subnet: 10.97.0.0/16, pool: {start: 10.97.1.0, end: 10.97.250.255}, leaseSeconds: 3600}]
---
kind: Profile
name: p
spec: {os: debian}
---
kind: Node
name: n
spec: {mac: "02:00:00:00:00:01", address: 10.97.0.9, profile: p}
YAML
cat > "$work/dhcp-agent.yaml" <<YAML
documents: [dhcp-cluster.yaml]
interfaces: [{device: ${ns}h, network: load, address: 10.97.0.1}]
ports: {dhcp: 67, dhcpClient: 68, tftp: 0, http: 0}
tftpRoot: tftp
bootDir: boot
store: store
leases: dhcp-leases.json
YAML
perf() { # RATE COUNT -> "exchanges/s drops%"
  # perfdhcp exits 3 when anything was dropped; the drops are what we report, so its status is not a failure.
  { ip netns exec "$ns" perfdhcp -4 -l "${ns}c" -r "$1" -n "$2" -R 10000000 -W 2000000 10.97.0.1 2>&1 || true; } \
    | awk '/^Rate:/ {rate=$2} /Statistics for: REQUEST-ACK/ {ra=1} /Statistics for: DISCOVER-OFFER/ {ra=0}
           /^sent packets:/ {if (!ra) ds=$3} /^received packets:/ {if (ra) rr=$3}
           END {printf "%.0f %.2f\n", rate, (ds > 0 ? 100 * (ds - rr) / ds : 100)}'
}
run_server() { # meshboot|dnsmasq
  rm -f "$work/dhcp-leases.json" "$work/dnsmasq.leases"
  if [ "$1" = meshboot ]; then
    "${meshboot[@]}" node --config "$work/dhcp-agent.yaml" > "$work/dhcp-agent.log" 2>&1 &
  else
    dnsmasq --keep-in-foreground --port=0 --interface="${ns}h" --bind-interfaces --no-ping --dhcp-authoritative \
      --dhcp-range=10.97.1.0,10.97.250.255,255.255.0.0,1h --dhcp-lease-max=1000000 \
      --dhcp-leasefile="$work/dnsmasq.leases" --pid-file="$work/dnsmasq.pid" > "$work/dnsmasq.log" 2>&1 &
  fi
  server_pid=$!; pids+=("$server_pid"); sleep 3
}
declare -A result
for server in dnsmasq meshboot; do
  for rate in 500 1000 2000 4000 8000 burst; do  # a fresh server and lease file for each step
    run_server "$server"
    if [ "$rate" = burst ]; then result[$server,burst]=$(perf 1000 1000); else result[$server,$rate]=$(perf "$rate" $((rate * 8))); fi
    kill "$server_pid"; wait "$server_pid" 2>/dev/null || true
  done
done
printf '   %-8s %-26s %-26s %s\n' offered "dnsmasq (exch/s, drops %)" "meshboot (exch/s, drops %)" "meshboot/dnsmasq"
for rate in 500 1000 2000 4000 8000; do
  read -r dr dd <<< "${result[dnsmasq,$rate]}"; read -r mr md <<< "${result[meshboot,$rate]}"
  printf '   %-8s %8s/s %6s%%            %8s/s %6s%%            %.2f\n' "$rate/s" "$dr" "$dd" "$mr" "$md" "$(ratio "$mr" "$dr")"
done
read -r _ dd <<< "${result[dnsmasq,burst]}"; read -r _ md <<< "${result[meshboot,burst]}"
echo "   1,000 new clients in one second: dnsmasq ${dd}% lost, meshboot ${md}% lost (goal 0)"
