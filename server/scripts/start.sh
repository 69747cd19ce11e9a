#!/usr/bin/env bash
# npm start / npm run demo: install what is missing, then run Orthanc (native, unless
# ORTHANC_URL points at one), the embedded database (unless DATABASE_URL) and the server.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
bash "$root/server/scripts/bootstrap.sh" start
exec node "$root/server/bin/lungbridge.mjs" start "$@"
