#!/usr/bin/env bash
# Stop the nodes that start.sh started from OS_BASE_DIR (default <this dir>/run): only the PIDs it recorded,
# and only while that PID is still a launcher JVM for a node home inside OS_BASE_DIR (a reused PID, or a
# cluster started from another run dir, is never touched). SIGTERM first, SIGKILL after 30 s.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
BASE=${OS_BASE_DIR:-$HERE/run}
[ -d "$BASE" ] || { echo "[stop] stopped 0 node(s) (no $BASE)"; exit 0; }
BASE=$(cd "$BASE" && pwd)
ours() {  # ours PID NODE_HOME
  kill -0 "$1" 2>/dev/null &&
    tr '\0' '\n' < "/proc/$1/cmdline" 2>/dev/null | grep -qxF -e "$2" &&
    tr '\0' '\n' < "/proc/$1/cmdline" 2>/dev/null | grep -qxF 'searchkit.opensearch.OpenSearchLauncher'
}
pids=(); homes=()
for f in "$BASE"/node-*/pid; do
  [ -f "$f" ] || continue
  pid=$(cat "$f"); home=$(dirname "$f"); rm -f "$f"
  if ours "$pid" "$home"; then kill -TERM "$pid"; pids+=("$pid"); homes+=("$home"); fi
done
for _ in $(seq 1 30); do
  alive=0
  for k in "${!pids[@]}"; do ours "${pids[$k]}" "${homes[$k]}" && alive=1; done
  [ "$alive" = 0 ] && break; sleep 1
done
for k in "${!pids[@]}"; do ours "${pids[$k]}" "${homes[$k]}" && kill -KILL "${pids[$k]}"; done
if [ -f "$BASE/watchdog.pid" ]; then  # start.sh's watchdog, unless it is the one running this script
  w=$(cat "$BASE/watchdog.pid"); rm -f "$BASE/watchdog.pid"
  if [ "$w" != "$PPID" ] && [ "$w" != "$$" ] && tr '\0' '\n' < "/proc/$w/cmdline" 2>/dev/null | grep -qxF searchkit-os-watchdog; then
    kill -TERM "$w" 2>/dev/null
  fi
fi
rm -f "$BASE/cluster.env"
echo "[stop] stopped ${#pids[@]} node(s)"
