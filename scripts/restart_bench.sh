#!/usr/bin/env bash
# Durable-mode benchmark (--data-dir): first load of an N-article JSON Lines
# corpus into an empty data folder (journaled and fsync'd), ingest and search
# through the API with the load generator, then the time a restart takes —
# after a clean SIGTERM, and after kill -9 in the middle of an ingest (the
# case a crash really is: records being written, acknowledged ones not yet
# indexed) — to be SERVING again with every article it had.
#
# usage: scripts/restart_bench.sh [N] [loadgen run options...]
#   N defaults to 100000; the corpus is shared with scripts/bench.sh.
#   Results go to target/bench/restart-N.* (or $CARGO_TARGET_DIR/bench/).
#   BENCH_PROFILE=debug uses debug binaries (CI smoke runs at tiny N).
#   BENCH_DATABASE=1 measures the shared mode instead: a fresh PostgreSQL
#   server (scripts/pg.sh, fsync on) and --database-url; a "restart" is then a
#   replica replaying the database's articles log. Results: restart-pg-N.*
set -euo pipefail
# shellcheck source=scripts/bench_common.sh
source "$(dirname "$0")/bench_common.sh"
shift || true
data=$out/data-$n
rm -rf "$data"
if [ "${BENCH_DATABASE:-}" = 1 ]; then
  tag=restart-pg
  pgdir=$out/pg-$n
  scripts/pg.sh destroy "$pgdir" >/dev/null 2>&1 || true
  store_args=(--database-url "$(scripts/pg.sh start "$pgdir")")
  recovered_msg="replayed the database's articles log"
  trap 'scripts/pg.sh destroy "$pgdir" >/dev/null 2>&1 || true' EXIT
else
  tag=restart
  store_args=(--data-dir "$data")
  recovered_msg="data folder recovered"
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
pid=
cleanup() {
  [ -n "$pid" ] && kill -KILL $pid 2>/dev/null || true
  [ -n "${pgdir:-}" ] && scripts/pg.sh destroy "$pgdir" >/dev/null 2>&1 || true
}
trap cleanup EXIT

# Starts the server; sets pid, and took = seconds until it logged "ready".
start() {
  local log=$1
  # Emptied first: the server truncates it only once it runs, and the
  # readiness check below must not see an old run's "ready" line.
  : >"$log"
  local t0
  t0=$(date +%s.%N)
  "$bin/newscorpus" serve --corpus "$corpus" "${store_args[@]}" --addr "127.0.0.1:$port" \
    --log-format json 2>"$log" &
  pid=$!
  local deadline=$((SECONDS + ${BENCH_LOAD_TIMEOUT:-1800}))
  until grep -q '"message":"ready"' "$log"; do
    if ! kill -0 "$pid" 2>/dev/null; then echo "server died:" >&2; tail -20 "$log" >&2; exit 1; fi
    if [ $SECONDS -gt $deadline ]; then echo "start timed out" >&2; exit 1; fi
    sleep 0.05
  done
  took=$(python3 -c "import time; print(round(time.time() - $t0, 2))")
}
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$pid/status"; }
recovered() {
  grep "\"message\":\"$recovered_msg\"" "$1" | head -1 |
    python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["articles"])'
}
stored() {
  "$bin/newscorpus" healthcheck --addr "127.0.0.1:$port" >/dev/null || { echo "FAIL: not SERVING" >&2; exit 1; }
}

echo "== first load of $corpus into an empty store (${store_args[0]})"
start "$out/$tag-$n-first.log"; first=$took
rss_first=$(rss_kb)
if [ -n "${pgdir:-}" ]; then
  size="database $(psql "${store_args[1]}" -Atc "select pg_database_size(current_database()) / 1048576") MB"
else
  size="data folder $(du -sm "$data" | cut -f1) MB"
fi
echo "first load: ready after ${first}s; RSS $((rss_first / 1024)) MB; $size"
if [ -n "${pgdir:-}" ]; then
  # The SQL projection is written in the background; let it finish so that
  # the load figures below are the steady state, and report how long it lagged.
  t0=$SECONDS
  until [ "$(psql "${store_args[1]}" -Atc "select count(*) from articles where not projected")" = 0 ]; do
    [ $((SECONDS - t0)) -gt "${BENCH_LOAD_TIMEOUT:-1800}" ] && { echo "projection never caught up" >&2; exit 1; }
    sleep 1
  done
  echo "SQL projection complete $((SECONDS - t0))s after ready"
fi
"$bin/loadgen" run --target "127.0.0.1:$port" --json "$out/$tag-loadgen-$n.json" \
  --scenarios "${BENCH_SCENARIOS:-search,ingest}" "$@"
stored
kill -TERM "$pid"; wait "$pid"; pid=

echo "== restart after SIGTERM"
start "$out/$tag-$n-clean.log"; clean=$took
echo "restart (clean): ready after ${clean}s; RSS $(($(rss_kb) / 1024)) MB"
grep "\"message\":\"$recovered_msg\"" "$out/$tag-$n-clean.log" | head -1
stored
after_clean=$(recovered "$out/$tag-$n-clean.log")
# kill -9 while an ingest is streaming into the server (loadgen fails with
# the connection; that is expected).
"$bin/loadgen" run --target "127.0.0.1:$port" --scenarios ingest --ingest-count "${BENCH_KILL_INGEST:-100000}" \
  --ingest-streams 2 --watchers 0 >"$out/$tag-$n-killed-ingest.log" 2>&1 &
ingest_pid=$!
# Kill once articles are arriving (the stored count grows), not before.
stored_now() {
  if [ -n "${pgdir:-}" ]; then psql "${store_args[1]}" -Atc "select count(*) from articles"
  else stat -c %s "$data/articles.journal"; fi
}
before=$(stored_now); t0=$SECONDS
until [ "$(stored_now)" -gt "$before" ]; do
  kill -0 "$ingest_pid" 2>/dev/null || { echo "FAIL: the ingest ended before it stored anything" >&2; cat "$out/$tag-$n-killed-ingest.log" >&2; exit 1; }
  [ $((SECONDS - t0)) -gt 300 ] && { echo "FAIL: no ingest within 300 s" >&2; exit 1; }
  sleep 0.05
done
sleep "${BENCH_KILL_AFTER_SECS:-0.5}"
kill -0 "$ingest_pid" 2>/dev/null || { echo "FAIL: the ingest ended before the kill" >&2; cat "$out/$tag-$n-killed-ingest.log" >&2; exit 1; }
kill -KILL "$pid"; wait "$pid" 2>/dev/null || true; pid=
wait "$ingest_pid" 2>/dev/null || true

echo "== restart after kill -9"
start "$out/$tag-$n-kill.log"; killed=$took
echo "restart (after kill -9): ready after ${killed}s; RSS $(($(rss_kb) / 1024)) MB"
grep "\"message\":\"$recovered_msg\"" "$out/$tag-$n-kill.log" | head -1
stored
after_kill=$(recovered "$out/$tag-$n-kill.log")
kill -TERM "$pid"; wait "$pid"; pid=
if [ "$after_kill" -lt "$after_clean" ] || [ "$after_clean" -lt "$n" ]; then
  echo "FAIL: recovered $after_clean articles after SIGTERM, $after_kill after kill -9 mid-ingest (corpus: $n)" >&2
  exit 1
fi
echo "recovered $after_clean articles after SIGTERM; $after_kill after kill -9 mid-ingest ($((after_kill - after_clean)) from the interrupted ingest)"
python3 - "$out/$tag-summary-$n.json" "$first" "$clean" "$killed" "$rss_first" <<'PY'
import json, sys
out, first, clean, killed, rss = sys.argv[1:]
json.dump({"first_load_s": float(first), "restart_after_sigterm_s": float(clean),
           "restart_after_kill9_s": float(killed), "rss_first_kb": int(rss)},
          open(out, "w"), indent=1)
print(open(out).read())
PY
