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
#   end RSS <= start RSS + F x (bytes of article text ingested) + S MB
#
# with F=12 and S=64 by default (see the note by `factor=` below). "start" is measured after a warm-up soak
# (default 20 s, the same mix): the first requests allocate once-only memory
# (the search index writer's arena, runtime and allocator pools) that is not
# growth. The cold RSS is reported too.
#
# Env: SOAK_PROFILE=release|debug (default release)
#      SOAK_WARMUP_SECS (default 20), SOAK_RSS_FACTOR (12), SOAK_RSS_SLACK_MB (64)
#      SOAK_INGEST_WEIGHT (default 3 of ~60; 0 soaks the read paths only)
#      SOAK_CONCURRENCY (default 8), SOAK_CONNECTIONS (default 2)
#      SOAK_OUT (default target/soak): server log and JSON summary
#      SOAK_DURABLE=1: serve with --data-dir (a fresh folder in SOAK_OUT), so
#        every ingest is journaled and fsync'd
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
  release) cargo build --release --workspace --bin newscorpus --bin loadgen ;;
  debug) cargo build --workspace --bin newscorpus --bin loadgen ;;
  *) echo "SOAK_PROFILE must be release or debug" >&2; exit 2 ;;
esac
bin=$target_dir/$profile

log=$out/server.log
: >"$log"  # the readiness check must not read an old run's log
durable=()
if [ "${SOAK_DURABLE:-0}" = 1 ]; then
  rm -rf "$out/data"
  durable=(--data-dir "$out/data")
fi
RUST_LOG=info "$bin/newscorpus" serve --addr 127.0.0.1:0 --corpus seeds --log-format json \
  "${durable[@]}" >/dev/null 2>"$log" &
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
soak() {
  "$bin/loadgen" soak --target "$addr" --concurrency "${SOAK_CONCURRENCY:-8}" \
    --connections "${SOAK_CONNECTIONS:-2}" --ingest-weight "${SOAK_INGEST_WEIGHT:-3}" "$@"
}
rss_cold=$(rss_kb "$server")
warmup=${SOAK_WARMUP_SECS:-20}
echo "server pid $server on $addr ($profile build), cold RSS $((rss_cold / 1024)) MB; warming up for ${warmup}s"
rc=0
if [ "$warmup" != 0 ]; then
  soak --duration-secs "$warmup" --seed 1000 --report-every-secs 3600 >"$out/warmup.txt" \
    || { echo "FAIL: unexpected outcomes during the warm-up:" >&2; cat "$out/warmup.txt" >&2; rc=1; }
fi
rss_start=$(rss_kb "$server")
echo "RSS after warm-up (start) $((rss_start / 1024)) MB; soaking for ${seconds}s"

soak --duration-secs "$seconds" \
  --server-pid "$server" --report-every-secs "${SOAK_REPORT_SECS:-15}" --json "$out/soak.json" | tee "$out/soak.txt" || rc=$?

kill -0 "$server" 2>/dev/null || { echo "FAIL: the server died during the soak" >&2; exit 1; }
rss_end=$(rss_kb "$server")
hwm=$(hwm_kb "$server")
ingested=$(sed -n 's/^SOAK .*ingested_bytes=\([0-9]*\).*/\1/p' "$out/soak.txt")
ingested=${ingested:-0}
# Stored articles cost ~10x their text today (entity/alias tables, the search
# index): see BENCHMARKS.md. The bound is set to what the design does now, so
# a leak (growth beyond it) still fails; 3x is the target being worked on.
factor=${SOAK_RSS_FACTOR:-12}
slack_mb=${SOAK_RSS_SLACK_MB:-64}
bound_kb=$((rss_start + factor * ingested / 1024 + slack_mb * 1024))
created=$(sed -n 's/^SOAK .*created=\([0-9]*\).*/\1/p' "$out/soak.txt")
echo
echo "server RSS: cold $((rss_cold / 1024)) MB, start $((rss_start / 1024)) MB, end $((rss_end / 1024)) MB," \
  "peak $((hwm / 1024)) MB; ${created:-0} articles ($((ingested / 1024)) KiB of text) ingested;" \
  "bound start + ${factor} x text + ${slack_mb} MB = $((bound_kb / 1024)) MB"

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
