#!/usr/bin/env bash
# Corpus-analytics benchmark: load an N-article generated corpus into a release
# server (load time, resident memory: clustering and copy detection run during
# the load) and time the analytics RPCs over it — ListStories (first
# 100), AggregateArticles over the whole corpus (month histogram + top 10 outlets
# + top 10 entities) and with an entity filter, ListRelatedEntities of the most
# mentioned entity (first 100) — with `loadgen analytics`: p50 and p99 at
# concurrency 1 and 16 (BENCH_CONCURRENCY), BENCH_SECS seconds each (default 5).
#
# usage: scripts/analytics_bench.sh [N]
#   N defaults to 100000; the corpus is cached in target/bench/.
#   BASE_BIN=/path/to/an/older/newscorpus also loads the corpus with that binary
#   first, for a same-run comparison of load time and memory (e.g. a build of the
#   commit before analytics, 2478fdf).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
n=${1:-100000}
target=${CARGO_TARGET_DIR:-$root/target}
out=$target/bench
mkdir -p "$out"
grpcurl=${GRPCURL:-$(command -v grpcurl || echo "$root/.tools/bin/grpcurl")}
# BENCH_PROFILE=debug: debug binaries (the CI smoke run at a tiny N).
if [ "${BENCH_PROFILE:-release}" = release ]; then
  cargo build --release -q -p newscorpus -p loadgen
  bin_dir=$target/release
else
  cargo build -q -p newscorpus -p loadgen
  bin_dir=$target/debug
fi
bin=$bin_dir/newscorpus
corpus=$out/corpus-$n.jsonl
[ -f "$corpus" ] || "$bin" gen-corpus --from seeds --count "$n" --seed 7 --out "$corpus"
raw=$(stat -c %s "$corpus")

serve() { # binary label
  local port log pid
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  log=$out/analytics-$2.log
  : >"$log"  # the readiness check must not read an old run's log
  "$1" serve --corpus "$corpus" --addr "127.0.0.1:$port" --log-format json 2>"$log" >/dev/null &
  pid=$!
  until grep -q '"message":"ready"' "$log"; do
    kill -0 "$pid" 2>/dev/null || { tail -5 "$log"; exit 1; }
    sleep 1
  done
  local load_ms rss
  load_ms=$(grep '"message":"corpus loaded"' "$log" | python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["elapsed_ms"])')
  rss=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")
  echo "$2: $n articles ($raw bytes) loaded in $load_ms ms; RSS $rss kB ($(python3 -c "print(round($rss*1024/$raw, 2))") x raw)" >&2
  echo "$pid $port"
}

call_ms() { # description, then grpcurl arguments
  local what=$1 t0 took
  shift
  t0=$(date +%s%N)
  "$grpcurl" -plaintext -max-time 300 "$@" >"$out/analytics-answer.json"
  took=$(( ($(date +%s%N) - t0) / 1000000 ))
  echo "  $what: $took ms"
}

if [ -n "${BASE_BIN:-}" ]; then
  read -r pid _ < <(serve "$BASE_BIN" base)
  kill -TERM "$pid"
  while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
fi
read -r pid port < <(serve "$bin" current)
trap 'kill -TERM $pid 2>/dev/null || true' EXIT
addr=127.0.0.1:$port
svc=newscorpus.v1.CorpusService
# Latency percentiles of each analytics RPC at concurrency 1 and 16 (one
# connection), measured by loadgen's generated client: no grpcurl start-up in
# the figures. Raw figures: $out/analytics-$n.json.
"$bin_dir/loadgen" analytics --target "$addr" --duration-secs "${BENCH_SECS:-5}" \
  --concurrency "${BENCH_CONCURRENCY:-1,16}" --json "$out/analytics-$n.json"
echo "largest stories and copies:"
"$grpcurl" -plaintext -d '{"limit": 3}' "$addr" $svc/ListStories | grep -E '"articleCount"'
"$grpcurl" -plaintext -d '{"filter": {"exclude_duplicates": true}, "facets": [{"kind": "FACET_KIND_OUTLET", "size": 1}]}' \
  "$addr" $svc/AggregateArticles | grep -m 1 '"articleCount"' | sed 's/^/  articles that are no copy: /'
