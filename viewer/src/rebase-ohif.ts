/**
 * Moves the prebuilt OHIF app from the site root to a sub-path (`/viewer/`).
 *
 * `@ohif/app`'s published `dist` is built with `PUBLIC_URL=/`: index.html sets
 * `window.PUBLIC_URL="/"` and links every asset from `/`, the rspack runtimes of the app and of
 * its web workers load chunks from `__webpack_require__.p = "/"`, app.bundle.css loads its font
 * from `url(/…)`, and the microscopy extension imports `/dicom-microscopy-viewer/…`. These
 * functions rewrite exactly those references; everything else in the dist is served as it is.
 */

/** The path OHIF is served under, with leading and trailing slash. */
export const viewerBasePath = '/viewer/';

/** Throws unless `basePath` looks like `/a/` or `/a/b/` (what the rewrites below assume). */
export function assertBasePath(basePath: string): void {
  if (!/^\/(?:[A-Za-z0-9._-]+\/)+$/.test(basePath) || basePath.split('/').some((segment) => /^\.+$/.test(segment))) {
    throw new Error(`basePath must start and end with "/" and name a sub-path, got ${JSON.stringify(basePath)}`);
  }
}

/** Matches a root-absolute path's leading "/" unless it is protocol-relative or already rebased. */
function rootSlash(basePath: string): string {
  return `\\/(?!\\/|${basePath.slice(1).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')})`;
}

/**
 * index.html: the public URL, root-absolute `href`/`src` attributes, and no service worker.
 * The service worker is left out on purpose: its precache list (sw.js) names root paths, and a
 * viewer of patient images should not keep an offline cache in the browser anyway.
 */
export function rebaseIndexHtml(html: string, basePath: string): string {
  assertBasePath(basePath);
  return html
    .replace(/<script[^>]*\bsrc="\/init-service-worker\.js"[^>]*><\/script>/g, '')
    .replace(/window\.PUBLIC_URL="\/"/g, `window.PUBLIC_URL="${basePath}"`)
    .replace(new RegExp(`\\b(href|src)="${rootSlash(basePath)}`, 'g'), `$1="${basePath}`);
}

/** CSS: root-absolute `url(/…)` (the fonts of app.bundle.css). */
export function rebaseCss(css: string, basePath: string): string {
  assertBasePath(basePath);
  return css.replace(new RegExp(`url\\((["']?)${rootSlash(basePath)}`, 'g'), `url($1${basePath}`);
}

/** JavaScript bundles: the rspack public path (app and workers) and the microscopy import. */
export function rebaseBundle(js: string, basePath: string): string {
  assertBasePath(basePath);
  return js
    .replace(/__webpack_require__\.p = "\/";/g, `__webpack_require__.p = "${basePath}";`)
    .replace(/(['"`])\/dicom-microscopy-viewer\//g, `$1${basePath}dicom-microscopy-viewer/`);
}

/** The web app manifest: icon paths. */
export function rebaseManifest(json: string, basePath: string): string {
  assertBasePath(basePath);
  return json.replace(new RegExp(`("src"\\s*:\\s*")${rootSlash(basePath)}`, 'g'), `$1${basePath}`);
}

/**
 * The rewrite for one file of the dist, by its path relative to the dist root, or undefined
 * when the file is served unchanged. Only top-level files are rewritten: the sub-folders
 * (assets, ort, dicom-microscopy-viewer, customizations) hold no root-absolute references
 * that the viewer uses.
 */
export function rebaseFor(relativePath: string): ((text: string, basePath: string) => string) | undefined {
  if (relativePath.includes('/')) return undefined;
  if (relativePath === 'index.html') return rebaseIndexHtml;
  if (relativePath === 'manifest.json') return rebaseManifest;
  if (relativePath.endsWith('.css')) return rebaseCss;
  if (relativePath.endsWith('.js') && relativePath !== 'sw.js') return rebaseBundle;
  return undefined;
}
