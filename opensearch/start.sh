#!/usr/bin/env bash
# Start an N-node OpenSearch cluster on 127.0.0.1 from Maven Central jars (no tarball, no Docker).
# Builds once if needed (offline when the local Maven repository already has the jars), starts one JVM
# per node in the background with its own data folder, waits for green, prints the URL.
# Env: OS_NODES (3)  OS_HTTP_PORT (9200)  OS_TRANSPORT_PORT (9300)  OS_CLUSTER_NAME (searchkit-dev)
#      OS_BASE_DIR (<this dir>/run, git-ignored)  OS_HEAP (512m)  OS_START_TIMEOUT (300 s)
#      OS_KEEP_DATA (0)  OS_MVN_FLAGS (e.g. "-Dmaven.repo.local=$PWD/m2")  OS_JAVA_OPTS  JAVA (java)
#      OS_WATCH_PID (stop the cluster once that process is gone: a test session killed mid-way leaves no JVM)
#      OS_NODE=K: restart only node K (0-based) of the running cluster in OS_BASE_DIR, with its data kept
#      (after it was killed or stopped), and wait until all OS_NODES nodes are back and green
# Exit codes: 0 green; 1 the cluster did not come up (ports taken, a node died, timeout); 2 bad setup.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
N=${OS_NODES:-3}
HTTP=${OS_HTTP_PORT:-9200}
TRANSPORT=${OS_TRANSPORT_PORT:-9300}
CLUSTER=${OS_CLUSTER_NAME:-searchkit-dev}
BASE=${OS_BASE_DIR:-$HERE/run}
HEAP=${OS_HEAP:-512m}
TIMEOUT=${OS_START_TIMEOUT:-300}
JAVA=${JAVA:-java}
MAIN=searchkit.opensearch.OpenSearchLauncher
case "$BASE" in ""|/) echo "[start] refusing OS_BASE_DIR='$BASE'" >&2; exit 2;; esac
case "$N" in ''|*[!0-9]*|0) echo "[start] OS_NODES must be a positive number, got '$N'" >&2; exit 2;; esac
ONLY=${OS_NODE:-}
if [ -n "$ONLY" ]; then
  case "$ONLY" in *[!0-9]*) echo "[start] OS_NODE must be a node number, got '$ONLY'" >&2; exit 2;; esac
  [ "$ONLY" -lt "$N" ] || { echo "[start] OS_NODE=$ONLY but the cluster has $N node(s)" >&2; exit 2; }
  [ -f "${OS_BASE_DIR:-$HERE/run}/node-$ONLY/config/opensearch.yml" ] ||
    { echo "[start] no node-$ONLY in ${OS_BASE_DIR:-$HERE/run} to restart (start the cluster first)" >&2; exit 2; }
  STARTING=$ONLY
else
  STARTING=$(seq 0 $((N - 1)))
fi
command -v "$JAVA" >/dev/null || { echo "[start] java not found (install JDK 17)" >&2; exit 2; }
command -v curl >/dev/null || { echo "[start] curl not found" >&2; exit 2; }
BASE=$(mkdir -p "$BASE" && cd "$BASE" && pwd)

# 1. Build (target/classes + target/lib) unless up to date: offline first, Maven Central if jars are missing.
if [ ! -f "$HERE/target/.built" ] || [ -n "$(find "$HERE/pom.xml" "$HERE/src" -newer "$HERE/target/.built" -print -quit)" ]; then
  command -v mvn >/dev/null || { echo "[start] mvn not found (install Maven 3.8+)" >&2; exit 2; }
  echo "[start] building with Maven ..."
  t=$SECONDS
  rm -rf "$HERE/target/lib" "$HERE/target/classes"
  # shellcheck disable=SC2086
  if ! (cd "$HERE" && mvn -B -q -o -Dstyle.color=never ${OS_MVN_FLAGS:-} compile >/dev/null 2>&1); then
    (cd "$HERE" && mvn -B -q -Dstyle.color=never ${OS_MVN_FLAGS:-} compile) || { echo "[start] Maven build failed" >&2; exit 2; }
  fi
  touch "$HERE/target/.built"
  echo "[start] build took $((SECONDS - t)) s"
fi

# 2. Ports must be free (this also refuses a second start while this cluster is running).
for i in $STARTING; do
  for p in $((HTTP + i)) $((TRANSPORT + i)); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "[start] port $p is already in use" >&2; exit 1; fi
  done
done

# 3. One home per node, one JVM per node.
seeds=""; names=""
for i in $(seq 0 $((N - 1))); do
  seeds+="${seeds:+, }\"127.0.0.1:$((TRANSPORT + i))\""; names+="${names:+, }\"node-$i\""
done
JVM_FLAGS="-Xms$HEAP -Xmx$HEAP -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:-OmitStackTraceInFastThrow \
 -Djava.locale.providers=SPI,COMPAT -Dio.netty.noUnsafe=true -Dio.netty.noKeySetOptimization=true \
 -Dio.netty.recycler.maxCapacityPerThread=0 -Dlog4j.shutdownHookEnabled=false -Dlog4j2.disable.jmx=true"
t0=$SECONDS
[ -n "$ONLY" ] || rm -f "$BASE/cluster.env"
for i in $STARTING; do
  home="$BASE/node-$i"
  [ "${OS_KEEP_DATA:-0}" = 1 ] || [ -n "$ONLY" ] || rm -rf "$home"
  mkdir -p "$home/config" "$home/data" "$home/logs"
  {
    echo "cluster.name: $CLUSTER"
    echo "node.name: node-$i"
    echo "network.host: 127.0.0.1"
    echo "http.port: $((HTTP + i))"
    echo "transport.port: $((TRANSPORT + i))"
    echo "path.data: $home/data"
    echo "path.logs: $home/logs"
    # a nearly full CI disk would otherwise leave replicas unassigned (yellow) or indices read-only
    echo "cluster.routing.allocation.disk.threshold_enabled: false"
    if [ "$N" -eq 1 ]; then
      echo "discovery.type: single-node"
    else
      echo "discovery.seed_hosts: [$seeds]"
      echo "cluster.initial_cluster_manager_nodes: [$names]"
    fi
  } > "$home/config/opensearch.yml"
  # shellcheck disable=SC2086
  nohup "$JAVA" $JVM_FLAGS ${OS_JAVA_OPTS:-} -cp "$HERE/target/classes:$HERE/target/lib/*" \
    "$MAIN" "$home" > "$home/logs/stdout.log" 2>&1 < /dev/null &
  echo $! > "$home/pid"
done

# 4. Optional watchdog: stops these nodes when OS_WATCH_PID exits (stop.sh ends the watchdog too).
if [ -n "${OS_WATCH_PID:-}" ] && [ -z "$ONLY" ]; then
  nohup bash -c 'while kill -0 "$1" 2>/dev/null; do sleep 2; done; OS_BASE_DIR="$2" bash "$3/stop.sh"' \
    searchkit-os-watchdog "$OS_WATCH_PID" "$BASE" "$HERE" > "$BASE/watchdog.log" 2>&1 < /dev/null &
  echo $! > "$BASE/watchdog.pid"
fi

# 5. Wait for all N nodes and green. Giving up stops what this run started: the whole cluster, or in
#    restart mode (OS_NODE) only the restarted node, never the nodes that were already running.
give_up() {
  if [ -n "$ONLY" ]; then
    pid=$(cat "$BASE/node-$ONLY/pid" 2>/dev/null) && kill -KILL "$pid" 2>/dev/null; rm -f "$BASE/node-$ONLY/pid"
  else
    OS_BASE_DIR="$BASE" bash "$HERE/stop.sh" >/dev/null 2>&1 || true
  fi
  exit 1
}
URL="http://127.0.0.1:$((HTTP + ${ONLY:-0}))"  # in restart mode, ask the restarted node (node-0 may be the dead one)
until curl -fsS "$URL/_cluster/health?wait_for_nodes=$N&wait_for_status=green&timeout=2s" 2>/dev/null | grep -Eq '"status" *: *"green"'; do
  for i in $STARTING; do
    if ! kill -0 "$(cat "$BASE/node-$i/pid")" 2>/dev/null; then
      echo "[start] node-$i died; last log lines:" >&2; tail -n 40 "$BASE/node-$i/logs/stdout.log" >&2
      give_up
    fi
  done
  if [ $((SECONDS - t0)) -ge "$TIMEOUT" ]; then
    echo "[start] not green after $TIMEOUT s" >&2; tail -n 20 "$BASE"/node-*/logs/stdout.log >&2
    give_up
  fi
  sleep 1
done
if [ -n "$ONLY" ]; then
  echo "[start] node-$ONLY restarted; $N node(s) green after $((SECONDS - t0)) s"; exit 0
fi
URL="http://127.0.0.1:$HTTP"
hosts=""; for i in $(seq 0 $((N - 1))); do hosts+="${hosts:+,}http://127.0.0.1:$((HTTP + i))"; done
printf 'SEARCHKIT_OPENSEARCH_URL=%s\nOPENSEARCH_URL=%s\nOPENSEARCH_HOSTS=%s\nSEARCHKIT_OPENSEARCH_RUN_DIR=%s\n' \
  "$URL" "$URL" "$hosts" "$BASE" > "$BASE/cluster.env"
echo "[start] $N node(s) green after $((SECONDS - t0)) s (stop with: OS_BASE_DIR=$BASE bash $HERE/stop.sh)"
echo "SEARCHKIT_OPENSEARCH_URL=$URL"
