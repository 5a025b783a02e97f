#!/usr/bin/env bash
# The corpus explorer (ui/): build it, check the committed bundle, and test it
# in a real browser:
#
#   ./scripts/clients/browser.sh            # check ui/dist is fresh, then test
#   ./scripts/clients/browser.sh --write    # rebuild ui/dist (commit it), then test
#
# 1. installs the exact packages of ui/package-lock.json with `npm ci` into
#    .tools/ui/ (git-ignored; again only when the lock file changes); Node.js,
#    npm and Chromium come from apt-get when absent (Debian's `chromium`:
#    puppeteer-core drives it and never downloads a browser of its own);
# 2. generates the TypeScript stubs from proto/ (`buf generate`, protoc-gen-es)
#    and type-checks the explorer and its tests with `tsc --strict`;
# 3. bundles the explorer with esbuild and compares it with ui/dist/, the
#    bundle the server compiles in (committed, so cargo never needs Node):
#    a stale ui/dist fails, with the command that updates it;
# 4. runs ui/test/explorer.test.ts (node --test) with headless Chromium against
#    servers on the seeds; screenshots land in target/explorer/.
#
# Works from any directory, as root on a fresh Debian 12 machine with no stdin
# (CI=true). Exits non-zero on any failure.
#
# Env: NEWSCORPUS_BIN   server binary (default: ${CARGO_TARGET_DIR:-target}/debug/newscorpus)
#      CHROMIUM         browser binary (default: /usr/bin/chromium)
#      SKIP_INSTALL=1   install nothing, use what is there
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
ui=$root/ui
tools=$root/.tools/ui
work=$tools/work
target=${CARGO_TARGET_DIR:-$root/target}
export NEWSCORPUS_ROOT=$root
export NEWSCORPUS_BIN=${NEWSCORPUS_BIN:-$target/debug/newscorpus}
export CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
export SCREENSHOT_DIR=$target/explorer
export DEBIAN_FRONTEND=noninteractive NO_COLOR=1 npm_config_update_notifier=false
write=0
[ "${1:-}" = --write ] && write=1
started=$(date +%s)
note() { printf '  [browser] %s\n' "$*"; }

apt_install() {
  [ "${SKIP_INSTALL:-}" = 1 ] && { echo "$* not found and SKIP_INSTALL=1" >&2; exit 1; }
  note "apt-get install $*"
  apt-get install -y -q --no-install-recommends "$@" >/dev/null 2>&1 \
    || { apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends "$@" >/dev/null; }
}

# --- Node.js, npm, Chromium ----------------------------------------------------------------
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then apt_install nodejs npm; fi
[ -x "$CHROMIUM" ] || apt_install chromium fonts-dejavu-core
# The TLS test makes a self-signed certificate.
command -v openssl >/dev/null || apt_install openssl
note "node $(node --version), $("$CHROMIUM" --version 2>/dev/null | head -1)"

# --- packages, exactly as locked ------------------------------------------------------------
# shellcheck source=scripts/clients/npm_locked.sh
source "$root/scripts/clients/npm_locked.sh"
npm_locked "$ui" "$tools" esbuild || exit 1

# --- generate, type-check, bundle -------------------------------------------------------------
rm -rf "$work"
mkdir -p "$work"
cp -r "$ui/src" "$ui/test" "$ui/static" "$ui/tsconfig.json" "$ui/tsconfig.test.json" "$work/"
rm -rf "$work/src/gen"
(cd "$root" && buf generate proto --template "$ui/buf.gen.yaml" -o "$work/src/gen")
tsc -p "$work/tsconfig.test.json"
note "tsc --strict: clean"
mkdir -p "$work/dist"
esbuild "$work/src/main.ts" --bundle --format=esm --minify --target=es2022 --legal-comments=none \
  --charset=utf8 --log-level=warning --outfile="$work/dist/app.js"
cp "$work"/static/* "$work/dist/"
if [ "$write" = 1 ]; then
  rm -rf "$ui/dist"
  cp -r "$work/dist" "$ui/dist"
  note "wrote ui/dist ($(du -sh "$ui/dist" | cut -f1)); rebuild the server (cargo build) to serve it, and commit it"
elif ! diff -r -q "$work/dist" "$ui/dist" >/dev/null; then
  diff -r -q "$work/dist" "$ui/dist" >&2 || true
  echo "ui/dist is stale: it is not what ui/src builds to. Run ./scripts/clients/browser.sh --write and commit ui/dist." >&2
  exit 1
else
  note "ui/dist is what ui/src builds to"
fi

# --- test in Chromium ---------------------------------------------------------------------------
[ -x "$NEWSCORPUS_BIN" ] || { echo "server binary not found: $NEWSCORPUS_BIN (cargo build, or set NEWSCORPUS_BIN)" >&2; exit 1; }
esbuild "$work/test/explorer.test.ts" --bundle --platform=node --format=esm --packages=external \
  --log-level=warning --outfile="$work/explorer.test.mjs"
rm -rf "$SCREENSHOT_DIR"
rc=0
(cd "$work" && node --test --test-reporter=spec explorer.test.mjs) </dev/null || rc=$?
note "screenshots: $(ls "$SCREENSHOT_DIR" 2>/dev/null | tr '\n' ' ')"
note "took $(( $(date +%s) - started ))s, exit $rc"
exit "$rc"
