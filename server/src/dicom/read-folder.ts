import { readFile, stat } from 'node:fs/promises';
import { filesBelow, isFolder } from '../local/folder-entries.ts';

/** Every file below `dir` (recursively, following links) whose bytes 128..131 are "DICM", in path order. */
export async function listDicomFiles(dir: string): Promise<string[]> {
  if (!(await isFolder(dir))) throw new Error(`${dir} is not a folder`);
  const found: string[] = [];
  for (const file of await filesBelow(dir)) if (await isPart10(file)) found.push(file);
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
