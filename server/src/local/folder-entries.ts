import { readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';

export interface FolderEntry {
  readonly name: string;
  readonly path: string;
  readonly kind: 'file' | 'folder';
}

/** Whether `p` is a folder (through links); false when it is missing. */
export async function isFolder(p: string): Promise<boolean> {
  return stat(p).then((s) => s.isDirectory(), () => false);
}

/**
 * A folder's files and sub-folders in name order, with symbolic links taken as what they point at
 * (users link LIDC-IDRI case folders into a working folder); broken links and other kinds are left out.
 */
export async function folderEntries(dir: string): Promise<FolderEntry[]> {
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
  const kinds = await Promise.all(entries.map(async (entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isSymbolicLink()) return stat(full).then((s) => (s.isDirectory() ? 'folder' : s.isFile() ? 'file' : undefined), () => undefined);
    return entry.isDirectory() ? 'folder' : entry.isFile() ? 'file' : undefined;
  }));
  return entries.flatMap((entry, n) => {
    const kind = kinds[n];
    return kind ? [{ name: entry.name, path: path.join(dir, entry.name), kind }] : [];
  });
}

/** Every file below `dir`, depth first in name order, following links; each real folder is read once, so a link back up the tree ends there. */
export async function filesBelow(dir: string): Promise<string[]> {
  const seen = new Set<string>();
  const found: string[] = [];
  const walk = async (current: string): Promise<void> => {
    const real = await realpath(current);
    if (seen.has(real)) return;
    seen.add(real);
    for (const entry of await folderEntries(current)) {
      if (entry.kind === 'folder') await walk(entry.path);
      else found.push(entry.path);
    }
  };
  await walk(dir);
  return found;
}
