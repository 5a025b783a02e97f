#!/usr/bin/env bash
# Fuzzing, bounded in time (not part of scripts/test.sh):
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]            # default 60 s each, every target
#   scripts/fuzz.sh --commit [SECONDS] [TARGET...]   # then minimise the corpus into
#                                                    # fuzz/corpora/TARGET (committed)
#
# The committed corpora (fuzz/corpora/) seed every run and are replayed by
# `cargo test` (tests/api/fuzz_corpora.rs) through the same checks
# (fuzz/checks/), so CI runs every input that once reached new code.
#
# Targets (fuzz/fuzz_targets/): parse_extract (article parsing, extraction
# and resolution on arbitrary text) and request_decode (each request message
# decoded from arbitrary bytes and run through the server's validation).
# Installs cargo-fuzz if missing. cargo-fuzz needs nightly compiler flags; the
# stable toolchain accepts them with RUSTC_BOOTSTRAP=1, which this script sets.
# libFuzzer runs in fork mode and goes on after a crash, so one run finds
# more than one; crash inputs land in fuzz/artifacts/TARGET/ and the script
# exits non-zero if there are any. The corpus grows in fuzz/corpus/TARGET/
# (both folders are git-ignored; turn a crash into a regression test in
# tests/fuzz_regressions.rs).
#
# Env: FUZZ_SANITIZER=none|address (default none: safe Rust, twice the speed)
#      FUZZ_JOBS (default 1) parallel fuzzing processes per target
#      FUZZ_MAX_LEN (default 4096 for request_decode, 16384 for parse_extract)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root/fuzz"
export PATH="$HOME/.cargo/bin:$PATH"
export RUSTC_BOOTSTRAP=1
commit=
if [ "${1:-}" = --commit ]; then commit=1; shift; fi
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(parse_extract request_decode journal_replay)
sanitizer=${FUZZ_SANITIZER:-none}

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "installing cargo-fuzz (cargo install cargo-fuzz --locked)"
  cargo install cargo-fuzz --locked
fi

status=0
for target in "${targets[@]}"; do
  case "$target" in
    parse_extract) max_len=${FUZZ_MAX_LEN:-16384} ;;
    *) max_len=${FUZZ_MAX_LEN:-4096} ;;
  esac
  corpus=corpus/$target
  artifacts=artifacts/$target
  mkdir -p "$corpus" "$artifacts" "corpora/$target"
  cp -n corpora/"$target"/* "$corpus"/ 2>/dev/null || true
  # Seed the article fuzzer with the real articles.
  if [ "$target" = parse_extract ] && [ -z "$(ls -A "$corpus")" ]; then
    for f in ../seeds/*.txt ../tests/fixtures/articles/*.txt; do
      [ -f "$f" ] && { printf '\0'; cat "$f"; } >"$corpus/seed-$(basename "$f")"
    done
  fi
  before=$(find "$artifacts" -type f -name 'crash-*' | wc -l)
  echo "==== fuzz $target for ${seconds}s (max_len $max_len, sanitizer $sanitizer)"
  log=$artifacts/../$target.log
  cargo fuzz run --sanitizer "$sanitizer" "$target" "$corpus" -- \
    -max_total_time="$seconds" -max_len="$max_len" -timeout=10 -rss_limit_mb=2048 \
    -fork="${FUZZ_JOBS:-1}" -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
    -artifact_prefix="$artifacts/" -print_final_stats=1 2>&1 | tee "$log" | grep -E '^#|INFO: fork|crash|Running|DONE|==|panicked' || true
  after=$(find "$artifacts" -type f \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
  execs=$(grep '^#' "$log" | tail -n 1 | cut -d' ' -f1-2,6-7 || true)
  echo "---- $target: last progress '$execs'; $after crash/timeout/oom inputs in fuzz/$artifacts/ ($((after - before)) new)"
  [ "$after" -eq 0 ] || status=1
  if [ -n "$commit" ] && [ "$after" -eq 0 ]; then
    # The smallest set of inputs with the same coverage replaces the committed one.
    minimised=$(mktemp -d)
    cargo fuzz cmin --sanitizer "$sanitizer" "$target" "$corpus" -- -max_len="$max_len" >/dev/null 2>&1
    cp "$corpus"/* "$minimised"/
    # The real articles it was seeded with are replayed from seeds/ and tests/ already.
    rm -f "$minimised"/seed-*
    rm -rf "corpora/$target"
    mv "$minimised" "corpora/$target"
    chmod 755 "corpora/$target"
    echo "---- $target: $(ls "corpora/$target" | wc -l) inputs ($(du -sh "corpora/$target" | cut -f1)) committed to fuzz/corpora/$target"
  fi
done
exit "$status"
