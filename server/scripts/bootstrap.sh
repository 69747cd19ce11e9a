#!/usr/bin/env bash
# Installs what Lungbridge needs on a Debian machine with Node 20, only what is missing:
#   npm packages (npm ci when node_modules is older than package-lock.json),
#   Debian packages (orthanc + DICOMweb plugin; for tests also PostgreSQL, dcmtk, dicom3tools,
#   pixelmed, chromium, poppler), and the prebuilt OHIF viewer (viewer/scripts/fetch-ohif.sh).
# Usage: bootstrap.sh [--test]   (sourced by start.sh / test.sh; safe to run again)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
mode="${1:-start}"

say() { printf 'lungbridge setup: %s\n' "$*" >&2; }

# --- npm ---------------------------------------------------------------------------------
# onnxruntime-node's postinstall would download CUDA files: its CPU binaries are bundled.
export ONNXRUNTIME_NODE_INSTALL=skip
if [[ ! -d node_modules || ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  say "installing npm packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi

# --- Debian packages ----------------------------------------------------------------------
packages=()
need() { dpkg -s "$1" >/dev/null 2>&1 || packages+=("$1"); }
if [[ -z "${ORTHANC_URL:-}" || "$mode" == "--test" ]]; then
  need orthanc
  need orthanc-dicomweb
fi
if [[ "$mode" == "--test" ]]; then
  command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need postgresql
  need dcmtk
  need dicom3tools
  need pixelmed-apps
  need default-jre-headless
  need chromium
  need poppler-utils
  need docker-compose
fi
if (( ${#packages[@]} )); then
  if [[ $(id -u) -ne 0 ]] && ! command -v sudo >/dev/null 2>&1; then
    say "missing Debian packages: ${packages[*]} (install them as root)"; exit 1
  fi
  sudo=""; [[ $(id -u) -ne 0 ]] && sudo="sudo"
  say "installing Debian packages: ${packages[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
fi
# Debian starts its own Orthanc on 8042 after installing it; Lungbridge runs its own instances.
if [[ " ${packages[*]-} " == *" orthanc "* ]] && command -v service >/dev/null 2>&1; then
  ${sudo:-} service orthanc stop >/dev/null 2>&1 || true
fi

# --- OHIF viewer ----------------------------------------------------------------------------
bash viewer/scripts/fetch-ohif.sh >&2
