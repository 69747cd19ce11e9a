import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boxMaskVoxelCount, type BoxMask } from '../domain/mask.ts';
import { diceCoefficient } from '../eval/mask-overlap.ts';
import type { LidcCase } from './lidc-case.ts';
import { findLidcCases, readLidcCase } from './read-case.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const lidcDir = process.env.LUNGBRIDGE_LIDC_DIR ?? path.resolve(repoRoot, '../shared/data/lidc');
const missing = !existsSync(lidcDir);
if (missing) console.warn(`LIDC tests skipped: no data at ${lidcDir} (set LUNGBRIDGE_LIDC_DIR)`);

function areaPerSlice(mask: BoxMask): number[] {
  const plane = mask.size[0] * mask.size[1];
  return Array.from({ length: mask.size[2] }, (_, k) => boxMaskVoxelCount({ ...mask, data: mask.data.subarray(k * plane, (k + 1) * plane) }));
}

/** From the data README: slab z range, the reference nodule's z range (mm) and pixel box. */
const expected = [
  { caseId: 'LIDC-IDRI-0001', slices: 16, z: [-125, -105], x: [297, 340], y: [340, 391], textures: [4, 5], outside: 0 },
  { caseId: 'LIDC-IDRI-0003', slices: 11, z: [-204, -181.5], x: [344, 388], y: [333, 372], textures: [3, 5], outside: 9 },
];

describe.skipIf(missing)('readLidcCase on the shipped LIDC slabs', () => {
  const cases = new Map<string, LidcCase>();
  beforeAll(async () => {
    for (const dir of await findLidcCases(lidcDir)) {
      const lidcCase = await readLidcCase(dir);
      cases.set(lidcCase.caseId, lidcCase);
    }
  });

  it('finds both case folders', () => {
    expect([...cases.keys()]).toEqual(expected.map((e) => e.caseId));
  });

  describe.each(expected)('$caseId', (want) => {
    const get = () => cases.get(want.caseId)!;

    it('has four reading sessions and the CT slab of the annotations', () => {
      const c = get();
      expect(c.readerIds).toHaveLength(4);
      expect(c.volume.dims).toEqual([512, 512, want.slices]);
      expect(c.warnings.some((w) => w.includes('series'))).toBe(false);
    });

    it('has one reference nodule, outlined by all four readers, inside the slab', () => {
      const c = get();
      expect(c.nodules).toHaveLength(1);
      expect(c.minorityNodules).toHaveLength(0);
      const [nodule] = c.nodules;
      expect(nodule.readerCount).toBe(4);
      const union = nodule.marks.map((m) => m.mask);
      const lo = [0, 1, 2].map((d) => Math.min(...union.map((m) => m.offset[d])));
      const hi = [0, 1, 2].map((d) => Math.max(...union.map((m) => m.offset[d] + m.size[d] - 1)));
      expect([lo[0], hi[0]]).toEqual(want.x);
      expect([lo[1], hi[1]]).toEqual(want.y);
      const zOf = (k: number) => c.volume.origin.z + k * c.volume.spacing[2];
      expect([zOf(lo[2]), zOf(hi[2])]).toEqual(want.z);
      expect(nodule.centreMm.z).toBeGreaterThan(want.z[0]);
      expect(nodule.centreMm.z).toBeLessThan(want.z[1]);
      for (const m of nodule.marks) {
        expect(m.characteristics!.texture).toBeGreaterThanOrEqual(want.textures[0]);
        expect(m.characteristics!.texture).toBeLessThanOrEqual(want.textures[1]);
      }
      expect(nodule.malignancyRatings).toHaveLength(4);
    });

    it('leaves out the outlines of nodules outside the slab', () => {
      const outside = get().warnings.find((w) => w.includes('outside the volume'));
      expect(outside ? Number(outside.split(' ')[0]) : 0).toBe(want.outside);
    });

    it('has a consensus mask that is compact, inside the readers\' union, and readers who agree', () => {
      const [nodule] = get().nodules;
      const areas = areaPerSlice(nodule.consensusMask);
      expect(areas.every((a) => a > 0)).toBe(true); // no empty slice between the ends
      const peak = Math.max(...areas);
      expect(areas[0]).toBeLessThan(peak);
      expect(areas[areas.length - 1]).toBeLessThan(peak);
      // A 25-35 mm nodule: its largest cross-section lies between the discs of 20 and 40 mm.
      const pixelMm2 = get().volume.spacing[0] * get().volume.spacing[1];
      expect(peak * pixelMm2).toBeGreaterThan(Math.PI * 10 ** 2);
      expect(peak * pixelMm2).toBeLessThan(Math.PI * 20 ** 2);
      for (const m of nodule.marks) expect(diceCoefficient(m.mask, nodule.consensusMask)).toBeGreaterThan(0.7);
      const pairs = nodule.marks.flatMap((a, i) => nodule.marks.slice(i + 1).map((b) => diceCoefficient(a.mask, b.mask)));
      expect(pairs.reduce((s, d) => s + d, 0) / pairs.length).toBeGreaterThan(0.7);
      expect(nodule.longAxisMm).toBeGreaterThan(25);
      expect(nodule.longAxisMm).toBeLessThan(35);
    });
  });
});

describe.skipIf(missing)('the full LIDC-IDRI download layout', () => {
  // Case folder > study folder > series folder holding the DICOM files and the XML (named by number),
  // beside a radiograph series whose XML is an IdriReadMessage. Copied to a temporary folder.
  let root = '';
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  beforeAll(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'lidc-download-'));
    const series = path.join(root, 'LIDC-IDRI-0003', '1.3.6.1.study', '1.3.6.1.series');
    mkdirSync(series, { recursive: true });
    const source = path.join(lidcDir, 'LIDC-IDRI-0003');
    for (const f of readdirSync(path.join(source, 'ct'))) copyFileSync(path.join(source, 'ct', f), path.join(series, f));
    copyFileSync(path.join(source, 'annotations.xml'), path.join(series, '071.xml'));
    const radiograph = path.join(root, 'LIDC-IDRI-0003', '1.3.6.1.study', '1.3.6.1.cr');
    mkdirSync(radiograph);
    writeFileSync(path.join(radiograph, '001.xml'), '<IdriReadMessage xmlns="http://www.nih.gov"></IdriReadMessage>');
  });

  it('finds the case under a collection folder and when given the case folder itself', async () => {
    expect(await findLidcCases(root)).toEqual([path.join(root, 'LIDC-IDRI-0003')]);
    expect(await findLidcCases(path.join(root, 'LIDC-IDRI-0003'))).toEqual([path.join(root, 'LIDC-IDRI-0003')]);
  });

  it('reads the nested series and its read message', async () => {
    const c = await readLidcCase(path.join(root, 'LIDC-IDRI-0003'));
    expect(c.caseId).toBe('LIDC-IDRI-0003');
    expect(c.volume.dims[2]).toBe(11);
    expect(c.nodules.map((n) => n.readerCount)).toEqual([4]);
  });
});
