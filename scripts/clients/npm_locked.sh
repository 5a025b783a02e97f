# Sourced by scripts/clients/node.sh and browser.sh, not run.
#
# npm_locked SRC TOOLS BIN: installs the exact packages of SRC/package-lock.json
# with `npm ci` into TOOLS (outside the work tree), only when the lock file or
# package.json changed since the last install or TOOLS/node_modules/.bin/BIN is
# missing; then puts TOOLS/node_modules/.bin first on PATH. With
# SKIP_INSTALL=1 it installs nothing and fails if the packages are not there.
# Expects a `note` function for progress lines.
npm_locked() {
  local src=$1 tools=$2 bin=$3 stamp
  mkdir -p "$tools"
  stamp=$(cat "$src/package.json" "$src/package-lock.json" | sha256sum | cut -c1-16)
  if [ "$(cat "$tools/.installed" 2>/dev/null)" != "$stamp" ] || [ ! -x "$tools/node_modules/.bin/$bin" ]; then
    [ "${SKIP_INSTALL:-}" = 1 ] && { echo "packages not installed in $tools and SKIP_INSTALL=1" >&2; return 1; }
    note "npm ci (into $tools)"
    cp "$src/package.json" "$src/package-lock.json" "$tools/"
    (cd "$tools" && npm ci --no-audit --no-fund --loglevel=error) >"$tools/npm-ci.log" 2>&1 \
      || { cat "$tools/npm-ci.log" >&2; return 1; }
    echo "$stamp" >"$tools/.installed"
  fi
  export PATH="$tools/node_modules/.bin:$PATH"
}
