#!/bin/bash
# Peer-to-peer snapshot replication against one server sending N copies, in containers whose links are each shaped
# to RATE_MBIT by tc (rate shaping works on this kernel; netem does not), so that the two cores measure the swarm and
# not themselves. Prints, for each N, the time for all N members to hold the snapshot verified, the floor
# (the snapshot's wire bytes / one link's rate) and the ratios.
#
#   bash bench/replication.sh                 # 500 MB tree, N = 2 4 8, 50 Mbit/s
#   SIZE_MB=100 NS="2 4" bash bench/replication.sh
#   SKIP_BUILD=1 bash bench/replication.sh    # use node/target/meshboot.jar as it is (no ./mvnw install)
#
# Environment: SIZE_MB (500), RATE_MBIT (50), NS ("2 4 8"), MODES ("mesh swarm single"), SKIP_BUILD (0),
# KEEP_LOGS (a directory: every run's member and agent logs are copied there), PER_PEER (image fetch --per-peer),
# BENCH_JAVA_OPTS (options for every JVM in the containers, e.g. -XX:StartFlightRecording=...,filename=/tmp/r.jfr).
#
# Modes:
#   mesh    the product's own path: origin and members are agents of one cluster (UDP multicast, a secret); after a
#           16 MB warm-up snapshot has replicated (JIT), the clock starts when `meshboot image publish` returns on
#           the origin and stops when the last member's agent logs the snapshot replicated (each agent's
#           SnapshotSync pulls from every member in view). One JVM per container.
#   swarm   each member runs `meshboot image fetch --peer ...` against the origin and every other member (whose
#           agents serve what they hold): a second JVM per member, its start-up inside the timing.
#   single  the reference: each member fetches from the origin only, so the origin sends N copies.
#
# What is timed: every member's agent is started and serving, and every link shaped, before the clock starts; then
# all members are told to fetch at once (a file on a shared read-only mount) and the time is the last member's
# "fetched and verified" moment (/proc/uptime, the same clock on the host and in the containers). So the figure
# includes each fetch's JVM start-up and manifest download, but not the agents' start-up. A member that is done
# keeps its agent running (it keeps serving its chunks to the others, as a real member would).
#
# Needs root, Docker (started like .ci/test does), iproute2 (tc, nsenter from util-linux).
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE_MB=${SIZE_MB:-500}
RATE_MBIT=${RATE_MBIT:-50}
NS=${NS:-"2 4 8"}
MODES=${MODES:-"mesh swarm single"}
KEEP_LOGS=${KEEP_LOGS:-}
PER_PEER=${PER_PEER:-} # image fetch --per-peer (requests in flight to one peer); empty: the CLI's default
JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
export JAVA_HOME
BRIDGE=mbbench0
NETWORK=mbbench
SUBNET=10.99.9
IMAGE=meshboot-agent:bench
PREFIX=meshboot-bench-
JVM="java ${BENCH_JAVA_OPTS:-} --enable-native-access=ALL-UNNAMED -XX:+UseSerialGC -jar /app/meshboot.jar"

remove_containers() {
  local ids
  ids=$(docker ps -aq --filter name=^/$PREFIX 2>/dev/null || true)
  [ -z "$ids" ] || docker rm -f $ids >/dev/null 2>&1 || true
}
cleanup() {
  local rc=$?
  set +e
  remove_containers
  docker network rm $NETWORK >/dev/null 2>&1
  while iptables -D DOCKER-USER -i $BRIDGE -o $BRIDGE -j ACCEPT 2>/dev/null; do :; done
  [ -z "${WORK:-}" ] || rm -rf "$WORK"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP
# What a killed earlier run left behind (only this script's own names).
remove_containers
docker network rm $NETWORK >/dev/null 2>&1 || true
WORK=$(mktemp -d /tmp/meshboot-bench-repl.XXXX)

if [ "${SKIP_BUILD:-0}" = 1 ]; then
  echo "== SKIP_BUILD=1: using the existing node/target/meshboot.jar; building the agent image"
  [ -f node/target/meshboot.jar ] || { echo "node/target/meshboot.jar is missing: build it or drop SKIP_BUILD" >&2; exit 1; }
else
  echo "== building meshboot and the agent image"
  ./mvnw -q -B -ntp -pl node -am package -DskipTests
fi
# A private copy: a rebuild in the tree during the run must not change the jar under the benchmark.
JAR=$WORK/meshboot.jar
cp node/target/meshboot.jar "$JAR"
ctx=$WORK/image; root=$ctx/rootfs; mkdir -p "$root"/{bin,app,tmp,run,etc/meshboot,srv/meshboot/tftp,srv/meshboot/boot,var/lib/meshboot}
chmod 1777 "$root/tmp"
"$JAVA_HOME/bin/jlink" --add-modules java.base,java.desktop,java.logging,java.management,java.naming,java.net.http,java.sql,java.xml,jdk.jfr,jdk.net,jdk.unsupported,jdk.naming.dns \
  --output "$root/jre" --strip-debug --no-header-files --no-man-pages --generate-cds-archive
for f in "$root/jre/bin/java" $(find "$root/jre/lib" -name '*.so'); do
  LD_LIBRARY_PATH=$root/jre/lib:$root/jre/lib/server ldd "$f" | grep -o '/[^ ]*' | grep -v "^$root" || true
done | sort -u | while read -r lib; do mkdir -p "$root$(dirname "$lib")"; cp -L "$lib" "$root$lib"; done
cp /bin/busybox "$root/bin/busybox"
cp "$JAR" "$root/app/meshboot.jar"
cat > "$ctx/Dockerfile" <<'EOF'
FROM scratch
COPY rootfs/ /
RUN ["/bin/busybox", "--install", "-s", "/bin"]
ENV PATH=/bin:/jre/bin LC_ALL=C.UTF-8
EOF
docker build -q -t $IMAGE "$ctx" >/dev/null

echo "== a ${SIZE_MB} MB tree of real files (from /usr), snapshotted"
tree=$WORK/tree; mkdir -p "$tree"
# The list first, then one copy: a pipeline cut short by 'break' would die of SIGPIPE under pipefail.
find /usr/lib /usr/share -xdev -type f -size +4k -size -20M -printf '%s %p\n' 2>/dev/null | sort -k2 \
  | awk -v budget=$((SIZE_MB * 1024 * 1024)) 'budget > 0 { print substr($0, index($0, " ") + 1); budget -= $1 }' \
  > "$WORK/files"
tar -C / --no-recursion --verbatim-files-from -T <(sed 's|^/||' "$WORK/files") -cf - 2>/dev/null | tar -C "$tree" -xpf -
echo "$(wc -l < "$WORK/files") files, $(du -sm "$tree" | cut -f1) MB"
M="$JAVA_HOME/bin/java --enable-native-access=ALL-UNNAMED -jar $JAR"
$M key generate --out "$WORK/key" >/dev/null
ID=$($M image build --store "$WORK/origin-store" --key "$WORK/key" --name bench "$tree" | tail -1)
[[ $ID =~ ^[0-9a-f]{64}$ ]] || { echo "image build printed no snapshot id: $ID" >&2; exit 1; }
# The wire bytes: what /chunks/ID serves, i.e. every stored chunk (zstd frames) once.
WIRE=$(find "$WORK/origin-store/chunks" -type f -printf '%s\n' | awk '{s += $1} END {print s + 0}')
CHUNKS=$(find "$WORK/origin-store/chunks" -type f | wc -l)
FLOOR=$(awk "BEGIN{printf \"%.1f\", $WIRE * 8 / ($RATE_MBIT * 1000000)}")
echo "snapshot $ID: $CHUNKS chunks, $WIRE bytes on the wire; floor at $RATE_MBIT Mbit/s = $FLOOR s"
# Mesh mode warms the agents up with a small snapshot of random bytes (no chunk in common with the one measured)
# before the clock starts: on this machine nine JVMs share two cores, and each one's JIT compiling the fetch path
# (seconds of CPU per JVM, measured with a flight recording) would be measured instead of the swarm. A real member
# has its own cores, and compiles once.
warm=$WORK/warm; mkdir -p "$warm"
for i in $(seq 1 16); do head -c 1048576 /dev/urandom > "$warm/w$i"; done
WARM_ID=$($M image build --store "$WORK/origin-store" --key "$WORK/key" --name warm "$warm" | tail -1)
[[ $WARM_ID =~ ^[0-9a-f]{64}$ ]] || { echo "image build printed no snapshot id: $WARM_ID" >&2; exit 1; }

docker network create --internal -o com.docker.network.bridge.name=$BRIDGE --subnet $SUBNET.0/24 $NETWORK >/dev/null
iptables -I DOCKER-USER -i $BRIDGE -o $BRIDGE -j ACCEPT

agent_yaml() { # $1 = address
  cat <<EOF
documents: [/etc/meshboot/cluster.yaml]
interfaces:
  - {device: eth0, network: prov, address: $1}
ports: {dhcp: 0, tftp: 0, http: 8080}
tftpRoot: /srv/meshboot/tftp
bootDir: /srv/meshboot/boot
store: /var/lib/meshboot/store
leases: /var/lib/meshboot/leases.json
installs: /var/lib/meshboot/installs.json
EOF
}
cat > "$WORK/cluster.yaml" <<EOF
kind: Cluster
name: bench
spec:
  networks:
    - {name: prov, subnet: $SUBNET.0/24}
EOF

head -c 48 /dev/urandom | base64 > "$WORK/cluster.secret"; chmod 600 "$WORK/cluster.secret"
mesh_yaml() { # $1 = address, $2 = member name, $3 = seed the documents (1) or not
  [ "$3" = 1 ] && echo "documents: [/etc/meshboot/cluster.yaml]"
  cat <<EOF
interfaces:
  - {device: eth0, network: prov, address: $1}
ports: {dhcp: 0, tftp: 0, http: 8080}
tftpRoot: /srv/meshboot/tftp
bootDir: /srv/meshboot/boot
store: /var/lib/meshboot/store
leases: /var/lib/meshboot/leases.json
installs: /var/lib/meshboot/installs.json
configStore: /var/lib/meshboot/config
cluster:
  name: bench
  member: $2
  secret: /etc/meshboot/cluster.secret
  transport: udp
  multicast: {address: 239.9.9.9, port: 45599}
EOF
}

veth_of() { # $1 = container: the host side of its eth0 (a veth; refuses anything else)
  local pid peer veth
  pid=$(docker inspect -f '{{.State.Pid}}' "$1")
  # Not /sys/class/net/eth0/iflink under nsenter -n: sysfs keeps showing the host's devices (the host's eth0).
  peer=$(nsenter -t "$pid" -n ip -o link show dev eth0 | sed -n 's/^[0-9]*: eth0@if\([0-9]*\):.*/\1/p')
  veth=$(ip -o link show | awk -F': ' -v i="$peer" '$1 == i { sub(/@.*/, "", $2); print $2 }')
  if [ -z "$peer" ] || [ -z "$veth" ] || [[ $(ip -d link show dev "$veth") != *" veth "* ]] \
      || [ "$(cat /sys/class/net/"$veth"/master/ifindex 2>/dev/null)" != "$(cat /sys/class/net/$BRIDGE/ifindex)" ]; then
    echo "$1: no veth on $BRIDGE found for its eth0 (peer ifindex '$peer', '$veth')" >&2; return 1
  fi
  echo "$veth"
}
shape() { # $1 = container: both directions of its link at RATE_MBIT
  local pid veth
  pid=$(docker inspect -f '{{.State.Pid}}' "$1")
  veth=$(veth_of "$1") || return 1
  tc qdisc replace dev "$veth" root tbf rate ${RATE_MBIT}mbit burst 64kb latency 100ms
  nsenter -t "$pid" -n tc qdisc replace dev eth0 root tbf rate ${RATE_MBIT}mbit burst 64kb latency 100ms
}
uptime_s() { cut -d' ' -f1 /proc/uptime; }
cpu_busy_jiffies() { awk '/^cpu /{print $2+$3+$4+$7+$8+$9, $2+$3+$4+$5+$6+$7+$8+$9}' /proc/stat; }
cpu_ns() { # $1 = container: CPU time used so far (cgroup v1 cpuacct, else v2 cpu.stat), in ns
  local id f
  id=$(docker inspect -f '{{.Id}}' "$1" 2>/dev/null) || { echo 0; return; }
  for f in /sys/fs/cgroup/cpuacct/docker/$id/cpuacct.usage /sys/fs/cgroup/system.slice/docker-$id.scope/cpu.stat; do
    if [ -f "$f" ]; then
      case $f in *cpu.stat) awk '/^usage_usec/{print $2 * 1000}' "$f" ;; *) cat "$f" ;; esac
      return
    fi
  done
  echo 0
}
cpu_us() { # $1 = container: "user system" CPU seconds so far (cgroup v1 cpuacct.stat; "0 0" elsewhere)
  local id f
  id=$(docker inspect -f '{{.Id}}' "$1" 2>/dev/null) || { echo "0 0"; return; }
  f=/sys/fs/cgroup/cpuacct/docker/$id/cpuacct.stat
  [ -f "$f" ] && awk -v hz="$(getconf CLK_TCK)" '/^user/{u=$2} /^system/{s=$2} END{print u/hz, s/hz}' "$f" || echo "0 0"
}
wait_log() { # $1 = container, $2 = text, $3 = seconds
  local i out
  for i in $(seq 1 $(($3 * 5))); do
    out=$(docker logs "$1" 2>&1 || true)
    case $out in *"$2"*) return 0 ;; esac
    [ "$(docker inspect -f '{{.State.Running}}' "$1")" = true ] || break
    sleep 0.2
  done
  echo "$1: no '$2' within $3 s; its log:" >&2; docker logs "$1" >&2 || true
  docker cp "$1":/tmp/agent.log - 2>/dev/null | tar -xO >&2 || true
  return 1
}

run() { # $1 = N, $2 = swarm|single
  local n=$1 mode=$2 j j2 k a b c outside peers start end t go cpu0 cpu1 ocpu0 mcpu0 ocpu mcpu otx0 otx log done_at
  local from_origin=0 from_members=0 fetch_s="" fail=""
  remove_containers
  go=$WORK/go-$n-$mode; mkdir -p "$go"
  docker create --name ${PREFIX}origin --network $NETWORK --ip $SUBNET.10 $IMAGE /bin/sh -c \
    "exec $JVM node --config /etc/meshboot/agent.yaml" >/dev/null
  agent_yaml $SUBNET.10 > "$WORK/agent-origin.yaml"
  docker cp "$WORK/agent-origin.yaml" ${PREFIX}origin:/etc/meshboot/agent.yaml
  docker cp "$WORK/cluster.yaml" ${PREFIX}origin:/etc/meshboot/cluster.yaml
  docker cp "$WORK/origin-store" ${PREFIX}origin:/var/lib/meshboot/store
  docker start ${PREFIX}origin >/dev/null
  shape ${PREFIX}origin
  for j in $(seq 1 "$n"); do
    peers="--peer http://$SUBNET.10:8080"
    if [ "$mode" = swarm ]; then
      for k in $(seq 1 "$n"); do [ "$k" = "$j" ] || peers="$peers --peer http://$SUBNET.$((20 + k)):8080"; done
    fi
    # The agent serves this member's chunks (also while it fetches: the pending manifest); the fetch waits for the go.
    docker create --name ${PREFIX}m$j --network $NETWORK --ip $SUBNET.$((20 + j)) -v "$go":/go:ro $IMAGE /bin/sh -c "
       $JVM node --config /etc/meshboot/agent.yaml >/tmp/agent.log 2>&1 &
       i=0; until grep -q 'meshboot node: serving' /tmp/agent.log; do
         i=\$((i + 1)); [ \$i -lt 600 ] && kill -0 \$! 2>/dev/null || { echo AGENT-FAILED; cat /tmp/agent.log; exit 1; }; sleep 0.2
       done
       echo AGENT-UP
       until [ -e /go/start ]; do sleep 0.05; done
       echo FETCH-GO \$(cut -d' ' -f1 /proc/uptime)
       if $JVM image fetch $ID --store /var/lib/meshboot/store --trust /etc/meshboot/key.pub ${PER_PEER:+--per-peer=$PER_PEER} $peers; then
         echo FETCH-DONE \$(cut -d' ' -f1 /proc/uptime); wait
       else
         echo FETCH-FAILED; exit 1
       fi" >/dev/null
    agent_yaml $SUBNET.$((20 + j)) > "$WORK/agent-m$j.yaml"
    docker cp "$WORK/agent-m$j.yaml" ${PREFIX}m$j:/etc/meshboot/agent.yaml
    docker cp "$WORK/cluster.yaml" ${PREFIX}m$j:/etc/meshboot/cluster.yaml
    docker cp "$WORK/key.pub" ${PREFIX}m$j:/etc/meshboot/key.pub
  done
  for j in $(seq 1 "$n"); do docker start ${PREFIX}m$j >/dev/null; shape ${PREFIX}m$j; done
  wait_log ${PREFIX}origin 'meshboot node: serving' 120
  for j in $(seq 1 "$n"); do wait_log ${PREFIX}m$j AGENT-UP 120; done

  cpu0=$(cpu_busy_jiffies)
  ocpu0=$(cpu_ns ${PREFIX}origin); mcpu0=0
  for j in $(seq 1 "$n"); do mcpu0=$((mcpu0 + $(cpu_ns ${PREFIX}m$j))); done
  otx0=$(cat /sys/class/net/"$(veth_of ${PREFIX}origin)"/statistics/rx_bytes) # the origin's sending = its veth's receiving
  start=$(uptime_s)
  touch "$go/start"
  for j in $(seq 1 "$n"); do
    while :; do
      log=$(docker logs ${PREFIX}m$j 2>&1 || true)
      case $log in *FETCH-DONE*) break ;; esac
      if [ "$(docker inspect -f '{{.State.Running}}' ${PREFIX}m$j)" != true ] \
          || awk "BEGIN{exit !($(uptime_s) - $start > 10 * $n * $FLOOR + 300)}"; then
        fail="member $j stopped or timed out without the snapshot"; break 2
      fi
      sleep 0.5
    done
  done
  # Read at once (a failed run has no use for them, and a vanished container reads as 0).
  cpu1=$(cpu_busy_jiffies)
  ocpu=$(( $(cpu_ns ${PREFIX}origin) - ocpu0 )); mcpu=$((-mcpu0))
  for j2 in $(seq 1 "$n"); do mcpu=$((mcpu + $(cpu_ns ${PREFIX}m$j2))); done
  otx=$(( $(cat /sys/class/net/"$(veth_of ${PREFIX}origin 2>/dev/null)"/statistics/rx_bytes 2>/dev/null || echo "$otx0") - otx0 ))
  if [ -n "$KEEP_LOGS" ]; then
    mkdir -p "$KEEP_LOGS"
    for c in origin $(seq -f m%g 1 "$n"); do
      docker logs ${PREFIX}$c > "$KEEP_LOGS/n$n-$mode-$c.log" 2>&1 || true
      [ $c = origin ] || docker cp ${PREFIX}$c:/tmp/agent.log - 2>/dev/null | tar -xO > "$KEEP_LOGS/n$n-$mode-$c-agent.log" || true
      # With BENCH_JAVA_OPTS (e.g. a flight recording), what the JVMs wrote to /tmp too.
      [ -z "${BENCH_JAVA_OPTS:-}" ] || docker cp ${PREFIX}$c:/tmp/. "$KEEP_LOGS/tmp-n$n-$mode-$c" 2>/dev/null || true
    done
  fi
  if [ -n "$fail" ]; then
    echo "N=$n $mode: $fail; its log:" >&2; docker logs ${PREFIX}m$j >&2 || true
    docker cp ${PREFIX}m$j:/tmp/agent.log - 2>/dev/null | tar -xO | tail -50 >&2 || true
    exit 1
  fi
  end=$start; outside=0
  for j in $(seq 1 "$n"); do
    log=$(docker logs ${PREFIX}m$j 2>&1)
    done_at=$(sed -n 's/^FETCH-DONE //p' <<<"$log")
    end=$(awk "BEGIN{print ($done_at > $end) ? $done_at : $end}")
    # "snapshot ID complete: K chunks fetched in T s from {10.99.9.10:8080=a, 10.99.9.22:8080=b}"
    t=$(sed -n 's/.* chunks fetched in \([0-9.]*\) s from.*/\1/p' <<<"$log")
    fetch_s="$fetch_s $t"
    # Outside the fetch loop: JVM start-up, the manifest, the wait for the go file (<= 0.05 s).
    outside=$(awk -v d="$done_at" -v g="$(sed -n 's/^FETCH-GO //p' <<<"$log")" -v t="$t" -v o="$outside" \
      'BEGIN { x = d - g - t; print (x > o) ? x : o }')
    read -r a b <<<"$(sed -n '/ chunks fetched in /p' <<<"$log" | awk -v origin="$SUBNET.10:8080" '{
      s = $0; while (match(s, /[0-9.]+:[0-9]+=[0-9]+/)) { kv = substr(s, RSTART, RLENGTH); s = substr(s, RSTART + RLENGTH)
        split(kv, x, "="); if (x[1] == origin) o += x[2]; else m += x[2] } } END { print o + 0, m + 0 }')"
    from_origin=$((from_origin + a)); from_members=$((from_members + b))
  done
  awk "BEGIN{t=$end-$start; printf \"N=%d %-6s %7.1f s  floor %6.1f s  ratio %5.2f\\n\", $n, \"$mode\", t, $FLOOR, t/$FLOOR}"
  awk -v c0="$cpu0" -v c1="$cpu1" -v ocpu="$ocpu" -v mcpu="$mcpu" -v otx="$otx" -v wire="$WIRE" -v fo="$from_origin" \
      -v fm="$from_members" -v fs="$fetch_s" -v out="$outside" -v t="$(awk "BEGIN{print $end-$start}")" 'BEGIN{
    split(c0, a, " "); split(c1, b, " ");
    printf "      host CPU busy %3.0f%%; CPU s: origin %.1f, members %.1f; origin sent %.2f x the snapshot; chunks from origin %d, from members %d; each fetch loop (s):%s; JVM start-up + manifest <= %.1f s\n",
      100 * (b[1] - a[1]) / (b[2] - a[2]), ocpu / 1e9, mcpu / 1e9, otx / wire, fo, fm, fs, out }'
  remove_containers
}

run_mesh() { # $1 = N: the agents replicate the snapshot themselves once it is published
  local n=$1 j c i ip a b start end cpu0 cpu1 ocpu0 mcpu0 ocpu mcpu otx0 otx line fail="" left musys musys0
  local from_origin=0 from_members=0 fetch_ms=""
  remove_containers
  for j in $(seq 0 "$n"); do
    if [ "$j" = 0 ]; then c=origin; ip=$SUBNET.10; else c=m$j; ip=$SUBNET.$((20 + j)); fi
    docker create --name ${PREFIX}$c --network $NETWORK --ip $ip $IMAGE /bin/sh -c \
      "exec $JVM node --config /etc/meshboot/agent.yaml" >/dev/null
    mesh_yaml $ip $c $([ "$j" = 0 ] && echo 1 || echo 0) > "$WORK/mesh-$c.yaml"
    docker cp "$WORK/mesh-$c.yaml" ${PREFIX}$c:/etc/meshboot/agent.yaml
    docker cp "$WORK/cluster.yaml" ${PREFIX}$c:/etc/meshboot/cluster.yaml
    docker cp "$WORK/cluster.secret" ${PREFIX}$c:/etc/meshboot/cluster.secret
    [ "$j" = 0 ] && docker cp "$WORK/origin-store" ${PREFIX}origin:/var/lib/meshboot/store
    docker start ${PREFIX}$c >/dev/null
    shape ${PREFIX}$c
  done
  for j in $(seq 0 "$n"); do [ "$j" = 0 ] && c=origin || c=m$j; wait_log ${PREFIX}$c 'meshboot node: serving' 120; done
  for i in $(seq 1 121); do
    [ "$(docker exec ${PREFIX}origin $JVM status --json 2>/dev/null | grep -o '"http"' | wc -l)" = $((n + 1)) ] && break
    [ "$i" -lt 121 ] || { echo "N=$n mesh: the $((n + 1)) agents never formed one view" >&2; docker logs ${PREFIX}origin 2>&1 | tail -30 >&2; exit 1; }
    sleep 1
  done
  docker exec ${PREFIX}origin $JVM image publish $WARM_ID >/dev/null
  for j in $(seq 1 "$n"); do
    for i in $(seq 1 601); do
      docker logs ${PREFIX}m$j 2>&1 | grep -q "snapshot $WARM_ID replicated" && break
      [ "$i" -lt 601 ] || { echo "N=$n mesh: m$j never replicated the warm-up snapshot" >&2; docker logs ${PREFIX}m$j 2>&1 | tail -30 >&2; exit 1; }
      sleep 0.2
    done
  done
  cpu0=$(cpu_busy_jiffies)
  ocpu0=$(cpu_ns ${PREFIX}origin); mcpu0=0
  for j in $(seq 1 "$n"); do mcpu0=$((mcpu0 + $(cpu_ns ${PREFIX}m$j))); done
  musys0=$(for j in $(seq 1 "$n"); do cpu_us ${PREFIX}m$j; done | awk '{u += $1; s += $2} END {print u, s}')
  otx0=$(cat /sys/class/net/"$(veth_of ${PREFIX}origin)"/statistics/rx_bytes)
  docker exec ${PREFIX}origin $JVM image publish $ID >/dev/null
  start=$(uptime_s)
  declare -A seen=()
  left=$n; end=$start
  while [ "$left" -gt 0 ]; do
    for j in $(seq 1 "$n"); do
      [ -n "${seen[$j]:-}" ] && continue
      if docker logs ${PREFIX}m$j 2>&1 | grep -q "snapshot $ID replicated"; then
        seen[$j]=1; left=$((left - 1)); end=$(uptime_s)
      fi
    done
    if awk "BEGIN{exit !($(uptime_s) - $start > 10 * $n * $FLOOR + 300)}"; then fail="not every member replicated it in time"; break; fi
    [ "$left" -gt 0 ] && sleep 0.2
  done
  cpu1=$(cpu_busy_jiffies)
  ocpu=$(( $(cpu_ns ${PREFIX}origin) - ocpu0 )); mcpu=$((-mcpu0))
  for j in $(seq 1 "$n"); do mcpu=$((mcpu + $(cpu_ns ${PREFIX}m$j))); done
  musys=$(for j in $(seq 1 "$n"); do cpu_us ${PREFIX}m$j; done | awk -v z="$musys0" '{u += $1; s += $2}
    END {split(z, b, " "); printf "%.1f user + %.1f system", u - b[1], s - b[2]}')
  otx=$(( $(cat /sys/class/net/"$(veth_of ${PREFIX}origin)"/statistics/rx_bytes) - otx0 ))
  if [ -n "$KEEP_LOGS" ]; then
    mkdir -p "$KEEP_LOGS"
    for c in origin $(seq -f m%g 1 "$n"); do
      docker logs ${PREFIX}$c > "$KEEP_LOGS/n$n-mesh-$c.log" 2>&1 || true
      # With BENCH_JAVA_OPTS: a graceful stop lets the agent's JVM write its recording, then /tmp is copied out.
      if [ -n "${BENCH_JAVA_OPTS:-}" ]; then
        docker stop -t 20 ${PREFIX}$c >/dev/null 2>&1 || true
        docker cp ${PREFIX}$c:/tmp/. "$KEEP_LOGS/tmp-n$n-mesh-$c" 2>/dev/null || true
      fi
    done
  fi
  [ -z "$fail" ] || { echo "N=$n mesh: $fail" >&2; for j in $(seq 1 "$n"); do docker logs ${PREFIX}m$j 2>&1 | tail -20 >&2; done; exit 1; }
  for j in $(seq 1 "$n"); do
    # "snapshot ID replicated: K chunks in T ms from {origin=a, m2=b}"
    line=$(docker logs ${PREFIX}m$j 2>&1 | grep "snapshot $ID replicated" | tail -1)
    fetch_ms="$fetch_ms $(sed -n 's/.* chunks in \([0-9,]*\) ms from.*/\1/p' <<<"$line" | tr -d ,)"
    read -r a b <<<"$(awk '{ s = $0; while (match(s, /[A-Za-z0-9]+=[0-9,]+/)) { kv = substr(s, RSTART, RLENGTH)
        s = substr(s, RSTART + RLENGTH); split(kv, x, "="); gsub(",", "", x[2]); if (x[1] == "origin") o += x[2]; else m += x[2] } }
        END { print o + 0, m + 0 }' <<<"${line#*from}")"
    from_origin=$((from_origin + a)); from_members=$((from_members + b))
  done
  awk "BEGIN{t=$end-$start; printf \"N=%d %-6s %7.1f s  floor %6.1f s  ratio %5.2f\\n\", $n, \"mesh\", t, $FLOOR, t/$FLOOR}"
  awk -v c0="$cpu0" -v c1="$cpu1" -v ocpu="$ocpu" -v mcpu="$mcpu" -v otx="$otx" -v wire="$WIRE" -v fo="$from_origin" \
      -v fm="$from_members" -v fs="$fetch_ms" -v us="$musys" 'BEGIN{
    split(c0, a, " "); split(c1, b, " ");
    printf "      host CPU busy %3.0f%%; CPU s: origin %.1f, members %.1f; origin sent %.2f x the snapshot; chunks from origin %d, from members %d; each member'"'"'s pull (ms):%s; members %s\n",
      100 * (b[1] - a[1]) / (b[2] - a[2]), ocpu / 1e9, mcpu / 1e9, otx / wire, fo, fm, fs, us }'
  remove_containers
}

echo "== runs (each member's link: $RATE_MBIT Mbit/s each way; image fetch --per-peer ${PER_PEER:-default})"
for n in $NS; do
  for mode in $MODES; do
    if [ "$mode" = mesh ]; then run_mesh "$n"; else run "$n" "$mode"; fi
  done
done
