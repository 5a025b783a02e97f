# Shared start of the scale scripts (bench.sh, restart_bench.sh); sourced, not
# run. Expects "$@" to be the script's arguments: N first. Sets n (and shifts
# it off), bin (the built binaries), out (results folder) and corpus (the
# N-article JSON Lines corpus, generated once and cached).
#   BENCH_PROFILE=debug uses debug binaries (CI smoke runs at tiny N).
cd "$(dirname "${BASH_SOURCE[0]}")/.."
n=${1:-100000}
profile=${BENCH_PROFILE:-release}
target_dir=${CARGO_TARGET_DIR:-target}
if [ "$profile" = release ]; then
  cargo build --release --workspace --bins
  bin=$target_dir/release
else
  cargo build --workspace --bins
  bin=$target_dir/debug
fi
out=$target_dir/bench
mkdir -p "$out"
corpus=$out/corpus-$n.jsonl
if [ ! -s "$corpus" ]; then
  echo "== generating $n articles -> $corpus"
  "$bin/newscorpus" gen-corpus --from seeds --count "$n" --seed 42 --out "$corpus.tmp"
  mv "$corpus.tmp" "$corpus"
fi
