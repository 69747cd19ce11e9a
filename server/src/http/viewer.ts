import { createReadStream, promises as fs } from 'node:fs';
import path from 'node:path';
import type Koa from 'koa';

/**
 * Serves the prebuilt OHIF app under `/viewer/` (the folder that viewer/scripts/fetch-ohif.sh
 * prepares, already rewritten for that prefix) and Lungbridge's generated `app-config.js`.
 *
 * The static files are public: they hold no patient data, and every DICOMweb request they make
 * goes through the authenticated `/dicom-web` proxy. Page loads (index.html and the SPA routes
 * that fall back to it) are sent to the login page first when `hasSession` says there is no
 * session, so a browser without one ends up at the form instead of an empty study list.
 */
export interface ViewerOptions {
  /** The prepared OHIF dist (viewer/ohif/www). */
  readonly distDir: string;
  /** The text of app-config.js (viewer/src/app-config.ts: renderAppConfigJs). */
  readonly appConfigJs: string;
  /** Whether the request carries a valid session; absent = pages are not gated. */
  readonly hasSession?: (ctx: Koa.Context) => boolean;
  readonly loginPath?: string;
}

export const viewerPrefix = '/viewer/';

const contentTypes: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.jsonc': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  // application/wasm lets the browser compile while streaming.
  '.wasm': 'application/wasm',
  '.woff2': 'font/woff2',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.xml': 'application/xml; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

/** Content-hashed names (`app.bundle.0f6159c501addfe9.js`, `34b1e6b1deb5828e.wasm`) never change. */
const hashedName = /(?:^|\.)[0-9a-f]{16}\.(?:js|wasm|woff2|css)$/;

export const cacheControl = {
  immutable: 'public, max-age=31536000, immutable',
  /** Revalidate every time (ETag / Last-Modified make that a 304). */
  revalidate: 'no-cache',
} as const;

export function contentTypeFor(fileName: string): string {
  return contentTypes[path.extname(fileName).toLowerCase()] ?? 'application/octet-stream';
}

export function cacheControlFor(fileName: string): string {
  return hashedName.test(path.basename(fileName)) ? cacheControl.immutable : cacheControl.revalidate;
}

/**
 * The file a request path names inside the dist, or undefined when the path is not one a static
 * file may have (traversal, dot files, encoded slashes, NUL).
 */
export function resolveViewerFile(distDir: string, requestPath: string): string | undefined {
  if (!requestPath.startsWith(viewerPrefix)) return undefined;
  let relative: string;
  try {
    relative = decodeURIComponent(requestPath.slice(viewerPrefix.length));
  } catch {
    return undefined;
  }
  const segments = relative.split('/');
  if (segments.some((segment) => segment.startsWith('.') || segment.includes('\\') || segment.includes('\0'))) {
    return undefined;
  }
  return path.join(distDir, ...segments);
}

/** SPA routes (`/viewer/viewer`, `/viewer/segmentation`) have no extension in their last segment. */
function isPageRoute(requestPath: string): boolean {
  return !path.posix.basename(requestPath).includes('.');
}

export function viewerMiddleware(options: ViewerOptions): Koa.Middleware {
  const loginPath = options.loginPath ?? '/login';
  const appConfigJs = Buffer.from(options.appConfigJs, 'utf8');
  const indexHtml = path.join(options.distDir, 'index.html');

  return async function serveViewer(ctx, next) {
    if (ctx.path === viewerPrefix.slice(0, -1)) {
      ctx.redirect(viewerPrefix + (ctx.querystring ? `?${ctx.querystring}` : ''));
      return;
    }
    if (!ctx.path.startsWith(viewerPrefix)) return next();
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') {
      ctx.set('Allow', 'GET, HEAD');
      ctx.status = 405;
      return;
    }
    ctx.set('X-Content-Type-Options', 'nosniff');

    if (ctx.path === `${viewerPrefix}app-config.js`) {
      ctx.set('Cache-Control', cacheControl.revalidate);
      ctx.type = contentTypeFor('app-config.js');
      ctx.body = appConfigJs;
      return;
    }

    const requested = resolveViewerFile(options.distDir, ctx.path);
    if (requested === undefined) {
      ctx.status = 404;
      return;
    }
    let file = ctx.path === viewerPrefix ? indexHtml : requested;
    let stat = await statFile(file);
    if (!stat && isPageRoute(ctx.path)) {
      file = indexHtml;
      stat = await statFile(file);
    }
    if (!stat) {
      ctx.status = 404;
      return;
    }

    if (file === indexHtml && options.hasSession && !options.hasSession(ctx)) {
      ctx.set('Cache-Control', 'no-store');
      ctx.redirect(`${loginPath}?next=${encodeURIComponent(ctx.originalUrl)}`);
      return;
    }

    ctx.set('Cache-Control', cacheControlFor(file));
    ctx.type = contentTypeFor(file);
    ctx.lastModified = stat.mtime;
    ctx.etag = `W/"${stat.size.toString(16)}-${Math.floor(stat.mtimeMs).toString(16)}"`;
    ctx.status = 200;
    if (ctx.fresh) {
      ctx.status = 304;
      return;
    }
    ctx.length = stat.size;
    if (ctx.method === 'HEAD') return;
    ctx.body = createReadStream(file);
  };
}

async function statFile(file: string): Promise<import('node:fs').Stats | undefined> {
  try {
    const stat = await fs.stat(file);
    return stat.isFile() ? stat : undefined;
  } catch {
    return undefined;
  }
}
