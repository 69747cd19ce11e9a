import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';

/** Every file below `dir` (recursively) whose bytes 128..131 are "DICM", in path order. */
export async function listDicomFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  async function walk(current: string): Promise<void> {
    const entries = await readdir(current, { withFileTypes: true });
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile() && (await isPart10(full))) found.push(full);
    }
  }
  if (!(await stat(dir)).isDirectory()) throw new Error(`${dir} is not a folder`);
  await walk(dir);
  return found;
}

async function isPart10(file: string): Promise<boolean> {
  const { size } = await stat(file);
  if (size < 132) return false;
  const handle = await import('node:fs/promises').then((fs) => fs.open(file, 'r'));
  try {
    const magic = Buffer.alloc(4);
    await handle.read(magic, 0, 4, 128);
    return magic.toString('latin1') === 'DICM';
  } finally {
    await handle.close();
  }
}

export async function readFileBytes(file: string): Promise<Uint8Array> {
  return new Uint8Array(await readFile(file));
}
