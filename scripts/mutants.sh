#!/usr/bin/env bash
# Mutation testing (cargo-mutants) of the files that hold the README's
# promises: cursors, request validation and limits, spans, errors, auth, the
# journal and its recovery (the store's durable write path), the resolver's
# merge decisions.
#
#   scripts/mutants.sh                  # every core file (hours on 2 cores)
#   scripts/mutants.sh FILE...          # only these files
#   scripts/mutants.sh --in-diff [REF]  # only what changed since REF (default
#                                       # HEAD~1), time-boxed: CI runs this
#
# Each file is tested with the tests that exercise it (`tests_for` below):
# its unit tests plus the integration tests whose names match, so that one
# mutant costs a rebuild and seconds of tests, not the whole suite. A mutant
# no test notices is "missed": the run exits 2 and mutants.out/missed.txt
# lists it, unless .cargo/mutants.toml lists it as equivalent (with a reason).
# Results land in mutants.out/ (git-ignored); CONTRIBUTING.md keeps the
# per-file figures.
#
# Env: MUTANTS_TIME_BOX   seconds for --in-diff (default 900); when it runs
#                         out the mutants tested so far count and the rest
#                         are reported as untested, not as failures
#      SKIP_INSTALL=1     do not install cargo-mutants
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
export PATH="$HOME/.cargo/bin:$PATH" CARGO_TERM_COLOR=never NO_COLOR=1

core=(
  src/grpc/cursor.rs
  src/grpc/convert.rs
  src/grpc/offsets.rs
  src/grpc/auth.rs
  src/error.rs
  src/grpc/status.rs
  src/store/journal.rs
  src/store/codec.rs
  src/store/memory/durable.rs
  src/resolve/mod.rs
)

# The integration tests (name filters) that exercise a file.
tests_for() {
  case "$1" in
    src/grpc/cursor.rs) echo "cursor resume paging catalogue" ;;
    src/grpc/convert.rs) echo "catalogue invalid filters bad_ articles:: analytics" ;;
    src/grpc/offsets.rs) echo "offsets" ;;
    src/grpc/auth.rs) echo "security token" ;;
    src/error.rs|src/grpc/status.rs) echo "offsets catalogue reason" ;;
    src/store/journal.rs|src/store/codec.rs) echo "durable reliability torn journal" ;;
    src/store/memory/durable.rs) echo "durable reliability torn journal repair restart" ;;
    src/resolve/*) echo "entities alias resolve" ;;
    *) echo "" ;;
  esac
}

ensure_mutants() {
  if ! cargo mutants --version >/dev/null 2>&1; then
    [ "${SKIP_INSTALL:-}" = 1 ] && { echo "cargo-mutants is not installed" >&2; exit 1; }
    echo "installing cargo-mutants (cargo install --locked cargo-mutants)"
    cargo install --locked --quiet cargo-mutants
  fi
}

count() { if [ -f "$1" ]; then wc -l <"$1"; else echo 0; fi; }

# The file's own unit tests: its module path (src/grpc/auth.rs -> grpc::auth::),
# or the module whose tests exercise it.
module_of() {
  case "$1" in
    src/store/memory/durable.rs) echo "store::memory::"; return ;;
  esac
  local m=${1#src/}
  m=${m%.rs}
  m=${m%/mod}
  echo "${m//\//::}::"
}

run_file() {
  local file=$1 unit api out code=0
  unit=$(module_of "$file")
  api=$(tests_for "$file")
  out="target/mutants/$(echo "$file" | tr '/' '_')"
  mkdir -p "$out"
  # Two passes, because a mutant costs a rebuild plus its tests, and the
  # integration tests of the journal take a minute where the unit tests take
  # a second: first every mutant against the file's unit tests alone (only
  # the library's test binary is rebuilt), then, with --iterate, only the
  # mutants that survived, against the unit tests and the integration
  # tests together. A mutant is missed only if it survives both.
  # --in-place: build in this tree and target/, incrementally (a copy of the
  # tree would start from a cold build).
  echo "==== mutants: $file, pass 1 (unit tests: $unit)"
  rm -rf "$out/mutants.out" "$out/mutants.out.old"
  # Unit tests take a second or two: a minute is plenty, and a mutant that
  # loops for ever costs only that.
  cargo mutants --in-place --no-shuffle --timeout 60 --file "$file" \
    --output "$out" -- --lib -- "$unit" || code=$?
  # 2: some mutants survived, 3: some timed out (both counted, not errors).
  case $code in 0|2|3) ;; *) return "$code" ;; esac
  [ -n "$api" ] || { [ ! -s "$out/mutants.out/missed.txt" ]; return; }
  [ -s "$out/mutants.out/missed.txt" ] || return 0
  # A timeout is a detected mutant (it loops for ever): --iterate retests
  # only what is not in caught.txt or unviable.txt, so count it there.
  cat "$out/mutants.out/timeout.txt" >>"$out/mutants.out/caught.txt" 2>/dev/null || true
  echo "==== mutants: $file, pass 2 ($(count "$out/mutants.out/missed.txt") survivors; unit tests + api matching: $api)"
  # shellcheck disable=SC2086
  cargo mutants --in-place --no-shuffle --timeout 300 --file "$file" --iterate \
    --output "$out" -- --lib --test api -- $unit $api
}

status=0
if [ "${1:-}" = --in-diff ]; then
  ref=${2:-HEAD~1}
  if ! git rev-parse -q --verify "$ref" >/dev/null; then
    echo "mutants: no $ref here (a shallow clone?); nothing to compare"; exit 0
  fi
  diff=$(mktemp)
  git diff "$ref" -- "${core[@]}" >"$diff"
  if [ ! -s "$diff" ]; then
    echo "mutants: no change to the mutation-tested files since $ref"; exit 0
  fi
  ensure_mutants
  mkdir -p target/mutants/in-diff
  echo "==== mutants of the lines changed since $ref in: $(git diff --name-only "$ref" -- "${core[@]}" | tr '\n' ' ')"
  set +e
  # SIGINT, so that cargo-mutants puts the mutated file back before it exits.
  timeout -s INT -k 60 "${MUTANTS_TIME_BOX:-900}" cargo mutants --in-place --no-shuffle --timeout 300 \
    --in-diff "$diff" --output target/mutants/in-diff -- --lib --test api
  code=$?
  set -e
  out=target/mutants/in-diff/mutants.out
  for kind in caught missed timeout unviable; do
    printf '  %-9s %s\n' "$kind" "$(count "$out/$kind.txt")"
  done
  case $code in
    0) echo "mutants: every mutant of the change was caught" ;;
    124) # The time box ran out: what was tested still counts.
      if [ -s "$out/missed.txt" ]; then echo "mutants: missed (before the time box ran out):"; cat "$out/missed.txt"; exit 2; fi
      echo "mutants: time box of ${MUTANTS_TIME_BOX:-900}s reached; no missed mutant among those tested" ;;
    *) [ -s "$out/missed.txt" ] && { echo "mutants: missed:"; cat "$out/missed.txt"; }; exit "$code" ;;
  esac
  exit 0
fi

ensure_mutants
files=("$@")
[ ${#files[@]} -gt 0 ] || files=("${core[@]}")
for file in "${files[@]}"; do
  run_file "$file" || status=$?
  out="target/mutants/$(echo "$file" | tr '/' '_')/mutants.out"
  # After two passes, pass 1's results are in mutants.out.old and pass 2
  # retested its survivors (and timeouts): caught and unviable add up.
  both() { echo $(($(count "$out/$1.txt") + $( [ -d "$out.old" ] && count "$out.old/$1.txt" || echo 0))); }
  printf '  %s: caught %s, missed %s, timeout %s, unviable %s\n' "$file" \
    "$(both caught)" "$(count "$out/missed.txt")" "$(count "$out/timeout.txt")" "$(both unviable)"
done
exit "$status"
