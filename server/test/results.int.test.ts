import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyses, findings, storedSeries } from '../src/db/schema.ts';
import { fromPart10 } from '../src/dicom/part10.ts';
import { readSegmentation } from '../src/dicom/read-seg.ts';
import { createDefaultEngine } from '../src/engine.ts';
import { readMeasurementReport } from '../src/dicom/read-sr.ts';
import { dice } from '../src/dicom/testing/mask-compare.ts';
import { eventually, startTestStack, type TestStack } from './services.ts';
import { runDciodvfy } from './dicom-validators.ts';
import { phantomStudy } from './fixtures.ts';

async function analyse(stack: TestStack, studyInstanceUid: string, force = false) {
  const res = await stack.api('/api/v1/analyses', { method: 'POST', json: { studyInstanceUid, ...(force ? { force } : {}) } });
  const { id } = await res.json();
  return eventually(async () => {
    const body = await (await stack.api(`/api/v1/analyses/${id}`)).json();
    return ['succeeded', 'failed'].includes(body.status) ? body : undefined;
  }, `analysis ${id}`, 120_000);
}

/** SR and SEG stored into a real Orthanc, read back through Lungbridge and checked by dciodvfy. */
describe('DICOM results in the PACS', () => {
  let stack: TestStack;
  const study = phantomStudy({ seed: 401, slices: 48 });
  beforeAll(async () => {
    stack = await startTestStack({ env: { LUNGBRIDGE_AUTO_ROUTE: 'false' } });
    await stack.pacs.store(study.studyInstanceUid, study.instances);
  });
  afterAll(async () => { await stack?.stop(); });

  it('stores a valid SR and SEG that read back to the same nodules, measurements and masks', async () => {
    const analysis = await analyse(stack, study.studyInstanceUid);
    expect(analysis.status).toBe('succeeded');
    expect(analysis.findings.length).toBeGreaterThan(0);
    const { srSopInstanceUid, segSopInstanceUid, srSeriesInstanceUid, segSeriesInstanceUid } = analysis.outputs;

    // Found by QIDO in the source study, through Lungbridge's DICOMweb.
    const series = await (await stack.api(`/dicom-web/studies/${study.studyInstanceUid}/series`)).json() as Array<Record<string, { Value: string[] }>>;
    const byUid = new Map(series.map((s) => [s['0020000E'].Value[0], s['00080060'].Value[0]]));
    expect(byUid.get(srSeriesInstanceUid)).toBe('SR');
    expect(byUid.get(segSeriesInstanceUid)).toBe('SEG');

    // What OHIF reads: the SEG's ReferencedSeriesSequence and the SR's ContentSequence survive in /metadata.
    const segMeta = await (await stack.api(`/dicom-web/studies/${study.studyInstanceUid}/series/${segSeriesInstanceUid}/metadata`)).json();
    expect(segMeta[0]['00081115'].Value[0]['0020000E'].Value[0]).toBe(study.seriesInstanceUid);
    const srMeta = await (await stack.api(`/dicom-web/studies/${study.studyInstanceUid}/series/${srSeriesInstanceUid}/metadata`)).json();
    expect(srMeta[0]['0040A730'].Value.length).toBeGreaterThan(0);

    const dir = await mkdtemp(path.join(tmpdir(), 'lungbridge-results-'));
    const srRes = await stack.api(`/api/v1/analyses/${analysis.id}/sr`);
    expect(srRes.headers.get('content-type')).toBe('application/dicom');
    const sr = new Uint8Array(await srRes.arrayBuffer());
    const seg = new Uint8Array(await (await stack.api(`/api/v1/analyses/${analysis.id}/seg`)).arrayBuffer());
    for (const [name, bytes] of [['sr.dcm', sr], ['seg.dcm', seg]] as const) {
      await writeFile(path.join(dir, name), bytes);
      const report = await runDciodvfy(path.join(dir, name));
      expect(report.errors, `${name}: ${report.output}`).toEqual([]);
    }

    const read = readMeasurementReport(sr);
    expect(read.sopInstanceUid).toBe(srSopInstanceUid);
    expect(read.nodules.map((n) => n.trackingUid)).toEqual(analysis.findings.map((f: { trackingUid: string }) => f.trackingUid));
    read.nodules.forEach((nodule, n) => {
      expect(nodule.longAxis.lengthMm).toBeCloseTo(analysis.findings[n].longAxis.lengthMm, 1);
      expect(nodule.segment).toEqual({ sopInstanceUid: segSopInstanceUid, segmentNumber: n + 1 });
    });
    const segments = readSegmentation(seg, study.phantom.volume);
    const rows = await stack.service.database.db.select().from(findings).where(eq(findings.analysisId, analysis.id)).orderBy(findings.index);
    for (const row of rows) {
      const stored = { offset: row.maskOffset, size: row.maskSize, data: new Uint8Array(row.maskData) };
      expect(dice(segments.get(row.index)!.mask, stored, study.phantom.volume.dims[0], study.phantom.volume.dims[1])).toBe(1);
    }
  });

  it('adds a new SR/SEG version with fresh UIDs when re-run, keeping the first', async () => {
    const [first] = await stack.service.database.db.select().from(analyses).where(eq(analyses.studyInstanceUid, study.studyInstanceUid));
    const again = await analyse(stack, study.studyInstanceUid, true);
    expect(again.status).toBe('succeeded');
    expect(again.outputs.srSopInstanceUid).not.toBe(first.outputs?.srSopInstanceUid);
    expect(again.outputs.segSeriesInstanceUid).not.toBe(first.outputs?.segSeriesInstanceUid);
    const modalities = (await stack.pacs.searchSeries(study.studyInstanceUid)).map((s) => s.modality).sort();
    expect(modalities).toEqual(['CT', 'DOC', 'DOC', 'SEG', 'SEG', 'SR', 'SR']);
    const ours = await stack.service.database.db.select().from(storedSeries).where(eq(storedSeries.studyInstanceUid, study.studyInstanceUid));
    expect(ours).toHaveLength(6);
  });

  it('says so in the SR when a study has no nodules, stores no SEG, and records why (no lungs)', async () => {
    const abdomen = phantomStudy({ seed: 402, slices: 30, nodules: [], region: 'abdomen' });
    await stack.pacs.store(abdomen.studyInstanceUid, abdomen.instances);
    const analysis = await analyse(stack, abdomen.studyInstanceUid);
    expect(analysis.status).toBe('succeeded');
    expect(analysis.findings).toEqual([]);
    expect(analysis.warnings.join(' ')).toMatch(/No lungs found/);
    // and so does the report, for its reader
    const { report } = await (await stack.api(`/api/v1/analyses/${analysis.id}/report`)).json();
    expect(report.notes).toEqual(analysis.warnings);
    expect(analysis.outputs.segSopInstanceUid).toBeUndefined();
    const sr = readMeasurementReport(new Uint8Array(await (await stack.api(`/api/v1/analyses/${analysis.id}/sr`)).arrayBuffer()));
    expect(sr).toMatchObject({ noNodulesStated: true, nodules: [] });
    // a viewer or archive that shows only the SR sees the same notes
    expect(sr.notes).toEqual(analysis.warnings);
    expect((await stack.api(`/api/v1/analyses/${analysis.id}/seg`)).status).toBe(404);
  });
});

describe('a PACS that refuses the results', () => {
  let stack: TestStack;
  beforeAll(async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'lungbridge-lua-'));
    const script = path.join(dir, 'refuse-sr.lua');
    // A PACS policy that refuses structured reports (Orthanc still answers the STOW with success).
    await writeFile(script, 'function ReceivedInstanceFilter(dicom, origin, info)\n  return dicom.Modality ~= "SR"\nend\n');
    stack = await startTestStack({ env: { LUNGBRIDGE_AUTO_ROUTE: 'false' }, orthancConfig: { LuaScripts: [script] } });
  });
  afterAll(async () => { await stack?.stop(); });

  it('fails the analysis with the reason and keeps the findings', async () => {
    const study = phantomStudy({ seed: 403, slices: 40 });
    await stack.pacs.store(study.studyInstanceUid, study.instances);
    const analysis = await analyse(stack, study.studyInstanceUid);
    expect(analysis.status).toBe('failed');
    expect(analysis.error.code).toBe('pacs-rejected');
    expect(analysis.error.reason).toMatch(/PACS acknowledged the SR 2\.25\.\d+ but does not have it/);
    expect(analysis.attempts).toBe(1);
    const stored = await stack.service.database.db.select().from(findings).where(eq(findings.analysisId, analysis.id));
    expect(stored.length).toBe(analysis.findings.length);
    expect(stored.length).toBeGreaterThan(0);
  });
});

describe('the trained model as the detector', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ env: { LUNGBRIDGE_AUTO_ROUTE: 'false' }, engine: await createDefaultEngine({ detector: 'model' }) });
  });
  afterAll(async () => { await stack?.stop(); });

  it('runs through onnxruntime-node and names the model in the record, the SR and the SEG', async () => {
    const study = phantomStudy({ seed: 404, slices: 40 });
    await stack.pacs.store(study.studyInstanceUid, study.instances);
    const analysis = await analyse(stack, study.studyInstanceUid);
    expect(analysis.status).toBe('succeeded');
    expect(analysis.model).toEqual({ name: 'lungbridge-nodule-cnn', version: expect.stringMatching(/^\d+\.\d+\.\d+$/) });
    expect(analysis.findings.length).toBeGreaterThan(0);
    const seg = fromPart10(new Uint8Array(await (await stack.api(`/api/v1/analyses/${analysis.id}/seg`)).arrayBuffer()));
    const segments = seg.SegmentSequence as Array<{ SegmentAlgorithmName: string }>;
    expect(segments[0].SegmentAlgorithmName).toContain('lungbridge-nodule-cnn');
    const sr = fromPart10(new Uint8Array(await (await stack.api(`/api/v1/analyses/${analysis.id}/sr`)).arrayBuffer()));
    expect(JSON.stringify(sr.ContentSequence)).toContain(analysis.model.version);
    expect(JSON.stringify(sr.ContentSequence)).toContain('lungbridge-nodule-cnn');
  });
});
