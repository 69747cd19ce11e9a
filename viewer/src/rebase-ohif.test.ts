import { describe, expect, it, test } from 'vitest';
import { assertBasePath, rebaseBundle, rebaseCss, rebaseFor, rebaseIndexHtml, rebaseManifest } from './rebase-ohif.ts';

// Fragments as they appear in @ohif/app 3.13.2's dist.
const indexHtml =
  '<head><script>console.time("scriptToView"),window.PUBLIC_URL="/"</script>' +
  '<link rel="manifest" href="/manifest.json"><link rel="icon shortcut" href="/assets/favicon.ico">' +
  '<script rel="preload" as="script" src="/app-config.js"></script>' +
  '<script rel="preload" as="script" type="module" src="/init-service-worker.js"></script>' +
  '<script>function browserImportFunction(n){return import(n)}window.PUBLIC_URL="/"</script>' +
  '<script defer src="/app.bundle.0f6159c501addfe9.js"></script><link href="/app.bundle.css" rel="stylesheet">' +
  '<a href="https://ohif.org/">x</a><a href="//cdn.example/x">y</a></head>';

describe('rebaseIndexHtml', () => {
  const html = rebaseIndexHtml(indexHtml, '/viewer/');

  it('sets the public URL in both scripts', () => {
    expect(html.match(/window\.PUBLIC_URL="\/viewer\/"/g)).toHaveLength(2);
    expect(html).not.toContain('window.PUBLIC_URL="/"');
  });

  test.each([
    'href="/viewer/manifest.json"',
    'href="/viewer/assets/favicon.ico"',
    'src="/viewer/app-config.js"',
    'src="/viewer/app.bundle.0f6159c501addfe9.js"',
    'href="/viewer/app.bundle.css"',
  ])('prefixes %s', (attribute) => {
    expect(html).toContain(attribute);
  });

  it('leaves absolute and protocol-relative URLs alone', () => {
    expect(html).toContain('href="https://ohif.org/"');
    expect(html).toContain('href="//cdn.example/x"');
  });

  it('drops the service worker registration', () => {
    expect(html).not.toContain('init-service-worker');
  });

  it('is idempotent', () => {
    expect(rebaseIndexHtml(html, '/viewer/')).toBe(html);
  });
});

test.each([
  ['url(/a34f9d1faa5f3315.woff2)', 'url(/viewer/a34f9d1faa5f3315.woff2)'],
  ['url("/x.woff2")', 'url("/viewer/x.woff2")'],
  ["url('/x.woff2')", "url('/viewer/x.woff2')"],
  ['url(data:font/woff2;base64,AA)', 'url(data:font/woff2;base64,AA)'],
  ['url(//fonts.example/x.woff2)', 'url(//fonts.example/x.woff2)'],
])('rebaseCss(%s)', (css, expected) => {
  expect(rebaseCss(css, '/viewer/')).toBe(expected);
});

test.each([
  ['// webpack/runtime/public_path\n(() => {\n__webpack_require__.p = "/";\n})();', '__webpack_require__.p = "/viewer/";'],
  [
    "await window.browserImportFunction('/dicom-microscopy-viewer/dicomMicroscopyViewer.min.js');",
    "browserImportFunction('/viewer/dicom-microscopy-viewer/dicomMicroscopyViewer.min.js')",
  ],
])('rebaseBundle rewrites %#', (js, expected) => {
  expect(rebaseBundle(js, '/viewer/')).toContain(expected);
});

it('rebaseBundle leaves other code untouched', () => {
  const js = 'n.p="";const a = "/dicom-web/studies"; __webpack_require__.p = "/viewer/";';
  expect(rebaseBundle(js, '/viewer/')).toBe(js);
});

it('rebaseManifest prefixes icon sources and keeps the relative start_url', () => {
  const manifest = '{"icons":[{"src": "/assets/a.png"}],"start_url": "./index.html"}';
  expect(JSON.parse(rebaseManifest(manifest, '/viewer/'))).toEqual({
    icons: [{ src: '/viewer/assets/a.png' }],
    start_url: './index.html',
  });
});

test.each(['viewer/', '/viewer', '/', '/a b/', '/../'])('assertBasePath rejects %j', (basePath) => {
  expect(() => assertBasePath(basePath)).toThrow(/basePath must start and end with "\/"/);
});

test.each([
  ['index.html', rebaseIndexHtml],
  ['manifest.json', rebaseManifest],
  ['app.bundle.css', rebaseCss],
  ['app.bundle.0f6159c501addfe9.js', rebaseBundle],
  ['sw.js', undefined],
  ['assets/favicon.ico', undefined],
  ['ort/ort.all.min.js', undefined],
  ['34b1e6b1deb5828e.wasm', undefined],
])('rebaseFor(%s)', (file, expected) => {
  expect(rebaseFor(file)).toBe(expected);
});

test.each([
  [rebaseCss, 'url(/a.woff2) url("/b.woff2")'],
  [rebaseBundle, '__webpack_require__.p = "/"; import("/dicom-microscopy-viewer/x.js")'],
  [rebaseManifest, '{"icons":[{"src":"/assets/a.png"}]}'],
])('%o is idempotent', (rebase, text) => {
  const once = rebase(text, '/viewer/');
  expect(once).not.toBe(text);
  expect(rebase(once, '/viewer/')).toBe(once);
});
