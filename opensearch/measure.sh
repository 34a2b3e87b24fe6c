#!/usr/bin/env bash
# Figures for the README: cold download + build from an EMPTY local Maven repository (like a fresh CI
# machine), warm offline rebuild, boot of N nodes to green, RSS per node after boot and after smoke.sh.
# Uses its own run dir and ports (OS_HTTP_PORT, default 9250) so a running dev cluster is not disturbed.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd); cd "$HERE"
TMP=$(mktemp -d); REPO=${1:-$TMP/m2}
export OS_BASE_DIR=${OS_BASE_DIR:-$HERE/run-measure} OS_HTTP_PORT=${OS_HTTP_PORT:-9250} OS_TRANSPORT_PORT=${OS_TRANSPORT_PORT:-9350}
rm -rf "$REPO" target
t=$SECONDS; mvn -B -q -Dmaven.repo.local="$REPO" compile; touch target/.built
echo "cold download + build: $((SECONDS - t)) s; local repo $(du -sh "$REPO" | cut -f1); runtime jars $(du -sh target/lib | cut -f1) in $(ls target/lib | wc -l) files"
touch src/main/java/searchkit/opensearch/OpenSearchLauncher.java
t=$SECONDS; mvn -B -q -o -Dmaven.repo.local="$REPO" compile; touch target/.built
echo "warm rebuild (offline): $((SECONDS - t)) s"
trap 'bash "$HERE/stop.sh"; rm -rf "$OS_BASE_DIR" "$TMP"' EXIT
bash start.sh
rss() { for f in "$OS_BASE_DIR"/node-*/pid; do echo "$1 $(basename "$(dirname "$f")"): $(grep VmRSS "/proc/$(cat "$f")/status")"; done; }
rss "after boot"
OPENSEARCH_URL=http://127.0.0.1:$OS_HTTP_PORT bash smoke.sh > /dev/null
rss "after smoke.sh"
