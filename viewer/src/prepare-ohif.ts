import { promises as fs } from 'node:fs';
import path from 'node:path';
import { assertBasePath, rebaseFor } from './rebase-ohif.ts';

export interface PrepareOhifOptions {
  /** The untouched `package/dist` of `@ohif/app`. */
  readonly pristineDir: string;
  /** Where the servable copy goes; replaced as a whole. */
  readonly outDir: string;
  readonly basePath: string;
}

export interface PrepareOhifResult {
  /** Paths (relative to the dist) whose text was rewritten for `basePath`. */
  readonly rewritten: readonly string[];
  /** Files served unchanged: hard links to the pristine copy, so they cost no disk. */
  readonly linked: number;
}

/**
 * Builds `outDir` from `pristineDir` for serving under `basePath`: the files that name root paths
 * are rewritten (see rebase-ohif.ts), all others are hard-linked. The new folder is built beside
 * the old one and swapped in by rename, so a running server never sees a half-written copy and
 * running it twice gives the same result.
 */
export async function prepareOhifDist(options: PrepareOhifOptions): Promise<PrepareOhifResult> {
  assertBasePath(options.basePath);
  await fs.access(path.join(options.pristineDir, 'index.html')).catch(() => {
    throw new Error(`pristineDir has no index.html: ${options.pristineDir} (run viewer/scripts/fetch-ohif.sh)`);
  });
  const staging = `${options.outDir}.staging-${process.pid}`;
  await fs.rm(staging, { recursive: true, force: true });
  const rewritten: string[] = [];
  let linked = 0;
  for (const relativePath of await listFiles(options.pristineDir)) {
    const source = path.join(options.pristineDir, relativePath);
    const target = path.join(staging, relativePath);
    await fs.mkdir(path.dirname(target), { recursive: true });
    const rebase = rebaseFor(relativePath);
    if (rebase) {
      const text = await fs.readFile(source, 'utf8');
      const rebased = rebase(text, options.basePath);
      if (rebased !== text) {
        await fs.writeFile(target, rebased);
        rewritten.push(relativePath);
        continue;
      }
    }
    await linkOrCopy(source, target);
    linked += 1;
  }
  const retired = `${options.outDir}.retired-${process.pid}`;
  await fs.rename(options.outDir, retired).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
  await fs.rename(staging, options.outDir);
  await fs.rm(retired, { recursive: true, force: true });
  return { rewritten: rewritten.sort(), linked };
}

async function listFiles(root: string): Promise<string[]> {
  const entries = await fs.readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'));
}

async function linkOrCopy(source: string, target: string): Promise<void> {
  try {
    await fs.link(source, target);
  } catch (error) {
    // Hard links fail across file systems (EXDEV) and on some mounts (EPERM): copy instead.
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EXDEV' && code !== 'EPERM') throw error;
    await fs.copyFile(source, target);
  }
}
