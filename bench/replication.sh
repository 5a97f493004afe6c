#!/bin/bash
# Peer-to-peer snapshot replication against one server sending N copies, in containers whose links are each shaped
# to RATE_MBIT by tc (rate shaping works on this kernel; netem does not), so that the two cores measure the swarm and
# not themselves. Prints, for each N, the time for all N members to hold the snapshot verified, the floor
# (the snapshot's wire bytes / one link's rate) and the ratios.
#
#   bash bench/replication.sh                 # 500 MB tree, N = 2 4 8, 50 Mbit/s
#   SIZE_MB=100 NS="2 4" bash bench/replication.sh
#
# Needs root, Docker (started like .ci/test does), iproute2 (tc, nsenter from util-linux).
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE_MB=${SIZE_MB:-500}
RATE_MBIT=${RATE_MBIT:-50}
NS=${NS:-"2 4 8"}
MODES=${MODES:-"swarm single"}
JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
export JAVA_HOME
WORK=$(mktemp -d /tmp/meshboot-bench-repl.XXXX)
BRIDGE=mbbench0
SUBNET=10.99.9
IMAGE=meshboot-agent:bench
PREFIX=meshboot-bench-

cleanup() {
  docker rm -f $(docker ps -aq --filter name=$PREFIX) >/dev/null 2>&1 || true
  docker network rm mbbench >/dev/null 2>&1 || true
  iptables -D DOCKER-USER -i $BRIDGE -o $BRIDGE -j ACCEPT 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

echo "== building meshboot and the agent image"
./mvnw -q -B -ntp install -DskipTests
ctx=$WORK/image; root=$ctx/rootfs; mkdir -p "$root"/{bin,app,tmp,etc/meshboot,srv/meshboot/tftp,srv/meshboot/boot,var/lib/meshboot}
chmod 1777 "$root/tmp"
"$JAVA_HOME/bin/jlink" --add-modules java.base,java.desktop,java.logging,java.management,java.naming,java.net.http,java.sql,java.xml,jdk.jfr,jdk.unsupported,jdk.naming.dns \
  --output "$root/jre" --strip-debug --no-header-files --no-man-pages --generate-cds-archive
for f in "$root/jre/bin/java" $(find "$root/jre/lib" -name '*.so'); do
  LD_LIBRARY_PATH=$root/jre/lib:$root/jre/lib/server ldd "$f" | grep -o '/[^ ]*' | grep -v "^$root" || true
done | sort -u | while read -r lib; do mkdir -p "$root$(dirname "$lib")"; cp -L "$lib" "$root$lib"; done
cp /bin/busybox "$root/bin/busybox"
cp node/target/meshboot.jar "$root/app/meshboot.jar"
cat > "$ctx/Dockerfile" <<'EOF'
FROM scratch
COPY rootfs/ /
RUN ["/bin/busybox", "--install", "-s", "/bin"]
ENV PATH=/bin:/jre/bin LC_ALL=C.UTF-8
EOF
docker build -q -t $IMAGE "$ctx" >/dev/null

echo "== a ${SIZE_MB} MB tree of real files (from /usr), snapshotted"
tree=$WORK/tree; mkdir -p "$tree"
budget=$((SIZE_MB * 1024 * 1024))
find /usr/lib /usr/share -xdev -type f -size +4k -size -20M -printf '%s %p\n' 2>/dev/null | sort -k2 | while read -r size path; do
  [ "$budget" -gt 0 ] || break
  mkdir -p "$tree$(dirname "$path")"; cp -p "$path" "$tree$path" 2>/dev/null || true
  budget=$((budget - size))
done
M="$JAVA_HOME/bin/java --enable-native-access=ALL-UNNAMED -jar node/target/meshboot.jar"
$M key generate --out "$WORK/key" >/dev/null
ID=$($M image build --store "$WORK/origin-store" --key "$WORK/key" --name bench "$tree" | tail -1)
WIRE=$($M image ls --store "$WORK/origin-store" --json | grep -o '"compressedBytes":[0-9]*' | head -1 | cut -d: -f2)
[ -n "$WIRE" ] || WIRE=$(du -sb "$WORK/origin-store/chunks" | cut -f1)
FLOOR=$(awk "BEGIN{printf \"%.1f\", $WIRE * 8 / ($RATE_MBIT * 1000000)}")
echo "snapshot $ID: $WIRE bytes on the wire; floor at $RATE_MBIT Mbit/s = $FLOOR s"

docker network create --internal -o com.docker.network.bridge.name=$BRIDGE --subnet $SUBNET.0/24 mbbench >/dev/null
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

shape() { # $1 = container: both directions of its link at RATE_MBIT
  local pid ifl veth
  pid=$(docker inspect -f '{{.State.Pid}}' "$1")
  ifl=$(nsenter -t "$pid" -n cat /sys/class/net/eth0/iflink)
  veth=$(grep -l "^$ifl\$" /sys/class/net/*/ifindex | cut -d/ -f5)
  tc qdisc replace dev "$veth" root tbf rate ${RATE_MBIT}mbit burst 64kb latency 100ms
  nsenter -t "$pid" -n tc qdisc replace dev eth0 root tbf rate ${RATE_MBIT}mbit burst 64kb latency 100ms
}

run() { # $1 = N, $2 = swarm|single
  local n=$1 mode=$2 j k peers start end
  docker rm -f $(docker ps -aq --filter name=$PREFIX) >/dev/null 2>&1 || true
  docker create --name ${PREFIX}origin --network mbbench --ip $SUBNET.10 $IMAGE \
    /jre/bin/java --enable-native-access=ALL-UNNAMED -XX:+UseSerialGC -jar /app/meshboot.jar node --config /etc/meshboot/agent.yaml >/dev/null
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
    docker create --name ${PREFIX}m$j --network mbbench --ip $SUBNET.$((20 + j)) $IMAGE /bin/sh -c \
      "java --enable-native-access=ALL-UNNAMED -XX:+UseSerialGC -jar /app/meshboot.jar node --config /etc/meshboot/agent.yaml >/tmp/agent.log 2>&1 &
       sleep 2; java --enable-native-access=ALL-UNNAMED -XX:+UseSerialGC -jar /app/meshboot.jar image fetch $ID --store /var/lib/meshboot/store --trust /etc/meshboot/key.pub $peers && echo FETCH-DONE" >/dev/null
    agent_yaml $SUBNET.$((20 + j)) > "$WORK/agent-m$j.yaml"
    docker cp "$WORK/agent-m$j.yaml" ${PREFIX}m$j:/etc/meshboot/agent.yaml
    docker cp "$WORK/cluster.yaml" ${PREFIX}m$j:/etc/meshboot/cluster.yaml
    docker cp "$WORK/key.pub" ${PREFIX}m$j:/etc/meshboot/key.pub
  done
  sleep 3 # the origin's JVM starts
  start=$(date +%s.%N)
  for j in $(seq 1 "$n"); do docker start ${PREFIX}m$j >/dev/null; shape ${PREFIX}m$j; done
  for j in $(seq 1 "$n"); do
    until docker logs ${PREFIX}m$j 2>&1 | grep -q FETCH-DONE; do
      if [ "$(docker inspect -f '{{.State.Running}}' ${PREFIX}m$j)" != true ]; then
        echo "member $j stopped without the snapshot:" >&2; docker logs ${PREFIX}m$j >&2; exit 1
      fi
      sleep 0.5
    done
  done
  end=$(date +%s.%N)
  awk "BEGIN{t=$end-$start; printf \"N=%d %-6s %7.1f s  floor %6.1f s  ratio %5.2f\\n\", $n, \"$mode\", t, $FLOOR, t/$FLOOR}"
}

echo "== runs (each member's link: $RATE_MBIT Mbit/s each way)"
for n in $NS; do for mode in $MODES; do run "$n" "$mode"; done; done
