#!/usr/bin/env bash
# Soak test: a fresh server on a free loopback port, then `loadgen soak` — a
# bounded mix of every RPC (cancelled streams, bad requests, ingest of new,
# duplicate and bad items, watches opened and dropped) — for SECONDS.
#
#   scripts/soak.sh [SECONDS]        # default 180
#
# Reports outcomes by gRPC code, latency percentiles per RPC and the server's
# RSS (VmRSS from /proc) at start and end. Fails if any outcome was not the
# one its request should get (only the intended INVALID_ARGUMENT / NOT_FOUND /
# RESOURCE_EXHAUSTED of bad requests and items, and the client's own
# cancellations, are expected), if the server stopped SERVING or lost
# articles, or if its RSS grew beyond the bound:
#
#   end RSS <= start RSS + 3 x (bytes of article text ingested) + 64 MB
#
# Env: SOAK_PROFILE=release|debug (default release)
#      SOAK_CONCURRENCY (default 8), SOAK_CONNECTIONS (default 2)
#      SOAK_OUT (default target/soak): server log and JSON summary
#      CARGO_TARGET_DIR honoured
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
export PATH="$HOME/.cargo/bin:$PATH"
seconds=${1:-180}
profile=${SOAK_PROFILE:-release}
target_dir=${CARGO_TARGET_DIR:-$root/target}
out=${SOAK_OUT:-$target_dir/soak}
mkdir -p "$out"

case "$profile" in
  release) cargo build --release --bin newscorpus --bin loadgen ;;
  debug) cargo build --bin newscorpus --bin loadgen ;;
  *) echo "SOAK_PROFILE must be release or debug" >&2; exit 2 ;;
esac
bin=$target_dir/$profile

log=$out/server.log
RUST_LOG=info "$bin/newscorpus" serve --addr 127.0.0.1:0 --corpus seeds --log-format json \
  >/dev/null 2>"$log" &
server=$!
cleanup() { kill "$server" 2>/dev/null || true; }
trap cleanup EXIT

addr=
for _ in $(seq 600); do
  kill -0 "$server" 2>/dev/null || { echo "server exited during start-up:" >&2; cat "$log" >&2; exit 1; }
  [ -z "$addr" ] && addr=$(grep '"listening"' "$log" | grep -o '"addr":"[^"]*"' | head -1 | cut -d'"' -f4 || true)
  if [ -n "$addr" ] && grep -q '"message":"ready"' "$log"; then break; fi
  sleep 0.1
done
[ -n "$addr" ] && grep -q '"message":"ready"' "$log" || { echo "server not ready after 60 s" >&2; exit 1; }

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
hwm_kb() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status"; }
rss_start=$(rss_kb "$server")
echo "server pid $server on $addr ($profile build), RSS at start $((rss_start / 1024)) MB; soaking for ${seconds}s"

rc=0
"$bin/loadgen" soak --target "$addr" --duration-secs "$seconds" \
  --concurrency "${SOAK_CONCURRENCY:-8}" --connections "${SOAK_CONNECTIONS:-2}" \
  --server-pid "$server" --report-every-secs "${SOAK_REPORT_SECS:-15}" --json "$out/soak.json" | tee "$out/soak.txt" || rc=$?

kill -0 "$server" 2>/dev/null || { echo "FAIL: the server died during the soak" >&2; exit 1; }
rss_end=$(rss_kb "$server")
hwm=$(hwm_kb "$server")
ingested=$(sed -n 's/^SOAK .*ingested_bytes=\([0-9]*\).*/\1/p' "$out/soak.txt")
ingested=${ingested:-0}
bound_kb=$((rss_start + 3 * ingested / 1024 + 64 * 1024))
echo
echo "server RSS: start $((rss_start / 1024)) MB, end $((rss_end / 1024)) MB, peak $((hwm / 1024)) MB;" \
  "article text ingested $((ingested / 1024 / 1024)) MB; bound $((bound_kb / 1024)) MB"

"$bin/newscorpus" healthcheck --addr "$addr" >/dev/null || { echo "FAIL: not SERVING after the soak" >&2; rc=1; }
if [ "$rss_end" -gt "$bound_kb" ]; then
  echo "FAIL: RSS grew beyond the bound" >&2
  rc=1
fi
# Graceful stop: SIGTERM, exit 0 within the drain time.
kill -TERM "$server"
stopped=
for _ in $(seq 300); do
  if ! kill -0 "$server" 2>/dev/null; then stopped=1; break; fi
  sleep 0.1
done
if [ -z "$stopped" ]; then
  echo "FAIL: server still running 30 s after SIGTERM" >&2
  rc=1
elif ! wait "$server"; then
  echo "FAIL: server exited non-zero after SIGTERM" >&2
  rc=1
fi
trap - EXIT
[ "$rc" -eq 0 ] && echo "soak: PASS" || echo "soak: FAIL (see $out/)"
exit "$rc"
