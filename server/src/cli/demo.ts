import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import { desc, eq } from 'drizzle-orm';
import { analyses } from '../db/schema.ts';
import { importFolder } from '../dicomweb/import-folder.ts';
import { generatePhantom } from '../phantom/generate.ts';
import { demonstrationNodules, writePhantom } from '../phantom/write-phantom.ts';
import type { Service } from '../service.ts';
import { progressBar } from './progress.ts';

/** The demo patient: a full-size synthetic chest CT with the four demonstration nodules. */
const demoSeed = 7;

/**
 * `npm run demo`: writes a synthetic chest CT with known nodules (once, into the data dir),
 * stores it into the PACS like a modality would, and waits until the change feed has routed it
 * and the analysis has finished. Returns the study's UID.
 */
export async function runDemo(options: { service: Service; dataDir: string; log: (line: string) => void }): Promise<string> {
  const dir = path.join(options.dataDir, 'demo-phantom');
  const truthFile = path.join(dir, 'truth.json');
  if (!(await access(truthFile).then(() => true, () => false))) {
    options.log('Demo: generating a synthetic chest CT (512 x 512 x 320) with four nodules…');
    const lines = await writePhantom(generatePhantom({ seed: demoSeed, nodules: demonstrationNodules }), dir, {});
    for (const line of lines) options.log(`  ${line}`);
  }
  const { series: { studyInstanceUid } } = JSON.parse(await readFile(truthFile, 'utf8')) as { series: { studyInstanceUid: string } };
  const bar = progressBar('store');
  const stored = await importFolder(options.service.pacs, dir, ({ done, total }) => bar.update(done, total));
  options.log(`Demo: ${stored.stored} instances in the PACS; waiting for Orthanc to call the study stable and Lungbridge to analyse it…`);
  const deadline = Date.now() + 10 * 60_000;
  while (Date.now() < deadline) {
    const [row] = await options.service.database.db.select().from(analyses)
      .where(eq(analyses.studyInstanceUid, studyInstanceUid)).orderBy(desc(analyses.createdAt)).limit(1);
    if (row && ['succeeded', 'failed', 'skipped'].includes(row.status)) {
      options.log(`Demo: analysis ${row.id} ${row.status}${row.error ? `: ${row.error}` : ''}`);
      return studyInstanceUid;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  options.log('Demo: the analysis did not finish within 10 minutes; see GET /api/v1/analyses');
  return studyInstanceUid;
}
