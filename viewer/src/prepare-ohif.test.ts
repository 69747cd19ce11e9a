import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { prepareOhifDist } from './prepare-ohif.ts';

const here = path.dirname(fileURLToPath(import.meta.url));

describe('prepareOhifDist on a small dist', () => {
  let root: string;
  let pristineDir: string;
  let outDir: string;

  beforeEach(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'lungbridge-ohif-'));
    pristineDir = path.join(root, 'dist');
    outDir = path.join(root, 'www');
    await fs.mkdir(path.join(pristineDir, 'assets'), { recursive: true });
    await fs.writeFile(path.join(pristineDir, 'index.html'), '<script>window.PUBLIC_URL="/"</script><script src="/app.bundle.1234567890abcdef.js"></script>');
    await fs.writeFile(path.join(pristineDir, 'app.bundle.1234567890abcdef.js'), '__webpack_require__.p = "/";');
    await fs.writeFile(path.join(pristineDir, 'app.bundle.css'), 'a{background:url(/x.woff2)}');
    await fs.writeFile(path.join(pristineDir, 'plain.bundle.js'), 'console.log(1);');
    await fs.writeFile(path.join(pristineDir, 'assets', 'logo.svg'), '<svg href="/x"/>');
  });

  afterEach(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  it('rewrites the files that name root paths and hard-links the rest', async () => {
    const result = await prepareOhifDist({ pristineDir, outDir, basePath: '/viewer/' });
    expect(result.rewritten).toEqual(['app.bundle.1234567890abcdef.js', 'app.bundle.css', 'index.html']);
    expect(result.linked).toBe(2);
    expect(await fs.readFile(path.join(outDir, 'index.html'), 'utf8')).toBe(
      '<script>window.PUBLIC_URL="/viewer/"</script><script src="/viewer/app.bundle.1234567890abcdef.js"></script>',
    );
    const [linked, source] = await Promise.all([
      fs.stat(path.join(outDir, 'assets', 'logo.svg')),
      fs.stat(path.join(pristineDir, 'assets', 'logo.svg')),
    ]);
    expect(linked.ino).toBe(source.ino);
    // The pristine copy is never written to.
    expect(await fs.readFile(path.join(pristineDir, 'app.bundle.css'), 'utf8')).toBe('a{background:url(/x.woff2)}');
  });

  it('gives the same folder when run again, without leftovers beside it', async () => {
    await prepareOhifDist({ pristineDir, outDir, basePath: '/viewer/' });
    await fs.writeFile(path.join(outDir, 'stale.js'), 'left from an older OHIF');
    const again = await prepareOhifDist({ pristineDir, outDir, basePath: '/viewer/' });
    expect(again.rewritten).toHaveLength(3);
    expect(existsSync(path.join(outDir, 'stale.js'))).toBe(false);
    expect(await fs.readFile(path.join(outDir, 'app.bundle.css'), 'utf8')).toBe('a{background:url(/viewer/x.woff2)}');
    expect((await fs.readdir(root)).sort()).toEqual(['dist', 'www']);
  });

  it('names the set-up script when the pristine dist is missing', async () => {
    await expect(
      prepareOhifDist({ pristineDir: path.join(root, 'nothing'), outDir, basePath: '/viewer/' }),
    ).rejects.toThrow(/fetch-ohif\.sh/);
  });
});

// The real dist, when viewer/scripts/fetch-ohif.sh has fetched it: nothing root-absolute may
// remain in what the browser loads, or the viewer would fetch it from Lungbridge's root.
const realDist = path.resolve(here, '../ohif/dist');
describe.skipIf(!existsSync(path.join(realDist, 'index.html')))(
  'prepareOhifDist on @ohif/app (skipped until viewer/scripts/fetch-ohif.sh has run)',
  () => {
    it('leaves no root-absolute public path, asset link or font URL', async () => {
      // Inside viewer/ohif/ so hard links work (same file system as the dist).
      const outDir = path.resolve(here, `../ohif/www-test-${process.pid}`);
      try {
        const result = await prepareOhifDist({ pristineDir: realDist, outDir, basePath: '/viewer/' });
        expect(result.rewritten).toContain('index.html');
        expect(result.rewritten).toContain('app.bundle.css');
        const index = await fs.readFile(path.join(outDir, 'index.html'), 'utf8');
        expect(index).not.toMatch(/(?:href|src)="\/(?!viewer\/)/);
        expect(index).not.toContain('PUBLIC_URL="/"');
        for (const file of await fs.readdir(outDir)) {
          if (file.endsWith('.js') && file !== 'sw.js') {
            expect(await fs.readFile(path.join(outDir, file), 'utf8'), file).not.toContain('__webpack_require__.p = "/";');
          }
          if (file.endsWith('.css')) {
            expect(await fs.readFile(path.join(outDir, file), 'utf8'), file).not.toMatch(/url\(["']?\/(?!viewer\/)/);
          }
        }
      } finally {
        await fs.rm(outDir, { recursive: true, force: true });
      }
    });
  },
);
