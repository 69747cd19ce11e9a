#!/usr/bin/env bash
# npm run bench: speed and memory figures (not timed tests) on a 320-slice 512 x 512 series.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
bash server/scripts/bootstrap.sh start
exec node --import tsx server/bench/run.ts "$@"
