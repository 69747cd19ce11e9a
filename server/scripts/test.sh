#!/usr/bin/env bash
# npm test: install what is missing, then run the whole suite (unit + integration against a real
# Orthanc and PostgreSQL that the tests start on free ports). Ends with "N passed, N failed".
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
bash server/scripts/bootstrap.sh --test
npx tsc -p tsconfig.json --noEmit
exec npx vitest run "$@"
