#!/usr/bin/env bash
# Fetches the prebuilt OHIF viewer and prepares it for serving under /viewer/. Idempotent.
#
#   viewer/ohif/cache/ohif-app-<version>.tgz   the npm tarball (downloaded once)
#   viewer/ohif/dist                           its package/dist, untouched
#   viewer/ohif/www                            what Lungbridge serves (rewritten for /viewer/)
#
# `npm install @ohif/app` fails (3.13.2 depends on an unpublished @ohif/i18n@3.13.2), but the
# package's dist is a complete static build, so `npm pack` + untar is all that is needed.
# Nothing here is committed: viewer/ohif/ is gitignored (the dist is about 200 MB).
set -euo pipefail

OHIF_VERSION="${OHIF_VERSION:-3.13.2}"
viewer_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ohif_dir="$viewer_dir/ohif"
cache_dir="$ohif_dir/cache"
tarball="$cache_dir/ohif-app-$OHIF_VERSION.tgz"
dist_dir="$ohif_dir/dist"
www_dir="$ohif_dir/www"
stamp="$dist_dir/.ohif-version"

mkdir -p "$cache_dir"
if [[ ! -s "$tarball" ]]; then
  echo "fetch-ohif: npm pack @ohif/app@$OHIF_VERSION"
  (cd "$cache_dir" && npm pack --silent "@ohif/app@$OHIF_VERSION" >/dev/null)
fi

if [[ "$(cat "$stamp" 2>/dev/null)" != "$OHIF_VERSION" ]]; then
  echo "fetch-ohif: unpacking dist"
  staging="$(mktemp -d "$ohif_dir/unpack.XXXXXX")"
  tar -xzf "$tarball" -C "$staging" package/dist
  echo "$OHIF_VERSION" > "$staging/package/dist/.ohif-version"
  rm -rf "$dist_dir"
  mv "$staging/package/dist" "$dist_dir"
  rm -rf "$staging" "$www_dir"
fi

# Rewrite for /viewer/ when the served copy is missing or older than the dist or the rewrite rules.
if [[ ! -f "$www_dir/index.html" || "$stamp" -nt "$www_dir/index.html" \
      || "$viewer_dir/src/rebase-ohif.ts" -nt "$www_dir/index.html" ]]; then
  node --import tsx "$viewer_dir/scripts/prepare-ohif.ts" "$dist_dir" "$www_dir"
else
  echo "fetch-ohif: $www_dir is up to date (OHIF $OHIF_VERSION)"
fi
