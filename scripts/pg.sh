#!/usr/bin/env bash
# A throwaway PostgreSQL server for tests and benchmarks (no Docker):
#
#   scripts/pg.sh start DIR [PORT]   # initdb DIR if new, start on 127.0.0.1:PORT
#                                    # (a free port if omitted or 0); prints the URL
#   scripts/pg.sh stop DIR           # fast shutdown (connections are cut)
#   scripts/pg.sh url DIR            # the URL of the server in DIR
#   scripts/pg.sh destroy DIR        # stop at once and delete the cluster
#
# Uses Debian's PostgreSQL server binaries; when they are missing and we are
# root with apt-get, installs the `postgresql` package first. Fails loudly
# (exit 1, reason on stderr) when it cannot: callers must not skip silently.
# As root, the server runs as the `postgres` user (PostgreSQL refuses root).
# Env: PG_FSYNC=off   no fsync (tests: faster, nothing to keep); default on.
set -euo pipefail

die() { echo "pg.sh: $*" >&2; exit 1; }

find_bindir() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && { echo "$d"; return 0; }
  done
  d=$(dirname "$(command -v initdb 2>/dev/null || echo /nonexistent/x)")
  [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && { echo "$d"; return 0; }
  return 1
}

bindir=$(find_bindir || true)
if [ -z "$bindir" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "pg.sh: PostgreSQL server not found; installing Debian's postgresql" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q --no-install-recommends postgresql >/dev/null 2>&1 \
      || { apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends postgresql >/dev/null; } \
      || die "cannot install postgresql with apt-get"
    bindir=$(find_bindir) || die "postgresql installed, but initdb/pg_ctl are not found"
  else
    die "PostgreSQL server binaries (initdb, pg_ctl) not found, and cannot install them (need root and apt-get)"
  fi
fi

# As root, run the server tools as `postgres`.
as_pg() {
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/sh postgres
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

cmd=${1:-}; dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || die "usage: pg.sh start|stop|url|destroy DIR [PORT]"
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
# The cluster lives in DIR unless the postgres user cannot reach it (a checkout
# under root's private home): then in a folder of /tmp named after DIR.
pgroot=$dir
if [ "$(id -u)" = 0 ]; then
  id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/sh postgres
  chown postgres "$dir" 2>/dev/null || true
  if ! runuser -u postgres -- test -w "$dir" 2>/dev/null; then
    pgroot=/tmp/newscorpus-pg-$(printf '%s' "$dir" | md5sum | cut -c1-12)
    mkdir -p "$pgroot"
    chown postgres "$pgroot"
  fi
fi
data=$pgroot/data

url() { echo "postgres://newscorpus@127.0.0.1:$(cat "$dir/port")/postgres"; }

case "$cmd" in
  start)
    port=${3:-0}
    if [ "$port" = 0 ]; then
      if [ -f "$dir/port" ]; then port=$(cat "$dir/port"); else port=$(free_port); fi
    fi
    echo "$port" >"$dir/port"
    if [ ! -f "$data/PG_VERSION" ]; then
      as_pg "$bindir/initdb" -D "$data" -U newscorpus --auth=trust -E UTF8 --locale=C.UTF-8 >"$pgroot/initdb.log" 2>&1 \
        || as_pg "$bindir/initdb" -D "$data" -U newscorpus --auth=trust -E UTF8 --locale=C >"$pgroot/initdb.log" 2>&1 \
        || { cat "$pgroot/initdb.log" >&2; die "initdb failed"; }
    fi
    opts="-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$pgroot -c max_connections=200"
    opts="$opts -c fsync=${PG_FSYNC:-on} -c synchronous_commit=${PG_FSYNC:-on} -c full_page_writes=${PG_FSYNC:-on}"
    as_pg "$bindir/pg_ctl" -D "$data" -l "$pgroot/server.log" -o "$opts" -w -t 60 start >/dev/null \
      || { tail -20 "$pgroot/server.log" >&2; die "the server did not start"; }
    url
    ;;
  stop)
    [ -f "$data/postmaster.pid" ] || exit 0
    as_pg "$bindir/pg_ctl" -D "$data" -m fast -w -t 60 stop >/dev/null
    ;;
  destroy)
    if [ -f "$data/postmaster.pid" ]; then as_pg "$bindir/pg_ctl" -D "$data" -m immediate -w -t 60 stop >/dev/null || true; fi
    rm -rf "$pgroot" "$dir"
    ;;
  url)
    url
    ;;
  *)
    die "unknown command $cmd (start, stop, url, destroy)"
    ;;
esac
