import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyses, changeFeedCursors, storedSeries } from '../src/db/schema.ts';
import { importFolder } from '../src/dicomweb/import-folder.ts';
import { createDefaultEngine } from '../src/engine.ts';
import { hookedEngine } from './engines.ts';
import { eventually, startTestStack, type TestStack } from './services.ts';
import { phantomStudy } from './fixtures.ts';

const lidcDir = process.env.LUNGBRIDGE_LIDC_DIR ?? path.resolve(import.meta.dirname, '../../../shared/data/lidc');

async function analysesOf(stack: TestStack, studyInstanceUid: string) {
  return stack.service.database.db.select().from(analyses).where(eq(analyses.studyInstanceUid, studyInstanceUid));
}

async function finished(stack: TestStack, studyInstanceUid: string) {
  return eventually(async () => {
    const [row] = await analysesOf(stack, studyInstanceUid);
    return row && ['succeeded', 'failed', 'skipped'].includes(row.status) ? row : undefined;
  }, `an outcome for ${studyInstanceUid}`, 90_000);
}

/**
 * Storing SR/SEG makes Orthanc announce the study as stable again (StableAge 4 s here): waits
 * until the change feed has read past that StableStudy.
 */
async function feedPassedOurResults(stack: TestStack): Promise<void> {
  const auth = { authorization: `Basic ${Buffer.from(`${stack.orthanc.username}:${stack.orthanc.password}`).toString('base64')}` };
  const changesSince = async (since: number) => (await (await fetch(`${stack.orthanc.url}/changes?since=${since}&limit=1000`, { headers: auth })).json()) as { Changes: Array<{ Seq: number; ChangeType: string }> };
  // The newest NewSeries is one of ours: the results were the last series stored.
  const storedAt = (await changesSince(0)).Changes.filter((c) => c.ChangeType === 'NewSeries').at(-1)!.Seq;
  const restable = await eventually(async () => (await changesSince(storedAt)).Changes.find((c) => c.ChangeType === 'StableStudy')?.Seq, 'Orthanc to call the study stable again');
  await eventually(async () => {
    const cursor = await stack.service.database.db.query.changeFeedCursors.findFirst();
    return cursor && cursor.lastSeq >= restable ? true : undefined;
  }, 'the change feed to pass our own results');
}

/** Auto-routing from Orthanc's change feed, with a real Orthanc and PostgreSQL. */
describe('auto-routing', () => {
  let stack: TestStack;
  beforeAll(async () => { stack = await startTestStack(); });
  afterAll(async () => { await stack?.stop(); });

  it('analyses a stored chest CT without any call, stores SR and SEG, and is not re-triggered by them', async () => {
    const study = phantomStudy({ seed: 201, slices: 48 });
    await stack.pacs.store(study.studyInstanceUid, study.instances);
    const row = await finished(stack, study.studyInstanceUid);
    expect(row).toMatchObject({ status: 'succeeded', trigger: 'auto' });
    expect(row.series).toMatchObject({ sliceCount: 48, seriesInstanceUid: study.seriesInstanceUid });

    const ours = await stack.service.database.db.select().from(storedSeries).where(eq(storedSeries.studyInstanceUid, study.studyInstanceUid));
    expect(ours.map((s) => s.kind).sort()).toEqual(row.outputs?.segSopInstanceUid ? ['pdf', 'seg', 'sr'] : ['pdf', 'sr']);

    await feedPassedOurResults(stack);
    expect(await analysesOf(stack, study.studyInstanceUid)).toHaveLength(1);

    // The results are in the PACS, found by QIDO in the source study.
    const series = await stack.pacs.searchSeries(study.studyInstanceUid);
    expect(series.map((s) => s.modality).sort()).toEqual(['CT', 'DOC', 'SEG', 'SR'].filter((m) => m !== 'SEG' || row.outputs?.segSopInstanceUid));
  });

  it('does not repeat an analysis asked for through the API before routing saw the study', async () => {
    const study = phantomStudy({ seed: 204, slices: 40, nodules: [] });
    await stack.pacs.store(study.studyInstanceUid, study.instances);
    // Asked for at once, before Orthanc calls the study stable (4 s): the API analysis has no input
    // fingerprint yet; the worker records it, so neither the StableStudy nor our results re-queue.
    const res = await stack.api('/api/v1/analyses', { method: 'POST', json: { studyInstanceUid: study.studyInstanceUid } });
    expect(res.status).toBe(202);
    const row = await finished(stack, study.studyInstanceUid);
    expect(row).toMatchObject({ status: 'succeeded', trigger: 'api' });
    expect(row.inputFingerprint).toMatch(/^[0-9a-f]{32}$/);
    await feedPassedOurResults(stack);
    expect(await analysesOf(stack, study.studyInstanceUid)).toHaveLength(1);
  });

  it('records a non-CT study as skipped by the modality rule', async () => {
    const study = phantomStudy({
      seed: 202, slices: 12, nodules: [],
      edit: (datasets) => datasets.map((ds) => ({ ...ds, Modality: 'MR', SOPClassUID: '1.2.840.10008.5.1.4.1.1.4' })),
    });
    await stack.pacs.store(study.studyInstanceUid, study.instances);
    const row = await finished(stack, study.studyInstanceUid);
    expect(row).toMatchObject({ status: 'skipped', skipRule: 'modality' });
    expect(row.error).toMatch(/is MR, not CT/);
  });

  it('routes a study a modality sends over DICOM (C-STORE to the AE title and port npm start prints)', async () => {
    const study = phantomStudy({ seed: 205, slices: 4, nodules: [] });
    const dir = await mkdtemp(path.join(tmpdir(), 'lungbridge-cstore-'));
    try {
      const files = await Promise.all(study.instances.map(async (bytes, n) => {
        const file = path.join(dir, `${n}.dcm`);
        await writeFile(file, bytes);
        return file;
      }));
      execFileSync('storescu', ['-aet', 'MODALITY', '-aec', stack.orthanc.dicomAet, '127.0.0.1', String(stack.orthanc.dicomPort), ...files]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    const row = await finished(stack, study.studyInstanceUid);
    expect(row).toMatchObject({ status: 'skipped', trigger: 'auto', skipRule: 'minSlices' });
  });

  it('records a CT with too few slices as skipped by the minimum slice rule', async () => {
    const study = phantomStudy({ seed: 203, slices: 4, nodules: [] });
    await stack.pacs.store(study.studyInstanceUid, study.instances);
    const row = await finished(stack, study.studyInstanceUid);
    expect(row).toMatchObject({ status: 'skipped', skipRule: 'minSlices' });
    expect(row.error).toMatch(/4 slices \(< 10\)/);
  });

  it('keeps routing when a study was deleted after Orthanc called it stable', async () => {
    const auth = { authorization: `Basic ${Buffer.from(`${stack.orthanc.username}:${stack.orthanc.password}`).toString('base64')}` };
    const orthancRest = async (pathname: string, init: RequestInit = {}) => fetch(`${stack.orthanc.url}${pathname}`, { ...init, headers: auth });
    await stack.service.changeFeed.stop();
    const deleted = phantomStudy({ seed: 206, slices: 4, nodules: [] });
    await stack.pacs.store(deleted.studyInstanceUid, deleted.instances);
    const [{ ID: orthancId }] = await (await orthancRest('/tools/lookup', { method: 'POST', body: deleted.studyInstanceUid })).json() as Array<{ ID: string }>;
    await eventually(async () => {
      const { Changes } = await (await orthancRest('/changes?limit=1000&since=0')).json() as { Changes: Array<{ ChangeType: string; ID: string }> };
      return Changes.some((c) => c.ChangeType === 'StableStudy' && c.ID === orthancId) || undefined;
    }, 'Orthanc to call the study stable');
    expect((await orthancRest(`/studies/${orthancId}`, { method: 'DELETE' })).status).toBe(200);
    const next = phantomStudy({ seed: 207, slices: 4, nodules: [] });
    await stack.pacs.store(next.studyInstanceUid, next.instances);
    stack.service.changeFeed.start();
    // Its StableStudy comes after the deleted study's, which Orthanc can no longer describe.
    expect(await finished(stack, next.studyInstanceUid)).toMatchObject({ status: 'skipped', skipRule: 'minSlices' });
    expect(await analysesOf(stack, deleted.studyInstanceUid)).toHaveLength(0);
  });

  it('reads Orthanc\'s feed from the start when its sequence fell behind the cursor (Orthanc\'s database reset)', async () => {
    await stack.service.changeFeed.stop();
    const before = await stack.service.database.db.select().from(analyses);
    await stack.service.database.db.update(changeFeedCursors).set({ lastSeq: 10_000_000 });
    const study = phantomStudy({ seed: 208, slices: 4, nodules: [] });
    await stack.pacs.store(study.studyInstanceUid, study.instances);
    stack.service.changeFeed.start();
    expect(await finished(stack, study.studyInstanceUid)).toMatchObject({ status: 'skipped', skipRule: 'minSlices' });
    // Read again from the start, the studies routed before are not queued again.
    const auth = { authorization: `Basic ${Buffer.from(`${stack.orthanc.username}:${stack.orthanc.password}`).toString('base64')}` };
    const { Last: last } = await (await fetch(`${stack.orthanc.url}/changes?last`, { headers: auth })).json() as { Last: number };
    await eventually(async () => {
      const cursor = await stack.service.database.db.query.changeFeedCursors.findFirst();
      return cursor && cursor.lastSeq >= last && cursor.lastSeq < 10_000_000 ? true : undefined;
    }, 'the change feed to read to the end again');
    const after = await stack.service.database.db.select().from(analyses);
    expect(after).toHaveLength(before.length + 1);
  });

  it.skipIf(!existsSync(lidcDir))('analyses the two LIDC slabs, recording series, slice count and spacing', async () => {
    const expected = { 'LIDC-IDRI-0001': { slices: 16, pixel: 0.703125 }, 'LIDC-IDRI-0003': { slices: 11, pixel: 0.820312 } };
    for (const [name, want] of Object.entries(expected)) {
      const imported = await importFolder(stack.pacs, path.join(lidcDir, name, 'ct'));
      expect(imported.failures).toEqual([]);
      const row = await eventually(async () => {
        const rows = await stack.service.database.db.select().from(analyses);
        return rows.find((r) => r.series?.sliceCount === want.slices && r.status === 'succeeded');
      }, `${name} analysed`, 120_000);
      expect(row.trigger).toBe('auto');
      expect(row.series?.spacingMm).toEqual([want.pixel, want.pixel, 2.5]);
      expect(row.series?.seriesInstanceUid).toMatch(/^1\.3\.6\.1\.4\.1\.14519\.5\.2\.1\.6279\.6001\./);
    }
  });
});

describe('images that arrive while their study is analysed', () => {
  let stack: TestStack;
  let duringAnalysis: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const engine = hookedEngine(await createDefaultEngine(), {
      beforeAnalyze: async () => {
        const work = duringAnalysis;
        duringAnalysis = undefined;
        await work?.();
      },
    });
    stack = await startTestStack({ engine });
  });
  afterAll(async () => { await stack?.stop(); });

  // Their StableStudy finds the run active and passes; storing the run's results makes Orthanc call
  // the study stable again, and then its input differs from what the run read.
  it('are analysed once the run that missed them has finished', async () => {
    const study = phantomStudy({ seed: 209, slices: 40, nodules: [] });
    const [first] = study.datasets;
    const late = phantomStudy({
      seed: 210, slices: 40, nodules: [],
      edit: (datasets) => datasets.map((ds) => ({ ...ds, StudyInstanceUID: first.StudyInstanceUID, PatientID: first.PatientID, PatientName: first.PatientName, PatientBirthDate: first.PatientBirthDate, PatientSex: first.PatientSex })),
    });
    duringAnalysis = async () => {
      // A second series arrives after the run has read the study; its StableStudy finds the run active.
      const auth = { authorization: `Basic ${Buffer.from(`${stack.orthanc.username}:${stack.orthanc.password}`).toString('base64')}` };
      const { Last: before } = await (await fetch(`${stack.orthanc.url}/changes?last`, { headers: auth })).json() as { Last: number };
      await stack.pacs.store(study.studyInstanceUid, late.instances);
      const stable = await eventually(async () => {
        const { Changes } = await (await fetch(`${stack.orthanc.url}/changes?since=${before}&limit=1000`, { headers: auth })).json() as { Changes: Array<{ Seq: number; ChangeType: string }> };
        return Changes.find((c) => c.ChangeType === 'StableStudy')?.Seq;
      }, 'Orthanc to call the study stable again');
      await eventually(async () => {
        const cursor = await stack.service.database.db.query.changeFeedCursors.findFirst();
        return cursor && cursor.lastSeq >= stable ? true : undefined;
      }, 'the change feed to read that StableStudy');
    };
    await stack.pacs.store(study.studyInstanceUid, study.instances);
    const runs = await eventually(async () => {
      const rows = await analysesOf(stack, study.studyInstanceUid);
      return rows.length === 2 && rows.every((r) => r.status === 'succeeded') ? rows : undefined;
    }, 'a second analysis of the study, with the late series', 180_000);
    expect(duringAnalysis).toBeUndefined();
    expect(runs.map((r) => r.trigger)).toEqual(['auto', 'auto']);
    expect(new Set(runs.map((r) => r.inputFingerprint)).size).toBe(2);
  });
});
