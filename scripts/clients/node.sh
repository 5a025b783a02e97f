#!/usr/bin/env bash
# Node/TypeScript client tests for newscorpus (tests/clients/node/):
#
#   ./scripts/clients/node.sh
#
# 1. installs the exact packages of tests/clients/node/package-lock.json with
#    `npm ci` into .tools/node-client/ (git-ignored; again only when the lock
#    file changes); Node.js and npm come from apt-get when absent;
# 2. generates TypeScript stubs from proto/ (newscorpus/v1 and the vendored
#    google/api/field_behavior.proto it imports) and from the minimal
#    google/rpc protos in tests/clients/node/proto/ with `buf generate` +
#    protoc-gen-es, using tests/clients/node/buf.gen.yaml, into
#    .tools/node-client/work/src/gen/;
# 3. type-checks the suite with `tsc --strict --noEmit`, then compiles it;
# 4. runs it with Node's built-in test runner (`node --test`). The tests start
#    their own servers on free loopback ports, and run example.mjs (the
#    README's example) against one of them.
#
# Nothing is written under tests/. Exits non-zero on any failure. Works from
# any directory, as root on a fresh Debian 12 machine with no stdin (CI=true).
#
# Env: NEWSCORPUS_BIN   server binary (default: ${CARGO_TARGET_DIR:-target}/debug/newscorpus)
#      SKIP_INSTALL=1   install nothing, use what .tools/node-client/ has
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
suite=$root/tests/clients/node
tools=$root/.tools/node-client
work=$tools/work
export NEWSCORPUS_ROOT=$root
export NEWSCORPUS_BIN=${NEWSCORPUS_BIN:-${CARGO_TARGET_DIR:-$root/target}/debug/newscorpus}
export DEBIAN_FRONTEND=noninteractive NO_COLOR=1 npm_config_update_notifier=false
started=$(date +%s)
note() { printf '  [node] %s\n' "$*"; }

# --- Node.js and npm ----------------------------------------------------------------------
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  [ "${SKIP_INSTALL:-}" = 1 ] && { echo "node/npm not found and SKIP_INSTALL=1" >&2; exit 1; }
  note "apt-get install nodejs npm"
  apt-get install -y -q --no-install-recommends nodejs npm >/dev/null 2>&1 \
    || { apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends nodejs npm >/dev/null; }
fi
node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" -ge 18 ] || { echo "Node.js >= 18 needed, found $(node --version)" >&2; exit 1; }
note "node $(node --version), npm $(npm --version)"

# --- packages, exactly as locked ------------------------------------------------------------
# shellcheck source=scripts/clients/npm_locked.sh
source "$root/scripts/clients/npm_locked.sh"
npm_locked "$suite" "$tools" buf || exit 1
note "buf $(buf --version), tsc $(tsc --version | sed 's/^Version //')"

# --- generate, type-check, compile ----------------------------------------------------------
rm -rf "$work"
mkdir -p "$work/src/gen"
cp "$suite"/*.ts "$work/src/"
cp "$suite/tsconfig.json" "$work/"
# The README's dynamic-route example, run by dynamic.test.ts; here, node_modules
# one level up resolves its imports.
cp "$suite/example.mjs" "$work/"
(
  cd "$root"
  buf generate proto --template "$suite/buf.gen.yaml" -o "$work/src/gen"
  buf generate tests/clients/node/proto --template "$suite/buf.gen.yaml" -o "$work/src/gen"
)
note "generated: $(cd "$work/src/gen" && find . -name '*.ts' | sort | tr '\n' ' ')"
tsc -p "$work/tsconfig.json" --strict --noEmit
note "tsc --strict --noEmit: clean"
tsc -p "$work/tsconfig.json"

# --- run --------------------------------------------------------------------------------------
[ -x "$NEWSCORPUS_BIN" ] || { echo "server binary not found: $NEWSCORPUS_BIN (cargo build, or set NEWSCORPUS_BIN)" >&2; exit 1; }
note "server: $NEWSCORPUS_BIN"
rc=0
(cd "$work" && node --test --test-reporter=spec dist/dynamic.test.js dist/typed.test.js dist/web.test.js) </dev/null || rc=$?
note "took $(( $(date +%s) - started ))s, exit $rc"
exit "$rc"
