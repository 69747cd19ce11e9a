import { and, asc, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyses, auditLog, findings, reports } from '../src/db/schema.ts';
import { ctSliceDatasets } from '../src/dicom/ct-writer.ts';
import { toPart10 } from '../src/dicom/part10.ts';
import { readMeasurementReport } from '../src/dicom/read-sr.ts';
import type { Vec3 } from '../src/domain/volume.ts';
import { generateFollowUp } from '../src/phantom/follow-up.ts';
import type { NoduleSpec } from '../src/phantom/types.ts';
import { isoDate } from '../src/dicom/dates.ts';
import { eventually, startTestStack, type TestStack } from './services.ts';
import { phantomStudy } from './fixtures.ts';

/** Small scans (256 x 256 at 1.4 mm, 60 slices at 2.5 mm) of one patient, a year apart. */
const geometry = { matrix: 256, pixelSpacingMm: 1.4, slices: 60, sliceSpacingMm: 2.5 } as const;
const nodules: NoduleSpec[] = [
  { diameterMm: 10, type: 'solid', shape: 'round', attachment: 'free', laterality: 'right', zone: 'middle' },
  { diameterMm: 12, type: 'solid', shape: 'round', attachment: 'free', laterality: 'left', zone: 'middle' },
  { diameterMm: 11, type: 'solid', shape: 'round', attachment: 'free', laterality: 'left', zone: 'middle' },
];
const baselineOptions = { seed: 811, ...geometry, nodules };
const intervalDays = 365;
const baseline = phantomStudy(baselineOptions);
const { followUp, links } = generateFollowUp(baselineOptions, {
  intervalDays,
  shiftMm: { x: 6, y: -4, z: 5 },
  rotationDeg: 3,
  grow: { 1: 14 },
  remove: [2],
  add: [{ diameterMm: 12, type: 'solid', shape: 'round', attachment: 'free', laterality: 'right', zone: 'middle' }],
});
const followUpInstances = ctSliceDatasets(followUp.volume, followUp.identity).map(toPart10);
const followUpStudyUid = followUp.volume.source.studyInstanceUid;

type Finding = { id: string; index: number; trackingUid: string; centroidMm: Vec3; meanDiameterMm: number; longAxis: { lengthMm: number }; change: Record<string, unknown> | null; review: { status: string } };
const distance = (a: Vec3, b: Vec3) => Math.hypot(a.x - b.x, a.y - b.y, a.z - b.z);
const nearest = (list: Finding[], at: Vec3) => list.find((f) => distance(f.centroidMm, at) < 6);

describe('a follow-up CT compared with the prior, then reviewed by a radiologist', () => {
  let stack: TestStack;
  let analysis: { id: string; findings: Finding[]; resolvedSincePrior: Array<Record<string, unknown>>; priorAnalysisId: string; reviewState: string; outputs: Record<string, string> };

  beforeAll(async () => {
    stack = await startTestStack({ env: { LUNGBRIDGE_AUTO_ROUTE: 'false' } });
    await stack.pacs.store(baseline.studyInstanceUid, baseline.instances);
    await stack.pacs.store(followUpStudyUid, followUpInstances);
    const res = await stack.api('/api/v1/analyses', { method: 'POST', json: { studyInstanceUid: followUpStudyUid } });
    const { id } = await res.json();
    analysis = await eventually(async () => {
      const body = await (await stack.api(`/api/v1/analyses/${id}`)).json();
      return ['succeeded', 'failed'].includes(body.status) ? body : undefined;
    }, `analysis ${id}`, 150_000);
  });
  afterAll(async () => { await stack?.stop(); });

  it('analyses the prior on its own and calls each nodule what the truth says it is', async () => {
    expect(analysis).toMatchObject({ status: 'succeeded' });
    const [prior] = await stack.service.database.db.select().from(analyses).where(eq(analyses.studyInstanceUid, baseline.studyInstanceUid));
    expect(prior).toMatchObject({ status: 'succeeded', trigger: 'prior' });
    expect(analysis.priorAnalysisId).toBe(prior.id);

    const expected = { grown: 'growing', stable: 'stable', new: 'new' } as const;
    for (const link of links.filter((l) => l.change !== 'resolved')) {
      const truth = followUp.truth.nodules[link.followUpIndex! - 1];
      const finding = nearest(analysis.findings, truth.centreMm);
      expect(finding, `follow-up nodule ${link.followUpIndex} (${link.change}) found`).toBeDefined();
      expect(finding!.change?.status, `follow-up nodule ${link.followUpIndex}`).toBe(expected[link.change as keyof typeof expected]);
      if (link.change === 'grown') {
        // Truth from the nominal diameters (10 → 14 mm: 251 days); the measured volumes may differ by a third.
        const vdt = Number(finding!.change!.volumeDoublingTimeDays);
        expect(vdt).toBeGreaterThan(link.volumeDoublingDays! * 0.67);
        expect(vdt).toBeLessThan(link.volumeDoublingDays! * 1.5);
        expect(finding!.change).toMatchObject({ vdtBand: 'fast', intervalDays, volumeChange: 'significant-increase' });
        expect(Number(finding!.change!.meanDiameterChangeMm)).toBeGreaterThan(1.5);
      }
    }
    const gone = baseline.phantom.truth.nodules[1].centreMm;
    expect(analysis.resolvedSincePrior.some((r) => distance(r.priorCentroidMm as Vec3, gone) < 6)).toBe(true);
  });

  it('refuses review requests without a key, with a bad body, or for an unknown finding', async () => {
    const finding = analysis.findings[0];
    expect((await stack.api(`/api/v1/findings/${finding.id}`, { method: 'PATCH', json: { action: 'reject' }, key: null })).status).toBe(401);
    expect((await stack.api(`/api/v1/site/performance`, { key: null })).status).toBe(401);
    const bad = await stack.api(`/api/v1/findings/${finding.id}`, { method: 'PATCH', json: { action: 'edit' } });
    expect(bad.status).toBe(400);
    expect((await bad.json()).detail).toMatch(/an edit changes type/);
    expect((await stack.api(`/api/v1/findings/${finding.id}`, { method: 'PATCH', json: { action: 'edit', shortAxisMm: 99 } })).status).toBe(400);
    expect((await stack.api(`/api/v1/analyses/${analysis.id}/findings`, { method: 'POST', json: { centreMm: { x: 0, y: 0, z: 0 } } })).status).toBe(400);
    expect((await stack.api('/api/v1/findings/00000000-0000-4000-8000-000000000000', { method: 'PATCH', json: { action: 'accept' } })).status).toBe(404);
    expect((await stack.api('/api/v1/analyses/00000000-0000-4000-8000-000000000000/review/complete', { method: 'POST' })).status).toBe(404);
  });

  it('records decisions and an added nodule, then issues a reviewed version and updates the site figures', async () => {
    const [first, second] = analysis.findings;
    const rejected = await stack.api(`/api/v1/findings/${second.id}`, { method: 'PATCH', json: { action: 'reject', note: 'vessel' } });
    expect(rejected.status).toBe(200);
    const edited = await (await stack.api(`/api/v1/findings/${first.id}`, { method: 'PATCH', json: { action: 'edit', longAxisMm: first.longAxis.lengthMm + 2 } })).json();
    expect(edited).toMatchObject({ review: { status: 'edited' }, original: { longAxis: { lengthMm: first.longAxis.lengthMm } } });
    expect(edited.longAxis.lengthMm).toBeCloseTo(first.longAxis.lengthMm + 2, 6);
    const truthNew = followUp.truth.nodules[2].centreMm;
    const added = await stack.api(`/api/v1/analyses/${analysis.id}/findings`, { method: 'POST', json: { centreMm: { x: truthNew.x - 40, y: truthNew.y, z: truthNew.z }, diameterMm: 6, note: 'missed' } });
    expect(added.status).toBe(201);
    // 40 mm from any nodule of either scan: new since the prior, a year ago.
    expect(await added.json()).toMatchObject({ source: 'reader', review: { status: 'accepted', note: 'missed' }, change: { status: 'new', intervalDays } });
    expect((await (await stack.api(`/api/v1/analyses/${analysis.id}`)).json()).reviewState).toBe('in-review');

    const complete = await stack.api(`/api/v1/analyses/${analysis.id}/review/complete`, { method: 'POST' });
    expect(complete.status).toBe(200);
    const done = await complete.json();
    expect(done).toMatchObject({ reviewState: 'reviewed', report: { version: 2, findingCount: analysis.findings.length } });
    expect((await stack.api(`/api/v1/analyses/${analysis.id}/review/complete`, { method: 'POST' })).status).toBe(409);

    const { db } = stack.service.database;
    const versions = await db.select().from(reports).where(eq(reports.analysisId, analysis.id)).orderBy(asc(reports.version));
    expect(versions.map((v) => [v.version, v.origin])).toEqual([[1, 'machine'], [2, 'review']]);
    expect(versions[1].outputs?.srSopInstanceUid).not.toBe(versions[0].outputs?.srSopInstanceUid);
    // The new SR in the PACS: the rejected finding left out, the added one in.
    const srBytes = await stack.pacs.retrieveInstance(followUpStudyUid, versions[1].outputs!.srSeriesInstanceUid, versions[1].outputs!.srSopInstanceUid);
    const sr = readMeasurementReport(srBytes);
    expect(sr.nodules.map((n) => n.trackingUid).sort()).toEqual(done.findings.filter((f: Finding) => f.review.status !== 'rejected').map((f: Finding) => f.trackingUid).sort());
    expect(sr.nodules.map((n) => n.trackingUid)).not.toContain(second.trackingUid);

    const trail = await db.select().from(auditLog).where(and(eq(auditLog.entityType, 'finding'))).orderBy(asc(auditLog.id));
    expect(trail.map((t) => t.action)).toEqual(['finding.reject', 'finding.edit', 'finding.add']);
    expect(trail[0]).toMatchObject({ entityId: second.id, before: { reviewStatus: 'pending' }, after: { reviewStatus: 'rejected', reviewNote: 'vessel' } });
    expect(trail[0].actor).toMatch(/\S/);
    const [completion] = await db.select().from(auditLog).where(eq(auditLog.action, 'analysis.review.complete'));
    expect(completion).toMatchObject({ entityId: analysis.id, before: { reviewState: 'in-review' }, after: { reviewState: 'reviewed', reportVersion: 2 } });

    const site = await (await stack.api('/api/v1/site/performance')).json();
    expect(site.items).toHaveLength(1);
    expect(site.items[0]).toMatchObject({ analysed: 1, reviewed: 1, reviewedShare: 1, rejected: 1, added: 1, falsePositivesPerScan: 1, accepted: analysis.findings.length - 1 });
    const metrics = await (await stack.api('/metrics')).text();
    const labels = `week="${site.items[0].week}",model_version="${site.items[0].modelVersion}"`;
    expect(metrics).toContain(`lungbridge_site_false_positives_per_scan{${labels}} 1`);
    expect(metrics).toContain(`lungbridge_site_findings{${labels},decision="added"} 1`);
  });

  it('compares again with a prior stored before the outline axes (no axisMethod) and says so in the warnings', async () => {
    const { db } = stack.service.database;
    const [prior] = await db.select().from(analyses).where(eq(analyses.studyInstanceUid, baseline.studyInstanceUid));
    // The rows as an analysis before 2026-11-28 wrote them: the same measurements, without axisMethod.
    const oldStyle = await db.update(findings).set({ measurements: sql`${findings.measurements} - 'axisMethod'` })
      .where(eq(findings.analysisId, prior.id)).returning({ measurements: findings.measurements });
    expect(oldStyle.length).toBeGreaterThan(0);
    expect(oldStyle.every((row) => !('axisMethod' in row.measurements))).toBe(true);

    const res = await stack.api('/api/v1/analyses', { method: 'POST', json: { studyInstanceUid: followUpStudyUid, force: true } });
    const { id } = await res.json();
    expect(id).not.toBe(analysis.id);
    const again = await eventually(async () => {
      const body = await (await stack.api(`/api/v1/analyses/${id}`)).json();
      return ['succeeded', 'failed'].includes(body.status) ? body : undefined;
    }, `analysis ${id}`, 150_000);
    expect(again).toMatchObject({ status: 'succeeded', priorAnalysisId: prior.id });
    const axisWarnings = (again.warnings as string[]).filter((w) => w.includes('measured between pixel centres'));
    expect(axisWarnings).toEqual([expect.stringContaining(`The prior study of ${isoDate(baseline.datasets[0].StudyDate)} (${baseline.studyInstanceUid}) has ${oldStyle.length} finding(s)`)]);
    // The comparison itself still runs: the grown nodule is called growing against the old rows.
    const grown = links.find((l) => l.change === 'grown')!;
    expect(nearest(again.findings, followUp.truth.nodules[grown.followUpIndex! - 1].centreMm)?.change?.status).toBe('growing');
  });
});
