import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filesBelow, folderEntries } from './folder-entries.ts';

describe('folder entries with links', () => {
  let root: string;
  beforeAll(async () => {
    // root/cases/{a.txt, real/x.dcm, linked -> ../data, up -> ..(root), broken -> nowhere}, root/data/y.dcm
    root = await mkdtemp(path.join(tmpdir(), 'lungbridge-folders-'));
    await mkdir(path.join(root, 'cases', 'real'), { recursive: true });
    await mkdir(path.join(root, 'data'));
    await writeFile(path.join(root, 'cases', 'a.txt'), 'a');
    await writeFile(path.join(root, 'cases', 'real', 'x.dcm'), 'x');
    await writeFile(path.join(root, 'data', 'y.dcm'), 'y');
    await symlink(path.join(root, 'data'), path.join(root, 'cases', 'linked'));
    await symlink(root, path.join(root, 'cases', 'up'));
    await symlink(path.join(root, 'nowhere'), path.join(root, 'cases', 'broken'));
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('lists files and folders in name order, a link as what it points at, a broken link not at all', async () => {
    expect((await folderEntries(path.join(root, 'cases'))).map((e) => `${e.name}:${e.kind}`)).toEqual(['a.txt:file', 'linked:folder', 'real:folder', 'up:folder']);
  });

  it('walks into linked folders and reads each real folder once, so a link back up does not loop', async () => {
    const files = (await filesBelow(path.join(root, 'cases'))).map((f) => path.relative(root, f));
    expect(files).toEqual(['cases/a.txt', 'cases/linked/y.dcm', 'cases/real/x.dcm']);
  });
});
