#!/usr/bin/env bash
# Scale benchmark: generate an N-article JSON Lines corpus, load it into a
# release server (load time and resident memory), then drive it with the load
# generator against the bare tonic echo baseline.
#
# usage: scripts/bench.sh [N] [loadgen run options...]
#   N defaults to 100000. Results go to target/bench/ (or $CARGO_TARGET_DIR/bench/).
#   BENCH_PROFILE=debug uses debug binaries (CI smoke runs at tiny N).
set -euo pipefail
# shellcheck source=scripts/bench_common.sh
source "$(dirname "$0")/bench_common.sh"
shift || true
raw_bytes=$(stat -c %s "$corpus")
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
log=$out/server-$n.log
: >"$log"  # the readiness check must not read an old run's log
echo "== loading $corpus ($raw_bytes bytes) into $bin/newscorpus on port $port"
"$bin/newscorpus" serve --corpus "$corpus" --addr "127.0.0.1:$port" --log-format json 2>"$log" &
pid=$!
trap 'kill -TERM $pid 2>/dev/null || true; wait $pid 2>/dev/null || true' EXIT
deadline=$((SECONDS + ${BENCH_LOAD_TIMEOUT:-1800}))
until grep -q '"message":"ready"' "$log"; do
  if ! kill -0 $pid 2>/dev/null; then echo "server died:"; tail -20 "$log"; exit 1; fi
  if [ $SECONDS -gt $deadline ]; then echo "load timed out"; exit 1; fi
  sleep 1
done
load_ms=$(grep '"message":"corpus loaded"' "$log" | python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["elapsed_ms"])')
rss_kb() { awk '/^VmRSS/ {print $2}' /proc/$pid/status; }
hwm_kb() { awk '/^VmHWM/ {print $2}' /proc/$pid/status; }
rss_loaded=$(rss_kb)
echo "load: ${load_ms} ms for $n articles; RSS ${rss_loaded} kB (peak $(hwm_kb) kB); raw corpus ${raw_bytes} B; RSS/raw = $(python3 -c "print(round($rss_loaded*1024/$raw_bytes, 2))")"
"$bin/loadgen" run --target "127.0.0.1:$port" --json "$out/loadgen-$n.json" "$@"
rss_end=$(rss_kb)
echo "RSS after load generation: ${rss_end} kB (peak $(hwm_kb) kB)"
kill -TERM $pid
wait $pid
trap - EXIT
echo "server exited cleanly after SIGTERM"
python3 - "$out/summary-$n.json" <<PY
import json, sys
json.dump({"articles": $n, "raw_bytes": $raw_bytes, "load_ms": $load_ms,
           "rss_loaded_kb": $rss_loaded, "rss_end_kb": $rss_end}, open(sys.argv[1], "w"), indent=1)
PY
