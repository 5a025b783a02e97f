#!/usr/bin/env bash
# Records the released public API as the baseline `buf breaking` checks
# against (proto/api-v1.binpb, committed):
#
#   scripts/api_baseline.sh
#
# Run it only when releasing: from then on ./scripts/test.sh fails on any
# change to newscorpus.v1 that is not an addition. Needs buf (./scripts/test.sh
# installs it into .tools/).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
export PATH="$root/.tools/node_modules/.bin:$PATH"
buf build -o proto/api-v1.binpb
echo "proto/api-v1.binpb: $(wc -c <proto/api-v1.binpb) bytes; commit it with the release"
