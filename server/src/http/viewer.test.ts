import { promises as fs } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Koa from 'koa';
import { afterAll, beforeAll, describe, expect, it, test } from 'vitest';
import { cacheControl, resolveViewerFile, viewerMiddleware } from './viewer.ts';

const appConfigJs = 'window.config = { routerBasename: "/viewer" };';
let distDir: string;
let server: http.Server;
let base: string;

beforeAll(async () => {
  distDir = await fs.mkdtemp(path.join(os.tmpdir(), 'lungbridge-viewer-'));
  await fs.mkdir(path.join(distDir, 'assets'));
  await fs.writeFile(path.join(distDir, 'index.html'), '<!doctype html><title>OHIF</title>');
  await fs.writeFile(path.join(distDir, 'app.bundle.0f6159c501addfe9.js'), 'console.log("app");');
  await fs.writeFile(path.join(distDir, 'app.bundle.css'), 'body{}');
  await fs.writeFile(path.join(distDir, '34b1e6b1deb5828e.wasm'), Buffer.from([0, 0x61, 0x73, 0x6d]));
  await fs.writeFile(path.join(distDir, 'app-config.js'), 'window.config = "the one shipped with OHIF";');
  await fs.writeFile(path.join(distDir, '.ohif-version'), '3.13.2');
  await fs.writeFile(path.join(distDir, 'assets', 'favicon.ico'), 'ico');

  const app = new Koa();
  app.use(
    viewerMiddleware({
      distDir,
      appConfigJs,
      // A stand-in for the session cookie check: pages need the cookie "session=yes".
      hasSession: (ctx) => ctx.cookies.get('session') === 'yes',
    }),
  );
  app.use((ctx) => {
    ctx.body = 'next middleware';
  });
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await fs.rm(distDir, { recursive: true, force: true });
});

const withSession = { headers: { cookie: 'session=yes' } };
const get = (url: string, init: RequestInit = withSession) => fetch(base + url, { redirect: 'manual', ...init });

describe('viewerMiddleware', () => {
  test.each([
    ['/viewer/app.bundle.0f6159c501addfe9.js', 'text/javascript; charset=utf-8', cacheControl.immutable, 'console.log("app");'],
    ['/viewer/34b1e6b1deb5828e.wasm', 'application/wasm', cacheControl.immutable, '\0asm'],
    ['/viewer/app.bundle.css', 'text/css; charset=utf-8', cacheControl.revalidate, 'body{}'],
    ['/viewer/assets/favicon.ico', 'image/x-icon', cacheControl.revalidate, 'ico'],
    ['/viewer/', 'text/html; charset=utf-8', cacheControl.revalidate, '<!doctype html><title>OHIF</title>'],
  ])('serves %s as %s with %s', async (url, type, cache, body) => {
    const response = await get(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(type);
    expect(response.headers.get('cache-control')).toBe(cache);
    expect(response.headers.get('content-length')).toBe(String(Buffer.byteLength(body)));
    expect(await response.text()).toBe(body);
  });

  it("serves Lungbridge's app-config.js, not the one in the dist, uncached", async () => {
    const response = await get('/viewer/app-config.js');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await response.text()).toBe(appConfigJs);
  });

  test.each(['/viewer/viewer?StudyInstanceUIDs=1.2.3', '/viewer/segmentation', '/viewer/viewer/dicomweb'])(
    'falls back to index.html for the viewer route %s',
    async (url) => {
      const response = await get(url);
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('no-cache');
      expect(await response.text()).toContain('<title>OHIF</title>');
    },
  );

  test.each(['/viewer/missing.bundle.0123456789abcdef.js', '/viewer/.ohif-version', '/viewer/%2e%2e%2f%2e%2e%2fetc%2fpasswd', '/viewer/%E0%A4%A'])(
    'answers 404 for %s',
    async (url) => {
      expect((await get(url)).status).toBe(404);
    },
  );

  it('redirects /viewer to /viewer/, keeping the query', async () => {
    const response = await get('/viewer?StudyInstanceUIDs=1.2.3');
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/viewer/?StudyInstanceUIDs=1.2.3');
  });

  it('sends a page request without a session to the login page, with the way back', async () => {
    const response = await get('/viewer/viewer?StudyInstanceUIDs=1.2.3', {});
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe(
      `/login?next=${encodeURIComponent('/viewer/viewer?StudyInstanceUIDs=1.2.3')}`,
    );
  });

  it('serves the static bundles without a session (they hold no patient data)', async () => {
    expect((await get('/viewer/app.bundle.0f6159c501addfe9.js', {})).status).toBe(200);
    expect((await get('/viewer/app-config.js', {})).status).toBe(200);
  });

  it('answers a conditional request with 304', async () => {
    const first = await get('/viewer/app.bundle.css');
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^W\/"/);
    // node:http, not fetch: fetch adds "Cache-Control: no-cache" to conditional requests.
    const status = await new Promise<number | undefined>((resolve, reject) => {
      http
        .get(`${base}/viewer/app.bundle.css`, { headers: { 'if-none-match': etag! } }, (response) => {
          response.resume();
          resolve(response.statusCode);
        })
        .on('error', reject);
    });
    expect(status).toBe(304);
  });

  it('answers HEAD with headers only and refuses other methods', async () => {
    const head = await get('/viewer/app.bundle.css', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe('6');
    const post = await get('/viewer/app.bundle.css', { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  it('passes other paths on', async () => {
    const response = await get('/viewers');
    expect(await response.text()).toBe('next middleware');
  });
});

test.each([
  ['/viewer/a/b.js', ['a', 'b.js']],
  ['/viewer/..%2f..%2fsecret', undefined],
  ['/viewer/a/../../secret', undefined],
  ['/other/x.js', undefined],
])('resolveViewerFile(%s)', (requestPath, segments) => {
  expect(resolveViewerFile('/srv/www', requestPath)).toBe(segments && path.join('/srv/www', ...segments));
});
