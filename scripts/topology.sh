#!/usr/bin/env bash
# The docker-compose "shared" topology without Docker, tested end to end:
# PostgreSQL (scripts/pg.sh), two newscorpus replicas on it, and nginx
# (grpc_pass, deploy/nginx/newscorpus.conf.template) in front; then grpcurl
# through the load balancer. Exit 0 only if every check passes.
#
#   scripts/topology.sh            # run the checks, then tear everything down
#   KEEP=1 scripts/topology.sh     # leave it running (prints the addresses)
#
# Env: NEWSCORPUS_BIN (default target/debug/newscorpus), GRPCURL (default
# grpcurl on PATH or .tools/bin/grpcurl). Installs Debian's nginx-light when
# nginx is missing and we are root with apt-get; fails loudly otherwise.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
bin=${NEWSCORPUS_BIN:-$root/target/debug/newscorpus}
grpcurl=${GRPCURL:-$(command -v grpcurl || echo "$root/.tools/bin/grpcurl")}
work=$root/target/topology
[ -x "$bin" ] || { echo "topology: no server binary at $bin (cargo build)" >&2; exit 1; }
[ -x "$grpcurl" ] || { echo "topology: grpcurl not found (scripts/test.sh installs it)" >&2; exit 1; }

if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "topology: installing Debian's nginx-light" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q --no-install-recommends nginx-light >/dev/null 2>&1 \
      || { apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends nginx-light >/dev/null; }
  else
    echo "topology: nginx is not installed and cannot be (need root and apt-get)" >&2
    exit 1
  fi
fi
nginx=$(command -v nginx || echo /usr/sbin/nginx)

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
fails=0
pass() { printf '  ok   %s\n' "$*"; }
fail() { printf '  FAIL %s\n' "$*"; fails=$((fails + 1)); }
check() { local what=$1; shift; if "$@"; then pass "$what"; else fail "$what"; fi; }

pids=()
cleanup() {
  [ "${KEEP:-}" = 1 ] && return
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -f "$work/nginx/nginx.pid" ] && kill "$(cat "$work/nginx/nginx.pid")" 2>/dev/null || true
  wait 2>/dev/null || true
  "$root/scripts/pg.sh" stop "$work/pg" >/dev/null 2>&1 || true
}
trap cleanup EXIT

"$root/scripts/pg.sh" destroy "$work/pg" >/dev/null 2>&1 || true
rm -rf "$work"
mkdir -p "$work/nginx" "$work/empty"
echo "== PostgreSQL"
url=$(PG_FSYNC=off "$root/scripts/pg.sh" start "$work/pg")
echo "  $url"

echo "== replicas"
p1=$(free_port); p2=$(free_port)
start_replica() { # port corpus log
  NEWSCORPUS_DATABASE_URL=$url "$bin" serve --addr "127.0.0.1:$1" --corpus "$2" --log-format json \
    >"$3" 2>&1 &
  pids+=($!)
}
start_replica "$p1" seeds "$work/replica1.log"
start_replica "$p2" "$work/empty" "$work/replica2.log"
for p in "$p1" "$p2"; do
  for _ in $(seq 1 300); do "$bin" healthcheck --addr "127.0.0.1:$p" >/dev/null 2>&1 && break; sleep 0.2; done
  check "replica on :$p is SERVING" "$bin" healthcheck --addr "127.0.0.1:$p"
done

echo "== nginx (grpc_pass)"
lb=$(free_port)
REPLICA_1=127.0.0.1:$p1 REPLICA_2=127.0.0.1:$p2 LISTEN_PORT=$lb python3 - \
  deploy/nginx/newscorpus.conf.template "$work/nginx/newscorpus.conf" <<'PY'
import os, re, sys
text = open(sys.argv[1]).read()
open(sys.argv[2], "w").write(re.sub(r"\$\{(\w+)\}", lambda m: os.environ[m.group(1)], text))
PY
cat >"$work/nginx/nginx.conf" <<EOF
worker_processes 1;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 256; }
http {
    log_format upstreams '\$request_uri \$upstream_addr \$status';
    access_log $work/nginx/access.log upstreams;
    client_body_temp_path $work/nginx/body;
    proxy_temp_path $work/nginx/proxy;
    fastcgi_temp_path $work/nginx/fastcgi;
    uwsgi_temp_path $work/nginx/uwsgi;
    scgi_temp_path $work/nginx/scgi;
    include $work/nginx/newscorpus.conf;
}
EOF
"$nginx" -t -c "$work/nginx/nginx.conf" -p "$work/nginx" >/dev/null 2>&1 \
  || { "$nginx" -t -c "$work/nginx/nginx.conf" -p "$work/nginx"; exit 1; }
"$nginx" -c "$work/nginx/nginx.conf" -p "$work/nginx"
for _ in $(seq 1 50); do "$grpcurl" -plaintext "127.0.0.1:$lb" list >/dev/null 2>&1 && break; sleep 0.1; done
LB=127.0.0.1:$lb
echo "  load balancer on $LB -> :$p1, :$p2"

echo "== grpcurl through the load balancer"
g() { "$grpcurl" -plaintext -max-time 20 "$@"; }
count_ids() { grep -c '"id"' || true; }
check "reflection lists the service" bash -c "$(declare -f g); grpcurl=$grpcurl; g $LB list | grep -qx newscorpus.v1.CorpusService"
check "health is SERVING" bash -c "$(declare -f g); grpcurl=$grpcurl; g -d '{\"service\":\"newscorpus.v1.CorpusService\"}' $LB grpc.health.v1.Health/Check | grep -q '\"SERVING\"'"
n=$(g -d '{}' "$LB" newscorpus.v1.CorpusService/ListArticles | count_ids)
check "ListArticles through the LB returns the 5 seed articles (got $n)" test "$n" = 5

# A watch through the LB, open while articles arrive through both replicas.
g -max-time 15 -d '{"view":"ARTICLE_VIEW_BASIC"}' "$LB" newscorpus.v1.CorpusService/WatchArticles >"$work/watch.out" 2>&1 &
watch_pid=$!
sleep 1
ids=()
for i in 1 2 3 4 5 6; do
  body=$(python3 -c 'import json, sys; i = sys.argv[1]; print(json.dumps({"text":
    f"Ferry line {i} opens in Portmarin\n\nThe Portmarin ferry line {i} opened on Monday, officials said.\n\n"
    f"\u201cLine {i} will carry commuters,\u201d said Odile Ravensworth, the transport director."}))' "$i")
  # From the .proto, not reflection: one call per grpcurl run, so nginx's
  # round robin alternates the ingests themselves between the replicas.
  out=$(g -import-path proto -proto newscorpus/v1/corpus_service.proto -d "$body" "$LB" \
    newscorpus.v1.CorpusService/IngestArticles 2>&1) || true
  id=$(printf '%s' "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["articleId"] if d.get("status")=="INGEST_STATUS_CREATED" else "")')
  [ -n "$id" ] && ids+=("$id") || fail "ingest $i through the LB: $out"
done
check "6 articles ingested through the LB" test "${#ids[@]}" = 6
spread=$(grep IngestArticles "$work/nginx/access.log" | awk '{print $2}' | sort -u | wc -l)
check "the LB spread the ingests over both replicas ($spread upstreams)" test "$spread" = 2
for p in "$p1" "$p2"; do
  n=$(g -d '{}' "127.0.0.1:$p" newscorpus.v1.CorpusService/ListArticles | count_ids)
  check "replica :$p serves all 11 articles (got $n)" test "$n" = 11
done
for id in "${ids[@]}"; do
  for p in "$p1" "$p2"; do
    g -d "{\"id\":\"$id\"}" "127.0.0.1:$p" newscorpus.v1.CorpusService/GetArticle >/dev/null 2>&1 || fail "replica :$p lacks $id"
  done
done
pass "every ingested article is served by both replicas"
e1=$(g -d '{"name":"Odile Ravensworth"}' "127.0.0.1:$p1" newscorpus.v1.CorpusService/GetEntity 2>/dev/null | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["id"], d["mentionCount"])' 2>/dev/null || true)
e2=$(g -d '{"name":"Odile Ravensworth"}' "127.0.0.1:$p2" newscorpus.v1.CorpusService/GetEntity 2>/dev/null | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["id"], d["mentionCount"])' 2>/dev/null || true)
check "both replicas resolve the new person to one entity ($e1 | $e2)" test -n "$e1" -a "$e1" = "$e2"
wait "$watch_pid" 2>/dev/null || true
n=$(grep -c '"id"' "$work/watch.out" || true)
check "the watch through the LB saw all 6 new articles (got $n)" test "$n" -ge 6

echo "== failover"
kill "${pids[0]}"; wait "${pids[0]}" 2>/dev/null || true
ok=0
for _ in 1 2 3 4; do
  g -d "{\"id\":\"${ids[0]}\"}" "$LB" newscorpus.v1.CorpusService/GetArticle >/dev/null 2>&1 && ok=$((ok + 1))
done
check "with replica 1 stopped, calls through the LB still succeed ($ok/4)" test "$ok" = 4

if [ "${KEEP:-}" = 1 ]; then
  echo "left running: LB $LB, replicas :$p1 (stopped) :$p2, database $url"
fi
echo
if [ "$fails" -eq 0 ]; then echo "topology: all checks passed"; else echo "topology: $fails check(s) failed"; exit 1; fi
