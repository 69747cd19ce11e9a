import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { analyses, findings, reports } from '../src/db/schema.ts';
import { readMeasurementReport } from '../src/dicom/read-sr.ts';
import { PipelineError } from '../src/errors/pipeline-error.ts';
import { importFolder } from '../src/dicomweb/import-folder.ts';
import { createDefaultEngine } from '../src/engine.ts';
import { hookedEngine } from './engines.ts';
import { eventually, startTestStack, type TestStack } from './services.ts';
import { phantomStudy } from './fixtures.ts';

const noRouting = { LUNGBRIDGE_AUTO_ROUTE: 'false' };
let stack: TestStack | undefined;
afterEach(async () => { await stack?.stop(); stack = undefined; });

async function queue(s: TestStack, studyInstanceUid: string): Promise<string> {
  const res = await s.api('/api/v1/analyses', { method: 'POST', json: { studyInstanceUid } });
  expect(res.status).toBe(202);
  return (await res.json()).id;
}

async function outcome(s: TestStack, id: string, timeoutMs = 90_000) {
  return eventually(async () => {
    const [row] = await s.service.database.db.select().from(analyses).where(eq(analyses.id, id));
    return row && ['succeeded', 'failed', 'skipped'].includes(row.status) ? row : undefined;
  }, `analysis ${id} to finish`, timeoutMs);
}

describe('bad input', () => {
  it('fails a series with a missing slice, a non-CT study and an unknown study with a clear reason', async () => {
    stack = await startTestStack({ env: noRouting });
    const gap = phantomStudy({ seed: 301, slices: 30, nodules: [], edit: (datasets) => datasets.filter((_, k) => k !== 14) });
    const mr = phantomStudy({ seed: 302, slices: 12, nodules: [], edit: (datasets) => datasets.map((ds) => ({ ...ds, Modality: 'MR', SOPClassUID: '1.2.840.10008.5.1.4.1.1.4' })) });
    const onlySr = phantomStudy({ seed: 303, slices: 12, nodules: [] });
    for (const study of [gap, mr]) expect((await stack.pacs.store(study.studyInstanceUid, study.instances)).failed).toEqual([]);

    const gapRow = await outcome(stack, await queue(stack, gap.studyInstanceUid));
    expect(gapRow).toMatchObject({ status: 'failed', errorCode: 'missing-slice', attempts: 1 });
    expect(gapRow.error).toMatch(/Gap of 5\.00 mm .*median spacing 2\.50 mm.*slice is missing/);

    const mrRow = await outcome(stack, await queue(stack, mr.studyInstanceUid));
    expect(mrRow).toMatchObject({ status: 'failed', errorCode: 'not-ct' });
    expect(mrRow.error).toMatch(/no CT series \(modalities: MR\)/);

    // Unknown to the PACS: refused at the door, nothing queued.
    const unknown = await stack.api('/api/v1/analyses', { method: 'POST', json: { studyInstanceUid: onlySr.studyInstanceUid } });
    expect(unknown.status).toBe(404);
  });

  it('imports a folder with a corrupt file: the corrupt one is named, the others arrive', async () => {
    stack = await startTestStack({ env: noRouting });
    const study = phantomStudy({ seed: 304, slices: 6, nodules: [] });
    const dir = await mkdtemp(path.join(tmpdir(), 'lungbridge-import-'));
    await Promise.all(study.instances.map((bytes, k) => writeFile(path.join(dir, `${k}.dcm`), bytes)));
    const corrupt = Buffer.from(study.instances[0]);
    corrupt.write('garbage-garbage-garbage', 140, 'latin1');
    corrupt.fill(0xff, 400, 900);
    await writeFile(path.join(dir, 'corrupt.dcm'), corrupt.subarray(0, 1200));
    const summary = await importFolder(stack.pacs, dir);
    expect(summary.files).toBe(7);
    expect(summary.stored).toBe(6);
    expect(summary.failures).toHaveLength(1);
    expect(summary.failures[0].file).toMatch(/corrupt\.dcm$/);
  });
});

describe('faults', () => {
  it('retries when Orthanc goes away mid-analysis and succeeds once it is back', async () => {
    let stopped = false;
    let orthancRef: TestStack['orthanc'] | undefined;
    const engine = hookedEngine(await createDefaultEngine(), {
      // The PACS disappears after the images were fetched, before the results are stored.
      beforePublish: async () => {
        if (!stopped && orthancRef) { stopped = true; await orthancRef.stop(); }
      },
    });
    stack = await startTestStack({ env: noRouting, engine });
    orthancRef = stack.orthanc;
    const study = phantomStudy({ seed: 311, slices: 30 });
    await stack.pacs.store(study.studyInstanceUid, study.instances);
    const id = await queue(stack, study.studyInstanceUid);

    const retrying = await eventually(async () => {
      const [row] = await stack!.service.database.db.select().from(analyses).where(eq(analyses.id, id));
      return row?.status === 'queued' && row.attempts === 1 ? row : undefined;
    }, 'the first attempt to fail and be queued again');
    expect(retrying.errorCode).toBe('pacs-unavailable');
    expect(retrying.error).toMatch(/Attempt 1 failed, retrying in \d+ s: PACS unavailable during store/);

    await stack.orthanc.start();
    const done = await outcome(stack, id);
    expect(done.status).toBe('succeeded');
    expect(done.attempts).toBeGreaterThanOrEqual(2);
    expect(done.error).toBeNull();
    expect((await stack.pacs.searchSeries(study.studyInstanceUid)).some((s) => s.modality === 'SR')).toBe(true);
  });

  it('stores no second set of results when a run is retried after its results reached the PACS unrecorded', async () => {
    let lostOnce = false;
    const engine = hookedEngine(await createDefaultEngine(), {
      // The STOW went through, but its answer (or the record of it) was lost: the run is retried.
      published: () => {
        if (lostOnce) return;
        lostOnce = true;
        throw new PipelineError('pacs-unavailable', 'PACS unavailable during store: connection reset (test)', true);
      },
    });
    stack = await startTestStack({ env: noRouting, engine });
    const study = phantomStudy({ seed: 313, slices: 30 });
    await stack.pacs.store(study.studyInstanceUid, study.instances);
    const id = await queue(stack, study.studyInstanceUid);
    const done = await outcome(stack, id);
    expect(lostOnce).toBe(true);
    expect(done).toMatchObject({ status: 'succeeded', attempts: 2 });

    const results = (await stack.pacs.searchSeries(study.studyInstanceUid)).filter((s) => s.modality !== 'CT');
    expect(results.map((s) => `${s.modality} x${s.instanceCount}`).sort()).toEqual(['DOC x1', 'SEG x1', 'SR x1']);
    expect(results.find((s) => s.modality === 'SR')?.seriesInstanceUid).toBe(done.outputs?.srSeriesInstanceUid);
    // What the PACS kept is what the database says: the same nodules by the same tracking UIDs.
    const sr = readMeasurementReport(new Uint8Array(await (await stack.api(`/api/v1/analyses/${id}/sr`)).arrayBuffer()));
    const rows = await stack.service.database.db.select().from(findings).where(eq(findings.analysisId, id)).orderBy(findings.index);
    expect(rows.length).toBeGreaterThan(0);
    expect(sr.nodules.map((n) => n.trackingUid)).toEqual(rows.map((r) => r.trackingUid));
  });

  it('lets a worker that paused past its claim write nothing once another has taken the analysis over', async () => {
    let release: () => void = () => {};
    const hang = new Promise<void>((resolve) => { release = resolve; });
    let paused = false;
    const publishedFor: string[] = [];
    const engine = hookedEngine(await createDefaultEngine(), {
      beforeAnalyze: async (studyInstanceUid) => {
        if (studyInstanceUid !== pausedStudy.studyInstanceUid) return;
        paused = true;
        await hang;
      },
      published: (analysisId) => { publishedFor.push(analysisId); },
    });
    const pausedStudy = phantomStudy({ seed: 314, slices: 30 });
    const nextStudy = phantomStudy({ seed: 315, slices: 12, nodules: [] });
    stack = await startTestStack({ env: noRouting, engine });
    await stack.pacs.store(pausedStudy.studyInstanceUid, pausedStudy.instances);
    await stack.pacs.store(nextStudy.studyInstanceUid, nextStudy.instances);
    const id = await queue(stack, pausedStudy.studyInstanceUid);
    await eventually(async () => (paused ? true : undefined), 'the worker to pause in the analysis');

    // While it is paused its claim lapses and another worker takes the analysis over.
    const db = stack.service.database.db;
    await db.update(analyses).set({ claimedBy: 'the-other-worker', claimExpiresAt: new Date(Date.now() + 600_000), attempts: 2 }).where(eq(analyses.id, id));
    // The one worker slot takes the next study only once the paused run has ended.
    const nextId = await queue(stack, nextStudy.studyInstanceUid);
    release();
    expect((await outcome(stack, nextId)).status).toBe('succeeded');

    const [row] = await db.select().from(analyses).where(eq(analyses.id, id));
    expect(row).toMatchObject({ status: 'running', claimedBy: 'the-other-worker', outputs: null });
    expect(await db.select().from(findings).where(eq(findings.analysisId, id))).toEqual([]);
    expect(await db.select().from(reports).where(eq(reports.analysisId, id))).toEqual([]);
    expect(publishedFor).toEqual([nextId]);
    expect((await stack.pacs.searchSeries(pausedStudy.studyInstanceUid)).map((s) => s.modality)).toEqual(['CT']);
  });

  it('gives up after the attempt limit when the PACS stays away, saying why', async () => {
    stack = await startTestStack({ env: { ...noRouting, LUNGBRIDGE_MAX_ATTEMPTS: '2' } });
    const study = phantomStudy({ seed: 312, slices: 12, nodules: [] });
    await stack.pacs.store(study.studyInstanceUid, study.instances);
    await stack.service.workers.stop();
    const id = await queue(stack, study.studyInstanceUid);
    await stack.orthanc.stop();
    stack.service.workers.start();
    const row = await outcome(stack, id);
    expect(row).toMatchObject({ status: 'failed', errorCode: 'pacs-unavailable', attempts: 2 });
    expect(row.error).toMatch(/^Gave up after 2 attempts: PACS unavailable/);
    // /health answers without a key: it says the PACS is down, not where it lives.
    const health = await stack.api('/health', { key: null });
    expect(health.status).toBe(503);
    const body = await health.json();
    expect(body).toMatchObject({ status: 'degraded', database: { ok: true }, orthanc: { ok: false, detail: 'did not answer (the server log says why)' } });
    expect(JSON.stringify(body)).not.toContain(new URL(stack.orthanc.url).port);
    await stack.orthanc.start();
  });

  it('loses no analysis and finishes none twice when PostgreSQL restarts while workers run', async () => {
    const published = new Map<string, number>();
    let restarted = false;
    let postgresRef: TestStack['postgres'] | undefined;
    const engine = hookedEngine(await createDefaultEngine(), {
      beforeAnalyze: async () => {
        if (!restarted && postgresRef) {
          restarted = true;
          await postgresRef.stop();
          await new Promise((r) => setTimeout(r, 1500));
          await postgresRef.start();
        }
      },
      published: (analysisId) => published.set(analysisId, (published.get(analysisId) ?? 0) + 1),
    });
    stack = await startTestStack({ env: { ...noRouting, LUNGBRIDGE_WORKERS: '2' }, engine });
    postgresRef = stack.postgres;
    const studies = [321, 322, 323].map((seed) => phantomStudy({ seed, slices: 24, nodules: seed === 321 ? undefined : [] }));
    for (const study of studies) await stack.pacs.store(study.studyInstanceUid, study.instances);
    const ids = [];
    for (const study of studies) ids.push(await queue(stack, study.studyInstanceUid));

    const rows = [];
    for (const id of ids) rows.push(await outcome(stack, id, 120_000));
    expect(restarted).toBe(true);
    expect(rows.map((r) => r.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    for (const id of ids) expect(published.get(id), `stored results of ${id}`).toBe(1);
    const all = await stack.service.database.db.select().from(analyses);
    expect(all).toHaveLength(3);
    const stored = await stack.service.database.db.select().from(findings).where(eq(findings.analysisId, ids[0]));
    expect(new Set(stored.map((f) => f.index)).size).toBe(stored.length);
  });

  it('hands a dead worker\'s analysis to another worker once its claim expires', async () => {
    let release: () => void = () => {};
    const hang = new Promise<void>((resolve) => { release = resolve; });
    let hung = false;
    const engine = await createDefaultEngine();
    const stuck = hookedEngine(engine, { beforeAnalyze: async () => { hung = true; await hang; } });
    stack = await startTestStack({ env: noRouting, engine: stuck });
    const study = phantomStudy({ seed: 331, slices: 24, nodules: [] });
    await stack.pacs.store(study.studyInstanceUid, study.instances);
    const id = await queue(stack, study.studyInstanceUid);
    await eventually(async () => (hung ? true : undefined), 'the first worker to take the analysis');

    // The first process "dies" with the analysis claimed; a new one starts on the same database.
    await stack.restartService({}, engine, 100);
    try {
      const done = await outcome(stack, id, 60_000);
      expect(done.status).toBe('succeeded');
      expect(done.attempts).toBe(2);
    } finally {
      release();
    }
  });
});
